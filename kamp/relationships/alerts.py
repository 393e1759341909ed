"""Relationship alerts: a perception gap, a disintegrating relationship, a survey overdue — the
signs of one cause, how the relationship is going, rolled up into one alert per account."""

from __future__ import annotations

from datetime import date, timedelta

from django.urls import reverse
from django.utils.translation import gettext as _

from kamp.core.alerts import Alert
from kamp.core.formatting import format_number
from kamp.customers.models import CustomerStatus

from . import results

CAUSE = "relationship"
SURVEY_EVERY_DAYS = 365  # a key account without a survey round for this long is overdue [default]


def alerts(customers, as_of: date) -> list[Alert]:
    """Constant queries: the customers, their scored rounds, their last round dates, stages."""
    found: list[Alert] = []
    customers = list(customers.only("id", "name", "status"))
    ids = [c.pk for c in customers]
    rounds = results.latest_scored_rounds(ids)
    last = results.last_round_dates(ids)
    stages = results.latest_stages(ids)
    every = int(results.conf("SURVEY_EVERY_DAYS", SURVEY_EVERY_DAYS))
    title = _("How the relationship is going")
    drop = float(results.conf("RQI_DROP", 1.0))
    threshold = results.gap_threshold()
    for c in customers:
        url = reverse("relationships:customer_tab", args=[c.pk])
        rs = rounds.get(c.pk, [])
        if rs and rs[0].gap_flagged and rs[0].max_gap is not None:
            found.append(
                Alert(
                    "relationships",
                    "perception_gap",
                    "warning",
                    _(
                        "Perception gap: our team and the customer differ by %(gap)s points (more than %(t)s) in the latest survey."
                    )
                    % {
                        "gap": format_number(rs[0].max_gap, 1),
                        "t": format_number(threshold, 0),
                    },
                    c.pk,
                    c.name,
                    reverse("relationships:round", args=[rs[0].pk]),
                    cause=CAUSE,
                    cause_title=title,
                )
            )
        before = results.year_ago_round(rs)
        st = stages.get(c.pk)
        now_rqi = rs[0].rqi if rs else None
        before_rqi = before.rqi if before else None
        falling = (
            now_rqi is not None
            and before_rqi is not None
            and float(before_rqi) - float(now_rqi) >= drop
        )
        if falling or (st is not None and st.stage == "disintegrating"):
            if falling and now_rqi is not None and before_rqi is not None:
                message = _(
                    "The relationship may be disintegrating: the quality index fell from %(before)s to %(now)s in a year."
                ) % {
                    "before": format_number(before_rqi, 1),
                    "now": format_number(now_rqi, 1),
                }
            else:
                message = _("The relationship is marked as disintegrating.")
            found.append(
                Alert(
                    "relationships",
                    "disintegrating",
                    "danger",
                    message,
                    c.pk,
                    c.name,
                    url,
                    cause=CAUSE,
                    cause_title=title,
                )
            )
        if c.status == CustomerStatus.KEY_ACCOUNT:
            last_date = last.get(c.pk)
            if last_date is None or last_date < as_of - timedelta(days=every):
                message = (
                    _("No relationship survey yet: ask both sides how the relationship is going.")
                    if last_date is None
                    else _("Relationship survey overdue: the last round was more than a year ago.")
                )
                found.append(
                    Alert(
                        "relationships",
                        "survey_overdue",
                        "info",
                        message,
                        c.pk,
                        c.name,
                        url,
                        cause=CAUSE,
                        cause_title=title,
                    )
                )
    return found
