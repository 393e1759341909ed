""" "My actions" and the portfolio of plans."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from kamp.core.http import AuthenticatedHttpRequest
from kamp.core.params import int_param
from kamp.customers.access import customers_editable_by, customers_visible_to
from kamp.customers.models import CustomerStatus

from .. import labels
from ..health import current_plans, health_for


def my_actions(request: AuthenticatedHttpRequest) -> HttpResponse:
    from ..summary import my_actions_grouped as gather

    days = int_param(request.GET.get("days", "30"), maximum=3660)  # a 10-year horizon at most
    data = gather(request.user, upcoming_days=30 if days is None else days)
    groups = [
        ("overdue", _("Overdue"), data["overdue"]),
        (
            "upcoming",
            _("Due in the next %(days)s days") % {"days": data["upcoming_days"]},
            data["upcoming"],
        ),
        ("later", _("Later or without a date"), data["later"]),
    ]
    return render(
        request, "plans/my_actions.html", data | {"groups": groups, "today": timezone.localdate()}
    )


def portfolio(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Every key account's current plan: completeness, freshness, overdue actions (the
    director's view of whether plans are alive)."""
    customers = list(
        customers_visible_to(request.user)
        .filter(status=CustomerStatus.KEY_ACCOUNT)
        .select_related("owner")
        .order_by("name")[:500]
    )
    current = current_plans([c.pk for c in customers])
    health = health_for(plan_ids=current.values())
    editable = set(
        customers_editable_by(request.user)
        .filter(pk__in=[c.pk for c in customers])
        .values_list("pk", flat=True)
    )
    rows: list[dict[str, Any]] = []
    for c in customers:
        plan_id = current.get(c.pk)
        h = health.get(plan_id) if plan_id else None
        rows.append(
            {
                "customer": c,
                "health": h,
                "missing": labels.missing_explained(h.completeness) if h else [],
                "can_edit": c.pk in editable,
            }
        )
    counts = {
        "accounts": len(customers),
        "with_plan": sum(1 for r in rows if r["health"]),
        "stale": sum(1 for r in rows if r["health"] and r["health"].stale),
        "without": sum(1 for r in rows if r["health"] is None),
    }
    flt = request.GET.get("show", "")
    if flt == "stale":
        rows = [r for r in rows if r["health"] is None or r["health"].stale]
    return render(
        request,
        "plans/portfolio.html",
        {
            "rows": rows,
            "counts": counts,
            "show": flt,
            "freshness_labels": labels.FRESHNESS_LABELS,
        },
    )
