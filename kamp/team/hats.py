"""The four hats of a KAM: profile flags and fit against what the accounts call for.

Pure module (no Django): data in, result out. Hats are keyed ``salesperson``, ``conductor``,
``strategist``, ``innovator``; levels 1–5 (kam-domain.md §8).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import timedelta

HATS = ("salesperson", "conductor", "strategist", "innovator")
MIN_LEVEL, MAX_LEVEL = 1, 5
# A hat at or above this level counts as "worn"; the salesperson-only flag fires when the
# salesperson hat is worn and no other reaches it.
WORN = 3

# What each quadrant's strategy asks of its KAM (Woodburn & McDonald): a strategic account needs
# a team leader and planner; a star needs selling and planning to build position; a status
# account needs a good salesperson who protects the position at low cost.
QUADRANT_NEEDS: dict[str, dict[str, int]] = {
    "strategic": {"salesperson": 3, "conductor": 4, "strategist": 4, "innovator": 3},
    "star": {"salesperson": 4, "conductor": 3, "strategist": 4, "innovator": 3},
    "status": {"salesperson": 4, "conductor": 3, "strategist": 3, "innovator": 2},
    "streamline": {"salesperson": 3, "conductor": 2, "strategist": 2, "innovator": 1},
}
DEFAULT_NEEDS = {"salesperson": 3, "conductor": 3, "strategist": 3, "innovator": 2}

# How the relationship stage moves the needs (McDonald & Rogers): early stages are about
# selling; interdependent and integrated ones about orchestrating many functions and co-creating.
STAGE_SHIFT: dict[str, dict[str, int]] = {
    "exploratory": {"salesperson": 1, "conductor": -1, "innovator": -1},
    "basic": {"salesperson": 1},
    "cooperative": {"conductor": 0},
    "interdependent": {"conductor": 1, "strategist": 1},
    "integrated": {"conductor": 1, "strategist": 1, "innovator": 2},
    "disintegrating": {"conductor": 1, "strategist": 1},
}


def _clamp(v: int) -> int:
    return max(MIN_LEVEL, min(MAX_LEVEL, v))


def required_profile(quadrant: str | None, stage: str | None) -> dict[str, int]:
    """The hat levels an account in ``quadrant`` at ``stage`` calls for (unknowns: a default)."""
    base = dict(QUADRANT_NEEDS.get(quadrant or "", DEFAULT_NEEDS))
    for hat, delta in STAGE_SHIFT.get(stage or "", {}).items():
        base[hat] = base[hat] + delta
    return {h: _clamp(base[h]) for h in HATS}


def combined_need(profiles: Iterable[Mapping[str, int]]) -> dict[str, int] | None:
    """What a KAM's whole portfolio calls for: the highest need per hat (None without accounts)."""
    profiles = list(profiles)
    if not profiles:
        return None
    return {h: max(p[h] for p in profiles) for h in HATS}


def fit_gap(actual: Mapping[str, int] | None, needed: Mapping[str, int] | None) -> dict[str, int]:
    """Shortfall per hat (needed − actual, never negative). Empty when either side is unknown."""
    if not actual or not needed:
        return {}
    return {h: max(0, needed[h] - actual[h]) for h in HATS}


def gap_total(gap: Mapping[str, int]) -> int:
    return sum(gap.values())


def is_salesperson_only(levels: Mapping[str, int] | None) -> bool:
    """True when the profile is only the salesperson hat: it is worn, and no other hat is."""
    if not levels:
        return False
    return levels["salesperson"] >= WORN and all(levels[h] < WORN for h in HATS[1:])


def blend(
    self_levels: Mapping[str, int] | None, director_levels: Mapping[str, int] | None
) -> dict[str, int] | None:
    """The profile used for fit and flags: the director's view when there is one (it is the
    calibrated one), else the KAM's own."""
    chosen = director_levels or self_levels
    return dict(chosen) if chosen else None


def perception_gaps(
    self_levels: Mapping[str, int] | None,
    director_levels: Mapping[str, int] | None,
    threshold: int = 2,
) -> list[str]:
    """Hats where the KAM and the director disagree by ``threshold`` levels or more."""
    if not self_levels or not director_levels:
        return []
    return [h for h in HATS if abs(self_levels[h] - director_levels[h]) >= threshold]


def turnover_flag(change_dates: Iterable, as_of, years: int = 2, limit: int = 2) -> bool:
    """A key account whose KAM changed ``limit`` times or more in the last ``years`` years."""
    since = as_of - timedelta(days=365 * years)
    return sum(1 for d in change_dates if since < d <= as_of) >= limit


def tenure_days(since, as_of) -> int | None:
    if since is None:
        return None
    return max(0, (as_of - since).days)
