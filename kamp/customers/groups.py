"""Group accounts, pure: which group a company belongs to on a day, how a move between groups
is recorded, and which months of a company's sales roll up to a group (docs/groups.md).

A key account is often a group — a holding and its subsidiaries — and the lecture's account is
the customer as a whole: the group account is the customer marked as the account of its group,
and its companies are those under it (the parent chain, up to the nearest group account).

Memberships are dated spans ``[valid_from, valid_to)``: ``valid_from`` ``None`` means since
before anything kamp holds, ``valid_to`` ``None`` still a member. A month's figures count for
the group the company belonged to on the month's first day, so a company that moves keeps its
past months with its former group and brings only the months after the move to the new one.

No Django here: data in, result out, tested with hypothesis (tests/customers/test_groups.py).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from typing import TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Span:
    """One membership: ``company`` belonged to ``group`` from ``valid_from`` (inclusive; None:
    always) to ``valid_to`` (exclusive; None: still)."""

    company: int
    group: int
    valid_from: date | None = None
    valid_to: date | None = None

    def covers(self, day: date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_to is None or day < self.valid_to
        )

    @property
    def open(self) -> bool:
        return self.valid_to is None


def month_index(year: int, month: int) -> int:
    """Months as one integer (the same numbering as the economics area's ``pnl.month_index``)."""
    return year * 12 + month - 1


def first_day(index: int) -> date:
    return date(index // 12, index % 12 + 1, 1)


def nearest_group(
    company: int, parents: Mapping[int, int | None], accounts: Iterable[int] | set[int]
) -> int | None:
    """The group account ``company`` belongs to now: itself when it is one, else the nearest
    group account up its parent chain (None when there is none). A loop in the chain — which
    the forms refuse, but an import might leave — ends the walk."""
    accounts = accounts if isinstance(accounts, set) else set(accounts)
    seen: set[int] = set()
    current: int | None = company
    while current is not None and current not in seen:
        if current in accounts:
            return current
        seen.add(current)
        current = parents.get(current)
    return None


def group_at(spans: Iterable[Span], company: int, day: date) -> int | None:
    """The group ``company`` belonged to on ``day`` (None: no group)."""
    for s in spans:
        if s.company == company and s.covers(day):
            return s.group
    return None


def members_at(spans: Iterable[Span], group: int, day: date) -> set[int]:
    """The companies of ``group`` on ``day`` (the group account itself not included)."""
    return {s.company for s in spans if s.group == group and s.covers(day)}


def move(spans: list[Span], company: int, group: int | None, day: date) -> list[Span]:
    """The memberships after ``company`` moves to ``group`` (None: leaves its group) on
    ``day``: the open span is closed the day before ``day`` ends (``valid_to = day``) and a new
    one opened. A company's first membership has no start (its history counts for its first
    group); a second move on the same day replaces the first. Moving to the group it is already
    in changes nothing."""
    mine = [s for s in spans if s.company == company]
    others = [s for s in spans if s.company != company]
    open_span = next((s for s in mine if s.open), None)
    if open_span is not None and open_span.group == group:
        return spans
    kept = [s for s in mine if not s.open]
    if open_span is not None:
        if open_span.valid_from is not None and open_span.valid_from >= day:
            pass  # opened today (or later): replaced, not kept as an empty span
        else:
            kept.append(replace(open_span, valid_to=day))
    if group is not None:
        start = day if kept else None
        kept.append(Span(company, group, start, None))
    return others + kept


def months_in_group(
    spans: Iterable[Span], group: int, first_month: int, last_month: int
) -> dict[int, list[int]]:
    """``{company: [month index, …]}``: the months from ``first_month`` to ``last_month``
    (inclusive) in which each company belonged to ``group`` (on the month's first day)."""
    out: dict[int, list[int]] = defaultdict(list)
    for s in spans:
        if s.group != group:
            continue
        for m in range(first_month, last_month + 1):
            if s.covers(first_day(m)):
                out[s.company].append(m)
    return {c: sorted(set(ms)) for c, ms in out.items()}


def runs(months: Iterable[int]) -> list[tuple[int, int]]:
    """Consecutive months as ``(first, last)`` runs: [1, 2, 3, 7] → [(1, 3), (7, 7)]."""
    out: list[tuple[int, int]] = []
    for m in sorted(set(months)):
        if out and out[-1][1] == m - 1:
            out[-1] = (out[-1][0], m)
        else:
            out.append((m, m))
    return out


def spans_by_run(
    spans: Iterable[Span], group: int, first_month: int, last_month: int, account: int | None
) -> dict[tuple[int, int], list[int]]:
    """``{(first, last): [company, …]}``: the companies to sum for ``group`` over each run of
    months, so a caller computes each run's figures once for all its companies. ``account``
    (the group account itself) counts for every month."""
    out: dict[tuple[int, int], list[int]] = defaultdict(list)
    for company, months in months_in_group(spans, group, first_month, last_month).items():
        if company == account:
            continue
        for run in runs(months):
            out[run].append(company)
    if account is not None:
        out[(first_month, last_month)].append(account)
    return {k: sorted(v) for k, v in out.items()}


def roll_up(
    amounts: Mapping[tuple[int, int], Decimal],
    spans: Iterable[Span],
    group: int,
    first_month: int,
    last_month: int,
    account: int | None = None,
) -> Decimal:
    """The group's total of ``amounts`` (``{(company, month index): amount}``) over the months:
    each company's months while it belonged to the group, plus the group account's own."""
    total = Decimal(0)
    for (first, last), companies in spans_by_run(
        spans, group, first_month, last_month, account
    ).items():
        for c in companies:
            total += sum(
                (amounts.get((c, m), Decimal(0)) for m in range(first, last + 1)), Decimal(0)
            )
    return total


def add_up(parts: Iterable[T], add: Callable[[T, T], T], empty: T) -> T:
    """The sum of the parts with ``add`` (``AccountPnL.__add__`` for the P&L), ``empty`` when
    there are none."""
    total: T | None = None
    for p in parts:
        total = p if total is None else add(total, p)
    return empty if total is None else total
