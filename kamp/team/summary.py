"""The team area on the customer summary and the homes' account cards."""

from __future__ import annotations

from django.utils.translation import gettext as _

from .models import AccountTeamMember, TeamRole


def card(request, customer):
    team = list(customer.team_members.select_related("user"))
    return (
        "team/_summary_card.html",
        {
            "customer": customer,
            "sponsors": [m for m in team if m.role == TeamRole.SPONSOR],
            "members": [m for m in team if m.role == TeamRole.MEMBER],
        },
    )


def badges(customer_ids: list[int]) -> dict[int, list[dict]]:
    """A "no sponsor" badge on key account cards without an executive sponsor (one query)."""
    sponsored = set(
        AccountTeamMember.objects.filter(
            customer_id__in=customer_ids, role=TeamRole.SPONSOR
        ).values_list("customer_id", flat=True)
    )
    label, title = _("no sponsor"), _("No executive sponsor assigned")  # once for all cards
    return {
        cid: [{"label": label, "css": "warn-badge", "title": title}]
        for cid in customer_ids
        if cid not in sponsored
    }
