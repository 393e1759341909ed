"""The account P&L and everything computed from money: pure functions, no Django import.

kam-domain.md §5 and §6, one implementation each, called by the views, the API, the CLI, the
exports, the alerts and the benchmark:

- :class:`Period` — ``2025``, ``2025-Q3``, ``2025-07`` (and rolling windows of months);
- currencies: :func:`minor_units`, :func:`quantize`, :class:`RateTable` (the admin's rates per
  period, a step function over months), :func:`convert`;
- :func:`allocate` — a programme-wide amount split over accounts by weights, largest remainder in
  the currency's minor unit, so the parts always add up to the total exactly;
- :func:`build_pnl` — one account's P&L from aggregated rows (the database groups, this adds up);
- :func:`share_of_wallet`, :func:`potential`, :func:`growth`, :func:`clv`, :func:`whale_curve`;
- the alert rules :func:`unprofitable_streak` and :func:`cost_to_serve_outgrows_revenue`.

Money is :class:`~decimal.Decimal` with a currency, never float. Each P&L line is rounded to the
base currency's minor unit *before* the derived lines are computed, so what a report shows always
adds up (gross margin = net revenue − cost of goods, to the last peso).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Context, Decimal
from functools import lru_cache
from typing import Generic, TypeVar

from babel.numbers import get_currency_precision

ZERO = Decimal(0)

# What money is split over or ranked by: a customer id, usually.
K = TypeVar("K", bound=Hashable)


def minor_units(currency: str) -> int:
    """Decimals of ``currency``: 0 for CLP, 2 for USD/EUR, 4 for CLF (ISO 4217 through Babel's
    CLDR data, the same source as kamp.core.money, which formats and checks them)."""
    return _minor_units((currency or "").strip().upper())


@lru_cache(maxsize=256)
def _minor_units(code: str) -> int:
    return get_currency_precision(code) if code else 2


@lru_cache(maxsize=64)
def unit(currency: str) -> Decimal:
    """The smallest denomination: ``1`` for CLP, ``0.01`` for USD."""
    return Decimal(1).scaleb(-minor_units(currency))


def quantize(amount: Decimal, currency: str) -> Decimal:
    """``amount`` rounded (half up) to ``currency``'s minor unit; never ``-0``."""
    amount = amount if isinstance(amount, Decimal) else Decimal(amount)
    q = amount.quantize(unit(currency), rounding=ROUND_HALF_UP, context=_wide(amount))
    return q + 0 if q else abs(q)


def _wide(amount: Decimal) -> Context:
    """A context with room for every digit of ``amount`` and four decimals: the default 28
    digits make ``quantize`` raise on a figure out of its column's range that is already stored
    (on SQLite), and a P&L must still be computed and shown."""
    return Context(prec=max(28, (amount.adjusted() if amount.is_finite() else 0) + 6))


# --- periods ------------------------------------------------------------------------------
_PERIOD = re.compile(r"^(\d{4})(?:-(?:Q([1-4])|(0[1-9]|1[0-2])))?$")


def month_index(year: int, month: int) -> int:
    """Months since year 0: consecutive months are consecutive integers."""
    return year * 12 + (month - 1)


def month_of(index: int) -> tuple[int, int]:
    return index // 12, index % 12 + 1


def month_key(year: int, month: int) -> str:
    return f"{year:04d}-{month:02d}"


@dataclass(frozen=True, order=True)
class Period:
    """A run of whole months: a year, a quarter, a month, or a rolling window."""

    first: int  # month_index of the first month
    months: int  # how many months
    kind: str = "window"  # "year" | "quarter" | "month" | "window"

    @classmethod
    def parse(cls, text: str) -> Period:
        """``2025`` → the year, ``2025-Q3`` → the quarter, ``2025-07`` → the month."""
        m = _PERIOD.match((text or "").strip().upper())
        if not m:
            raise ValueError(f"Not a period: {text!r} (use 2025, 2025-Q3 or 2025-07)")
        year = int(m.group(1))
        if m.group(2):
            q = int(m.group(2))
            return cls(month_index(year, 3 * q - 2), 3, "quarter")
        if m.group(3):
            return cls(month_index(year, int(m.group(3))), 1, "month")
        return cls(month_index(year, 1), 12, "year")

    @classmethod
    def of(cls, value: Period | str) -> Period:
        return value if isinstance(value, Period) else cls.parse(value)

    @classmethod
    def month(cls, year: int, month: int) -> Period:
        return cls(month_index(year, month), 1, "month")

    @classmethod
    def trailing(cls, as_of: date, months: int = 12, include_current: bool = False) -> Period:
        """The ``months`` complete months before ``as_of``'s month (or up to it, included)."""
        last = month_index(as_of.year, as_of.month) - (0 if include_current else 1)
        return cls(last - months + 1, months, "window")

    @classmethod
    def containing(cls, kind: str, day: date) -> Period:
        if kind == "year":
            return cls.parse(f"{day.year:04d}")
        if kind == "quarter":
            return cls.parse(f"{day.year:04d}-Q{(day.month - 1) // 3 + 1}")
        return cls.month(day.year, day.month)

    @property
    def last(self) -> int:
        return self.first + self.months - 1

    @property
    def start(self) -> date:
        y, m = month_of(self.first)
        return date(y, m, 1)

    @property
    def end(self) -> date:
        """The first day after the period (exclusive bound, for ``date < end`` filters)."""
        y, m = month_of(self.first + self.months)
        return date(y, m, 1)

    def month_indexes(self) -> range:
        return range(self.first, self.first + self.months)

    def month_keys(self) -> list[str]:
        return [month_key(*month_of(i)) for i in self.month_indexes()]

    def contains(self, index: int) -> bool:
        return self.first <= index <= self.last

    def previous(self) -> Period:
        """The period of the same length just before (2025-Q3 → 2025-Q2, 2025 → 2024)."""
        return Period(self.first - self.months, self.months, self.kind)

    def next(self) -> Period:
        return Period(self.first + self.months, self.months, self.kind)

    def shift(self, n: int) -> Period:
        return Period(self.first + n * self.months, self.months, self.kind)

    def __str__(self) -> str:
        y, m = month_of(self.first)
        if self.kind == "year":
            return f"{y:04d}"
        if self.kind == "quarter":
            return f"{y:04d}-Q{(m - 1) // 3 + 1}"
        if self.kind == "month":
            return month_key(y, m)
        ly, lm = month_of(self.last)
        return f"{month_key(y, m)}..{month_key(ly, lm)}"


# --- currencies ------------------------------------------------------------------------------
class MissingRate(LookupError):
    """No rate kept for a currency at or before a month."""

    def __init__(self, currency: str, month: int) -> None:
        super().__init__(f"No exchange rate for {currency} in {month_key(*month_of(month))}")
        self.currency = currency
        self.month = month


@dataclass
class RateTable:
    """The rates the admin keeps: 1 unit of ``currency`` = ``rate`` units of the base currency,
    valid from a month until the next rate of that currency (a step function). Before the
    first rate of a currency there is no rate: the amount is reported as not converted rather
    than guessed."""

    base: str
    _steps: dict[str, tuple[list[int], list[Decimal]]] = field(default_factory=dict)

    @classmethod
    def from_rows(cls, base: str, rows: Iterable[tuple[str, int, Decimal]]) -> RateTable:
        """``rows``: (currency, month_index valid from, rate)."""
        table = cls(base.upper())
        by_currency: dict[str, list[tuple[int, Decimal]]] = {}
        for currency, month, rate in rows:
            by_currency.setdefault(currency.upper(), []).append((month, Decimal(rate)))
        for currency, steps in by_currency.items():
            steps.sort()
            table._steps[currency] = ([s[0] for s in steps], [s[1] for s in steps])
        return table

    def rate(self, currency: str, month: int) -> Decimal:
        currency = (currency or self.base).upper()
        if currency == self.base:
            return Decimal(1)
        months, rates = self._steps.get(currency, ([], []))
        i = bisect_right(months, month)
        if i == 0:
            raise MissingRate(currency, month)
        return rates[i - 1]

    @property
    def currencies(self) -> list[str]:
        return sorted(self._steps)

    def to_base(self, amount: Decimal, currency: str, month: int) -> Decimal:
        """Unrounded: sum converted parts first, round the line once."""
        return Decimal(amount) * self.rate(currency, month)

    def convert(self, amount: Decimal, from_currency: str, to_currency: str, month: int) -> Decimal:
        """``amount`` from one currency to another through the base, rounded to the target's
        minor unit."""
        in_base = Decimal(amount) * self.rate(from_currency, month)
        return quantize(in_base / self.rate(to_currency, month), to_currency or self.base)


def convert(amount: Decimal, rate: Decimal, to_currency: str) -> Decimal:
    """``amount × rate`` rounded to ``to_currency``'s minor unit."""
    return quantize(Decimal(amount) * Decimal(rate), to_currency)


# --- allocation ---------------------------------------------------------------------------
def allocate(total: Decimal, weights: Mapping[K, Decimal], currency: str) -> dict[K, Decimal]:
    """Split ``total`` over the keys of ``weights`` in proportion to them.

    Largest-remainder method in ``currency``'s minor unit: every part is a whole number of
    minor units and the parts add up to ``quantize(total)`` exactly. Negative weights count as
    zero; when every weight is zero the split is equal. Ties in the remainders go to the keys in
    the order given, so the result is deterministic.
    """
    keys = list(weights)
    if not keys:
        return {}
    step = unit(currency)
    total_units = int(quantize(total, currency) / step)
    sign = -1 if total_units < 0 else 1
    total_units = abs(total_units)
    w = [max(Decimal(weights[k]), ZERO) for k in keys]
    wsum = sum(w, ZERO)
    if wsum == 0:
        w = [Decimal(1)] * len(keys)
        wsum = Decimal(len(keys))
    exact = [total_units * wi / wsum for wi in w]
    floors = [int(e) for e in exact]  # exact >= 0, so int() is floor
    left = total_units - sum(floors)
    order = sorted(range(len(keys)), key=lambda i: (-(exact[i] - floors[i]), i))
    for i in order[:left]:
        floors[i] += 1
    return {k: sign * n * step for k, n in zip(keys, floors, strict=True)}


# --- the P&L --------------------------------------------------------------------------------
PNL_LINES = [
    "net_revenue",
    "cost_of_goods",
    "gross_margin",
    "cost_to_serve",
    "contribution",
    "kam_investments",
    "profit_after_kam",
]


@dataclass
class AccountPnL:
    """One account's P&L for one period, in the base currency (every line already rounded)."""

    customer_id: int | None
    period: Period
    currency: str
    net_revenue: Decimal = ZERO
    cost_of_goods: Decimal = ZERO
    cost_to_serve: Decimal = ZERO
    kam_investments: Decimal = ZERO
    category_spend: Decimal | None = None  # the customer's estimated spend in our category
    # Amounts that could not be converted for want of a rate: {(currency, "YYYY-MM"), …}.
    missing_rates: set[tuple[str, str]] = field(default_factory=set)
    previous: AccountPnL | None = None

    @property
    def gross_margin(self) -> Decimal:
        return self.net_revenue - self.cost_of_goods

    @property
    def contribution(self) -> Decimal:
        return self.gross_margin - self.cost_to_serve

    @property
    def profit_after_kam(self) -> Decimal:
        return self.contribution - self.kam_investments

    @property
    def share_of_wallet(self) -> Decimal | None:
        return share_of_wallet(self.net_revenue, self.category_spend)

    @property
    def potential(self) -> Decimal | None:
        return potential(self.net_revenue, self.category_spend)

    def line(self, name: str) -> Decimal:
        return getattr(self, name)

    def growth(self, name: str) -> Decimal | None:
        """Relative change of a line against the previous period (None without a base)."""
        if self.previous is None:
            return None
        return growth(self.line(name), self.previous.line(name))

    @property
    def gross_margin_pct(self) -> Decimal | None:
        return ratio(self.gross_margin, self.net_revenue)

    @property
    def cost_to_serve_pct(self) -> Decimal | None:
        return ratio(self.cost_to_serve, self.net_revenue)

    @property
    def profit_pct(self) -> Decimal | None:
        return ratio(self.profit_after_kam, self.net_revenue)

    def as_dict(self, customer: str | None = None) -> dict:
        """The shape of ``kamp pnl --json`` and the API: money as decimal strings."""
        sow = self.share_of_wallet
        return {
            "customer": customer if customer is not None else self.customer_id,
            "period": str(self.period),
            "currency": self.currency,
            **{name: str(self.line(name)) for name in PNL_LINES},
            "share_of_wallet": None if sow is None else str(sow),
        }

    def __add__(self, other: AccountPnL) -> AccountPnL:
        """Portfolio totals: the sum of accounts (same period and currency)."""
        spend = None
        if self.category_spend is not None or other.category_spend is not None:
            spend = (self.category_spend or ZERO) + (other.category_spend or ZERO)
        return AccountPnL(
            None,
            self.period,
            self.currency,
            self.net_revenue + other.net_revenue,
            self.cost_of_goods + other.cost_of_goods,
            self.cost_to_serve + other.cost_to_serve,
            self.kam_investments + other.kam_investments,
            spend,
            self.missing_rates | other.missing_rates,
        )


def ratio(part: Decimal, whole: Decimal | None, places: int = 4) -> Decimal | None:
    if whole is None or whole == 0:
        return None
    return (Decimal(part) / Decimal(whole)).quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP)


def growth(current: Decimal, previous: Decimal, places: int = 4) -> Decimal | None:
    """(current − previous) / |previous|; None when there is nothing to grow from."""
    if previous == 0:
        return None
    return ((Decimal(current) - previous) / abs(previous)).quantize(
        Decimal(1).scaleb(-places), ROUND_HALF_UP
    )


def share_of_wallet(our_sales: Decimal, category_spend: Decimal | None) -> Decimal | None:
    """Our sales ÷ the customer's estimated spend in our category (None without an estimate)."""
    if category_spend is None or category_spend <= 0:
        return None
    return ratio(max(our_sales, ZERO), category_spend)


def potential(our_sales: Decimal, category_spend: Decimal | None) -> Decimal | None:
    """What the customer spends in our category elsewhere: the growth room (never negative)."""
    if category_spend is None:
        return None
    return max(category_spend - max(our_sales, ZERO), ZERO)


# Rows the database returns, grouped: (month_index or None, currency, amount…).
# ``month_index`` None means "all in the base currency, no conversion needed".
MoneyRows = Iterable[tuple[int | None, str, Decimal]]


def _sum_to_base(rows: MoneyRows, rates: RateTable, missing: set[tuple[str, str]]) -> Decimal:
    if (
        isinstance(rows, (list, tuple))
        and len(rows) == 1
        and rows[0][0] is None
        and rows[0][1] == rates.base
    ):
        return rows[0][2] or ZERO  # the common case: one sum already in the base currency
    total = ZERO
    for month, currency, amount in rows:
        if amount is None:
            continue
        cur = (currency or rates.base).upper()
        if cur == rates.base:
            total += Decimal(amount)
            continue
        try:
            total += rates.to_base(amount, cur, month if month is not None else 0)
        except MissingRate:
            missing.add((cur, month_key(*month_of(month or 0))))
    return total


def build_pnl(
    customer_id: int | None,
    period: Period,
    rates: RateTable,
    *,
    revenue: MoneyRows = (),
    cost_of_goods: MoneyRows = (),
    cost_to_serve: MoneyRows = (),
    investments: MoneyRows = (),
    category_spend: Decimal | None = None,
) -> AccountPnL:
    """One account's P&L from the rows the database grouped, converted to the base currency
    with the rate of each row's month; each line rounded to the base currency's minor unit."""
    base = rates.base
    missing: set[tuple[str, str]] = set()
    return AccountPnL(
        customer_id,
        period,
        base,
        net_revenue=quantize(_sum_to_base(revenue, rates, missing), base),
        cost_of_goods=quantize(_sum_to_base(cost_of_goods, rates, missing), base),
        cost_to_serve=quantize(_sum_to_base(cost_to_serve, rates, missing), base),
        kam_investments=quantize(_sum_to_base(investments, rates, missing), base),
        category_spend=None if category_spend is None else quantize(category_spend, base),
        missing_rates=missing,
    )


def base_pnl(
    customer_id: int | None,
    period: Period,
    base: str,
    net_revenue: Decimal,
    cost_of_goods: Decimal,
    cost_to_serve: Decimal,
    investments: Decimal,
) -> AccountPnL:
    """The P&L of an account whose money is all in the base currency (the common case, read as
    four sums): :func:`build_pnl` without the conversion, for the portfolio's 100,000 rows."""
    step = unit(base)
    revenue, cogs, cts, inv = (
        q + 0 if q else abs(q)
        for q in (
            a.quantize(step, rounding=ROUND_HALF_UP, context=_wide(a))
            for a in (net_revenue, cost_of_goods, cost_to_serve, investments)
        )
    )
    return AccountPnL(customer_id, period, base, revenue, cogs, cts, inv)


def prorated_spend(
    records: Iterable[tuple[int, int, str, Decimal]],
    period: Period,
    rates: RateTable,
) -> Decimal | None:
    """The customer's category spend in ``period``, from estimates that may cover other spans.

    ``records``: (first month_index, months, currency, amount) — an estimate for a year counts
    a twelfth in each of its months. Each month is converted at its own rate. None unless the
    estimates cover every month of the period (a partial estimate would inflate the share).
    """
    per_month: dict[int, Decimal] = {}
    for first, months, currency, amount in records:
        months = max(int(months), 1)
        part = Decimal(amount) / months
        for m in range(first, first + months):
            if period.contains(m):
                try:
                    per_month[m] = per_month.get(m, ZERO) + rates.to_base(part, currency, m)
                except MissingRate:
                    return None
    if len(per_month) < period.months:
        return None
    return quantize(sum(per_month.values(), ZERO), rates.base)


# --- customer lifetime value --------------------------------------------------------------------
def clv(flows: Sequence[tuple[Decimal, Decimal]], retention: Decimal, discount: Decimal) -> Decimal:
    """CLV = Σₜ (contributionₜ − investmentₜ)·rᵗ / (1+d)ᵗ, t = 1…len(flows) (kam-domain.md §5).

    ``flows[t-1]`` is (contribution, investment) of year t; ``retention`` r and ``discount`` d as
    fractions (0.9, 0.1). Not rounded: the caller rounds to its currency.
    """
    r, d = Decimal(retention), Decimal(discount)
    total = ZERO
    for t, (contribution, investment) in enumerate(flows, start=1):
        total += (Decimal(contribution) - Decimal(investment)) * r**t / (1 + d) ** t
    return total


# --- whale curve ------------------------------------------------------------------------------
@dataclass(frozen=True)
class WhalePoint(Generic[K]):
    rank: int  # 1 = most profitable
    key: K
    profit: Decimal
    cumulative: Decimal  # cumulative profit up to and including this customer
    count: int = 1  # how many customers on the curve
    total: Decimal = ZERO  # the curve's final value: the total profit

    # The percentages are computed on demand: a chart samples a few hundred of 100,000 points.
    @property
    def customers_pct(self) -> Decimal:
        """rank ÷ number of customers."""
        return (Decimal(self.rank) / self.count).quantize(Decimal("0.0001"), ROUND_HALF_UP)

    @property
    def cumulative_pct(self) -> Decimal | None:
        """cumulative ÷ total profit (None when the total is 0)."""
        return ratio(self.cumulative, self.total)


def whale_curve(profits: Iterable[tuple[K, Decimal]]) -> list[WhalePoint[K]]:
    """The whale curve: customers ranked by profit (most profitable first; ties by key),
    cumulative profit over them. The peak is above 100 % of the total when some customers lose
    money — the hump of the whale; the tail falling back to 100 % is what they cost."""
    ranked = sorted(profits, key=lambda kp: (-kp[1], str(kp[0])))
    n = len(ranked)
    total = sum((p for _, p in ranked), ZERO)
    points: list[WhalePoint[K]] = []
    cum = ZERO
    for i, (key, profit) in enumerate(ranked, start=1):
        cum += profit
        points.append(WhalePoint(i, key, profit, cum, n, total))
    return points


def sample_curve(
    points: Sequence[WhalePoint[K]], max_points: int = 600, keep=()
) -> list[WhalePoint[K]]:
    """At most about ``max_points`` points of a long curve for the chart: evenly spaced, plus the
    first, the peak, the last and the keys in ``keep`` (the key accounts)."""
    n = len(points)
    if n <= max_points:
        return list(points)
    step = n / max_points
    idx = {int(i * step) for i in range(max_points)} | {0, n - 1}
    peak = max(range(n), key=lambda i: points[i].cumulative)
    idx.add(peak)
    keep = set(keep)
    if keep:
        idx |= {i for i, p in enumerate(points) if p.key in keep}
    return [points[i] for i in sorted(idx)]


# --- alert rules ------------------------------------------------------------------------------
def unprofitable_streak(profits: Sequence[Decimal], periods: int = 2) -> bool:
    """True when the last ``periods`` profits after KAM (oldest first) are all negative."""
    if periods <= 0 or len(profits) < periods:
        return False
    return all(p < 0 for p in profits[-periods:])


def cost_to_serve_outgrows_revenue(
    cts_now: Decimal, cts_before: Decimal, revenue_now: Decimal, revenue_before: Decimal
) -> bool:
    """Cost to serve grew, and faster than revenue (relative growth, period on period)."""
    if cts_now <= cts_before or cts_before <= 0:
        return False
    cts_growth = (cts_now - cts_before) / cts_before
    if revenue_before <= 0:
        return revenue_now <= 0
    return cts_growth > (revenue_now - revenue_before) / revenue_before
