"""The plan's contributions to other pages: the card on the customer summary, the badges on the
homes' account cards, and ``my_actions(user)`` for the KAM home and the "My actions" page."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kamp.customers.access import customers_visible_to

from . import labels
from .health import current_plans, health_for
from .models import OPEN_STATUSES, AccountPlan, PlanAction


def card(request, customer):
    """This area's card on the customer summary: plan freshness, completeness, next actions."""
    plan_id = current_plans([customer.pk]).get(customer.pk)
    if plan_id is None:
        if not customer.is_key_account:
            return None
        return ("plans/_card.html", {"customer": customer, "plan": None})
    plan = AccountPlan.objects.get(pk=plan_id)
    health = health_for(plan_ids=[plan_id])[plan_id]
    today = timezone.localdate()
    next_actions = list(
        plan.actions.filter(status__in=OPEN_STATUSES)
        .select_related("owner")
        .order_by(F("due").asc(nulls_last=True), "id")[:3]
    )
    return (
        "plans/_card.html",
        {
            "customer": customer,
            "plan": plan,
            "health": health,
            "today": today,
            "next_actions": next_actions,
            "missing": labels.missing_explained(health.completeness),
            "freshness_label": labels.FRESHNESS_LABELS[health.freshness],
        },
    )


def badges(customer_ids: list[int]) -> dict[int, list[dict]]:
    """A badge for accounts whose plan is stale or missing, and one for overdue actions."""
    if not customer_ids:
        return {}
    current = current_plans(customer_ids)
    health = health_for(plan_ids=current.values())
    # The words, translated once for all the cards (a home shows up to 60).
    stale, stale_title = (
        _("Plan stale"),
        _("Nothing in the %(period)s plan changed for %(days)s days."),
    )
    overdue_title = _("Plan actions past their due date.")
    percent_label, percent_title = (
        _("Plan %(percent)s%%"),
        _("Share of the plan's sections filled in."),
    )
    result: dict[int, list[dict]] = {}
    for cid, plan_id in current.items():
        h = health.get(plan_id)
        if h is None:
            continue
        found = []
        if h.stale:
            found.append(
                {
                    "label": stale,
                    "css": "plan-stale attitude-opponent",
                    "title": stale_title % {"period": h.period, "days": h.days_since_update},
                }
            )
        if h.overdue_actions:
            found.append(
                {
                    "label": ngettext("%(n)s overdue", "%(n)s overdue", h.overdue_actions)
                    % {"n": h.overdue_actions},
                    "css": "plan-overdue attitude-opponent",
                    "title": overdue_title,
                }
            )
        found.append(
            {
                "label": percent_label % {"percent": h.percent},
                "css": "plan-complete quadrant-strategic"
                if h.percent >= 75
                else "plan-partial quadrant-streamline",
                "title": percent_title,
            }
        )
        if found:
            result[cid] = found
    return result


def my_actions_grouped(user, upcoming_days: int = 30, limit: int = 200) -> dict:
    """The open plan actions ``user`` owns on accounts they may read: ``overdue`` (oldest first),
    ``upcoming`` (due in the next ``upcoming_days``), ``later`` (further away or undated)."""
    today = timezone.localdate()
    upcoming_days = max(1, min(int(upcoming_days), 365))
    visible = customers_visible_to(user)
    qs = (
        PlanAction.objects.filter(owner=user, status__in=OPEN_STATUSES, plan__customer__in=visible)
        .select_related("plan", "plan__customer")
        .order_by(F("due").asc(nulls_last=True), "id")
    )
    soon = today + timedelta(days=upcoming_days)
    overdue = list(qs.filter(due__lt=today)[:limit])
    upcoming = list(qs.filter(due__gte=today, due__lte=soon)[:limit])
    later = list(qs.filter(Q(due__gt=soon) | Q(due__isnull=True))[:limit])
    return {
        "overdue": overdue,
        "upcoming": upcoming,
        "later": later,
        "upcoming_days": upcoming_days,
        "url": reverse("plans:my_actions"),
    }


def my_actions(user, upcoming_days: int = 14, limit: int = 10) -> list[dict]:
    """For the KAM home (docs/development.md): the overdue actions ``user`` owns, then those due
    in the next two weeks, as ``{"label", "due", "overdue", "url", "customer"}``."""
    data = my_actions_grouped(user, upcoming_days=upcoming_days, limit=limit)
    rows = []
    for a in (data["overdue"] + data["upcoming"])[:limit]:
        rows.append(
            {
                "label": a.title,
                "due": a.due,
                "overdue": a in data["overdue"],
                "url": reverse("plans:customer_tab", args=[a.plan.customer_id])
                + f"?period={a.plan.period}#sec-actions",
                "customer": a.plan.customer.name,
            }
        )
    return rows
