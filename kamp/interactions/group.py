"""A group account's interactions: the log and the interaction form of the group as a whole —
every company's interactions and people analysed as one account (docs/groups.md), by the same
rules as one company's (:func:`kamp.interactions.forms.analyse`), with the group account's KAM
as the knot of the bow-tie."""

from __future__ import annotations

from datetime import date

from . import analysis
from . import forms as rules
from .models import Interaction, InteractionSettings


def group_analysis(
    member_ids: list[int], kam_id: int | None, as_of: date | None = None
) -> rules.Analysis:
    """The interaction form of the companies ``member_ids`` taken together (five queries)."""
    as_of = as_of or date.today()
    settings = InteractionSettings.load().as_rules()
    span = max(settings.window_days, settings.not_met_days + 1)
    data = analysis.load(member_ids, rules.window_start(as_of, span), as_of)
    log = [i for pk in data.logs for i in data.logs[pk]]
    contacts = {cid: c for pk in data.contacts for cid, c in data.contacts[pk].items()}
    return rules.analyse(
        log, kam_id=kam_id, people=data.people, contacts=contacts, as_of=as_of, settings=settings
    )


def recent(member_ids: list[int], limit: int = 20):
    """The latest interactions of the companies, newest first, with their company."""
    return (
        Interaction.objects.filter(customer_id__in=member_ids)
        .select_related("customer")
        .only("id", "date", "kind", "topic", "customer__id", "customer__name")
        .order_by("-date", "-id")[:limit]
    )
