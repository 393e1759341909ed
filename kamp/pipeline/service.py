"""Reads bids and contracts into the pure figures (``figures.py``): the one place the pages,
the API and the command line take them from."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings

from . import figures
from .models import Bid, Contract


def renewal_days() -> int:
    """How many days ahead of a contract's end its renewal is flagged (KAMP_RENEWAL_DAYS)."""
    return int(getattr(settings, "KAMP_RENEWAL_DAYS", 90))


def facts(bid: Bid) -> figures.BidFacts:
    return figures.BidFacts(
        stage=bid.stage,
        value=bid.value,
        probability=bid.probability,
        closed_on=bid.closed_on,
        reasons=tuple(bid.reasons or ()),
    )


def by_currency(bids: list[Bid], currency_of) -> dict[str, dict[str, Decimal]]:
    """{currency: {"weighted": …, "open": …}} of the open bids with a value."""
    groups: dict[str, list[figures.BidFacts]] = defaultdict(list)
    for b in bids:
        if b.value is not None:
            groups[b.currency or currency_of(b)].append(facts(b))
    return {
        cur: {
            "weighted": figures.weighted_pipeline(items),
            "open": figures.open_value(items),
        }
        for cur, items in sorted(groups.items())
        if any(i.stage in figures.OPEN_STAGES for i in items)
    }


def summary(bids: list[Bid], *, money: bool, currency_of=lambda b: "") -> dict:
    """The pipeline's figures for a set of bids (one account's or the programme's)."""
    all_facts = [facts(b) for b in bids]
    rate = figures.win_rate(all_facts)
    return {
        "open_count": sum(1 for f in all_facts if f.stage in figures.OPEN_STAGES),
        "won": sum(1 for f in all_facts if f.stage == "won"),
        "lost": sum(1 for f in all_facts if f.stage == "lost"),
        "win_rate": rate,
        "quarters": figures.by_quarter(all_facts),
        "pipeline": by_currency(bids, currency_of) if money else None,
    }


def renewals(contracts, as_of: date, days: int | None = None) -> list[Contract]:
    days = renewal_days() if days is None else days
    return [c for c in contracts if figures.renewal_due(c.ends_on, as_of, days)]


def renewals_query(customer_ids, as_of: date, days: int | None = None):
    days = renewal_days() if days is None else days
    return (
        Contract.objects.filter(
            customer_id__in=customer_ids, ends_on__gte=as_of, ends_on__lte=as_of + timedelta(days)
        )
        .select_related("customer")
        .order_by("ends_on", "id")
    )
