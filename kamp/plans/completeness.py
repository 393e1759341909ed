"""Plan completeness and execution (kam-domain.md §10): a plain module, no Django import.

Two separate figures, never merged into one:

- **completeness** — are the sections filled? Each of the eight sections holds something useful;
  completeness is the share of sections filled, and every missing section comes with the reason.
- **execution** — is the plan being carried out? Overdue actions, objectives whose target date
  passed without reaching the target, and a plan nobody touched for ``STALE_DAYS`` days. A plan
  is "up to date" only when none of these holds: a complete plan with overdue actions is behind.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

STALE_DAYS = 90
AGING_DAYS = 45
MIN_TEXT = 20  # a sentence, not a placeholder
REVIEW_WINDOW_DAYS = 120  # a QBR a quarter, with a month's grace


@dataclass(frozen=True)
class PlanFacts:
    """What completeness looks at: counts and lengths, gathered by the caller."""

    business_text_len: int = 0
    strategy_text_len: int = 0
    objectives: int = 0
    objectives_with_target: int = 0
    open_actions: int = 0
    open_actions_with_owner_and_due: int = 0
    whitespace_cells: int = 0
    initiatives: int = 0
    risks: int = 0
    risks_with_mitigation: int = 0
    last_review: date | None = None


# Section keys in the order the plan shows them.
SECTIONS = (
    "business",
    "objectives",
    "strategy",
    "actions",
    "whitespace",
    "initiatives",
    "risks",
    "reviews",
)


@dataclass(frozen=True)
class Completeness:
    filled: tuple[str, ...]
    missing: dict[str, str] = field(default_factory=dict)  # section → machine reason

    @property
    def percent(self) -> int:
        return round(100 * len(self.filled) / len(SECTIONS))


def completeness(facts: PlanFacts, today: date) -> Completeness:
    """Which sections are filled, and why each of the others is not (a reason key the UI
    translates: ``empty``, ``too_short``, ``no_target``, ``no_owner_or_due``,
    ``no_open_actions``, ``no_mitigation``, ``no_recent_review``)."""
    missing: dict[str, str] = {}
    if facts.business_text_len == 0:
        missing["business"] = "empty"
    elif facts.business_text_len < MIN_TEXT:
        missing["business"] = "too_short"
    if facts.objectives == 0:
        missing["objectives"] = "empty"
    elif facts.objectives_with_target == 0:
        missing["objectives"] = "no_target"
    if facts.strategy_text_len == 0:
        missing["strategy"] = "empty"
    elif facts.strategy_text_len < MIN_TEXT:
        missing["strategy"] = "too_short"
    if facts.open_actions == 0:
        missing["actions"] = "no_open_actions"
    elif facts.open_actions_with_owner_and_due == 0:
        missing["actions"] = "no_owner_or_due"
    if facts.whitespace_cells == 0:
        missing["whitespace"] = "empty"
    if facts.initiatives == 0:
        missing["initiatives"] = "empty"
    if facts.risks == 0:
        missing["risks"] = "empty"
    elif facts.risks_with_mitigation == 0:
        missing["risks"] = "no_mitigation"
    if facts.last_review is None:
        missing["reviews"] = "empty"
    elif (today - facts.last_review).days > REVIEW_WINDOW_DAYS:
        missing["reviews"] = "no_recent_review"
    filled = tuple(s for s in SECTIONS if s not in missing)
    return Completeness(filled=filled, missing=missing)


def days_since(last_update: date, today: date) -> int:
    return max(0, (today - last_update).days)


def freshness(last_update: date, today: date) -> str:
    """``fresh`` (updated in the last 45 days), ``aging`` (45–89) or ``stale`` (90 and more)."""
    days = days_since(last_update, today)
    if days >= STALE_DAYS:
        return "stale"
    if days >= AGING_DAYS:
        return "aging"
    return "fresh"


def is_stale(last_update: date, today: date) -> bool:
    return days_since(last_update, today) >= STALE_DAYS


# Execution status, worst first.
STALE = "stale"
BEHIND = "behind"
AGING = "aging"
UP_TO_DATE = "up_to_date"


def objective_off_track(target, current, due: date | None, today: date) -> bool:
    """An objective whose target date has passed with a measured value short of its target.
    Without a target, a current value or a date nothing is known, and nothing is claimed."""
    return (
        due is not None
        and due < today
        and target is not None
        and current is not None
        and current < target
    )


@dataclass(frozen=True)
class Execution:
    status: str  # up_to_date | aging | behind | stale
    overdue_actions: int
    objectives_off_track: int
    days_since_update: int

    @property
    def up_to_date(self) -> bool:
        return self.status == UP_TO_DATE

    @property
    def problems(self) -> tuple[tuple[str, int], ...]:
        """What keeps the plan from being up to date: (``overdue_actions`` | ``off_track`` |
        ``stale`` | ``aging``, a count or a number of days), worst first."""
        found: list[tuple[str, int]] = []
        if self.status == STALE:
            found.append((STALE, self.days_since_update))
        if self.overdue_actions:
            found.append(("overdue_actions", self.overdue_actions))
        if self.objectives_off_track:
            found.append(("off_track", self.objectives_off_track))
        if self.status == AGING:
            found.append((AGING, self.days_since_update))
        return tuple(found)


def execution(
    overdue_actions: int, objectives_off_track: int, last_update: date, today: date
) -> Execution:
    """How the plan is being carried out. ``up_to_date`` only when nothing is overdue, no
    objective is off track and the plan changed in the last ``AGING_DAYS`` days; ``stale``
    outranks ``behind``, which outranks ``aging``."""
    days = days_since(last_update, today)
    fresh = freshness(last_update, today)
    if fresh == "stale":
        status = STALE
    elif overdue_actions > 0 or objectives_off_track > 0:
        status = BEHIND
    elif fresh == "aging":
        status = AGING
    else:
        status = UP_TO_DATE
    return Execution(status, overdue_actions, objectives_off_track, days)
