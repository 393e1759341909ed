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
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.db import connection
from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver

from .models import SalesLine, SalesMonth

CHUNK = 5000  # customers per statement


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
    with connection.cursor() as cursor:
        for i in range(0, len(ids), CHUNK):
            chunk = ids[i : i + CHUNK]
            params: list
            if connection.vendor == "postgresql":
                where, params = "customer_id = ANY(%s)", [chunk]
            else:
                where, params = f"customer_id IN ({', '.join(['%s'] * len(chunk))})", list(chunk)
            delete, insert = _statements(where, conditions)
            cursor.execute(delete, [*params, *bounds])
            cursor.execute(insert, [*params, *bounds])


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
    with connection.cursor() as cursor:
        cursor.execute(delete)
        cursor.execute(insert)


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
