"""The "This company only / Whole group" switch of a group account's Interactions and People
tabs (docs/groups.md): a group account's tabs show the whole group by default — every company's
interactions and people, with the company shown — and ``?scope=company`` shows the group
account's own. The data is the Group tab's (one listing, one definition)."""

from __future__ import annotations

from datetime import date

from kamp.core.http import AuthenticatedHttpRequest

from .access import customers_visible_to
from .models import Contact, Customer, GroupMembership

GROUP = "group"
COMPANY = "company"


def scope_of(request: AuthenticatedHttpRequest, customer: Customer) -> str | None:
    """``None`` for a customer that is not a group account (no switch); else ``"group"`` (the
    default) or ``"company"`` (``?scope=company``)."""
    if not customer.is_group_account:
        return None
    return COMPANY if request.GET.get("scope") == COMPANY else GROUP


def visible_member_ids(request: AuthenticatedHttpRequest, group: Customer) -> list[int]:
    """The group account and its companies now that the user may read (one query)."""
    ids = (
        GroupMembership.objects.filter(group=group, valid_to__isnull=True)
        .filter(company__in=customers_visible_to(request.user))
        .values_list("company_id", flat=True)
    )
    return [group.pk, *ids]


def interactions_data(group: Customer, member_ids: list[int], today: date) -> dict:
    """The group's interaction form and latest interactions (the Group tab's card)."""
    from decimal import Decimal

    from kamp.interactions import analysis as interactions_analysis
    from kamp.interactions.forms import diamond_percent
    from kamp.interactions.group import group_analysis, recent

    form = group_analysis(member_ids, group.owner_id, today)
    return {
        "form": form,
        "form_label": interactions_analysis.form_label(form.form),
        "diamond": Decimal(diamond_percent(form.diamond_index)) / 100,
        "interactions": recent(member_ids),
    }


def people_data(member_ids: list[int]) -> dict:
    """The people of every company of the group, with their company (the Group tab's list)."""
    people = (
        Contact.objects.filter(customer_id__in=member_ids, active=True)
        .select_related("customer")
        .order_by("-influence", "name", "id")
    )
    return {"people": people[:100], "people_count": people.count()}
