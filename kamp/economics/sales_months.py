"""Keeping :class:`~kamp.economics.models.SalesMonth` — the sales lines summed per customer, month
and currency — in step with the lines.

A summary row is never adjusted by a delta: the months a write touched are recomputed from the
lines themselves (one ``DELETE`` and one ``INSERT … SELECT … GROUP BY`` per few thousand
customers), so a summary is always exactly what the lines say, whatever wrote them. Writers:

- the sales import calls :func:`refresh` for the customers and months its lines touched (in its
  own transaction, after the last batch), and again after a revert;
- the demo, and anything that loads lines in bulk, calls :func:`rebuild`;
- a single save (the admin, the tests' factories) refreshes its month through the signals
  below; the admin's deletes call :func:`refresh` themselves. (No delete signal: it would make
  Django fetch and signal every line of a customer being deleted, whose monthly sums go with it
  anyway.)

The per-customer sales figures of a scoring month (:class:`~kamp.economics.models.SalesFigures`:
revenue and cost over the 12 complete months before it, revenue over the 12 before those) are
kept the same way, for the months stored (:func:`figures` stores a month the first time it is
asked for, usually the current one; at most :data:`FIGURES_MONTHS`): every :func:`refresh`
recomputes them for the customers it touched, :func:`rebuild` for everyone.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.db import IntegrityError, connection, transaction
from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver

from kamp.core import deletions

from .models import SalesFigures, SalesFiguresMonth, SalesLine, SalesMonth

CHUNK = 5000  # customers per statement
FIGURES_MONTHS = 2  # scoring months whose figures are kept (the current one, and one more)


def _month_start(d: date) -> date:
    return d.replace(day=1)


def _next_month(d: date) -> date:
    return date(d.year + d.month // 12, d.month % 12 + 1, 1)


def _month_sql() -> str:
    if connection.vendor == "postgresql":
        return "CAST(date_trunc('month', date) AS date)"
    # SQLite keeps dates as ISO text: the first seven characters are the month.
    return "substr(date, 1, 7) || '-01'"


def _statements(where: str, conditions: list[str]) -> tuple[str, str]:
    """The DELETE of the summary rows and the INSERT … SELECT that recomputes them, for the
    customers in ``where`` and the month ``conditions`` (on a column named ``{col}``)."""
    qn = connection.ops.quote_name
    lines = qn(SalesLine._meta.db_table)
    months = qn(SalesMonth._meta.db_table)
    month = _month_sql()
    delete = " AND ".join([where, *(c.format(col="month") for c in conditions)])
    select = " AND ".join([where, *(c.format(col="date") for c in conditions)])
    return (
        f"DELETE FROM {months} WHERE {delete}",
        f"INSERT INTO {months} (customer_id, month, currency, net_amount, cost, lines) "
        f"SELECT customer_id, {month}, currency, SUM(net_amount), SUM(cost), COUNT(*) "
        f"FROM {lines} WHERE {select} GROUP BY customer_id, {month}, currency",
    )


def windows(month: date) -> tuple[date, date, date]:
    """(start of the previous 12 months, start of the last 12, end) for the scoring month that
    starts on ``month``: the last 12 complete months before it and the 12 before those."""
    start12 = month.replace(year=month.year - 1)
    return start12.replace(year=start12.year - 1), start12, month


def _figures_select(month: date, where: str = "1 = 1", lead: str = "") -> tuple[str, list]:
    """The one aggregate of the sales figures of the scoring month ``month`` over the monthly
    sums: ``customer_id[, lead], revenue, cost, previous`` per customer in ``where`` (whose own
    parameters follow the returned ones), in customer order."""
    start24, start12, end = windows(month)
    months = connection.ops.quote_name(SalesMonth._meta.db_table)
    return (
        f"SELECT customer_id, {lead + ', ' if lead else ''}"
        "SUM(CASE WHEN month >= %s THEN net_amount ELSE 0 END), "
        "SUM(CASE WHEN month >= %s THEN cost ELSE 0 END), "
        "SUM(CASE WHEN month >= %s THEN 0 ELSE net_amount END) "
        f"FROM {months} WHERE month >= %s AND month < %s AND {where} "
        # In customer order: both databases then stream the groups off the covering index.
        "GROUP BY customer_id ORDER BY customer_id",
        [start12, start12, start12, start24, end],
    )


def _figures_statements(where: str, month: date) -> tuple[tuple[str, list], tuple[str, list]]:
    """The DELETE of ``month``'s stored figures and the INSERT … SELECT that recomputes them from
    the monthly sums, for the customers in ``where`` (to be followed by its parameters)."""
    figures = connection.ops.quote_name(SalesFigures._meta.db_table)
    select, params = _figures_select(month, where, lead="%s")
    return (
        (f"DELETE FROM {figures} WHERE month = %s AND {where}", [month]),
        (
            f"INSERT INTO {figures} (customer_id, month, revenue, cost, previous) {select}",
            [month, *params],
        ),
    )


def stored_months() -> list[date]:
    """The scoring months whose figures are stored, newest first."""
    return list(SalesFiguresMonth.objects.order_by("-month").values_list("month", flat=True))


def _stored_months_locked(cursor) -> list[date]:
    """:func:`stored_months`, for a writer of the sums: on PostgreSQL the list is locked against
    a month being stored meanwhile, until the writer commits — else a first scoring of the month
    running beside an import would store figures from the sums before the import, and the
    import would not know to refresh them. (SQLite lets one writer at a time anyway.)"""
    if connection.vendor == "postgresql":
        table = connection.ops.quote_name(SalesFiguresMonth._meta.db_table)
        # SHARE: writers of the sums do not block each other; storing a month (an INSERT)
        # waits for them, and they for it.
        cursor.execute(f"LOCK TABLE {table} IN SHARE MODE")
    return stored_months()


def refresh(
    customer_ids: Iterable[int], start: date | None = None, end: date | None = None
) -> None:
    """Recompute the monthly sums of ``customer_ids`` for the months from ``start``'s to
    ``end``'s (both included; every month when they are None). Call it inside the transaction
    that changed the lines."""
    ids = sorted({int(c) for c in customer_ids})
    if not ids:
        return
    conditions, bounds = [], []
    if start is not None:
        conditions.append("{col} >= %s")
        bounds.append(_month_start(start))
    if end is not None:
        conditions.append("{col} < %s")
        bounds.append(_next_month(end))
    deleted = inserted = 0
    with transaction.atomic(), connection.cursor() as cursor:
        stored = _stored_months_locked(cursor)
        for i in range(0, len(ids), CHUNK):
            chunk = ids[i : i + CHUNK]
            params: list
            if connection.vendor == "postgresql":
                where, params = "customer_id = ANY(%s)", [chunk]
            else:
                where, params = f"customer_id IN ({', '.join(['%s'] * len(chunk))})", list(chunk)
            delete, insert = _statements(where, conditions)
            cursor.execute(delete, [*params, *bounds])
            deleted += max(cursor.rowcount, 0)
            cursor.execute(insert, [*params, *bounds])
            inserted += max(cursor.rowcount, 0)
            # Whatever months changed, the stored figures of these customers follow (a few rows
            # each; cheaper than working out which scoring months the changed months reach).
            for month in stored:
                for sql, head in _figures_statements(where, month):
                    cursor.execute(sql, [*head, *params])
        _count_vanished(deleted, inserted)


def _count_vanished(deleted: int, inserted: int) -> None:
    """Months whose sums went away with nothing inserted in their place (their last lines
    deleted): a deletion the largest id does not show (``kamp.core.deletions``). Re-inserted
    sums take new, larger ids."""
    if deleted and not inserted:
        deletions.bump(SalesMonth)


def refresh_touched(touched: dict[int, list[date]]) -> None:
    """:func:`refresh` for ``{customer id: [first date, last date]}`` (what an import collects):
    one statement pair for all of them, over the span of months any of them touched."""
    if not touched:
        return
    start = min(span[0] for span in touched.values())
    end = max(span[1] for span in touched.values())
    refresh(touched, start, end)


def rebuild() -> None:
    """Recompute every monthly sum from the lines (after a bulk load, or to repair)."""
    delete, insert = _statements("1 = 1", [])
    with transaction.atomic(), connection.cursor() as cursor:
        # Migration 0006 rebuilds the sums before the figures' tables exist.
        ready = SalesFiguresMonth._meta.db_table in connection.introspection.table_names(cursor)
        stored = _stored_months_locked(cursor) if ready else []
        cursor.execute(delete)
        deleted = max(cursor.rowcount, 0)
        cursor.execute(insert)
        _count_vanished(deleted, max(cursor.rowcount, 0))
        for month in stored:
            for sql, params in _figures_statements("1 = 1", month):
                cursor.execute(sql, params)


def figures(month: date) -> list[tuple[int, float, float, float]]:
    """(customer id, revenue, cost, previous revenue) of every customer with sales in the 24
    months before the scoring month ``month`` (its first day), in customer order.

    Read from the stored figures; the first time a month is asked for, they are computed from
    the monthly sums and stored (the oldest stored month beyond :data:`FIGURES_MONTHS` is
    dropped; a month older than every stored one when they are full is computed, not stored)."""
    month = _month_start(month)
    stored = stored_months()
    if month not in stored:
        if len(stored) >= FIGURES_MONTHS and month < stored[-1]:
            return _compute_figures(month)
        _store_figures(month)
    qn = connection.ops.quote_name
    table = qn(SalesFigures._meta.db_table)
    if connection.vendor == "postgresql":
        # float8 in the database: no Decimal per value on 100,000 rows (the same number:
        # both conversions are correctly rounded).
        cols = "customer_id, revenue::float8, cost::float8, previous::float8"
    else:
        cols = "customer_id, revenue, cost, previous"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {cols} FROM {table} WHERE month = %s ORDER BY customer_id", [month])
        return cursor.fetchall()


def _store_figures(month: date) -> None:
    with transaction.atomic():
        try:
            with transaction.atomic():
                SalesFiguresMonth.objects.create(month=month)
        except IntegrityError:
            return  # another process stored them meanwhile
        table = connection.ops.quote_name(SalesFigures._meta.db_table)
        with connection.cursor() as cursor:
            for old in stored_months()[FIGURES_MONTHS:]:
                cursor.execute(f"DELETE FROM {table} WHERE month = %s", [old])
                SalesFiguresMonth.objects.filter(month=old).delete()
            _, (sql, params) = _figures_statements("1 = 1", month)
            cursor.execute(sql, params)


def _compute_figures(month: date) -> list[tuple[int, float, float, float]]:
    return customer_figures(month, None)


def customer_figures(
    month: date, customer_ids: list[int] | None
) -> list[tuple[int, float, float, float]]:
    """The figures of the scoring month ``month`` computed from the monthly sums (not stored),
    for ``customer_ids`` (None: every customer with sales), in customer order."""
    where, extra = "1 = 1", []
    if customer_ids is not None:
        if not customer_ids:
            return []
        where = f"customer_id IN ({', '.join(['%s'] * len(customer_ids))})"
        extra = list(customer_ids)
    sql, params = _figures_select(_month_start(month), where)
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, *extra])
        return [
            (cid, float(r or 0), float(c or 0), float(p or 0)) for cid, r, c, p in cursor.fetchall()
        ]


def touch(touched: dict[int, list[date]], customer_id: int, day: date) -> None:
    """Note that a write touched ``customer_id``'s sales on ``day`` (for :func:`refresh_touched`)."""
    span = touched.get(customer_id)
    if span is None:
        touched[customer_id] = [day, day]
    elif day < span[0]:
        span[0] = day
    elif day > span[1]:
        span[1] = day


# --- single saves -----------------------------------------------------------------------------
@receiver(pre_save, sender=SalesLine)
def _remember_old_month(sender, instance: SalesLine, raw: bool = False, **kwargs) -> None:
    # A line moved to another customer or month leaves its old month to recompute too.
    instance._old_month = None  # type: ignore[attr-defined]
    if instance.pk and not raw:
        instance._old_month = (  # type: ignore[attr-defined]
            SalesLine.objects.filter(pk=instance.pk).values_list("customer_id", "date").first()
        )


@receiver(post_save, sender=SalesLine)
def _line_saved(sender, instance: SalesLine, raw: bool = False, **kwargs) -> None:
    if raw:
        return
    day = instance.date if isinstance(instance.date, date) else date.fromisoformat(instance.date)
    refresh([instance.customer_id], day, day)
    old = getattr(instance, "_old_month", None)
    if old and (old[0], _month_start(old[1])) != (instance.customer_id, _month_start(day)):
        refresh([old[0]], old[1], old[1])
