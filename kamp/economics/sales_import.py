"""Import of sales lines: customer by tax id, external id or exact name; a line with a document
number (and line) replaces the line already imported with the same numbers. A file without
document numbers cannot be matched line by line, so importing the same file twice is refused
unless forced."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from functools import lru_cache
from typing import Any

from django.db import connection
from django.db.models import Max, Min, Model
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kamp.core.formatting import format_date
from kamp.core.imports import Field, ImportContext, ImportKind, ParseError, RowError, register
from kamp.core.imports.parsers import decimal_text, parse_date
from kamp.core.models import ImportBatch, ImportChange
from kamp.core.money import AmountError, base_currency, check_minor_unit, minor_units
from kamp.customers.imports.customers import parse_currency
from kamp.customers.imports.lookup import check_may_see_economics, customer_index, load_access
from kamp.customers.models import Customer

from . import sales_months
from .models import SalesLine

#: What ``clean`` returns for a line, ``write`` receives and the spill keeps: the values in the
#: order of the INSERT (text as the database takes it: ISO dates, amounts as plain numbers),
#: then a bit mask of the fields the file gave (an update changes only those).
INSERT_FIELDS = [
    "customer_id",
    "date",
    "net_amount",
    "cost",
    "currency",
    "product",
    "category",
    "quantity",
    "document_number",
    "line_number",
    "import_batch_id",
]
CUSTOMER, DATE, NET, COST, CURRENCY, PRODUCT, CATEGORY, QUANTITY, DOCUMENT, LINE, BATCH, GIVEN = (
    range(12)
)
#: Field name → its position in the row (and its bit in the mask).
POSITIONS = {
    "customer": CUSTOMER,
    "date": DATE,
    "net_amount": NET,
    "cost": COST,
    "currency": CURRENCY,
    "product": PRODUCT,
    "category": CATEGORY,
    "quantity": QUANTITY,
    "document_number": DOCUMENT,
    "line_number": LINE,
}
MAX_DIGITS = 14  # before the point: max_digits=18, decimal_places=4


def _amount(value: Any, decimal: str | None = None) -> str:
    text = decimal_text(value, decimal)  # plain digits: its whole part says how large it is
    if len(text.partition(".")[0].lstrip("-").lstrip("0")) > MAX_DIGITS:
        raise ParseError("%(value)s is too large.", value=value)
    return text  # more than 4 decimals: the database rounds


def _check_unit(text: str, field: str, currency: str) -> None:
    """Refuse an amount with more decimals than its currency's minor unit (cents on a CLP
    line): the row is reported, never rounded into a figure nobody typed. ``text`` is the plain
    number ``_amount`` gave (``2500000.50``); trailing zeros are no decimals."""
    point = text.find(".")
    if point < 0:
        return
    if len(text[point + 1 :].rstrip("0")) <= minor_units(currency):
        return
    try:  # the message of every other place that checks a minor unit
        check_minor_unit(text, currency)
    except AmountError as exc:
        raise RowError(str(exc), field) from None


def _when(moment: Any) -> str:
    """A moment in kamp's time zone, its day as the reader writes it (28-11-2026 10:15)."""
    local = timezone.localtime(moment)
    return f"{format_date(local)} {local:%H:%M}"


def _date(value: Any, decimal: str | None = None) -> str:
    if value.__class__ is str:
        return _date_text(value)
    return parse_date(value).isoformat()


@lru_cache(maxsize=8192)
def _date_text(value: str) -> str:
    return parse_date(value).isoformat()


@lru_cache(maxsize=64)
def _given(names: tuple[str, ...]) -> int:
    """The mask of the fields a row carries (rows of a file carry the same few sets)."""
    mask = 0
    for name in names:
        mask |= 1 << POSITIONS[name]
    return mask


@register
class SalesImport(ImportKind):
    name = "sales"
    order = 30
    label = gettext_lazy("Sales lines")
    description = gettext_lazy(
        "Invoiced lines: customer, date, net amount, cost… Lines with a document "
        "number replace the ones imported before with the same number and line."
    )
    models = [SalesLine]
    batch_size = 5000
    parallel = True  # clean() reads only the customer index and the access sets prepare() loads
    fields = [
        Field(
            "customer",
            gettext_lazy("customer"),
            [
                "Cliente",
                "RUT",
                "RUT cliente",
                "Código cliente",
                "Razón social",
                "Customer",
                "Customer code",
                "Account",
            ],
            required=True,
        ),
        Field(
            "date",
            gettext_lazy("date"),
            [
                "Fecha",
                "Fecha documento",
                "Fecha factura",
                "Fecha emisión",
                "Date",
                "Invoice date",
                "Document date",
            ],
            parser=_date,
            required=True,
        ),
        Field(
            "net_amount",
            gettext_lazy("net amount"),
            [
                "Monto neto",
                "Neto",
                "Venta neta",
                "Total neto",
                "Monto",
                "Importe",
                "Venta",
                "Net",
                "Net amount",
                "Net sales",
                "Amount",
                "Sales",
            ],
            parser=_amount,
            required=True,
        ),
        Field(
            "cost",
            gettext_lazy("cost of goods"),
            ["Costo", "Costo venta", "Costo de venta", "Coste", "Cost", "COGS", "Cost of sales"],
            parser=_amount,
        ),
        Field(
            "currency",
            gettext_lazy("currency"),
            ["Moneda", "Divisa", "Currency"],
            parser=parse_currency,
        ),
        Field(
            "product",
            gettext_lazy("product"),
            ["Producto", "SKU", "Código producto", "Artículo", "Product", "Product code"],
            max_length=200,
        ),
        Field(
            "category",
            gettext_lazy("category"),
            ["Categoría", "Familia", "Línea de producto", "Category", "Product line"],
            max_length=200,
        ),
        Field(
            "quantity",
            gettext_lazy("quantity"),
            ["Cantidad", "Unidades", "Cant", "Qty", "Quantity", "Units"],
            parser=_amount,
        ),
        Field(
            "document_number",
            gettext_lazy("document number"),
            [
                "N° documento",
                "Número documento",
                "Nro documento",
                "Documento",
                "Factura",
                "N° factura",
                "Folio",
                "Document",
                "Document number",
                "Invoice",
                "Invoice number",
            ],
            max_length=60,
        ),
        Field(
            "line_number",
            gettext_lazy("line"),
            ["Línea", "N° línea", "Nro línea", "Line", "Line number"],
            max_length=20,
        ),
    ]

    example = {
        "customer": "76.123.456-0",
        "date": "28-11-2026",
        "net_amount": "1.234.567,89",
        "cost": "987.654,00",
        "currency": "CLP",
        "product": "CEM-0042",
        "category": "Cemento",
        "quantity": "120",
        "document_number": "F-100234",
        "line_number": "1",
    }

    def refuse(self, ctx: ImportContext) -> str | None:
        if "document_number" in ctx.fields or ctx.force:
            return None
        earlier = (
            ImportBatch.objects.filter(
                kind=self.name,
                content_hash=ctx.batch.content_hash,
                status=ImportBatch.Status.DONE,
            )
            .exclude(pk=ctx.batch.pk)
            .order_by("-created_at")
            .first()
        )
        if earlier:
            return _(
                "This file was already imported on %(when)s (import #%(id)s) and has no "
                "document numbers to match its lines: importing it again would count its "
                "sales twice. Revert that import first, or force it."
            ) % {"when": _when(earlier.created_at), "id": earlier.pk}
        return None

    def prepare(self, ctx: ImportContext) -> None:
        customer_index(ctx)
        load_access(ctx)  # clean() may run in a worker process: no query there
        # A line without a currency takes its customer's, else the company's base currency
        # (Settings): stored explicitly, so it is never read later under another currency.
        ctx.cache["sales_base"] = base_currency()
        ctx.cache["sales_currencies"] = dict(
            Customer.objects.exclude(currency="").values_list("pk", "currency")
        )

    def clean(self, row: dict[str, Any], ctx: ImportContext) -> tuple[Any, ...]:
        index = customer_index(ctx)
        ref = row["customer"]
        customer_id = index.exact.get(ref)  # the common case: the tax id as kamp writes it
        if customer_id is None:
            customer_id = index.resolve(ref)
        check_may_see_economics(ctx, customer_id)
        get = row.get
        document = get("document_number", "")
        if not document and "line_number" in row:
            raise RowError(_("A line number needs a document number."), "document_number")
        currency = (
            get("currency")
            or ctx.cache["sales_currencies"].get(customer_id)
            or ctx.cache["sales_base"]
        ).upper()
        _check_unit(row["net_amount"], "net_amount", currency)
        cost = get("cost", "0")
        _check_unit(cost, "cost", currency)
        return (
            customer_id,
            row["date"],
            row["net_amount"],
            cost,
            currency,
            get("product", ""),
            get("category", ""),
            get("quantity"),
            document,
            get("line_number", ""),
            ctx.batch.pk,
            _given(tuple(row)) if document else 0,  # only a line with a document may update
        )

    def duplicate_key(self, row: tuple[Any, ...]) -> tuple[str, str] | None:
        return (row[DOCUMENT], row[LINE]) if row[DOCUMENT] else None

    def duplicate_error(self, row: tuple[Any, ...]) -> RowError:
        return RowError(
            _("Document %(doc)s line %(line)s appears twice in the file.")
            % {"doc": row[DOCUMENT], "line": row[LINE] or "—"},
            "line_number",
        )

    def write(self, rows: list[tuple[Any, ...]], ctx: ImportContext) -> None:
        documents = {r[DOCUMENT] for r in rows if r[DOCUMENT]}
        existing = _existing_lines(documents) if documents else {}
        new = rows
        if existing:
            new, old = [], []
            for r in rows:
                if r[DOCUMENT] and (r[DOCUMENT], r[LINE]) in existing:
                    old.append(r)
                else:
                    new.append(r)
            if old:
                _update(old, existing, ctx)
        if new:
            ctx.insert(SalesLine, INSERT_FIELDS, [r[:GIVEN] for r in new])
            ctx.created += len(new)
            _touch(ctx, new)

    def finish(self, ctx: ImportContext) -> None:
        # The monthly sums the P&L and the selection read: the customers and months this file
        # wrote or changed (write() notes them), recomputed from the lines.
        sales_months.refresh_touched(ctx.cache.get("sales_touched") or {})
        _drop_stage(ctx.cache)

    def reverting(self, batch: ImportBatch) -> dict[int, list]:
        """The customers and dates of every line the revert will delete or restore."""
        touched: dict[int, list] = {}
        for cid, first, last in (
            SalesLine.objects.filter(import_batch=batch)
            .values("customer_id")
            .annotate(first=Min("date"), last=Max("date"))
            .values_list("customer_id", "first", "last")
            .order_by()
        ):
            touched[cid] = [first, last]
        changed = ImportChange.objects.filter(batch=batch, model=SalesLine._meta.label_lower)
        ids = [int(x) for x in changed.values_list("object_id", flat=True)]
        for i in range(0, len(ids), 5000):
            for cid, day in SalesLine.objects.filter(pk__in=ids[i : i + 5000]).values_list(
                "customer_id", "date"
            ):
                sales_months.touch(touched, cid, day)
        for previous in changed.values_list("previous", flat=True):
            cid = previous.get("customer_id")
            day = previous.get("date")
            if cid is not None and day:
                sales_months.touch(touched, int(cid), date.fromisoformat(str(day)[:10]))
        return touched

    def reverted(self, batch: ImportBatch, state: dict[int, list]) -> None:
        sales_months.refresh_touched(state or {})

    def restore(self, model: type[Model], changes: list[ImportChange]) -> int:
        """The previous values of re-imported lines put back as the import wrote them: staged,
        then one ``UPDATE … FROM`` (the engine's ``bulk_update`` took ~10 ms a line)."""
        if model is not SalesLine:
            return super().restore(model, changes)
        previous: dict[int, dict[str, Any]] = {}
        for change in changes:  # newest first: the oldest value a line had wins
            previous[int(change.object_id)] = change.previous
        staged = []
        any_given, all_given = 0, -1
        for pk, values in previous.items():
            mask, row = 0, []
            for name, column, _lite, _pg in _UPDATABLE:
                if column in values:
                    mask |= 1 << POSITIONS[name]
                row.append(values.get(column))
            staged.append((pk, mask, *row))
            any_given |= mask
            all_given &= mask
        if not any_given:
            return 0
        with connection.cursor() as cur:
            _stage(cur, staged, {})
            with _by_index(cur):
                restored = _apply(cur, _columns(any_given), all_given)
            # Emptied, not dropped: the revert is still reading its changes, and SQLite refuses
            # to drop a table while a statement is running ("database table is locked"). The
            # connection's temporary table goes with the connection.
            cur.execute(f"DELETE FROM {STAGE}")
        return restored


#: The staging table of the lines an import updates (a temporary table: each connection its own).
STAGE = "kamp_sales_stage"
#: The columns an update may change, as (field name, column, staging column type on SQLite,
#: on PostgreSQL). The document and line are what matched the line: never changed.
_UPDATABLE = [
    ("customer", "customer_id", "bigint", "bigint"),
    ("date", "date", "date", "date"),
    ("net_amount", "net_amount", "decimal", "numeric(18, 4)"),
    ("cost", "cost", "decimal", "numeric(18, 4)"),
    ("currency", "currency", "varchar(3)", "varchar(3)"),
    ("product", "product", "varchar(200)", "varchar(200)"),
    ("category", "category", "varchar(200)", "varchar(200)"),
    ("quantity", "quantity", "decimal", "numeric(18, 4)"),
]
_STAGED = [CUSTOMER, DATE, NET, COST, CURRENCY, PRODUCT, CATEGORY, QUANTITY]
#: UPDATE … FROM came with SQLite 3.33; before it, a correlated subquery per column does the same.
_SQLITE_UPDATE_FROM = sqlite3.sqlite_version_info >= (3, 33)


def _update(
    rows: list[tuple[Any, ...]],
    existing: dict[tuple[str, str], tuple[int, int, date]],
    ctx: ImportContext,
) -> None:
    """Lines already in kamp (same document and line): the fields the file gives replace
    theirs, their previous values kept for a revert. Set-based, a constant number of statements
    per batch whatever its size: the rows go to a staging table (``COPY`` on PostgreSQL,
    ``executemany`` elsewhere), the previous values are copied into ``ImportChange`` by one
    ``INSERT … SELECT``, and one ``UPDATE … FROM`` the staging table writes them all (a
    per-row ORM update cost 2 ms a line)."""
    any_given = all_given = rows[0][GIVEN]
    for r in rows:
        any_given |= r[GIVEN]
        all_given &= r[GIVEN]
    columns = _columns(any_given)
    staged = []
    for r in rows:
        line_id = existing[(r[DOCUMENT], r[LINE])][0]
        staged.append((line_id, r[GIVEN], *(r[i] for i in _STAGED)))
    changed: set[int] | None = None  # None: every staged line changes
    with connection.cursor() as cur:
        _stage(cur, staged, ctx.cache)
        with _by_index(cur):
            # Lines whose values the file repeats (a re-export) are neither written nor kept
            # for a revert: only the lines that change cost an undo record and a row version.
            unchanged = _drop_unchanged(cur, columns, all_given)
            if unchanged == len(staged):
                changed = set()
            elif unchanged:
                cur.execute(f"SELECT id FROM {STAGE}")
                changed = {pk for (pk,) in cur.fetchall()}
            if changed != set():
                cur.execute(*_remember_sql(columns, ctx.batch.pk))
                _apply(cur, columns, all_given)
    if changed is not None:
        rows = [r for r, s in zip(rows, staged, strict=True) if s[0] in changed]
    ctx.unchanged += unchanged
    ctx.updated += len(rows)
    touched = ctx.cache.setdefault("sales_touched", {})
    for r in rows:
        _line_id, customer_id, day = existing[(r[DOCUMENT], r[LINE])]
        # Where the line was: its old month is recomputed too (a line may move).
        sales_months.touch(touched, customer_id, day)
    if rows:
        _touch(ctx, rows)  # where they are now


@contextmanager
def _by_index(cur: Any) -> Iterator[None]:
    """On PostgreSQL, the statements inside join through indexes: the planner has no statistics
    for a staging table just filled, nor for the lines this transaction wrote, and would scan
    whole tables. ``enable_seqscan = off`` does it by pricing a sequential scan at 10¹⁰, which
    also crosses ``jit_above_cost``: every statement was then compiled to machine code first
    (100–200 ms of LLVM for a 5,000-row join that runs in 15 ms, three statements a chunk: most
    of a re-import's time). JIT is off for them too. Both only for this transaction, and put
    back after (the monthly sums' query plans normally)."""
    if connection.vendor != "postgresql":
        yield
        return
    cur.execute("SELECT set_config('enable_seqscan', 'off', true), set_config('jit', 'off', true)")
    yield
    # Not on an error: the failed transaction refuses any statement, and its rollback ends
    # the SET LOCAL anyway.
    cur.execute("RESET enable_seqscan; RESET jit")  # one round trip, as the SET was


def _drop_unchanged(cur: Any, columns: list[tuple[str, int]], all_given: int) -> int:
    """Delete from the staging table the lines whose given values all equal the stored ones
    (``NULL`` equal to ``NULL``): one statement. Returns how many it left out."""
    qn = connection.ops.quote_name
    lines = qn(SalesLine._meta.db_table)
    same = "IS NOT DISTINCT FROM" if connection.vendor == "postgresql" else "IS"
    conditions = []
    for column, bit in columns:
        equal = f"l.{qn(column)} {same} {STAGE}.{qn('new_' + column)}"
        if not all_given & bit:  # a row without this cell keeps the line's value
            equal = f"(({STAGE}.given & {bit}) = 0 OR {equal})"
        conditions.append(equal)
    cur.execute(
        f"DELETE FROM {STAGE} WHERE EXISTS (SELECT 1 FROM {lines} AS l "
        f"WHERE l.id = {STAGE}.id AND {' AND '.join(conditions)})"
    )
    return max(cur.rowcount, 0)


def _apply(cur: Any, columns: list[tuple[str, int]], all_given: int) -> int:
    """The one UPDATE of the lines from the staging table: each staged row's ``given`` bits
    say which of ``columns`` it replaces. Returns how many lines it wrote."""
    qn = connection.ops.quote_name
    lines = qn(SalesLine._meta.db_table)
    sets = []
    for column, bit in columns:
        value = f"s.{qn('new_' + column)}"
        if not all_given & bit:  # a row without this cell keeps the line's value
            value = f"CASE WHEN (s.given & {bit}) <> 0 THEN {value} ELSE {qn(column)} END"
        sets.append((column, value))
    if connection.vendor == "postgresql" or _SQLITE_UPDATE_FROM:
        cur.execute(
            f"UPDATE {lines} SET "
            + ", ".join(f"{qn(c)} = {v}" for c, v in sets)
            + f" FROM {STAGE} AS s WHERE {lines}.id = s.id"
        )
    else:
        cur.execute(
            f"UPDATE {lines} SET "
            + ", ".join(
                f"{qn(c)} = (SELECT {v} FROM {STAGE} AS s WHERE s.id = {lines}.id)" for c, v in sets
            )
            + f" WHERE id IN (SELECT id FROM {STAGE})"
        )
    return cur.rowcount


def _columns(any_given: int) -> list[tuple[str, int]]:
    """(column, bit) of the updatable fields in the mask ``any_given``."""
    return [
        (column, 1 << POSITIONS[name])
        for name, column, _lite, _pg in _UPDATABLE
        if any_given & (1 << POSITIONS[name])
    ]


def _stage(cur: Any, staged: list[tuple[Any, ...]], cache: dict[str, Any]) -> None:
    """The staging table, created once per run (dropped by ``finish``, or with the
    transaction when the run fails), emptied and filled with this batch's rows."""
    pg = connection.vendor == "postgresql"
    if not cache.get("sales_stage"):
        types = ", ".join(
            f"new_{column} {pg_type if pg else lite_type}"
            for _name, column, lite_type, pg_type in _UPDATABLE
        )
        cur.execute(
            f"CREATE TEMPORARY TABLE IF NOT EXISTS {STAGE} (id bigint, given integer, {types})"
        )
        cache["sales_stage"] = True
    names = ", ".join(["id", "given", *(f"new_{c}" for _n, c, _l, _p in _UPDATABLE)])
    if pg and hasattr(cur.cursor, "copy"):
        cur.execute(f"TRUNCATE {STAGE}")
        with cur.cursor.copy(f"COPY {STAGE} ({names}) FROM STDIN") as copy:
            for row in staged:
                copy.write_row(row)
    else:
        cur.execute(f"DELETE FROM {STAGE}")
        marks = ", ".join(["%s"] * len(staged[0]))
        cur.executemany(f"INSERT INTO {STAGE} ({names}) VALUES ({marks})", staged)


def _drop_stage(cache: dict[str, Any]) -> None:
    if cache.pop("sales_stage", False):
        with connection.cursor() as cur:
            cur.execute(f"DROP TABLE IF EXISTS {STAGE}")


def _remember_sql(columns: list[tuple[str, int]], batch_id: int) -> tuple[str, list[Any]]:
    """The INSERT … SELECT that keeps, for a revert, the values the update is about to replace:
    one ``ImportChange`` per staged line, as ``ImportContext.remember`` writes them (the
    attnames; dates and amounts as text)."""
    qn = connection.ops.quote_name
    lines = qn(SalesLine._meta.db_table)
    changes = qn(ImportChange._meta.db_table)
    pairs = []
    for column, _bit in columns:
        value = f"l.{qn(column)}"
        if column == "date":
            value = (
                f"to_char(l.{qn(column)}, 'YYYY-MM-DD')"
                if connection.vendor == "postgresql"
                else value  # SQLite keeps dates as ISO text
            )
        elif column in ("net_amount", "cost", "quantity"):
            value = f"CAST({value} AS TEXT)"
        pairs.append(f"'{column}', {value}")
    build = "jsonb_build_object" if connection.vendor == "postgresql" else "json_object"
    return (
        f"INSERT INTO {changes} (batch_id, model, object_id, previous) "
        f"SELECT %s, %s, CAST(l.id AS TEXT), {build}({', '.join(pairs)}) "
        f"FROM {lines} AS l JOIN {STAGE} AS s ON s.id = l.id",
        [batch_id, SalesLine._meta.label_lower],
    )


def _touch(ctx: ImportContext, rows: Any) -> None:
    """Note, per customer, the first and last date of the lines written or changed, in
    ``ctx.cache["sales_touched"]`` ({customer id: [first date, last date]}) for ``finish``.
    The span of a chunk first (ISO dates compare as text), then one merge per customer."""
    spans: dict[int, list[str]] = {}
    for r in rows:
        customer_id, day = r[0], r[1]
        span = spans.get(customer_id)
        if span is None:
            spans[customer_id] = [day, day]
        elif day < span[0]:
            span[0] = day
        elif day > span[1]:
            span[1] = day
    touched = ctx.cache.setdefault("sales_touched", {})
    for customer_id, (first, last) in spans.items():
        sales_months.touch(touched, customer_id, date.fromisoformat(first))
        sales_months.touch(touched, customer_id, date.fromisoformat(last))


def _existing_lines(documents: set[str]) -> dict[tuple[str, str], tuple[int, int, date]]:
    """{(document, line): (id, customer id, date)} of the lines already in kamp for these
    documents (the customer and date: the month a moved line leaves): one query, using the
    partial unique index (hence the ``<> ''`` both databases need to see)."""
    if connection.vendor == "postgresql":
        table = SalesLine._meta.db_table
        # The table's statistics do not count the lines this transaction has written already:
        # without them the planner takes a sequential scan over all of them for every batch (a
        # large first import grew quadratic). The index always answers.
        with connection.cursor() as cur, _by_index(cur):
            # One array parameter instead of thousands of placeholders (which the driver would
            # have to parse for every batch).
            cur.execute(
                f"SELECT document_number, line_number, id, customer_id, date FROM {table} "
                "WHERE document_number = ANY(%s) AND NOT (document_number = '')",
                [list(documents)],
            )
            found = cur.fetchall()
    else:
        found = list(
            SalesLine.objects.filter(document_number__in=documents)
            .exclude(document_number="")
            .order_by()
            .values_list("document_number", "line_number", "id", "customer_id", "date")
        )
    return {(doc, line): (pk, cid, day) for doc, line, pk, cid, day in found}
