"""The reciprocity ledger: a customer's willingness to co-invest, computed from dated evidence.

The lecture's executive selects only customers willing to co-invest ("la disposición del cliente
a coinvertir en la relación"). Instead of one typed number, each piece of evidence kamp holds —
an executive-level meeting, a joint-plan action done on time, a co-creation initiative, data the
customer shared, an exclusivity or volume commitment — counts with its kind's weight, its strength
(0–1) and its age: evidence loses half its weight every ``half_life`` days. The points add up and
are mapped onto 0–10 by a saturating curve, so more evidence never lowers the score and the score
never leaves 0–10. No Django here: kamp.selection.ledger feeds it from the database.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date

SURVEY = "survey"
ACTION_ON_TIME = "action_on_time"
EXECUTIVE_MEETING = "executive_meeting"
CO_CREATION = "co_creation"
DATA_SHARED = "data_shared"
COMMITMENT = "commitment"

KINDS = (SURVEY, ACTION_ON_TIME, EXECUTIVE_MEETING, CO_CREATION, DATA_SHARED, COMMITMENT)
#: Kinds the KAM types (dated evidence items); the others are read from what kamp holds.
TYPED_KINDS = (DATA_SHARED, COMMITMENT, CO_CREATION, EXECUTIVE_MEETING)

#: Points one full-strength, fresh item of each kind adds. A selection model may override them.
DEFAULT_WEIGHTS: dict[str, float] = {
    SURVEY: 1.5,
    ACTION_ON_TIME: 0.5,
    EXECUTIVE_MEETING: 0.4,
    CO_CREATION: 1.5,
    DATA_SHARED: 1.0,
    COMMITMENT: 2.0,
}
HALF_LIFE_DAYS = 365
#: Points at which the score reaches 10 × (1 − 1/e) ≈ 6.3: a year's steady evidence
#: of a committed customer (a commitment, shared data, a pilot, monthly executive meetings) ≈ 9.
SCALE = 8.0
MAX_SCORE = 10.0


@dataclass(frozen=True)
class Evidence:
    kind: str
    on: date
    strength: float = 1.0  # 0–1: a survey answer of 7 is 1, of 1 is 0
    label: str = ""
    ref: str = ""  # where it comes from: "interaction:12", "evidence:3"

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown kind of evidence: {self.kind!r}")
        if not 0 <= self.strength <= 1 or math.isnan(self.strength):
            raise ValueError("strength must be between 0 and 1")


@dataclass(frozen=True)
class Line:
    evidence: Evidence
    weight: float
    decay: float  # 1 today, ½ one half-life ago
    points: float


@dataclass(frozen=True)
class Ledger:
    score: float
    points: float
    lines: tuple[Line, ...] = field(default=())


def weights_with(overrides: Mapping[str, float] | None) -> dict[str, float]:
    """The default weights with a model's own; a negative weight is refused."""
    out = dict(DEFAULT_WEIGHTS)
    for kind, w in (overrides or {}).items():
        if kind not in KINDS:
            raise ValueError(f"unknown kind of evidence: {kind!r}")
        w = float(w)
        if w < 0 or math.isnan(w) or math.isinf(w):
            raise ValueError(f"the weight of {kind} must be a number of 0 or more")
        out[kind] = w
    return out


def decay(on: date, as_of: date, half_life: float = HALF_LIFE_DAYS) -> float:
    """How much of its weight evidence of ``on`` keeps on ``as_of``."""
    age = max(0, (as_of - on).days)
    return 0.5 ** (age / half_life)


def to_score(points: float, scale: float = SCALE) -> float:
    return min(MAX_SCORE, max(0.0, MAX_SCORE * (1 - math.exp(-max(0.0, points) / scale))))


def compute(
    items: Iterable[Evidence],
    as_of: date,
    weights: Mapping[str, float] | None = None,
    half_life: float = HALF_LIFE_DAYS,
    scale: float = SCALE,
) -> Ledger:
    """The score on ``as_of`` with every item's contribution; evidence dated after ``as_of``
    does not count yet. Lines come newest first."""
    w = weights_with(weights)
    lines = []
    for e in items:
        if e.on > as_of:
            continue
        d = decay(e.on, as_of, half_life)
        lines.append(Line(e, w[e.kind], d, w[e.kind] * e.strength * d))
    lines.sort(key=lambda ln: (ln.evidence.on, ln.points), reverse=True)
    total = math.fsum(ln.points for ln in lines)
    return Ledger(to_score(total, scale), total, tuple(lines))


def survey_strength(answer: float, low: float = 1, high: float = 7) -> float:
    """A survey answer on the 1–7 scale as a strength: 1 → 0, 7 → 1."""
    return min(1.0, max(0.0, (answer - low) / (high - low)))


def effective(computed: float | None, override: float | None) -> float | None:
    """What the selection model uses: the typed override when there is one."""
    return override if override is not None else computed


def dropped(before: float | None, now: float | None, points: float) -> bool:
    """Whether the score fell by at least ``points`` (the alert's threshold)."""
    if before is None or now is None:
        return False
    return round(before - now, 6) >= points
