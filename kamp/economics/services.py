"""Reading the P&L out of the database: set-based aggregation, then :mod:`kamp.economics.pnl`.

The database does the heavy lifting — one ``GROUP BY`` per source (sales lines, activity records,
investment allocations), whatever the number of customers — and the pure module converts and adds
up. Amounts already in the base currency are grouped by customer and period only; amounts in
another currency are grouped by month too, so each month is converted at its own rate.

Public functions (also for other areas — the plans/reports deck calls these):

- :func:`account_pnl` — one customer, one period, with the previous period for growth;
- :func:`pnl_series` — one customer over several periods (a chart);
- :func:`portfolio_pnl` — many customers at once (whale curve, exports, CLI, alerts).

None of them checks access: callers pass only customers the user may see the money of
(:func:`kamp.customers.access.can_see_economics`, :func:`economics_customers`).
"""

from __future__ import annotations

import copy
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal

from django.db.models import Case as CaseExpr
from django.db.models import (
    CharField,
    DecimalField,
    F,
    IntegerField,
    Q,
    QuerySet,
    Sum,
    Value,
)
from django.db.models import When as WhenExpr
from django.db.models.functions import Cast, Substr

from kamp.core import money, request_memo
from kamp.customers.access import customers_with_economics_for
from kamp.customers.models import Customer, CustomerStatus

from . import pnl
from .models import (
    ActivityRecord,
    CategorySpend,
    EconomicsSettings,
    ExchangeRate,
    InvestmentAllocation,
    SalesLine,
    SalesMonth,
)
from .pnl import AccountPnL, Period, RateTable

__all__ = [
    "AccountPnL",
    "Period",
    "account_clv",
    "account_pnl",
    "base_currency",
    "economics_customers",
    "pnl_series",
    "portfolio_pnl",
    "rate_table",
]


def base_currency() -> str:
    """The company's base currency (kept here for the callers of ``services``)."""
    return money.base_currency()


def rate_table(base: str | None = None) -> RateTable:
    from kamp.core.request_memo import memo

    base = (base or base_currency()).upper()

    def read() -> RateTable:
        rows = ExchangeRate.objects.values_list("currency", "valid_from", "rate")
        return RateTable.from_rows(
            base, ((c, pnl.month_index(d.year, d.month), r) for c, d, r in rows)
        )

    return memo(("economics.rates", base), read)


#: Apps whose writes change nothing a P&L reads (sales, cost to serve, investments, spend,
#: rates, the customers and their owners, the settings): their audit events do not make the
#: stored portfolios stale.
AREAS_WITHOUT_PNL_INPUTS = (
    "interactions",
    "plans",
    "relationships",
    "pipeline",
    "mailcapture",
    "connect",
    "reports",
    "programme",
)


def data_version() -> str:
    """A cheap fingerprint of everything a P&L reads: the newest row of each source and of the
    audit trail (every change in kamp — actions, imports, reverts, settings — writes an audit
    event). One query of index look-ups; used to key cached portfolio results."""
    from django.db import connection

    from kamp.core.models import AuditEvent

    tables = [
        m._meta.db_table
        for m in (
            SalesLine,
            SalesMonth,  # a refresh re-inserts its rows: any change to the sums moves its max id
            ActivityRecord,
            InvestmentAllocation,
            CategorySpend,
            ExchangeRate,
        )
    ]
    # The newest audit event of any area a P&L may read: an interaction logged or an objective
    # edited (a KAM's working day) leaves every stored portfolio current. The areas are named
    # by what they are not, so a new area counts until someone shows it reads no money.
    quiet = " AND ".join("object_type NOT LIKE %s" for _ in AREAS_WITHOUT_PNL_INPUTS)
    audit = f"(SELECT MAX(id) FROM {AuditEvent._meta.db_table} WHERE {quiet})"
    sql = "SELECT " + ", ".join([audit] + [f"(SELECT MAX(id) FROM {t})" for t in tables])
    with connection.cursor() as cursor:
        cursor.execute(sql, [f"{area}.%" for area in AREAS_WITHOUT_PNL_INPUTS])
        row = cursor.fetchone()
    return "-".join(str(v or 0) for v in row)


def economics_customers(user, qs: QuerySet[Customer] | None = None) -> QuerySet[Customer]:
    """The customers whose money ``user`` may see (the rule of ``can_see_economics``, as a
    query: :func:`kamp.customers.access.customers_with_economics_for`)."""
    return customers_with_economics_for(user, qs)


# (model, date field, [(P&L input, amount field)], falls back to the customer's currency).
# Sales come from their monthly sums: periods are whole months, so the sums give the same P&L
# as the lines for a fraction of the rows.
_SOURCES: list[
    tuple[
        type[SalesMonth | ActivityRecord | InvestmentAllocation], str, list[tuple[str, str]], bool
    ]
] = [
    (SalesMonth, "month", [("revenue", "net_amount"), ("cost_of_goods", "cost")], True),
    (ActivityRecord, "month", [("cost_to_serve", "cost")], False),
    (InvestmentAllocation, "date", [("investments", "amount")], False),
]


def _bucket(date_field: str, periods: Sequence[Period]):
    whens = [
        WhenExpr(**{f"{date_field}__gte": p.start, f"{date_field}__lt": p.end}, then=Value(i))
        for i, p in enumerate(periods)
    ]
    return CaseExpr(*whens, default=Value(-1), output_field=IntegerField())


def _month_of(key: str) -> int:
    return pnl.month_index(int(key[:4]), int(key[5:7]))


def _customer_q(customers) -> Q:
    """A filter on ``customer_id`` for a queryset, a list of ids or None (everyone)."""
    if customers is None:
        return Q()
    if isinstance(customers, QuerySet):
        return Q(customer_id__in=customers.values("pk"))
    return Q(customer_id__in=list(customers))


def _scoped(model, date_field: str, periods: Sequence[Period], customers) -> QuerySet:
    """The source's rows in the periods' span, of the customers asked, with their period's index
    as ``bucket`` (−1 for a row in a gap between non-adjacent periods, skipped by readers)."""
    start = min(p.start for p in periods)
    end = max(p.end for p in periods)
    qs = model.objects.filter(
        _customer_q(customers), **{f"{date_field}__gte": start, f"{date_field}__lt": end}
    )
    bucket = (
        Value(0, output_field=IntegerField()) if len(periods) == 1 else _bucket(date_field, periods)
    )
    return qs.annotate(bucket=bucket)


def _in_base(base: str, customer_fallback: bool, foreign_customers: dict[int, str]) -> Q:
    """Rows already in the base currency: those that say so, and — for sales, whose currency
    may be left blank — blank ones of customers whose own currency is the base."""
    in_base = Q(currency=base)
    if customer_fallback:
        in_base |= Q(currency="") & ~Q(customer_id__in=list(foreign_customers))
    return in_base


def _base_sums(
    periods: Sequence[Period], customers, base: str, foreign_customers
) -> tuple[dict, set]:
    """{(customer_id, period index): [revenue, cost of goods, cost to serve, investments]} of
    the amounts already in the base currency, and the (customer, period) keys that also hold
    amounts in another currency: the three sources in ONE grouped query (a UNION ALL of their
    rows, each amount in its own column, zero where the row is in another currency), fetched
    without per-value converters. The keys tell :func:`_foreign_rows` whether it has anything
    to read: most accounts trade in the base currency alone, and its three queries were half
    the cost of an account's P&L."""
    from django.db import connection

    parts, params = [], []
    slots = ["revenue", "cost_of_goods", "cost_to_serve", "investments"]
    for model, date_field, amounts, customer_fallback in _SOURCES:
        in_base = _in_base(base, customer_fallback, foreign_customers)
        columns = dict(amounts)
        qs = _scoped(model, date_field, periods, customers).annotate(
            **{
                f"a{n}": CaseExpr(
                    WhenExpr(in_base, then=F(columns[slot])),
                    default=Value(0),
                    # Only compiled to SQL and summed there: never converted back.
                    output_field=DecimalField(),
                )
                if slot in columns
                else Value(0, IntegerField())
                for n, slot in enumerate(slots)
            },
            in_base=CaseExpr(
                WhenExpr(in_base, then=Value(1)), default=Value(0), output_field=IntegerField()
            ),
        )
        qs = qs.values_list("customer_id", "bucket", "a0", "a1", "a2", "a3", "in_base")
        sql, p = qs.order_by().query.get_compiler(connection=connection).as_sql()
        parts.append(sql)
        params.extend(p)
    union = " UNION ALL ".join(f"SELECT * FROM ({sql}) s{i}" for i, sql in enumerate(parts))
    sql = (
        "SELECT u.customer_id, u.bucket, SUM(u.a0), SUM(u.a1), SUM(u.a2), SUM(u.a3), "
        "SUM(u.in_base), COUNT(*) "
        f"FROM ({union}) u WHERE u.bucket >= 0 GROUP BY u.customer_id, u.bucket"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    out, foreign = {}, set()
    as_decimal = _decimal
    for cid, bucket, *sums, in_base_rows, all_rows in rows:
        if in_base_rows:
            out[(cid, bucket)] = [as_decimal(v) for v in sums]
        if in_base_rows < all_rows:
            foreign.add((cid, bucket))
    return out, foreign


def _decimal(value) -> Decimal:
    # PostgreSQL hands Decimals; SQLite integers or floats (its SUM of a decimal column).
    if value.__class__ is Decimal:
        return value
    if value is None:
        return pnl.ZERO
    return Decimal(repr(value)) if isinstance(value, float) else Decimal(value)


def _foreign_rows(periods: Sequence[Period], customers, base: str, foreign_customers) -> dict:
    """{(customer_id, period index): {input: [(month, currency, amount)]}} of the amounts in
    another currency, grouped by month so that each month converts at its own rate."""
    data: dict = defaultdict(lambda: defaultdict(list))
    for model, date_field, amounts, customer_fallback in _SOURCES:
        sums = {name: Sum(field) for name, field in amounts}
        foreign = (
            _scoped(model, date_field, periods, customers)
            .exclude(_in_base(base, customer_fallback, foreign_customers))
            .annotate(ym=Substr(Cast(date_field, CharField()), 1, 7))
            .values("customer_id", "bucket", "currency", "ym")
            .annotate(**sums)
            .order_by()
        )
        for row in foreign:
            if row["bucket"] < 0:
                continue
            currency = row["currency"] or foreign_customers.get(row["customer_id"], base)
            slot = data[(row["customer_id"], row["bucket"])]
            month = _month_of(row["ym"])
            for name, _field in amounts:
                slot[name].append((month, currency, row[name]))  # type: ignore[literal-required]
    return data


def _spend(periods: Sequence[Period], customers, rates: RateTable) -> dict:
    """{(customer_id, period index): estimated category spend in the base currency}."""
    start = min(p.start for p in periods)
    end = max(p.end for p in periods)
    # An estimate spans at most a year, so one starting a year before can still overlap.
    first = date(start.year - 1, start.month, 1)
    rows = CategorySpend.objects.filter(
        _customer_q(customers), first_month__gte=first, first_month__lt=end
    ).values_list("customer_id", "first_month", "months", "currency", "amount")
    by_customer: dict[int, list] = defaultdict(list)
    for cid, fm, months, currency, amount in rows:
        by_customer[cid].append(
            (pnl.month_index(fm.year, fm.month), months, currency or rates.base, amount)
        )
    out = {}
    for cid, records in by_customer.items():
        for i, p in enumerate(periods):
            value = pnl.prorated_spend(records, p, rates)
            if value is not None:
                out[(cid, i)] = value
    return out


def compute(
    periods: Sequence[Period | str],
    customers: QuerySet[Customer] | Iterable[int] | None = None,
    rates: RateTable | None = None,
) -> dict[tuple[int, int], AccountPnL]:
    """Every (customer, period) P&L with any money in it, keyed by (customer id, index of the
    period in ``periods``). Periods must not overlap. A constant number of queries.

    On a page about a few accounts each period's answer is kept for the rest of the page view
    (:mod:`kamp.core.request_memo`): the account summary's cards, its at-a-glance figures and
    its stage suggestion's share of wallet ask for the same twelve months several times."""
    resolved = [Period.of(p) for p in periods]
    if customers is not None and not isinstance(customers, QuerySet):
        customers = list(customers)
    rates = rates or rate_table()
    held = request_memo.active()
    if (
        held is None
        or not isinstance(customers, list)
        or len(customers) > request_memo.FEW_IDS
        or rates is not rate_table()
    ):
        return _compute(resolved, customers, rates)
    ids = tuple(sorted(set(customers)))
    keys = [("economics.compute", p, ids) for p in resolved]
    missing = [i for i, k in enumerate(keys) if k not in held]
    if missing:
        found = _compute([resolved[i] for i in missing], customers, rates)
        for j, i in enumerate(missing):
            held[keys[i]] = {cid: v for (cid, n), v in found.items() if n == j}
    # Copies: a caller attaches the previous period to what it was given.
    return {(cid, i): copy.copy(v) for i, k in enumerate(keys) for cid, v in held[k].items()}


def _compute(
    resolved: list[Period], customers: QuerySet[Customer] | list[int] | None, rates: RateTable
) -> dict[tuple[int, int], AccountPnL]:
    base = rates.base
    # Only the customers asked about: one account's P&L must not read all 100,000 customers.
    in_foreign = Customer.objects.exclude(currency__in=["", base])
    if isinstance(customers, QuerySet):
        in_foreign = in_foreign.filter(Q(pk__in=customers.values("pk")))
    elif isinstance(customers, list) and len(customers) <= 1000:
        in_foreign = in_foreign.filter(pk__in=customers)
    foreign_customers = dict(in_foreign.values_list("pk", "currency"))
    sums, with_foreign = _base_sums(resolved, customers, base, foreign_customers)
    foreign = _foreign_rows(resolved, customers, base, foreign_customers) if with_foreign else {}
    spend = _spend(resolved, customers, rates)
    out = {}
    fast = pnl.base_pnl
    for key, (revenue, cogs, cts, investments) in sums.items():
        if key not in foreign and key not in spend:
            out[key] = fast(key[0], resolved[key[1]], base, revenue, cogs, cts, investments)
    slots = ["revenue", "cost_of_goods", "cost_to_serve", "investments"]
    for key in (set(foreign) | set(spend) | set(sums)) - set(out):
        cid, i = key
        rows = {name: list(v) for name, v in foreign.get(key, {}).items()}
        for name, amount in zip(slots, sums.get(key, ()), strict=False):
            rows.setdefault(name, []).append((None, base, amount))
        out[key] = pnl.build_pnl(
            cid,
            resolved[i],
            rates,
            revenue=rows.get("revenue", ()),
            cost_of_goods=rows.get("cost_of_goods", ()),
            cost_to_serve=rows.get("cost_to_serve", ()),
            investments=rows.get("investments", ()),
            category_spend=spend.get(key),
        )
    return out


def _empty(cid: int | None, period: Period, rates: RateTable) -> AccountPnL:
    return pnl.build_pnl(cid, period, rates)


def portfolio_pnl(
    period: Period | str,
    customers: QuerySet[Customer] | Iterable[int] | None = None,
    with_previous: bool = True,
    rates: RateTable | None = None,
) -> dict[int, AccountPnL]:
    """{customer id: P&L for ``period``} for ``customers`` (None: all), each with its previous
    period attached when ``with_previous``. Customers without any money are left out."""
    period = Period.of(period)
    rates = rates or rate_table()
    periods = [period, period.previous()] if with_previous else [period]
    results = compute(periods, customers, rates)
    out: dict[int, AccountPnL] = {}
    for (cid, i), value in results.items():
        if i == 0:
            out[cid] = value
    if with_previous:
        for (cid, i), value in results.items():
            if i == 1:
                current = out.setdefault(cid, _empty(cid, period, rates))
                current.previous = value
        for cid, value in out.items():
            if value.previous is None:
                value.previous = _empty(cid, periods[1], rates)
    return out


def account_pnl(customer: Customer | int, period: Period | str) -> AccountPnL:
    """One account's P&L for ``period`` (``"2025"``, ``"2025-Q3"``, ``"2025-07"`` or a
    :class:`Period`) in the base currency, with ``.previous`` (the period before) for growth.

    Lines: ``net_revenue``, ``cost_of_goods``, ``gross_margin``, ``cost_to_serve``,
    ``contribution``, ``kam_investments``, ``profit_after_kam`` (Decimal), ``share_of_wallet``
    (Decimal ratio or None), ``currency``; ``growth(line)`` → ratio or None."""
    cid = customer if isinstance(customer, int) else customer.pk
    period = Period.of(period)
    rates = rate_table()
    result = portfolio_pnl(period, [cid], rates=rates)
    return result.get(cid) or _attach_empty(cid, period, rates)


def _attach_empty(cid: int, period: Period, rates: RateTable) -> AccountPnL:
    value = _empty(cid, period, rates)
    value.previous = _empty(cid, period.previous(), rates)
    return value


def pnl_series(customer: Customer | int, periods: Sequence[Period | str]) -> list[AccountPnL]:
    """One account's P&L for each of ``periods`` (non-overlapping, e.g. the last 8 quarters),
    in the order given; periods without money are zero lines. Constant queries."""
    cid = customer if isinstance(customer, int) else customer.pk
    resolved = [Period.of(p) for p in periods]
    rates = rate_table()
    results = compute(resolved, [cid], rates)
    return [results.get((cid, i)) or _empty(cid, p, rates) for i, p in enumerate(resolved)]


def recent_periods(unit: str, count: int, as_of: date | None = None, complete: bool = True):
    """The last ``count`` periods of ``unit`` (month/quarter/year), oldest first; with
    ``complete`` the period containing ``as_of`` is left out."""
    as_of = as_of or date.today()
    current = Period.containing(unit, as_of)
    last = current.previous() if complete else current
    return [last.shift(-n) for n in range(count - 1, -1, -1)]


def account_clv(value_12m: AccountPnL, settings: EconomicsSettings | None = None) -> Decimal:
    """CLV of an account projected from its last 12 months: the yearly contribution and
    investment held flat over the horizon, weighted by retention and discounted (§5)."""
    s = settings or EconomicsSettings.load()
    flows = [(value_12m.contribution, value_12m.kam_investments)] * int(s.clv_years)
    return pnl.quantize(pnl.clv(flows, s.clv_retention, s.clv_discount), value_12m.currency)


def key_account_ids(customer_ids: Iterable[int]) -> set[int]:
    return set(
        Customer.objects.filter(
            pk__in=list(customer_ids), status=CustomerStatus.KEY_ACCOUNT
        ).values_list("pk", flat=True)
    )


# --- derived selection factors (looked up by kamp.selection.derived at run time) -------------
def share_of_wallet_by_customer(as_of: date, customer_ids: Iterable[int] | None = None) -> dict:
    """Share of wallet over the 12 complete months before ``as_of``: {customer id: ratio or
    None}, for every customer with money or an estimate in the window."""
    window = Period.trailing(as_of, 12)
    values = portfolio_pnl(window, customer_ids, with_previous=False)
    return {cid: v.share_of_wallet for cid, v in values.items()}


def shares_of_wallet_at(days: Sequence[date], customer_ids: Iterable[int]) -> list[dict]:
    """:func:`share_of_wallet_by_customer` at each of ``days`` (an account's now and a year
    ago, on its summary): one computation when their windows do not overlap (a year apart they
    do not, but for a window moved by a leap day), else one each."""
    windows = [Period.trailing(d, 12) for d in days]
    spans = sorted((w.first, w.first + w.months) for w in windows)
    if any(spans[i][1] > spans[i + 1][0] for i in range(len(spans) - 1)):
        return [share_of_wallet_by_customer(d, customer_ids) for d in days]
    out: list[dict] = [{} for _ in windows]
    for (cid, i), value in compute(windows, list(customer_ids)).items():
        out[i][cid] = value.share_of_wallet
    return out


def cost_to_serve_by_customer(as_of: date, customer_ids: Iterable[int] | None = None) -> dict:
    """Cost to serve over the 12 complete months before ``as_of``, base currency."""
    window = Period.trailing(as_of, 12)
    values = portfolio_pnl(window, customer_ids, with_previous=False)
    return {cid: v.cost_to_serve for cid, v in values.items()}


def star_quadrant_ids(customer_ids: Iterable[int], as_of: date) -> set[int]:
    """The customers the selection area puts in the star quadrant — empty when selection is not
    installed or cannot say (the unprofitable-key-account rule then has no exception)."""
    ids = set(customer_ids)
    if not ids:
        return set()
    try:
        from kamp.selection import engine
        from kamp.selection.scoring import STAR
    except ImportError:
        return set()
    try:
        run = engine.run(as_of=as_of, with_robustness=False)
        return {cid for cid in ids if (r := run.by_id.get(cid)) is not None and r.quadrant == STAR}
    except (AttributeError, LookupError, TypeError):
        return set()
