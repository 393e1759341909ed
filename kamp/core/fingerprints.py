"""What a kept result is held under, read in one statement.

A result a page keeps while its data are unchanged (an account's interaction analysis, the
dashboard's interaction forms) is keyed by a few figures of each table it reads: how many rows,
the largest id, the latest edit. Each ORM query costs the web server about half a millisecond of
CPU before the database sees it; :func:`summaries` reads the figures of several querysets in
one statement (docs/development.md, "Never count a large table on a page view")."""

from __future__ import annotations

from collections.abc import Sequence

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import QuerySet


def summaries(*parts: tuple[QuerySet, Sequence[str]]) -> list[tuple]:
    """For each ``(queryset, fields)``: ``(COUNT(*), MAX(field), …)`` over the queryset's rows,
    all in one statement. Each part is one row (an aggregate without grouping), so their cross
    join is one row. Values come as the database gives them (SQLite: dates as text)."""
    if not parts:
        return []
    using = parts[0][0].db
    connection = connections[using]
    q = connection.ops.quote_name
    selects: list[str] = []
    params: list = []
    empty: set[int] = set()
    for i, (qs, fields) in enumerate(parts):
        # The queryset's own SQL (its filters, as the ORM writes them) as a derived table; both
        # databases fold it into the aggregate, which then reads the same index as before.
        try:
            sql, sql_params = qs.order_by().values(*fields).query.sql_with_params()
        except EmptyResultSet:  # a filter that matches nothing (``pk__in=[]``): no rows
            empty.add(i)
            continue
        figures = ", ".join(["COUNT(*)"] + [f"MAX({q('s')}.{q(f)})" for f in fields])
        selects.append(f"(SELECT {figures} FROM ({sql}) {q('s')}) {q(f'p{i}')}")
        params.extend(sql_params)
    row: tuple = ()
    if selects:
        with connection.cursor() as cursor:
            cursor.execute("SELECT * FROM " + ", ".join(selects), params)
            row = cursor.fetchone()
    out, at = [], 0
    for i, (_qs, fields) in enumerate(parts):
        width = 1 + len(fields)
        if i in empty:
            out.append((0,) + (None,) * len(fields))
            continue
        out.append(tuple(row[at : at + width]))
        at += width
    return out


def grouped_summaries(*parts: tuple[QuerySet, str, Sequence[str]]) -> list[dict]:
    """For each ``(queryset, key, fields)``: ``{key value: (COUNT(*), MAX(field), …)}`` over
    the queryset's rows grouped by ``key``, all in one statement (a UNION ALL of the grouped
    parts). What a result kept per account is held under: a change to one account's rows
    changes its figures alone. The maxima come as text, to be compared, not computed with:
    turning a thousand timestamps into datetimes cost the dashboard more than the query."""
    if not parts:
        return []
    using = parts[0][0].db
    connection = connections[using]
    q = connection.ops.quote_name
    width = max(len(fields) for _qs, _key, fields in parts)
    selects: list[str] = []
    params: list = []
    for i, (qs, key, fields) in enumerate(parts):
        try:
            sql, sql_params = (
                qs.order_by().values(*dict.fromkeys((key, *fields))).query.sql_with_params()
            )
        except EmptyResultSet:
            continue
        figures = ["COUNT(*)"] + [f"CAST(MAX({q('s')}.{q(f)}) AS TEXT)" for f in fields]
        figures += ["NULL"] * (width - len(fields))
        selects.append(
            f"SELECT {i}, {q('s')}.{q(key)}, {', '.join(figures)} FROM ({sql}) {q('s')} "
            f"GROUP BY {q('s')}.{q(key)}"
        )
        params.extend(sql_params)
    out: list[dict] = [{} for _ in parts]
    if selects:
        with connection.cursor() as cursor:
            cursor.execute(" UNION ALL ".join(selects), params)
            for part, key_value, *figures in cursor.fetchall():
                n = 1 + len(parts[part][2])
                out[part][key_value] = tuple(figures[:n])
    return out
