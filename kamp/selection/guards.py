"""Guard rails on selection decisions (kam-domain.md §2): which key account has the weakest case
when a new one would push the programme past its cap, and which typed scores contradict what
kamp's own data say.

Pure module (no Django): results and numbers in, answers out.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from . import scoring

# How weak a key account's case is, by the matrix's reason (lower = weaker): nothing ties the
# customer to us (no or too little co-investment), then outside the strategic quadrant, then
# not scored enough to say, then strategic but ranked beyond the cap, then recommended.
WEAKNESS = {
    scoring.R_UNRECIPROCATED: 0,
    scoring.R_NO_CO_INVESTMENT: 0,
    scoring.R_NOT_STRATEGIC: 1,
    scoring.R_INCOMPLETE: 2,
    scoring.R_BEYOND_CAP: 3,
    scoring.R_RECOMMENDED: 4,
}


def weakness_key(r: scoring.Result) -> tuple:
    """Sorts the weakest case first: by reason, then the lowest rank (the highest number), then
    the lowest attractiveness + position (unknown lowest), then name."""
    total = r.total
    return (
        WEAKNESS.get(r.reason, 2),
        -(r.rank or 0),
        float("-inf") if total is None else total,
        r.name,
        r.id,
    )


def weakest_case(
    results: Iterable[scoring.Result], key_ids: Iterable[int], exclude: int | None = None
) -> scoring.Result | None:
    """The key account (among ``key_ids``, leaving out ``exclude``) with the weakest case."""
    keys = set(key_ids) - {exclude}
    candidates = [r for r in results if r.id in keys]
    return min(candidates, key=weakness_key) if candidates else None


@dataclass(frozen=True)
class CapState:
    count: int  # key accounts today
    cap: int
    after: int  # key accounts if the decision is taken
    exceeds: bool  # the decision would take the programme past the cap


def cap_state(key_ids: Iterable[int], cap: int, customer_id: int, making: bool) -> CapState:
    """The programme's size against its cap today and after making (or revoking) a customer."""
    keys = set(key_ids)
    after = len(keys | {customer_id}) if making else len(keys - {customer_id})
    return CapState(len(keys), cap, after, making and after > cap)


def opposite_halves(typed: float, derived: float, scale_min: float, scale_max: float) -> bool:
    """A typed score and the value kamp derives for the same thing sit in opposite halves of the
    scale (a value on the midpoint belongs to neither): one of them is wrong, or stale."""
    mid = (scale_min + scale_max) / 2
    return (typed < mid < derived) or (derived < mid < typed)
