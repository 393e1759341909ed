"""Key account selection rules (kam-domain.md §1–§2) as plain functions: data in, result out.

No Django here: the views, the API, the CLI and the benchmark all call these functions, and the
hypothesis tests exercise them directly.

- A factor score lives on the model's scale (1–10 by default). A ``lower``-is-better factor
  enters as ``(min + max) − s``.
- A dimension's score is the weighted mean of its factors (weights are normalised).
- A customer missing any factor score is *incomplete*: listed apart, never scored as zero.
- Quadrants split at ``split`` (the scale's midpoint by default); a score equal to the split
  counts as high.
- Recommended = strategic customers whose co-investment is at least the floor, ranked by
  attractiveness + position (ties: higher attractiveness, then name), the first ``cap``.
- Robustness: each weight moved ±20% (one at a time); who enters or leaves the recommended set.
"""

from __future__ import annotations

import bisect
import heapq
import math
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

ATTRACTIVENESS = "attractiveness"
POSITION = "position"
DIMENSIONS = (ATTRACTIVENESS, POSITION)
HIGHER = "higher"
LOWER = "lower"
DIRECTIONS = (HIGHER, LOWER)
ASSESSED = "assessed"
DERIVED = "derived"
SOURCES = (ASSESSED, DERIVED)
CO_INVESTMENT = "co_investment"

# What derived values are keyed by: a customer id, usually.
K = TypeVar("K", bound=Hashable)

STRATEGIC = "strategic"
STAR = "star"
STATUS = "status"
STREAMLINE = "streamline"
QUADRANTS = (STRATEGIC, STAR, STATUS, STREAMLINE)

# Reason codes: why a customer is or is not recommended (the UI turns them into sentences).
R_RECOMMENDED = "recommended"
R_INCOMPLETE = "incomplete"
R_NOT_STRATEGIC = "not_strategic"
R_NO_CO_INVESTMENT = "no_co_investment"
R_UNRECIPROCATED = "unreciprocated"
R_BEYOND_CAP = "beyond_cap"

# Scores are compared after rounding away float noise, so that a weighted mean that is 5.5 on
# paper (e.g. 5.4999999999) counts as 5.5, and scaling weights never flips a quadrant.
_DIGITS = 9


def _r(x: float) -> float:
    return round(x, _DIGITS)


# Why a model cannot be used: a stable code, its parameters, and the English sentence (the UI
# translates the code; the CLI prints the sentence).
PROBLEM_TEXT = {
    "scale": "the scale minimum ({min:g}) must be below its maximum ({max:g})",
    "no_key": "a factor has no key",
    "duplicate_key": "duplicate factor key '{key}'",
    "reserved_key": "'co_investment' is the reciprocity score, not a factor",
    "dimension": "factor '{key}': unknown dimension '{value}' (use attractiveness or position)",
    "weight": "factor '{key}': weight must be greater than 0 (got {value})",
    "direction": "factor '{key}': unknown direction '{value}' (use higher or lower)",
    "source": "factor '{key}': unknown source '{value}' (use assessed or derived)",
    "empty_dimension": "no factor in the dimension '{dimension}'",
    "split": "the split ({value:g}) is outside the scale {min:g}–{max:g}",
    "floor": "the co-investment floor ({value:g}) is outside the scale {min:g}–{max:g}",
    "cap": "the cap must be a whole number ≥ 0 (got {value})",
}


@dataclass(frozen=True)
class Problem:
    code: str
    params: tuple = ()

    @property
    def data(self) -> dict:
        return dict(self.params)

    def __str__(self) -> str:
        return PROBLEM_TEXT[self.code].format(**self.data)


class ModelError(ValueError):
    """A selection model that cannot be used; ``problems`` lists every reason."""

    def __init__(self, problems: list[Problem]):
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = problems


@dataclass(frozen=True)
class Factor:
    key: str
    dimension: str
    weight: float
    direction: str = HIGHER
    source: str = ASSESSED


@dataclass(frozen=True)
class Model:
    factors: tuple[Factor, ...]
    scale_min: float = 1.0
    scale_max: float = 10.0
    split: float | None = None  # None: the scale's midpoint
    co_investment_min: float | None = None  # None: the split
    cap: int = 10

    @property
    def split_value(self) -> float:
        return (self.scale_min + self.scale_max) / 2 if self.split is None else self.split

    @property
    def floor_value(self) -> float:
        return self.split_value if self.co_investment_min is None else self.co_investment_min

    def factors_of(self, dimension: str) -> tuple[Factor, ...]:
        return tuple(f for f in self.factors if f.dimension == dimension)

    def with_weight(self, key: str, weight: float) -> Model:
        factors = tuple(
            Factor(f.key, f.dimension, weight, f.direction, f.source) if f.key == key else f
            for f in self.factors
        )
        return Model(
            factors, self.scale_min, self.scale_max, self.split, self.co_investment_min, self.cap
        )


def _finite(x) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x)


def validate(model: Model) -> list[Problem]:
    """Every reason the model cannot be used (empty when it is fine)."""
    out: list[Problem] = []

    def add(code: str, **params) -> None:
        out.append(Problem(code, tuple(params.items())))

    scale_ok = (
        _finite(model.scale_min) and _finite(model.scale_max) and model.scale_min < model.scale_max
    )
    if not scale_ok:
        add("scale", min=model.scale_min, max=model.scale_max)
    seen: set[str] = set()
    for f in model.factors:
        if not f.key:
            add("no_key")
        elif f.key in seen:
            add("duplicate_key", key=f.key)
        elif f.key == CO_INVESTMENT:
            add("reserved_key")
        seen.add(f.key)
        if f.dimension not in DIMENSIONS:
            add("dimension", key=f.key, value=f.dimension)
        if not _finite(f.weight) or f.weight <= 0:
            add("weight", key=f.key, value=f.weight)
        if f.direction not in DIRECTIONS:
            add("direction", key=f.key, value=f.direction)
        if f.source not in SOURCES:
            add("source", key=f.key, value=f.source)
    for dim in DIMENSIONS:
        if not model.factors_of(dim):
            add("empty_dimension", dimension=dim)
    if scale_ok:
        if not _finite(model.split_value) or not (
            model.scale_min <= model.split_value <= model.scale_max
        ):
            add("split", value=model.split_value, min=model.scale_min, max=model.scale_max)
        if not _finite(model.floor_value) or not (
            model.scale_min <= model.floor_value <= model.scale_max
        ):
            add("floor", value=model.floor_value, min=model.scale_min, max=model.scale_max)
    if not isinstance(model.cap, int) or isinstance(model.cap, bool) or model.cap < 0:
        add("cap", value=model.cap)
    return out


def check(model: Model) -> Model:
    problems = validate(model)
    if problems:
        raise ModelError(problems)
    return model


def oriented(factor: Factor, score: float, scale_min: float, scale_max: float) -> float:
    """The score as it enters the weighted mean: ``lower`` factors are flipped on the scale."""
    return (scale_min + scale_max) - score if factor.direction == LOWER else score


def dimension_score(model: Model, dimension: str, scores: Mapping[str, float]) -> float | None:
    """Σ wᵢ·sᵢ / Σ wᵢ over the dimension's factors, or None if any score is missing."""
    num = 0.0
    den = 0.0
    for f in model.factors_of(dimension):
        s = scores.get(f.key)
        if s is None:
            return None
        num += f.weight * oriented(f, s, model.scale_min, model.scale_max)
        den += f.weight
    return num / den if den else None


def quadrant(attractiveness: float, position: float, split: float) -> str:
    high_a = _r(attractiveness) >= _r(split)
    high_p = _r(position) >= _r(split)
    if high_a and high_p:
        return STRATEGIC
    if high_a:
        return STAR
    if high_p:
        return STATUS
    return STREAMLINE


@dataclass(frozen=True)
class CustomerScores:
    """One customer's inputs: factor scores (already the mean over assessors) and co-investment."""

    id: int  # the customer's pk
    name: str
    scores: Mapping[str, float]
    co_investment: float | None = None


@dataclass
class Result:
    id: int  # the customer's pk
    name: str
    attractiveness: float | None
    position: float | None
    co_investment: float | None
    quadrant: str | None
    complete: bool
    missing: tuple[str, ...] = ()
    recommended: bool = False
    rank: int | None = None  # place among strategic, reciprocated customers (1 = best)
    reason: str = R_INCOMPLETE

    @property
    def total(self) -> float | None:
        if self.attractiveness is None or self.position is None:
            return None
        return self.attractiveness + self.position


def rank_key(r: Result) -> tuple:
    """Higher attractiveness + position first; ties: higher attractiveness, then name."""
    # Only complete results are ranked: both dimensions are known.
    assert r.attractiveness is not None and r.position is not None
    return (-_r(r.attractiveness + r.position), -_r(r.attractiveness), r.name, str(r.id))


def score_customer(model: Model, c: CustomerScores) -> Result:
    missing = tuple(f.key for f in model.factors if c.scores.get(f.key) is None)
    if missing:
        return Result(
            c.id,
            c.name,
            dimension_score(model, ATTRACTIVENESS, c.scores),
            dimension_score(model, POSITION, c.scores),
            c.co_investment,
            None,
            False,
            missing,
        )
    a = dimension_score(model, ATTRACTIVENESS, c.scores)
    p = dimension_score(model, POSITION, c.scores)
    assert a is not None and p is not None
    return Result(c.id, c.name, a, p, c.co_investment, quadrant(a, p, model.split_value), True)


def reciprocated(co_investment: float | None, floor: float) -> bool:
    return co_investment is not None and _r(co_investment) >= _r(floor)


def recommend(model: Model, results: list[Result]) -> list[Result]:
    """Sets rank, recommended and reason on every result; returns the recommended, in rank
    order."""
    floor = model.floor_value
    eligible = []
    for r in results:
        r.recommended = False
        r.rank = None
        if not r.complete:
            r.reason = R_INCOMPLETE
        elif r.quadrant != STRATEGIC:
            r.reason = R_NOT_STRATEGIC
        elif r.co_investment is None:
            r.reason = R_NO_CO_INVESTMENT
        elif not reciprocated(r.co_investment, floor):
            r.reason = R_UNRECIPROCATED
        else:
            eligible.append(r)
    eligible.sort(key=rank_key)
    for i, r in enumerate(eligible, start=1):
        r.rank = i
        r.recommended = i <= model.cap
        r.reason = R_RECOMMENDED if r.recommended else R_BEYOND_CAP
    return eligible[: model.cap]


def score_portfolio(model: Model, customers: Iterable[CustomerScores]) -> list[Result]:
    """Scores, quadrants and the recommendation for every customer (in input order).

    The same arithmetic as :func:`score_customer`, with the model unpacked once: this loop runs
    over the whole portfolio (100,000 customers) on every rescoring."""
    flip = model.scale_min + model.scale_max
    plans = []
    for dim in DIMENSIONS:
        fs = model.factors_of(dim)
        plans.append(
            ([(f.key, f.weight, f.direction == LOWER) for f in fs], sum(f.weight for f in fs))
        )
    (a_plan, a_den), (p_plan, p_den) = plans
    split = _r(model.split_value)
    results: list[Result] = []
    append = results.append
    for c in customers:
        sc = c.scores
        a_num = 0.0
        p_num = 0.0
        ok = True
        for key, w, lower in a_plan:
            v = sc.get(key)
            if v is None:
                ok = False
                break
            a_num += w * (flip - v if lower else v)
        if ok:
            for key, w, lower in p_plan:
                v = sc.get(key)
                if v is None:
                    ok = False
                    break
                p_num += w * (flip - v if lower else v)
        if not ok:
            append(score_customer(model, c))
            continue
        a = a_num / a_den
        p = p_num / p_den
        high_a = round(a, _DIGITS) >= split
        high_p = round(p, _DIGITS) >= split
        q = (STRATEGIC if high_p else STAR) if high_a else (STATUS if high_p else STREAMLINE)
        append(Result(c.id, c.name, a, p, c.co_investment, q, True))
    recommend(model, results)
    return results


# --- Robustness -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Variation:
    factor: str
    change: float  # +0.2 or −0.2
    entered: tuple = ()  # ids that join the recommended set
    left: tuple = ()  # ids that drop out of it


@dataclass
class Robustness:
    baseline: tuple  # recommended ids, in rank order
    variations: list[Variation] = field(default_factory=list)

    @property
    def changed(self) -> set:
        out: set = set()
        for v in self.variations:
            out.update(v.entered)
            out.update(v.left)
        return out

    @property
    def robust(self) -> tuple:
        """Recommended customers that stay recommended under every variation."""
        changed = self.changed
        return tuple(i for i in self.baseline if i not in changed)


def _partials(model: Model, customers: Sequence[CustomerScores]):
    """Per customer and dimension, Σ w·s and each factor's oriented score — so that moving one
    weight recomputes a dimension in O(1) instead of re-reading every factor."""
    rows = []
    for c in customers:
        if any(c.scores.get(f.key) is None for f in model.factors):
            continue
        oriented_scores = {
            f.key: oriented(f, c.scores[f.key], model.scale_min, model.scale_max)
            for f in model.factors
        }
        sums = {
            d: sum(f.weight * oriented_scores[f.key] for f in model.factors_of(d))
            for d in DIMENSIONS
        }
        rows.append((c, oriented_scores, sums))
    return rows


def robustness(
    model: Model,
    customers: Sequence[CustomerScores],
    change: float = 0.2,
    baseline: Sequence | None = None,
) -> Robustness:
    """For each factor's weight moved by ±``change`` (one at a time, the others fixed), which
    customers enter or leave the recommended set."""
    floor = _r(model.floor_value)
    rows = [
        row
        for row in _partials(model, customers)
        if row[0].co_investment is not None and _r(row[0].co_investment) >= floor
    ]
    den = {d: sum(f.weight for f in model.factors_of(d)) for d in DIMENSIONS}

    a_den0, p_den0 = den[ATTRACTIVENESS], den[POSITION]
    split = _r(model.split_value)
    # Cheap float test first; the exact (rounded) test only near or above the split.
    near = split - 1e-6
    plain = [
        (sums[ATTRACTIVENESS], sums[POSITION], o, c.name, str(c.id), c.id) for c, o, sums in rows
    ]

    def ranked(weight_delta: tuple[Factor, float] | None):
        if weight_delta is None:
            key, dw, on_a = None, 0.0, True
        else:
            f, dw = weight_delta
            key, on_a = f.key, f.dimension == ATTRACTIVENESS
        a_den = a_den0 + (dw if on_a else 0.0)
        p_den = p_den0 + (0.0 if on_a else dw)
        out = []
        for a_num, p_num, o, name, sid, cid in plain:
            if key is not None:
                if on_a:
                    a_num += dw * o[key]
                else:
                    p_num += dw * o[key]
            a = a_num / a_den
            p = p_num / p_den
            if a < near or p < near:
                continue
            ra, rp = _r(a), _r(p)
            if ra >= split and rp >= split:
                out.append((-_r(a + p), -ra, name, sid, cid))
        return tuple(t[4] for t in heapq.nsmallest(model.cap, out))

    base = tuple(baseline) if baseline is not None else ranked(None)
    base_set = set(base)
    result = Robustness(baseline=base)
    for f in model.factors:
        for sign in (1, -1):
            moved = ranked((f, sign * change * f.weight))
            moved_set = set(moved)
            result.variations.append(
                Variation(
                    factor=f.key,
                    change=sign * change,
                    entered=tuple(i for i in moved if i not in base_set),
                    left=tuple(i for i in base if i not in moved_set),
                )
            )
    return result


# --- Derived factors ---------------------------------------------------------------------------


def percentile_ranks(values: Mapping[K, float]) -> dict[K, float]:
    """Each value's percentile rank in 0..1: the share of the other values below it, ties
    counting half (the lowest is 0, the highest 1, equal values get equal ranks). A lone value
    sits in the middle (0.5)."""
    n = len(values)
    if n == 0:
        return {}
    if n == 1:
        return dict.fromkeys(values, 0.5)
    ordered = sorted(values.values())
    out: dict[K, float] = {}

    cache: dict[float, float] = {}
    for k, v in values.items():
        p = cache.get(v)
        if p is None:
            below = bisect.bisect_left(ordered, v)
            equal = bisect.bisect_right(ordered, v) - below
            p = (below + 0.5 * (equal - 1)) / (n - 1)
            cache[v] = p
        out[k] = p
    return out


def map_percentile(p: float, scale_min: float, scale_max: float) -> float:
    """Percentile p → ``min + p·(max − min)``."""
    return scale_min + p * (scale_max - scale_min)


def map_thresholds(
    value: float, thresholds: Sequence[float], scale_min: float, scale_max: float
) -> float:
    """Admin thresholds: ascending raw cut-points t₁ < … < tₖ split the scale in k equal steps;
    a value below t₁ scores the minimum, at or above tₖ the maximum (with 9 cut-points on 1–10,
    whole scores 1…10)."""
    if not thresholds:
        raise ValueError("no thresholds")
    passed = sum(1 for t in thresholds if value >= t)
    return scale_min + passed * (scale_max - scale_min) / len(thresholds)


def map_derived(
    raw: Mapping[K, float | None],
    scale_min: float,
    scale_max: float,
    thresholds: Sequence[float] | None = None,
) -> dict[K, float]:
    """Raw values (None = unknown, left out) mapped to the scale."""
    known = {k: float(v) for k, v in raw.items() if v is not None}
    if thresholds:
        return {k: map_thresholds(v, thresholds, scale_min, scale_max) for k, v in known.items()}
    return {k: map_percentile(p, scale_min, scale_max) for k, p in percentile_ranks(known).items()}


def mean_and_spread(values: Sequence[float]) -> tuple[float, float]:
    """The mean of several assessors' scores and their spread (max − min)."""
    return sum(values) / len(values), max(values) - min(values)


# The model of the domain reference (kam-domain.md §2), the default for a new installation.
DEFAULT_FACTORS = (
    Factor("profitability", ATTRACTIVENESS, 40),
    Factor("growth_potential", ATTRACTIVENESS, 35),
    Factor("strategic_value", ATTRACTIVENESS, 25),
    Factor("customer_knowledge", POSITION, 30),
    Factor("brand_image", POSITION, 30),
    Factor("cost_to_serve", POSITION, 40, LOWER),
)
