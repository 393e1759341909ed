"""`kamp import relationship FILE`: columns ``customer,ro,ds,db[,date]``. Each row is an
assessment of the customer on that date (today when the column is missing or empty), classified
by typology.classify; a row for a customer and date already assessed updates that assessment."""

from __future__ import annotations

from datetime import date as Date
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from kamp.core.imports import Field, ImportKind, RowError, register
from kamp.core.imports.parsers import ParseError, parse_date, parse_decimal
from kamp.core.models import AuditEvent
from kamp.customers.imports.lookup import check_may_edit, customer_index

from . import results
from .models import Assessment, RelationshipType, ROSource

WRITTEN = ["ro", "ds", "db", "relative_power", "type", "ro_source"]


def _score(value: Any, decimal: str | None = None) -> Decimal:
    number = parse_decimal(value, decimal)
    if not Decimal(1) <= number <= Decimal(7):
        raise ParseError("%(value)s is not between 1 and 7.", value=value)
    return number.quantize(Decimal("0.01"))


@register
class RelationshipImport(ImportKind):
    name = "relationship"
    label = _l("Relationship types")
    description = _l(
        "Per customer: relational orientation (ro), our dependence (ds) and the "
        "customer's (db), each 1–7, and optionally the date. The type is computed."
    )
    models = [Assessment]
    batch_size = 2000
    fields = [
        Field(
            "customer",
            _l("customer"),
            ["Cliente", "RUT", "Customer", "Razón social"],
            required=True,
        ),
        Field(
            "ro",
            _l("relational orientation"),
            ["RO", "Orientación", "Orientación relacional", "Orientation"],
            parser=_score,
            required=True,
        ),
        Field(
            "ds",
            _l("our dependence (D_s)"),
            ["DS", "D_s", "Dependencia proveedor", "Supplier dependence"],
            parser=_score,
            required=True,
        ),
        Field(
            "db",
            _l("customer's dependence (D_b)"),
            ["DB", "D_b", "Dependencia cliente", "Buyer dependence"],
            parser=_score,
            required=True,
        ),
        Field("date", _l("date"), ["Fecha", "Date"], parser=parse_date),
    ]

    def prepare(self, ctx) -> None:
        customer_index(ctx)
        ctx.cache["today"] = timezone.localdate()
        ctx.cache["seen"] = set()

    def clean(self, row: dict[str, Any], ctx) -> dict[str, Any]:
        row["customer_id"] = customer_index(ctx).resolve(row.pop("customer"))
        check_may_edit(ctx, row["customer_id"])
        day: Date = row.get("date") or ctx.cache["today"]
        if day > ctx.cache["today"]:
            raise RowError(_("The date is in the future."), "date")
        row["date"] = day
        key = (row["customer_id"], day)
        if key in ctx.cache["seen"]:
            raise RowError(_("This customer and date appear twice in the file."), "date")
        ctx.cache["seen"].add(key)
        c = results.classify(row["ro"], row["ds"], row["db"])
        row["relative_power"] = Decimal(str(c.relative_power)).quantize(Decimal("0.01"))
        row["type"] = c.type
        row["ro_source"] = ROSource.IMPORTED
        return row

    def write(self, rows: list[dict[str, Any]], ctx) -> None:
        customer_ids = {r["customer_id"] for r in rows}
        dates = {r["date"] for r in rows}
        existing: dict[tuple[int, Date], Assessment] = {}
        for a in Assessment.objects.filter(customer_id__in=customer_ids, date__in=dates).order_by(
            "id"
        ):
            existing[(a.customer_id, a.date)] = a
        new, changed = [], []
        for r in rows:
            found = existing.get((r["customer_id"], r["date"]))
            if found is None:
                new.append(
                    Assessment(
                        import_batch=ctx.batch,
                        created_by=ctx.user,
                        **{k: v for k, v in r.items() if not k.startswith("_")},
                    )
                )
            else:
                changed.append((found, r))
        Assessment.objects.bulk_create(new, batch_size=500)
        ctx.created += len(new)
        if changed:
            ctx.remember([a for a, _r in changed], WRITTEN)
            for a, r in changed:
                for k in WRITTEN:
                    setattr(a, k, r[k])
            Assessment.objects.bulk_update([a for a, _r in changed], WRITTEN, batch_size=500)
            ctx.updated += len(changed)
        labels = dict(RelationshipType.choices)
        AuditEvent.objects.bulk_create(
            [
                AuditEvent(
                    actor=ctx.user if getattr(ctx.user, "pk", None) else None,
                    action="import",
                    object_type="relationships.assessment",
                    object_repr=f"{r['date']}",
                    customer_id=r["customer_id"],
                    summary=_(
                        "Relationship type imported: %(type)s (RO %(ro)s, D_s %(ds)s, D_b %(db)s)"
                    )
                    % {"type": labels[r["type"]], "ro": r["ro"], "ds": r["ds"], "db": r["db"]},
                )
                for r in rows
            ],
            batch_size=500,
        )
