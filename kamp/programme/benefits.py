"""Benefits of KAM tracked per key account and for the programme (kam-domain.md §9): less
conflict, more transparency and information exchange, satisfaction and loyalty, trust, sales
growth and share of wallet, customer-driven innovation.

Pure module (no Django). A *series* is a list of ``(when, value)`` oldest first, where ``when``
is anything that sorts (a date, a year, "2026-Q1").
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from statistics import mean
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from _typeshed import SupportsRichComparisonT

# Benefit key -> True when a higher value is better.
BENEFITS: dict[str, bool] = {
    "conflict": False,
    "transparency": True,
    "satisfaction": True,
    "loyalty": True,
    "trust": True,
    "sales_growth": True,
    "share_of_wallet": True,
    "innovation": True,
}


@dataclass
class Movement:
    first: float | None
    last: float | None
    delta: float | None
    improved: bool | None  # None: not enough data
    points: int
    before: float | None = None  # mean before the account became key
    after: float | None = None  # mean since

    def as_dict(self) -> dict:
        return asdict(self)


def _order(when):
    """Series mix years (2025), dates and period labels: compare them on one footing, a year
    counting as its last day."""
    if isinstance(when, int):
        return (when, 12, 31)
    if hasattr(when, "year") and hasattr(when, "month"):
        return (when.year, when.month, getattr(when, "day", 1))
    return when


def movement(
    series: Sequence[tuple[object, float]] | None, higher_is_better: bool = True, key_since=None
) -> Movement:
    """First vs last value of a series and, when ``key_since`` is given and data exist on both
    sides, the mean before vs the mean since the customer became a key account."""
    pts = [(w, v) for w, v in (series or []) if v is not None]
    if not pts:
        return Movement(None, None, None, None, 0)
    first, last = pts[0][1], pts[-1][1]
    delta = last - first if len(pts) > 1 else None
    improved = None
    if delta is not None:
        improved = (delta > 0) if higher_is_better else (delta < 0)
        if delta == 0:
            improved = None
    before = after = None
    if key_since is not None:
        b = [v for w, v in pts if _order(w) < _order(key_since)]
        a = [v for w, v in pts if _order(w) >= _order(key_since)]
        if b and a:
            before, after = mean(b), mean(a)
    return Movement(first, last, delta, improved, len(pts), before, after)


def yearly_growth(
    sales_by_year: Mapping[SupportsRichComparisonT, float],
) -> list[tuple[SupportsRichComparisonT, float]]:
    """Year-on-year growth series from sales per year: [(year, growth)], skipping a zero base."""
    years = sorted(sales_by_year)
    out = []
    for prev, cur in zip(years, years[1:], strict=False):
        if sales_by_year[prev]:
            out.append((cur, (sales_by_year[cur] - sales_by_year[prev]) / abs(sales_by_year[prev])))
    return out


def innovation_series(initiatives: Sequence[Mapping]) -> list[tuple[object, float]]:
    """Cumulative count of co-creation initiatives by year launched (``{"year", "value"}``)."""
    per_year: dict[Any, int] = {}  # years: whatever sorts
    for i in initiatives:
        if i.get("year") is not None:
            per_year[i["year"]] = per_year.get(i["year"], 0) + 1
    total = 0
    out = []
    for year in sorted(per_year):
        total += per_year[year]
        out.append((year, float(total)))
    return out


def account_benefits(
    series: Mapping[str, Sequence[tuple[object, float]] | None], key_since=None
) -> dict[str, Movement | None]:
    """Per benefit, the movement of its series (None when the benefit has no data source)."""
    return {
        b: (movement(series[b], higher, key_since) if series.get(b) is not None else None)
        for b, higher in BENEFITS.items()
        if b in series
    }


def programme_benefits(per_account: Mapping[int, Mapping[str, Movement | None]]) -> dict[str, dict]:
    """For each benefit: accounts improved / worsened / measured, and the mean last value."""
    out: dict[str, dict] = {}
    for b in BENEFITS:
        moves = [mv for m in per_account.values() if (mv := m.get(b)) is not None]
        if not moves and not any(b in m for m in per_account.values()):
            continue
        measured = [m for m in moves if m.points]
        # A measured movement has at least one point, hence a first and a last value.
        firsts = [m.first for m in measured if m.first is not None]
        lasts = [m.last for m in measured if m.last is not None]
        out[b] = {
            "measured": len(measured),
            "improved": sum(1 for m in measured if m.improved is True),
            "worsened": sum(1 for m in measured if m.improved is False),
            "mean_last": mean(lasts) if lasts else None,
            "mean_first": mean(firsts) if firsts else None,
            "available": any(b in m and m[b] is not None for m in per_account.values()),
        }
    return out


# --- before/after becoming a key account, against non-key customers ------------------------------
#
# Growth *rates* mislead: an account that starts from almost nothing (CS after the lost tender)
# shows a huge first rate and a "falling" one after, while its sales keep climbing. So the
# figures compare absolute values over two windows of equal length either side of the month the
# account became key, and the same windows of the customers that were never key accounts (the
# control): what changed for the key account minus what changed anyway for the others is the
# difference in differences — the part of the change the programme may claim, at best.

LONGEST_WINDOW = 12  # months on each side


def window_months(
    key_month: int, current_month: int, data_start: int | None, longest: int = LONGEST_WINDOW
) -> int:
    """How many months each window holds around ``key_month`` (months as consecutive integers;
    the key month opens the *after* window): up to ``longest``, no more than the whole months
    elapsed since (``current_month`` is not complete yet) and, when the data start at
    ``data_start``, no more than the months recorded before. 0: nothing to compare."""
    n = min(longest, current_month - key_month)
    if data_start is not None:
        n = min(n, key_month - data_start)
    return max(n, 0)


def window_total(monthly: Mapping[int, float], first: int, months: int) -> float:
    """The sum of a monthly series over ``months`` months from ``first`` (a missing month is 0:
    the caller knows the data cover the window)."""
    return float(sum(monthly.get(m, 0.0) for m in range(first, first + months)))


@dataclass
class Comparison:
    before: float | None  # the key account, window before it became key
    after: float | None  # the same length since
    change: float | None  # after - before
    control_before: float | None  # mean over the non-key customers, same windows
    control_after: float | None
    control_change: float | None
    controls: int  # non-key customers measured on both sides
    did: float | None  # change - control_change
    improved: bool | None  # None: no change, or not measurable

    def as_dict(self) -> dict:
        return asdict(self)


def difference_in_differences(
    before: float | None,
    after: float | None,
    controls: Sequence[tuple[float, float]] = (),
    higher_is_better: bool = True,
) -> Comparison:
    """The account's change between its two windows, the mean change of the control customers
    (each a ``(before, after)`` pair) over the same windows, and their difference. Without a
    control the verdict rests on the account's own change."""
    if before is None or after is None:
        return Comparison(before, after, None, None, None, None, 0, None, None)
    change = after - before
    pairs = [(b, a) for b, a in controls if b is not None and a is not None]
    c_before = c_after = c_change = did = None
    if pairs:
        c_before = mean(b for b, _a in pairs)
        c_after = mean(a for _b, a in pairs)
        c_change = c_after - c_before
        did = change - c_change
    verdict = did if did is not None else change
    improved = None if verdict == 0 else (verdict > 0) == higher_is_better
    return Comparison(before, after, change, c_before, c_after, c_change, len(pairs), did, improved)
