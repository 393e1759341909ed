"""Was the decision right? The look-back of a key-account decision, and its matched controls.

Twelve and twenty-four months after a customer was made a key account, its figures then and now
are set beside those of matched non-key customers: the same quadrant of the selection matrix and
the same size band at the decision date, over the same period. An account that did worse than its
matches on most figures is flagged for review. No Django here: kamp.selection.lookbacks feeds it.
"""

from __future__ import annotations

import calendar
import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

#: The figures compared (docs/figures.md keys); higher is better for each.
FIGURES = ("profit_after_kam", "share_of_wallet", "rqi", "diamond_index")
HORIZONS = (12, 24)
MAX_CONTROLS = 20

BETTER = "better"
WORSE = "worse"
MIXED = "mixed"


@dataclass(frozen=True)
class Candidate:
    id: int
    quadrant: str | None
    band: str | None


def add_months(d: date, months: int) -> date:
    y, m = divmod(d.month - 1 + months, 12)
    year, month = d.year + y, m + 1
    return date(year, month, min(d.day, calendar.monthrange(year, month)[1]))


def due_on(decided_on: date, months: int) -> date:
    return add_months(decided_on, months)


def match(
    account: Candidate, candidates: Iterable[Candidate], limit: int = MAX_CONTROLS
) -> list[int]:
    """The controls of ``account``: other customers of its quadrant and size band at the
    decision date, lowest ids first (a stable choice), at most ``limit``. None without a
    quadrant or a band: a match on nothing is no match."""
    if account.quadrant is None or account.band is None:
        return []
    out = sorted(
        c.id
        for c in candidates
        if c.id != account.id and c.quadrant == account.quadrant and c.band == account.band
    )
    return out[:limit]


def change(then: float | None, now: float | None) -> float | None:
    if then is None or now is None:
        return None
    return now - then


@dataclass(frozen=True)
class Comparison:
    figure: str
    then: float | None
    now: float | None
    account_change: float | None
    controls_change: float | None  # the median of the controls' changes
    controls: int  # how many controls had the figure at both dates

    @property
    def verdict(self) -> str | None:
        if self.account_change is None or self.controls_change is None:
            return None
        if self.account_change > self.controls_change:
            return BETTER
        if self.account_change < self.controls_change:
            return WORSE
        return MIXED


Pair = tuple[float | None, float | None]


def compare(
    account: Mapping[str, Pair],
    controls: Sequence[Mapping[str, Pair]],
    figures: Sequence[str] = FIGURES,
) -> list[Comparison]:
    """Each figure's change on the account against the median change of its controls."""
    out = []
    for key in figures:
        then, now = account.get(key, (None, None))
        changes = [
            c for c in (change(*ctl.get(key, (None, None))) for ctl in controls) if c is not None
        ]
        out.append(
            Comparison(
                key,
                then,
                now,
                change(then, now),
                statistics.median(changes) if changes else None,
                len(changes),
            )
        )
    return out


def verdict(comparisons: Sequence[Comparison]) -> str | None:
    """``worse`` when the account did worse than its matches on more figures than it did
    better, ``better`` the other way round, ``mixed`` on a tie; None when nothing compares."""
    worse = sum(c.verdict == WORSE for c in comparisons)
    better = sum(c.verdict == BETTER for c in comparisons)
    if not worse and not better:
        return None if all(c.verdict is None for c in comparisons) else MIXED
    if worse > better:
        return WORSE
    if better > worse:
        return BETTER
    return MIXED
