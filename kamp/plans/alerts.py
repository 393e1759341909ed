"""The plan's alerts on key accounts: no plan, a stale plan, actions piling up past their due date,
open high risks — the signs of one cause, the account plan, rolled up into one alert per account
(a constant number of queries for any number of customers)."""

from __future__ import annotations

from datetime import date

from django.db.models import Count, F
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kamp.core.alerts import Alert
from kamp.customers.models import CustomerStatus

from .health import current_plans, health_for
from .models import HIGH_RISK_SCORE, Risk

CAUSE = "plan"
# One or two late actions are the KAM's to-do list ("My actions"); the director acts when they
# pile up.
OVERDUE_ACTIONS_ALERT = 3


def alerts(customers, as_of: date) -> list[Alert]:
    keys = {
        c.pk: c.name for c in customers.filter(status=CustomerStatus.KEY_ACCOUNT).only("pk", "name")
    }
    if not keys:
        return []
    current = current_plans(keys)
    health = health_for(plan_ids=current.values(), today=as_of)
    high = (
        dict(
            Risk.objects.filter(plan_id__in=current.values(), closed=False)
            .annotate(risk_score=F("likelihood") * F("impact"))
            .filter(risk_score__gte=HIGH_RISK_SCORE)
            .values("plan_id")
            .annotate(n=Count("id"))
            .values_list("plan_id", "n")
        )
        if current
        else {}
    )
    found: list[Alert] = []
    title = _("The account plan")
    for cid, name in keys.items():
        url = reverse("plans:customer_tab", args=[cid])
        plan_id = current.get(cid)
        if plan_id is None:
            found.append(
                Alert(
                    area="plans",
                    kind="no_plan",
                    severity="info",
                    customer_id=cid,
                    customer_name=name,
                    url=url,
                    message=_("This key account has no account plan."),
                    cause=CAUSE,
                    cause_title=title,
                )
            )
            continue
        h = health[plan_id]
        if h.stale:
            found.append(
                Alert(
                    area="plans",
                    kind="stale_plan",
                    severity="warning",
                    customer_id=cid,
                    customer_name=name,
                    url=url,
                    cause=CAUSE,
                    cause_title=title,
                    message=_("The %(period)s plan has not been updated for %(days)s days.")
                    % {"period": h.period, "days": h.days_since_update},
                    data={"days": h.days_since_update},
                )
            )
        if h.overdue_actions >= OVERDUE_ACTIONS_ALERT:
            found.append(
                Alert(
                    area="plans",
                    kind="overdue_actions",
                    severity="warning",
                    customer_id=cid,
                    customer_name=name,
                    url=url + "#sec-actions",
                    cause=CAUSE,
                    cause_title=title,
                    message=ngettext(
                        "%(n)s plan action past its due date.",
                        "%(n)s plan actions past their due date.",
                        h.overdue_actions,
                    )
                    % {"n": h.overdue_actions},
                    data={"count": h.overdue_actions},
                )
            )
        if high.get(plan_id):
            found.append(
                Alert(
                    area="plans",
                    kind="high_risk",
                    severity="danger",
                    customer_id=cid,
                    customer_name=name,
                    url=url + "#sec-risks",
                    cause=CAUSE,
                    cause_title=title,
                    message=ngettext(
                        "%(n)s open high risk in the account plan.",
                        "%(n)s open high risks in the account plan.",
                        high[plan_id],
                    )
                    % {"n": high[plan_id]},
                    data={"count": high[plan_id]},
                )
            )
    return found
