"""The pipeline's figures (docs/pipeline.md): data in, result out, no Django. One function per
figure; the pages, the API and ``kamp pipeline`` all call these.

A bid is given as a :class:`BidFacts`; amounts are ``Decimal`` in one currency (the caller
converts or groups by currency first)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

OPEN_STAGES = ("identified", "qualifying", "proposal", "negotiation")
CLOSED_STAGES = ("won", "lost", "withdrawn")
STAGES = OPEN_STAGES + CLOSED_STAGES
# The default probability of each stage, in percent (editable on each bid).
DEFAULT_PROBABILITY = {
    "identified": 10,
    "qualifying": 25,
    "proposal": 50,
    "negotiation": 75,
    "won": 100,
    "lost": 0,
    "withdrawn": 0,
}
REASONS = ("price", "relationship", "capability", "buying_process", "culture")


@dataclass(frozen=True)
class BidFacts:
    stage: str
    value: Decimal | None
    probability: int
    closed_on: date | None = None
    reasons: tuple[str, ...] = ()


def default_probability(stage: str) -> int:
    if stage not in DEFAULT_PROBABILITY:
        raise ValueError(f"unknown stage {stage!r}")
    return DEFAULT_PROBABILITY[stage]


def weighted_value(bid: BidFacts) -> Decimal:
    """An open bid's value times its probability; a closed bid weighs nothing."""
    if bid.stage not in OPEN_STAGES or bid.value is None:
        return Decimal(0)
    return bid.value * Decimal(bid.probability) / Decimal(100)


def weighted_pipeline(bids: Iterable[BidFacts]) -> Decimal:
    """The sum of the open bids' weighted values."""
    return sum((weighted_value(b) for b in bids), Decimal(0))


def open_value(bids: Iterable[BidFacts]) -> Decimal:
    """The sum of the open bids' values (unweighted)."""
    return sum(
        (b.value for b in bids if b.stage in OPEN_STAGES and b.value is not None), Decimal(0)
    )


def win_rate(bids: Iterable[BidFacts]) -> float | None:
    """Won ÷ (won + lost), in percent; withdrawn bids are left out (nobody decided).
    ``None`` when no bid was won or lost."""
    stages = Counter(b.stage for b in bids)
    decided = stages["won"] + stages["lost"]
    if not decided:
        return None
    return 100.0 * stages["won"] / decided


def quarter(day: date) -> str:
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


@dataclass(frozen=True)
class QuarterRow:
    quarter: str
    won: int
    lost: int
    win_rate: float | None
    won_reasons: dict[str, int]
    lost_reasons: dict[str, int]


def by_quarter(bids: Iterable[BidFacts]) -> list[QuarterRow]:
    """Won and lost bids per quarter of their closing day, oldest first: counts, the win rate
    and how often each reason was given for a win and for a loss."""
    groups: dict[str, list[BidFacts]] = {}
    for b in bids:
        if b.stage in ("won", "lost") and b.closed_on is not None:
            groups.setdefault(quarter(b.closed_on), []).append(b)
    rows = []
    for q in sorted(groups):
        items = groups[q]
        won = [b for b in items if b.stage == "won"]
        lost = [b for b in items if b.stage == "lost"]
        rows.append(
            QuarterRow(
                quarter=q,
                won=len(won),
                lost=len(lost),
                win_rate=win_rate(items),
                won_reasons=_reasons(won),
                lost_reasons=_reasons(lost),
            )
        )
    return rows


def _reasons(bids: list[BidFacts]) -> dict[str, int]:
    counts = Counter(r for b in bids for r in set(b.reasons))
    return {r: counts[r] for r in REASONS if counts[r]}


def renewal_due(ends_on: date, as_of: date, days_ahead: int) -> bool:
    """A contract whose end falls from today to ``days_ahead`` days ahead is due for renewal."""
    return 0 <= (ends_on - as_of).days <= days_ahead
