"""Import of sales lines: customer by tax id, external id or exact name; a line with a document
number (and line) replaces the line already imported with the same numbers. A file without
document numbers cannot be matched line by line, so importing the same file twice is refused
unless forced."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import Max, Min
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kamp.core.models import ImportBatch, ImportChange
from kamp.economics import sales_months
from kamp.economics.models import SalesLine

from ..base import Field, ImportContext, ImportKind, RowError, register
from ..parsers import ParseError, parse_date, parse_decimal
from ._lookup import check_may_see_economics, customer_index
from .customers import parse_currency

VALUE_FIELDS = [
    "customer_id",
    "date",
    "net_amount",
    "cost",
    "currency",
    "product",
    "category",
    "quantity",
]
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
ZERO = Decimal(0)
MAX_AMOUNT = 10**14  # max_digits=18, decimal_places=4


def _amount(value: Any, decimal: str | None = None):
    number = parse_decimal(value, decimal)
    if not -MAX_AMOUNT < number < MAX_AMOUNT:
        raise ParseError("%(value)s is too large.", value=value)
    return number  # more than 4 decimals: the database rounds


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
            parser=parse_date,
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
        ctx.cache["documents"] = set()

    def clean(self, row: dict[str, Any], ctx: ImportContext) -> dict[str, Any]:
        index = customer_index(ctx)
        ref = row.pop("customer")
        pk = index.exact.get(ref)  # the common case: the tax id as kamp writes it
        row["customer_id"] = pk or index.resolve(ref)
        check_may_see_economics(ctx, row["customer_id"])
        document = row.get("document_number")
        if document:
            # A hash, not the text: a million documents stay a few tens of MB. (Two different
            # documents colliding on 64 bits is not a practical concern.)
            key = hash((document, row.get("line_number", "")))
            seen = ctx.cache["documents"]
            if key in seen:
                raise RowError(
                    _("Document %(doc)s line %(line)s appears twice in the file.")
                    % {"doc": document, "line": row.get("line_number", "—")},
                    "line_number",
                )
            seen.add(key)
        elif "line_number" in row:
            raise RowError(_("A line number needs a document number."), "document_number")
        return row

    def write(self, rows: list[dict[str, Any]], ctx: ImportContext) -> None:
        existing: dict[tuple[str, str], int] = {}
        documents = {r["document_number"] for r in rows if r.get("document_number")}
        if documents:
            for pk, doc, line in _existing_lines(documents):
                existing[(doc, line)] = pk
        new: list[dict[str, Any]] = []
        old: list[dict[str, Any]] = []
        for r in rows:
            found = (
                existing.get((r["document_number"], r.get("line_number", "")))
                if r.get("document_number")
                else None
            )
            if found:
                r["_id"] = found
                old.append(r)
            else:
                new.append(r)
        batch_id = ctx.batch.pk
        ctx.insert(
            SalesLine,
            INSERT_FIELDS,
            [
                (
                    r["customer_id"],
                    r["date"],
                    r["net_amount"],
                    r.get("cost", ZERO),
                    r.get("currency", ""),
                    r.get("product", ""),
                    r.get("category", ""),
                    r.get("quantity"),
                    r.get("document_number", ""),
                    r.get("line_number", ""),
                    batch_id,
                )
                for r in new
            ],
        )
        ctx.created += len(new)
        if old:
            fields = sorted({k for r in old for k in r if k[0] != "_"})
            objs = SalesLine.objects.in_bulk([r["_id"] for r in old])
            changed = [objs[r["_id"]] for r in old]
            ctx.remember(changed, fields)
            for obj, r in zip(changed, old, strict=False):
                for k in fields:
                    if k in r:
                        setattr(obj, k, r[k])
            SalesLine.objects.bulk_update(changed, fields, batch_size=500)
            ctx.updated += len(changed)

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


def _existing_lines(documents: set[str]):
    """(id, document, line) of the lines already in kamp for these documents: one query,
    using the partial unique index (hence the ``<> ''`` both databases need to see)."""
    if connection.vendor == "postgresql":
        # One array parameter instead of thousands of placeholders (which the driver would
        # have to parse for every batch).
        table = SalesLine._meta.db_table
        with connection.cursor() as cur:
            cur.execute(
                f"SELECT id, document_number, line_number FROM {table} "
                "WHERE document_number = ANY(%s) AND NOT (document_number = '')",
                [list(documents)],
            )
            return cur.fetchall()
    return list(
        SalesLine.objects.filter(document_number__in=documents)
        .exclude(document_number="")
        .order_by()
        .values_list("id", "document_number", "line_number")
    )
