"""The economics import kinds (docs/imports.md): ``kamp import activity-types|activities|
investments|category-spend FILE`` and the same from the Imports page. All-or-nothing by default;
the report gives each bad row's line, column and reason."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from kamp.core.imports import Field, ImportContext, ImportKind, RowError, register
from kamp.core.imports.parsers import (
    ParseError,
    choice_parser,
    fold,
    parse_bool,
    parse_date,
    parse_decimal,
    parse_long_text,
)
from kamp.core.money import (
    AmountError,
    base_currency,
    check_amount,
    check_minor_unit,
    column_limits,
    stored_digits,
)
from kamp.customers.imports.customers import parse_currency
from kamp.customers.imports.lookup import check_may_see_economics, customer_index
from kamp.customers.models import Customer, CustomerStatus

from . import actions, sales_import  # noqa: F401  (sales_import registers the ``sales`` kind)
from .models import (
    ActivityRecord,
    ActivityType,
    AllocationRule,
    CategorySpend,
    Driver,
    Investment,
    InvestmentAllocation,
    InvestmentKind,
)
from .pnl import Period

MAX_AMOUNT = Decimal(10) ** 14

DRIVER_ES = {
    "minute": ["minuto", "por minuto", "min", "minutes"],
    "event": ["evento", "por evento", "ocurrencia", "vez", "events"],
}
KIND_ES = {
    "people": ["personas", "personas dedicadas", "equipo", "KAM dedicado", "dedicated people"],
    "competences": ["competencias", "desarrollo de competencias", "capacitación", "training"],
    "sponsorship": ["patrocinio", "patrocinio de la alta dirección", "sponsor"],
    "tailored_offer": [
        "oferta a medida",
        "productos a medida",
        "soluciones a medida",
        "tailored offer",
    ],
    "technology_channels": [
        "tecnología",
        "tecnologías y canales",
        "canales",
        "technology",
        "channels",
    ],
    "sales_structure": ["estructura de ventas", "nueva estructura de ventas", "sales structure"],
}
RULE_ES = {
    "equal": ["igual", "por igual", "equal"],
    "revenue": ["ingresos", "por ingresos"],
    "kam_time": ["tiempo KAM", "por tiempo KAM", "kam time"],
}


def _amount(value: Any, decimal: str | None = None) -> Decimal:
    number = parse_decimal(value, decimal)
    if abs(number) >= MAX_AMOUNT:
        raise ParseError("%(value)s is too large.", value=value)
    try:  # what an 18,4 money column keeps exactly: never round a figure without saying so
        return check_amount(number, 18, 4, stored_digits())
    except AmountError as exc:
        raise ParseError("“%(value)s”: %(reason)s", value=value, reason=str(exc)) from None


def _non_negative(value: Any, decimal: str | None = None) -> Decimal:
    number = _amount(value, decimal)
    if number < 0:
        raise ParseError("“%(value)s” cannot be negative.", value=value)
    return number


def _non_negative_in(model, field_name: str):
    """A parser of a non-negative number that fits ``model``'s column exactly (an activity's
    count keeps 12 whole digits and 2 decimals, its minutes 10 and 2), as the form and the API
    check it."""
    digits, places = column_limits(model, field_name)

    def parse(value: Any, decimal: str | None = None) -> Decimal:
        number = parse_decimal(value, decimal)
        try:
            number = check_amount(number, digits, places, stored_digits())
        except AmountError as exc:
            raise ParseError("“%(value)s”: %(reason)s", value=value, reason=str(exc)) from None
        if number < 0:
            raise ParseError("“%(value)s” cannot be negative.", value=value)
        return number

    return parse


def _period(value: Any, decimal: str | None = None) -> str:
    text = str(value).strip()
    if hasattr(value, "year") and hasattr(value, "month"):  # a date cell: its month
        return f"{value.year:04d}-{value.month:02d}"
    try:
        return str(Period.parse(text))
    except ValueError:
        raise ParseError("“%(value)s” is not a period (2025, 2025-Q3 or 2025-07).", value=value)


def _base() -> str:
    return base_currency()


def _in_unit(row: dict[str, Any], field: str) -> Decimal:
    """The row's amount if its currency can express it (no cents on a CLP line), else the
    row is reported with the reason, naming the column."""
    try:
        return check_minor_unit(row[field], row["currency"])
    except AmountError as exc:
        raise RowError(str(exc), field) from None


CUSTOMER = Field(
    "customer",
    _l("customer"),
    ["Cliente", "RUT", "RUT cliente", "Código cliente", "Razón social", "Customer code", "Account"],
    required=True,
)


class _EconomicsKind(ImportKind):
    def may_import(self, user) -> bool:
        return bool(
            getattr(user, "is_authenticated", False)
            and user.is_active
            and (user.manages_programme or user.is_kam)
        )

    def _customer(self, row: dict, ctx: ImportContext) -> int:
        pk = customer_index(ctx).resolve(row.pop("customer"))
        check_may_see_economics(ctx, pk)
        return pk


@register
class ActivityTypeImport(ImportKind):
    name = "activity-types"
    label = _l("Cost-to-serve activities")
    description = _l(
        "Activities and their rates: activity, driver (minute or event), rate, "
        "currency. An activity already defined (same name) gets the new rate."
    )
    models = [ActivityType]
    fields = [
        Field(
            "activity",
            _l("activity"),
            ["Actividad", "Nombre", "Name", "Activity name"],
            required=True,
            max_length=120,
        ),
        Field(
            "driver",
            _l("driver"),
            ["Inductor", "Driver", "Unidad", "Por"],
            parser=choice_parser(Driver.choices, DRIVER_ES),
            required=True,
        ),
        Field(
            "rate",
            _l("rate"),
            ["Tarifa", "Costo unitario", "Tasa", "Rate", "Unit cost"],
            parser=_non_negative,
            required=True,
        ),
        Field("currency", _l("currency"), ["Moneda", "Divisa"], parser=parse_currency),
        Field("kam_time", _l("KAM time"), ["Tiempo KAM", "Es tiempo KAM"], parser=parse_bool),
        Field(
            "description",
            _l("description"),
            ["Descripción", "Detalle"],
            max_length=300,
            parser=parse_long_text,  # keep its lines
        ),
    ]

    def may_import(self, user) -> bool:
        return bool(getattr(user, "is_authenticated", False) and user.manages_programme)

    def prepare(self, ctx: ImportContext) -> None:
        ctx.cache["types"] = {fold(a.name): a for a in ActivityType.objects.all()}
        ctx.cache["seen"] = {}
        ctx.cache["base"] = _base()

    def clean(self, row: dict[str, Any], ctx: ImportContext) -> dict[str, Any]:
        key = fold(row["activity"])
        first = ctx.cache["seen"].setdefault(key, ctx.line)
        if first != ctx.line:
            raise RowError(
                _("Activity “%(name)s” is already on line %(line)s of this file.")
                % {"name": row["activity"], "line": first},
                "activity",
            )
        row["name"] = row.pop("activity")
        row.setdefault("currency", ctx.cache["base"])
        return row

    def write(self, rows: list[dict[str, Any]], ctx: ImportContext) -> None:
        existing = ctx.cache["types"]
        new, old = [], []
        for r in rows:
            values = {k: v for k, v in r.items() if not k.startswith("_")}
            obj = existing.get(fold(values["name"]))
            if obj is None:
                new.append(ActivityType(import_batch=ctx.batch, **values))
            else:
                old.append((obj, values))
        ActivityType.objects.bulk_create(new)
        ctx.created += len(new)
        if old:
            fields = sorted({k for _o, v in old for k in v})
            ctx.remember([o for o, _v in old], fields)
            for obj, values in old:
                for k, v in values.items():
                    setattr(obj, k, v)
            ActivityType.objects.bulk_update([o for o, _v in old], fields)
            ctx.updated += len(old)


@register
class ActivityImport(_EconomicsKind):
    name = "activities"
    label = _l("Cost-to-serve records")
    description = _l(
        "How often each activity was done for a customer in a month: customer, "
        "period (2025-07), activity, count, minutes per occurrence (for activities "
        "costed per minute). Cost = rate × minutes × count, or rate × count."
    )
    models = [ActivityRecord]
    batch_size = 5000
    fields = [
        CUSTOMER,
        Field(
            "period",
            _l("period"),
            ["Periodo", "Período", "Mes", "Month"],
            parser=_period,
            required=True,
        ),
        Field("activity", _l("activity"), ["Actividad"], required=True),
        Field(
            "count",
            _l("count"),
            ["Cantidad", "Veces", "N°", "Número", "Count", "Times"],
            parser=_non_negative_in(ActivityRecord, "count"),
            required=True,
        ),
        Field(
            "minutes",
            _l("minutes"),
            ["Minutos", "Minutos por vez", "Duración", "Minutes"],
            parser=_non_negative_in(ActivityRecord, "minutes"),
        ),
        Field(
            "note",
            _l("note"),
            ["Nota", "Notas", "Comentario"],
            max_length=300,
            parser=parse_long_text,
        ),
    ]

    def prepare(self, ctx: ImportContext) -> None:
        customer_index(ctx)
        ctx.cache["types"] = {fold(a.name): a for a in ActivityType.objects.all()}
        ctx.cache["base"] = _base()

    def clean(self, row: dict[str, Any], ctx: ImportContext) -> dict[str, Any]:
        row["customer_id"] = self._customer(row, ctx)
        period = Period.parse(row.pop("period"))
        if period.kind != "month":
            raise RowError(
                _("Give a month, e.g. 2025-07: cost to serve is recorded per month."), "period"
            )
        activity = ctx.cache["types"].get(fold(row.pop("activity")))
        if activity is None:
            raise RowError(
                _(
                    "No activity of that name: define it first (kamp import "
                    "activity-types, or Economics → Settings)."
                ),
                "activity",
            )
        minutes = row.get("minutes")
        if activity.driver == Driver.MINUTE and not minutes:
            raise RowError(
                _("“%(activity)s” is costed per minute: give the minutes per occurrence.")
                % {"activity": activity.name},
                "minutes",
            )
        cost = activity.cost(row["count"], minutes)
        # Computed from the count: a large count times the rate may not fit its column either.
        digits, places = column_limits(ActivityRecord, "cost")
        if abs(cost) >= Decimal(10) ** (digits - places):
            raise RowError(_("The cost of so many occurrences is too large."), "count")
        return {
            "customer_id": row["customer_id"],
            "activity_id": activity.pk,
            "month": period.start,
            "count": row["count"],
            "minutes": minutes if activity.driver == Driver.MINUTE else None,
            "cost": cost,
            "currency": activity.currency or ctx.cache["base"],
            "note": row.get("note", ""),
        }

    def write(self, rows: list[dict[str, Any]], ctx: ImportContext) -> None:
        ActivityRecord.objects.bulk_create(
            [
                ActivityRecord(
                    import_batch=ctx.batch, **{k: v for k, v in r.items() if k[0] != "_"}
                )
                for r in rows
            ],
            batch_size=1000,
        )
        ctx.created += len(rows)


@register
class InvestmentImport(_EconomicsKind):
    name = "investments"
    label = _l("KAM investments")
    description = _l(
        "Investments in KAM: customer, date, kind (people, competences, "
        "sponsorship, tailored_offer, technology_channels, sales_structure), amount, "
        "currency, note. An empty customer is a programme-wide investment, "
        "allocated to the key accounts by the allocation column (equal, revenue, "
        "kam_time)."
    )
    models = [Investment]
    fields = [
        Field("customer", _l("customer"), CUSTOMER.aliases),
        Field("date", _l("date"), ["Fecha"], parser=parse_date, required=True),
        Field(
            "kind",
            _l("kind"),
            ["Tipo", "Tipo de inversión", "Clase", "Type"],
            parser=choice_parser(InvestmentKind.choices, KIND_ES),
            required=True,
        ),
        Field(
            "amount",
            _l("amount"),
            ["Monto", "Importe", "Costo", "Amount", "Cost"],
            parser=_amount,
            required=True,
        ),
        Field("currency", _l("currency"), ["Moneda", "Divisa"], parser=parse_currency),
        Field(
            "note",
            _l("note"),
            ["Nota", "Notas", "Glosa", "Comentario"],
            max_length=500,
            parser=parse_long_text,
        ),
        Field(
            "allocation",
            _l("allocation rule"),
            ["Asignación", "Regla de asignación", "Allocation"],
            parser=choice_parser(AllocationRule.choices, RULE_ES),
        ),
    ]

    def prepare(self, ctx: ImportContext) -> None:
        customer_index(ctx)
        ctx.cache["currency"] = dict(
            Customer.objects.exclude(currency="").values_list("pk", "currency")
        )
        ctx.cache["base"] = _base()
        ctx.cache["has_keys"] = Customer.objects.filter(status=CustomerStatus.KEY_ACCOUNT).exists()

    def clean(self, row: dict[str, Any], ctx: ImportContext) -> dict[str, Any]:
        if row.get("customer"):
            row["customer_id"] = self._customer(row, ctx)
            if row.pop("allocation", None):
                raise RowError(
                    _(
                        "An allocation rule is only for programme-wide investments "
                        "(empty customer)."
                    ),
                    "allocation",
                )
            row["allocation"] = ""
        else:
            row.pop("customer", None)
            user = ctx.user
            if user is not None and not user.manages_programme:
                raise RowError(
                    _(
                        "Only a director or an admin records programme-wide "
                        "investments: give the customer."
                    ),
                    "customer",
                )
            if not ctx.cache["has_keys"]:
                raise RowError(
                    _("There are no key accounts to allocate a programme-wide investment to."),
                    "customer",
                )
            row["customer_id"] = None
            row["allocation"] = row.get("allocation") or AllocationRule.EQUAL
        row.setdefault(
            "currency", ctx.cache["currency"].get(row["customer_id"]) or ctx.cache["base"]
        )
        row["currency"] = row["currency"].upper()
        row["amount"] = _in_unit(row, "amount")
        row.setdefault("note", "")
        return row

    def write(self, rows: list[dict[str, Any]], ctx: ImportContext) -> None:
        objs = Investment.objects.bulk_create(
            [
                Investment(import_batch=ctx.batch, **{k: v for k, v in r.items() if k[0] != "_"})
                for r in rows
            ],
            batch_size=1000,
        )
        InvestmentAllocation.objects.bulk_create(
            [
                InvestmentAllocation(
                    investment=o,
                    customer_id=o.customer_id,
                    amount=o.amount,
                    currency=o.currency,
                    date=o.date,
                )
                for o in objs
                if o.customer_id
            ],
            batch_size=1000,
        )
        ctx.cache.setdefault("programme", []).extend(o for o in objs if not o.customer_id)
        ctx.created += len(objs)

    def finish(self, ctx: ImportContext) -> None:
        # Programme-wide investments are few: each is allocated like one entered by hand.
        for investment in ctx.cache.get("programme", []):
            actions._allocate(investment)


@register
class CategorySpendImport(_EconomicsKind):
    name = "category-spend"
    label = _l("Category spend")
    description = _l(
        "The customer's estimated total spend in our category: customer, period "
        "(2025, 2025-Q3 or 2025-07), amount, currency. A new estimate for the same "
        "customer and period replaces the old one."
    )
    models = [CategorySpend]
    fields = [
        CUSTOMER,
        Field(
            "period",
            _l("period"),
            ["Periodo", "Período", "Año", "Year"],
            parser=_period,
            required=True,
        ),
        Field(
            "amount",
            _l("amount"),
            [
                "Monto",
                "Gasto",
                "Gasto en la categoría",
                "Gasto estimado",
                "Spend",
                "Category spend",
            ],
            parser=_non_negative,
            required=True,
        ),
        Field("currency", _l("currency"), ["Moneda", "Divisa"], parser=parse_currency),
        Field(
            "note", _l("note"), ["Nota", "Fuente", "Source"], max_length=300, parser=parse_long_text
        ),
    ]

    def prepare(self, ctx: ImportContext) -> None:
        customer_index(ctx)
        ctx.cache["currency"] = dict(
            Customer.objects.exclude(currency="").values_list("pk", "currency")
        )
        ctx.cache["base"] = _base()
        ctx.cache["seen"] = {}

    def clean(self, row: dict[str, Any], ctx: ImportContext) -> dict[str, Any]:
        cid = self._customer(row, ctx)
        period = Period.parse(row.pop("period"))
        first = ctx.cache["seen"].setdefault((cid, str(period)), ctx.line)
        if first != ctx.line:
            raise RowError(
                _("This customer and period are already on line %(line)s.") % {"line": first},
                "period",
            )
        currency = (
            row.get("currency") or ctx.cache["currency"].get(cid) or ctx.cache["base"]
        ).upper()
        return {
            "customer_id": cid,
            "period": str(period),
            "first_month": period.start,
            "months": period.months,
            "amount": _in_unit({"amount": row["amount"], "currency": currency}, "amount"),
            "currency": currency,
            "note": row.get("note", ""),
        }

    def write(self, rows: list[dict[str, Any]], ctx: ImportContext) -> None:
        existing = {
            (o.customer_id, o.period): o
            for o in CategorySpend.objects.filter(customer_id__in={r["customer_id"] for r in rows})
        }
        new, old = [], []
        for r in rows:
            values = {k: v for k, v in r.items() if k[0] != "_"}
            obj = existing.get((values["customer_id"], values["period"]))
            if obj is None:
                new.append(CategorySpend(import_batch=ctx.batch, **values))
            else:
                old.append((obj, values))
        CategorySpend.objects.bulk_create(new, batch_size=1000)
        ctx.created += len(new)
        if old:
            fields = ["amount", "currency", "note"]
            ctx.remember([o for o, _v in old], fields)
            for obj, values in old:
                for k in fields:
                    setattr(obj, k, values[k])
            CategorySpend.objects.bulk_update([o for o, _v in old], fields)
            ctx.updated += len(old)


__all__ = ["ActivityImport", "ActivityTypeImport", "CategorySpendImport", "InvestmentImport"]
