"""Plan completeness and staleness (kam-domain.md §10): a plain module, no Django import.

A plan is complete when each of its eight sections holds something useful; completeness is the
share of sections filled, and every missing section comes with the reason. A plan is stale when
nothing in it changed for ``STALE_DAYS`` days.
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
