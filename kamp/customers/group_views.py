"""The group account's page (the Group tab): its companies, the roll-up of their sales and P&L,
their interactions and the interaction form of the group, and the people of every company (the
group's DMU map). docs/groups.md."""

from __future__ import annotations

from datetime import date

from django.http import Http404, HttpResponse
from django.shortcuts import render

from kamp.core.http import AuthenticatedHttpRequest

from . import group_scope
from .access import can_see_economics, customers_visible_to, get_customer_for_user
from .models import GroupMembership
from .page import customer_context


def group_page_data(request: AuthenticatedHttpRequest, group, today: date) -> dict:
    """What the Group tab shows, in a bounded number of queries whatever the group's size."""
    from kamp.economics.group import group_figures

    money = can_see_economics(request.user, group)
    rows = list(
        GroupMembership.objects.filter(group=group, valid_to__isnull=True)
        .filter(company__in=customers_visible_to(request.user))
        .select_related("company", "company__owner")
        .order_by("company__name", "company_id")
    )
    visible_ids = [group.pk, *(m.company_id for m in rows)]
    figures, rolled = group_figures(group, today, money=money)
    parts = rolled.parts if rolled else {}
    companies = [
        {
            "customer": m.company,
            "since": m.valid_from,
            "pnl": parts.get(m.company_id),
        }
        for m in rows
    ]
    # Companies that left the group within the window still count for their months in it.
    former = []
    if rolled:
        current = {m.company_id for m in rows} | {group.pk}
        gone = [cid for cid in parts if cid not in current]
        if gone:
            names = dict(
                customers_visible_to(request.user).filter(pk__in=gone).values_list("pk", "name")
            )
            former = [{"id": cid, "name": names.get(cid, "—"), "pnl": parts[cid]} for cid in gone]
    return {
        "companies": companies,
        "former": former,
        "figures": [
            figures[k]
            for k in ("revenue", "margin", "profit_after_kam", "share_of_wallet")
            if k in figures
        ],
        "group_total": rolled.total if rolled else None,
        "own_pnl": parts.get(group.pk),
        **group_scope.interactions_data(group, visible_ids, today),
        **group_scope.people_data(visible_ids),
        "money": money,
    }


def customer_group(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    customer = get_customer_for_user(request.user, pk)
    if not customer.is_group_account:
        raise Http404("This customer is not a group account.")
    context = customer_context(
        request, customer, "group", **group_page_data(request, customer, date.today())
    )
    return render(request, "customers/group.html", context)
