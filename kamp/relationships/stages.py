"""Relationship development stage (McDonald & Rogers; Millman & Wilson), kam-domain.md §4.

Pure: the facts about an account in, the suggested stage and the reasons out. The rule
[defaults]: no sales in 12 months → exploratory; irregular orders → basic; fewer than 3
functional contact pairs → cooperative; systems linked and switching costs high on both sides →
integrated; else interdependent. Disintegrating is flagged — and suggested — when the RQI falls
by ≥ 1 year on year or the share of wallet falls by more than 20 % (relative to last year's).

Reasons are ``(code, params)`` pairs so the caller can say them in the user's language.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

EXPLORATORY = "exploratory"
BASIC = "basic"
COOPERATIVE = "cooperative"
INTERDEPENDENT = "interdependent"
INTEGRATED = "integrated"
DISINTEGRATING = "disintegrating"

STAGES = [EXPLORATORY, BASIC, COOPERATIVE, INTERDEPENDENT, INTEGRATED, DISINTEGRATING]
# Millman & Wilson's names for the same stages.
MILLMAN_WILSON = {
    EXPLORATORY: "pre-KAM",
    BASIC: "early",
    COOPERATIVE: "mid",
    INTERDEPENDENT: "partnership",
    INTEGRATED: "synergistic",
    DISINTEGRATING: "uncoupling",
}

MIN_FUNCTIONAL_PAIRS = 3
REGULAR_MONTHS = 6  # months with orders, of the last 12, for orders to count as regular
HIGH_SWITCHING = 5  # a switching-cost item at or above this (1–7) is "high"
RQI_DROP = 1.0
WALLET_DROP = 0.20


@dataclass(frozen=True)
class StageFacts:
    has_sales_12m: bool | None = None  # None: no sales data at all
    months_with_orders: int | None = None  # of the last 12
    functional_pairs: int | None = None  # None: unknown
    systems_linked: bool = False
    our_switching_cost: float | None = None  # 1–7
    their_switching_cost: float | None = None  # 1–7
    rqi_now: float | None = None
    rqi_year_ago: float | None = None
    wallet_now: float | None = None  # share of wallet, 0–1
    wallet_year_ago: float | None = None


@dataclass(frozen=True)
class StageSuggestion:
    stage: str
    ladder_stage: str  # the stage the ladder gives, before the disintegrating flag
    disintegrating: bool
    reasons: list[tuple[str, dict]] = field(default_factory=list)


def months_with_orders(order_dates: Iterable[date], as_of: date) -> int:
    """How many of the 12 calendar months ending with ``as_of``'s month had an order."""
    months = set()
    start = (as_of.year * 12 + as_of.month - 1) - 11
    for d in order_dates:
        index = d.year * 12 + d.month - 1
        if start <= index <= start + 11 and d <= as_of:
            months.add(index)
    return len(months)


def disintegration_reasons(
    facts: StageFacts, rqi_drop: float = RQI_DROP, wallet_drop: float = WALLET_DROP
) -> list[tuple[str, dict]]:
    reasons = []
    if facts.rqi_now is not None and facts.rqi_year_ago is not None:
        drop = round(facts.rqi_year_ago - facts.rqi_now, 6)
        if drop >= rqi_drop:
            reasons.append(
                ("rqi_drop", {"before": facts.rqi_year_ago, "now": facts.rqi_now, "drop": drop})
            )
    if facts.wallet_now is not None and facts.wallet_year_ago:
        fall = round((facts.wallet_year_ago - facts.wallet_now) / facts.wallet_year_ago, 6)
        if fall > wallet_drop:
            reasons.append(
                (
                    "wallet_drop",
                    {"before": facts.wallet_year_ago, "now": facts.wallet_now, "fall": fall},
                )
            )
    return reasons


def suggest(
    facts: StageFacts,
    *,
    min_pairs: int = MIN_FUNCTIONAL_PAIRS,
    regular_months: int = REGULAR_MONTHS,
    high_switching: float = HIGH_SWITCHING,
    rqi_drop: float = RQI_DROP,
    wallet_drop: float = WALLET_DROP,
) -> StageSuggestion:
    """The suggested stage and why."""
    reasons: list[tuple[str, dict]] = []
    if not facts.has_sales_12m:
        ladder = EXPLORATORY
        reasons.append(("no_sales" if facts.has_sales_12m is False else "no_sales_data", {}))
    elif facts.months_with_orders is not None and facts.months_with_orders < regular_months:
        ladder = BASIC
        reasons.append(
            ("irregular_orders", {"months": facts.months_with_orders, "needed": regular_months})
        )
    elif facts.functional_pairs is None or facts.functional_pairs < min_pairs:
        ladder = COOPERATIVE
        if facts.functional_pairs is None:
            reasons.append(("pairs_unknown", {"needed": min_pairs}))
        else:
            reasons.append(("few_pairs", {"pairs": facts.functional_pairs, "needed": min_pairs}))
    else:
        both_high = (
            facts.our_switching_cost is not None
            and facts.their_switching_cost is not None
            and facts.our_switching_cost >= high_switching
            and facts.their_switching_cost >= high_switching
        )
        if facts.systems_linked and both_high:
            ladder = INTEGRATED
            reasons.append(("integrated", {"pairs": facts.functional_pairs}))
        else:
            ladder = INTERDEPENDENT
            reasons.append(
                (
                    "interdependent",
                    {
                        "pairs": facts.functional_pairs,
                        "systems_linked": facts.systems_linked,
                        "switching_high": both_high,
                    },
                )
            )
    falling = disintegration_reasons(facts, rqi_drop, wallet_drop)
    if falling:
        return StageSuggestion(DISINTEGRATING, ladder, True, falling + reasons)
    return StageSuggestion(ladder, ladder, False, reasons)
