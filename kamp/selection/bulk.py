"""The selection rules of :mod:`kamp.selection.scoring` over the whole portfolio at once, as
columns (numpy arrays): what a rescoring of 100,000 customers runs.

No Django here. :mod:`~kamp.selection.scoring` stays the readable statement of the rules, one
customer at a time; this module computes the same numbers with the same floating-point
operations in the same order (weighted sums factor by factor, then one division), so the results
are identical, not merely close — the hypothesis tests in ``tests/selection/test_bulk.py`` hold
it to that. Where the rules round (``scoring._r``: comparisons at 9 decimals), numpy's rounding is
not Python's, so the comparison is made with plain floats where it cannot be in doubt and with
Python's ``round`` on the few values within a hair of the threshold; orderings that compare
rounded values (the ranking) are made in Python on the few customers they concern.
"""

from __future__ import annotations

import heapq
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from . import scoring as s

# Quadrant and reason codes in the arrays: indexes into these tuples (-1: no quadrant).
QUADRANTS = s.QUADRANTS
REASONS = (
    s.R_RECOMMENDED,
    s.R_INCOMPLETE,
    s.R_NOT_STRATEGIC,
    s.R_NO_CO_INVESTMENT,
    s.R_UNRECIPROCATED,
    s.R_BEYOND_CAP,
)
_REASON = {r: i for i, r in enumerate(REASONS)}


def _tolerance(threshold: float) -> float:
    # Far beyond what rounding to 9 decimals can move a value (5e-10, plus float error).
    return 1e-6 * (1.0 + abs(threshold))


def at_least(x: np.ndarray, threshold: float) -> np.ndarray:
    """``round(x, 9) >= threshold`` for each (finite) x, exactly as Python computes it;
    ``threshold`` already rounded (``scoring._r``). NaN counts as False."""
    out = x >= threshold
    near = np.flatnonzero(np.abs(x - threshold) <= _tolerance(threshold))
    for i, v in zip(near.tolist(), x[near].tolist(), strict=True):
        out[i] = round(v, s._DIGITS) >= threshold
    return out


# --- Derived factors ---------------------------------------------------------------------------


def map_derived(
    raw: np.ndarray,
    scale_min: float,
    scale_max: float,
    thresholds: Sequence[float] | None = None,
) -> np.ndarray:
    """:func:`scoring.map_derived` on a column: raw values (NaN = unknown, stays NaN) mapped to
    the scale by percentile rank (ties share the mean rank) or by thresholds."""
    raw = np.asarray(raw, dtype=np.float64)
    out = np.full(raw.shape, np.nan)
    known = ~np.isnan(raw)
    v = raw[known]
    n = len(v)
    if n == 0:
        return out
    if thresholds:
        passed = np.zeros(n, dtype=np.int64)
        for t in thresholds:
            passed += v >= t
        out[known] = scale_min + passed * (scale_max - scale_min) / len(thresholds)
        return out
    if n == 1:
        p = np.full(1, 0.5)
    else:
        # Each value's place among the sorted values: the first index of its run of equal
        # values (how many are below it) and the run's length (how many equal it).
        order = np.argsort(v, kind="stable")
        ordered = v[order]
        starts = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]])
        lengths = np.diff(np.r_[starts, n])
        run = np.repeat(np.arange(len(starts)), lengths)
        below = np.empty(n, dtype=np.int64)
        equal = np.empty(n, dtype=np.int64)
        below[order] = starts[run]
        equal[order] = lengths[run]
        p = (below + 0.5 * (equal - 1)) / (n - 1)
    out[known] = scale_min + p * (scale_max - scale_min)
    return out


# --- Scores, quadrants, recommendation ---------------------------------------------------------


@dataclass
class Portfolio:
    """The inputs of a rescoring, one entry per customer: ids, names, each factor's score (the
    mean over assessors, or the mapped derived value; NaN when missing) and co-investment."""

    ids: np.ndarray  # int64
    names: list[str]
    scores: dict[str, np.ndarray]  # factor key -> float64, NaN = missing
    co_investment: np.ndarray  # float64, NaN = not assessed

    def __len__(self) -> int:
        return len(self.names)


@dataclass
class Scored:
    """:func:`score` 's result, as columns aligned with the portfolio."""

    attractiveness: np.ndarray  # NaN when a factor of the dimension is missing
    position: np.ndarray
    complete: np.ndarray  # bool
    missing: list[tuple[str, ...]]  # the missing factor keys, in model order
    quadrant: np.ndarray  # int8: index in QUADRANTS, -1 when incomplete
    reason: np.ndarray  # int8: index in REASONS
    rank: np.ndarray  # int64: place among strategic, reciprocated customers; 0 = none
    recommended: list[int]  # row indexes of the recommended customers, in rank order
    reciprocated: np.ndarray  # bool: co-investment assessed and at least the floor
    a_num: np.ndarray  # Σ w·s per dimension (the robustness moves one weight from these)
    p_num: np.ndarray
    a_den: float
    p_den: float


def _dimension(model: s.Model, dim: str, p: Portfolio) -> tuple[np.ndarray, float]:
    """Σ wᵢ·sᵢ over the dimension's factors (NaN where one is missing) and Σ wᵢ, summed in the
    model's order as :func:`scoring.score_portfolio` does."""
    flip = model.scale_min + model.scale_max
    num = np.zeros(len(p))
    den: float = 0  # as sum(): an int start, so whole weights stay whole
    for f in model.factors_of(dim):
        v = p.scores[f.key]
        num += f.weight * (flip - v if f.direction == s.LOWER else v)
        den += f.weight
    return num, den


def score(model: s.Model, p: Portfolio) -> Scored:
    """:func:`scoring.score_portfolio` on columns: scores, quadrants, reasons, ranks and the
    recommended customers."""
    n = len(p)
    a_num, a_den = _dimension(model, s.ATTRACTIVENESS, p)
    p_num, p_den = _dimension(model, s.POSITION, p)
    with np.errstate(invalid="ignore", divide="ignore"):
        a = a_num / a_den
        pos = p_num / p_den
    # Which factors each customer misses, as a bit pattern; one tuple per distinct pattern.
    pattern = np.zeros(n, dtype=np.int64)
    for bit, f in enumerate(model.factors):
        pattern |= np.isnan(p.scores[f.key]).astype(np.int64) << bit
    complete = pattern == 0
    missing: list[tuple[str, ...]] = [()] * n
    incomplete = np.flatnonzero(~complete)
    if len(incomplete):
        names = {
            code: tuple(f.key for bit, f in enumerate(model.factors) if code >> bit & 1)
            for code in np.unique(pattern[incomplete]).tolist()
        }
        for i, code in zip(incomplete.tolist(), pattern[incomplete].tolist(), strict=True):
            missing[i] = names[code]

    split = s._r(model.split_value)
    high_a = at_least(a, split) & complete
    high_p = at_least(pos, split) & complete
    quadrant = np.full(n, -1, dtype=np.int8)
    quadrant[complete] = QUADRANTS.index(s.STREAMLINE)
    quadrant[high_p] = QUADRANTS.index(s.STATUS)
    quadrant[high_a] = QUADRANTS.index(s.STAR)
    quadrant[high_a & high_p] = QUADRANTS.index(s.STRATEGIC)

    co = p.co_investment
    reciprocated = at_least(co, s._r(model.floor_value))  # NaN (not assessed): False
    strategic = high_a & high_p
    reason = np.full(n, _REASON[s.R_INCOMPLETE], dtype=np.int8)
    reason[complete] = _REASON[s.R_NOT_STRATEGIC]
    reason[strategic] = _REASON[s.R_UNRECIPROCATED]
    reason[strategic & np.isnan(co)] = _REASON[s.R_NO_CO_INVESTMENT]
    eligible = np.flatnonzero(strategic & reciprocated)

    # The ranking compares rounded values and names: Python, on the eligible customers only.
    total = a[eligible] + pos[eligible]
    keys = sorted(
        zip(
            [-round(x, s._DIGITS) for x in total.tolist()],
            [-round(x, s._DIGITS) for x in a[eligible].tolist()],
            [p.names[i] for i in eligible.tolist()],
            [str(i) for i in p.ids[eligible].tolist()],
            eligible.tolist(),
            strict=True,
        )
    )
    order = np.array([k[4] for k in keys], dtype=np.int64)
    rank = np.zeros(n, dtype=np.int64)
    rank[order] = np.arange(1, len(order) + 1)
    reason[order[: model.cap]] = _REASON[s.R_RECOMMENDED]
    reason[order[model.cap :]] = _REASON[s.R_BEYOND_CAP]
    return Scored(
        attractiveness=a,
        position=pos,
        complete=complete,
        missing=missing,
        quadrant=quadrant,
        reason=reason,
        rank=rank,
        recommended=order[: model.cap].tolist(),
        reciprocated=reciprocated & complete,
        a_num=a_num,
        p_num=p_num,
        a_den=a_den,
        p_den=p_den,
    )


def _none_for_nan(values: list[float]) -> list[float | None]:
    return [None if v != v else v for v in values]


def results(p: Portfolio, r: Scored) -> list[s.Result]:
    """The :class:`scoring.Result` of every customer, in portfolio order."""
    quadrants = (*QUADRANTS, None)  # index -1: none
    return [
        s.Result(cid, name, a, pos, co, quadrants[q], c, m, rec, rk or None, REASONS[why])
        for cid, name, a, pos, co, q, c, m, rec, rk, why in zip(
            p.ids.tolist(),
            p.names,
            _none_for_nan(r.attractiveness.tolist()),
            _none_for_nan(r.position.tolist()),
            _none_for_nan(p.co_investment.tolist()),
            r.quadrant.tolist(),
            r.complete.tolist(),
            r.missing,
            (r.reason == _REASON[s.R_RECOMMENDED]).tolist(),
            r.rank.tolist(),
            r.reason.tolist(),
            strict=True,
        )
    ]


# --- Robustness -------------------------------------------------------------------------------


def _top(
    cap: int, p: Portfolio, rows: np.ndarray, a: np.ndarray, pos: np.ndarray, split: float
) -> tuple:
    """The ids of the first ``cap`` strategic customers among ``rows`` by
    :func:`scoring.rank_key`, in order."""
    if cap <= 0:
        return ()
    strategic = at_least(a, split) & at_least(pos, split)
    cand = np.flatnonzero(strategic)
    total = a[cand] + pos[cand]
    if len(cand) > cap:
        # Only customers whose total is within a hair of the cap-th best can be among the
        # first cap once rounded; the exact ordering is then made on those few.
        kth = np.partition(total, len(total) - cap)[len(total) - cap]
        keep = total >= kth - _tolerance(kth)
        cand, total = cand[keep], total[keep]
    idx = rows[cand]
    keys = zip(
        [-round(x, s._DIGITS) for x in total.tolist()],
        [-round(x, s._DIGITS) for x in a[cand].tolist()],
        [p.names[i] for i in idx.tolist()],
        [str(i) for i in p.ids[idx].tolist()],
        p.ids[idx].tolist(),
        strict=True,
    )
    return tuple(k[4] for k in heapq.nsmallest(cap, keys))


def robustness(
    model: s.Model,
    p: Portfolio,
    r: Scored,
    change: float = 0.2,
    baseline: Sequence | None = None,
) -> s.Robustness:
    """:func:`scoring.robustness` on columns: for each factor's weight moved by ±``change``
    (one at a time), which customers enter or leave the recommended set."""
    rows = np.flatnonzero(r.reciprocated)
    a_num0, p_num0 = r.a_num[rows], r.p_num[rows]
    split = s._r(model.split_value)
    flip = model.scale_min + model.scale_max
    if baseline is None:
        base = _top(model.cap, p, rows, a_num0 / r.a_den, p_num0 / r.p_den, split)
    else:
        base = tuple(baseline)
    base_set = set(base)
    out = s.Robustness(baseline=base)
    for f in model.factors:
        v = p.scores[f.key][rows]
        o = flip - v if f.direction == s.LOWER else v
        on_a = f.dimension == s.ATTRACTIVENESS
        for sign in (1, -1):
            dw = sign * change * f.weight
            if on_a:
                a = (a_num0 + dw * o) / (r.a_den + dw)
                pos = p_num0 / r.p_den
            else:
                a = a_num0 / r.a_den
                pos = (p_num0 + dw * o) / (r.p_den + dw)
            moved = _top(model.cap, p, rows, a, pos, split)
            moved_set = set(moved)
            out.variations.append(
                s.Variation(
                    factor=f.key,
                    change=sign * change,
                    entered=tuple(i for i in moved if i not in base_set),
                    left=tuple(i for i in base if i not in moved_set),
                )
            )
    return out
