"""A group account's P&L and headline figures: the sum of its companies' (docs/groups.md).

Not a second definition of any figure: each company's P&L is the one
:func:`kamp.economics.services.compute` gives, over the months it belonged to the group
(:mod:`kamp.customers.groups`: a company that moved counts its earlier months for its former
group), the group's is their sum (``AccountPnL.__add__``), and its headline figures are
:func:`kamp.economics.figures.figures_for` fed with that sum. One ``compute`` call — a constant
number of grouped queries — whatever the number of companies.

None of this checks access: callers pass a group whose economics the user may see.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from kamp.customers import groups, membership
from kamp.customers.models import Customer

from . import figures, services
from .pnl import AccountPnL, Period

ROLLED_UP = ("revenue", "margin", "profit_after_kam", "share_of_wallet")


@dataclass
class GroupPnL:
    group_id: int
    period: Period
    total: AccountPnL
    # Each company's P&L over its months in the group (the group account's own included);
    # companies with no money in the period are left out.
    parts: dict[int, AccountPnL]


def segments(period: Period, runs) -> list[Period]:
    """The period cut at every run's start and end: disjoint periods, so one ``compute`` call
    gives every company's months (each company covers whole segments)."""
    cuts = {period.first, period.last + 1}
    for first, last in runs:
        cuts.update((first, last + 1))
    points = sorted(c for c in cuts if period.first <= c <= period.last + 1)
    return [Period(a, b - a) for a, b in zip(points, points[1:], strict=False)]


def group_pnl(group: Customer, period: Period | str) -> GroupPnL:
    """The group's P&L for ``period``: its companies' (while members) plus its own."""
    period = Period.of(period)
    spans = membership.spans(group_ids=[group.pk])
    by_run = groups.spans_by_run(spans, group.pk, period.first, period.last, account=group.pk)
    cuts = segments(period, by_run)
    index = {(p.first, p.last): i for i, p in enumerate(cuts)}
    covers: dict[int, list[int]] = {}
    for (first, last), companies in by_run.items():
        wanted = [i for (f, la), i in index.items() if first <= f and la <= last]
        for c in companies:
            covers.setdefault(c, []).extend(wanted)
    rates = services.rate_table()
    results = services.compute(cuts, list(covers), rates) if covers else {}
    empty = AccountPnL(None, period, rates.base)
    parts: dict[int, AccountPnL] = {}
    for company, indexes in covers.items():
        found = [results[(company, i)] for i in sorted(set(indexes)) if (company, i) in results]
        if found:
            total = groups.add_up(found, AccountPnL.__add__, empty)
            parts[company] = replace(total, customer_id=company, period=period)
    total = groups.add_up(parts.values(), AccountPnL.__add__, empty)
    return GroupPnL(group.pk, period, replace(total, customer_id=group.pk, period=period), parts)


def group_figures(
    group: Customer, as_of: date | None = None, money: bool = True
) -> tuple[dict[str, figures.Figure], GroupPnL | None]:
    """The group's headline money figures over the figures' window (docs/figures.md), from the
    sum of its companies, with the P&L they come from (None without ``money``). The RQI and the
    other figures that are not money stay the group account's own (its Summary shows them)."""
    as_of = as_of or date.today()
    if not money:
        return {}, None
    rolled = group_pnl(group, figures.window(as_of))
    found = figures.figures_for([group.pk], as_of, None, ROLLED_UP, {group.pk: rolled.total})
    return found[group.pk], rolled


def group_json(group: Customer, as_of: date, money: bool, company_ids=None) -> dict:
    """The group's roll-up as the API and ``kamp groups --json`` give it: the group account, its
    companies now (``company_ids``: only these, the ones the reader may see) with the date each
    joined, and the money figures of the group and of each company's months in it (``null``
    without ``money``)."""
    from kamp.customers.identity import customer_refs
    from kamp.customers.models import GroupMembership

    rows = GroupMembership.objects.filter(group=group, valid_to__isnull=True)
    if company_ids is not None:
        rows = rows.filter(company_id__in=company_ids)
    since = dict(rows.values_list("company_id", "valid_from"))
    found, rolled = group_figures(group, as_of, money=money)
    each: dict[int, dict[str, figures.Figure]] = {}
    if rolled is not None:
        empty = AccountPnL(None, rolled.period, rolled.total.currency)
        known = {cid: rolled.parts.get(cid) or replace(empty, customer_id=cid) for cid in since}
        known[group.pk] = rolled.parts.get(group.pk) or replace(empty, customer_id=group.pk)
        each = figures.figures_for(list(known), as_of, None, ROLLED_UP, known)
    refs = customer_refs([group.pk, *since])
    order = sorted(since, key=lambda cid: (refs[cid]["name"], cid))
    return {
        "group": refs[group.pk],
        "as_of": as_of.isoformat(),
        "figures": {k: f.as_json() for k, f in found.items()} if money else None,
        "own_figures": figures.figures_json(each[group.pk]) if money else None,
        "companies": [
            {
                "customer": refs[cid],
                "since": (d.isoformat() if (d := since[cid]) else None),
                "figures": figures.figures_json(each[cid]) if money else None,
            }
            for cid in order
        ],
    }
