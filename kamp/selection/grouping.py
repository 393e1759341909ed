"""Scoring groups as one account (the selection model's "score groups as one account";
docs/groups.md): which companies are scored as their group account, and the sales figures of
each group — its companies' summed with its own — in the shape the scoring run reads."""

from __future__ import annotations

from collections.abc import Iterable

from kamp.customers.models import GroupMembership


def accounts_of() -> dict[int, int]:
    """``{company id: group account id}`` for every company in a group now (one query)."""
    return dict(
        GroupMembership.objects.filter(valid_to__isnull=True).values_list("company_id", "group_id")
    )


def roll_sales(
    rows: Iterable[tuple[int, float, float, float]], account_of: dict[int, int]
) -> list[tuple[int, float, float, float]]:
    """The run's sales rows — (customer id, revenue, cost, previous revenue), in customer
    order — with each company's added to its group account's row (the same figures, summed:
    no second definition); unchanged without groups."""
    if not account_of:
        return list(rows)
    summed: dict[int, list[float]] = {}
    for cid, revenue, cost, previous in rows:
        slot = summed.setdefault(account_of.get(cid, cid), [0.0, 0.0, 0.0])
        slot[0] += float(revenue or 0)
        slot[1] += float(cost or 0)
        slot[2] += float(previous or 0)
    return [(cid, *summed[cid]) for cid in sorted(summed)]  # type: ignore[misc]
