"""Import of sales lines: customer by tax id, external id or exact name; a line with a document
number (and line) replaces the line already imported with the same numbers. A file without
document numbers cannot be matched line by line, so importing the same file twice is refused
unless forced."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from functools import lru_cache
from typing import Any

from django.db import connection
from django.db.models import Max, Min
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

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
            ) % {"when": earlier.created_at.strftime("%Y-%m-%d %H:%M"), "id": earlier.pk}
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
        existing = dict(_existing_lines(documents)) if documents else {}
        new = rows
        if existing:
            new, old = [], []
            for r in rows:
                if r[DOCUMENT] and (r[DOCUMENT], r[LINE]) in existing:
                    old.append(r)
                else:
                    new.append(r)
            if old:
                self._update(old, existing, ctx)
        if new:
            ctx.insert(SalesLine, INSERT_FIELDS, [r[:GIVEN] for r in new])
            ctx.created += len(new)
            _touch(ctx, new)

    def _update(
        self, rows: list[tuple[Any, ...]], existing: dict[tuple[str, str], int], ctx: ImportContext
    ) -> None:
        """Lines already in kamp (same document and line): the fields the file gives replace
        theirs, after remembering them for a revert."""
        given = 0
        for r in rows:
            given |= r[GIVEN]
        fields = sorted(
            ("customer_id" if name == "customer" else name)
            for name, position in POSITIONS.items()
            if given & (1 << position)
        )
        ids = [existing[(r[DOCUMENT], r[LINE])] for r in rows]
        objs = SalesLine.objects.in_bulk(ids)
        changed = [objs[pk] for pk in ids]
        ctx.remember(changed, fields)
        _touch(ctx, [(o.customer_id, o.date.isoformat()) for o in changed])  # where they were
        for obj, r in zip(changed, rows, strict=True):
            for name, position in POSITIONS.items():
                if r[GIVEN] & (1 << position):
                    setattr(obj, _ATTNAMES[name], _typed(position, r[position]))
        SalesLine.objects.bulk_update(changed, fields, batch_size=500)
        ctx.updated += len(changed)
        _touch(ctx, rows)  # where they are now

    def finish(self, ctx: ImportContext) -> None:
        # The monthly sums the P&L and the selection read: the customers and months this file
        # wrote or changed (write() notes them), recomputed from the lines.
        sales_months.refresh_touched(ctx.cache.get("sales_touched") or {})

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


_ATTNAMES = {name: "customer_id" if name == "customer" else name for name in POSITIONS}


def _typed(position: int, value: Any) -> Any:
    """A row's value as the model field holds it (for the few lines an import updates)."""
    if value is None:
        return None
    if position == DATE:
        return date.fromisoformat(value)
    if position in (NET, COST, QUANTITY):
        return Decimal(value)
    return value


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


def _existing_lines(documents: set[str]) -> list[tuple[tuple[str, str], int]]:
    """((document, line), id) of the lines already in kamp for these documents: one query,
    using the partial unique index (hence the ``<> ''`` both databases need to see)."""
    if connection.vendor == "postgresql":
        table = SalesLine._meta.db_table
        with connection.cursor() as cur:
            # The table's statistics do not count the lines this transaction has written
            # already: without them the planner takes a sequential scan over all of them for
            # every batch (a large first import grew quadratic). The index always answers.
            cur.execute("SET LOCAL enable_seqscan = off")
            # One array parameter instead of thousands of placeholders (which the driver would
            # have to parse for every batch).
            cur.execute(
                f"SELECT document_number, line_number, id FROM {table} "
                "WHERE document_number = ANY(%s) AND NOT (document_number = '')",
                [list(documents)],
            )
            found = cur.fetchall()
            cur.execute("RESET enable_seqscan")
    else:
        found = list(
            SalesLine.objects.filter(document_number__in=documents)
            .exclude(document_number="")
            .order_by()
            .values_list("document_number", "line_number", "id")
        )
    return [((doc, line), pk) for doc, line, pk in found]
