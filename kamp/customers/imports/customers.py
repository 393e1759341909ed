"""Import of customers: matched by tax id (by its country's rule), then external id, and a row
with neither by the exact name; parent by tax id or name (also a customer further down the same
file); owner by the KAM's e-mail."""

from __future__ import annotations

import functools
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kamp.core.choices import Role
from kamp.core.imports import (
    Field,
    ImportContext,
    ImportKind,
    ParseError,
    RowError,
    choice_parser,
    fold,
    parse_long_text,
    register,
)
from kamp.core.models import User

from ..models import Customer, CustomerSize, CustomerStatus
from ..validators import normalise_tax_id
from .lookup import check_may_edit, customer_index, tax_key

SIZE_ES = {
    "micro": ["Micro", "Microempresa"],
    "small": ["Pequeña", "Pequeña empresa", "Pyme"],
    "medium": ["Mediana", "Mediana empresa"],
    "large": ["Grande", "Gran empresa"],
    "enterprise": ["Corporativo", "Multinacional", "Corporación", "Enterprise"],
}
STATUS_ES = {
    "candidate": ["Candidato", "Candidata", "Prospecto"],
    "key_account": ["Cuenta clave", "Cuenta clave KAM", "KAM", "Clave", "Key"],
    "former": ["Ex cuenta clave", "Excuenta clave", "Antigua cuenta clave", "Former"],
}


@functools.cache
def _country_names() -> dict[str, str]:
    """Folded country name, in English or Spanish (Babel's CLDR names) → ISO code: a CRM
    writes "Chile", "Brazil", "México" where kamp keeps CL, BR, MX."""
    from babel import Locale

    names: dict[str, str] = {}
    for lang in ("en", "es"):
        for code, name in Locale(lang).territories.items():
            if len(code) == 2 and code.isalpha():
                names.setdefault(fold(name), code)
    names.update({"usa": "US", "united states of america": "US", "eeuu": "US", "uk": "GB"})
    return names


def parse_country(value: Any, decimal: str | None = None) -> str:
    text = str(value).strip().upper()
    if len(text) == 2 and text.isalpha():
        return text
    code = _country_names().get(fold(text))
    if code is None:
        raise ParseError("“%(value)s” is not a two-letter country code (e.g. CL).", value=value)
    return code


def parse_currency(value: Any, decimal: str | None = None) -> str:
    if value.__class__ is str and len(value) == 3 and value.isupper() and value.isalpha():
        return value
    text = str(value).strip().upper()
    if len(text) != 3 or not text.isalpha():
        raise ParseError("“%(value)s” is not a three-letter currency code (e.g. CLP).", value=value)
    return text


# Fields a re-import may change on an existing customer (tax id and external id identify it).
UPDATABLE = [
    "name",
    "tax_id",
    "external_id",
    "industry",
    "region",
    "country",
    "size",
    "currency",
    "status",
    "owner",
    "address",
    "notes",
]


@register
class CustomerImport(ImportKind):
    name = "customers"
    order = 10
    label = gettext_lazy("Customers")
    description = gettext_lazy(
        "Customers matched by tax id, then external id: new ones are created, known ones updated."
    )
    models = [Customer]
    batch_size = 1000
    fields = [
        Field(
            "tax_id",
            gettext_lazy("tax id"),
            [
                "RUT",
                "RUT cliente",
                "NIT",
                "CUIT",
                "RFC",
                "RUC",
                "VAT",
                "Tax ID",
                "Identificación fiscal",
                "ID fiscal",
            ],
            max_length=40,
        ),
        Field(
            "external_id",
            gettext_lazy("external id"),
            [
                "Código",
                "Código cliente",
                "Cod cliente",
                "ID cliente",
                "ID externo",
                "Customer code",
                "Customer ID",
                "ERP ID",
                "Code",
            ],
            max_length=60,
        ),
        Field(
            "name",
            gettext_lazy("name"),
            [
                "Razón social",
                "Nombre",
                "Cliente",
                "Nombre cliente",
                "Empresa",
                "Customer",
                "Company",
                "Company name",
                "Customer name",
            ],
            required=True,
            max_length=200,
        ),
        Field(
            "industry",
            gettext_lazy("industry"),
            ["Industria", "Rubro", "Sector", "Giro"],
            max_length=100,
        ),
        Field(
            "region", gettext_lazy("region"), ["Región", "Zona", "Area geográfica"], max_length=100
        ),
        Field(
            "country",
            gettext_lazy("country"),
            ["País", "Pais", "Country code"],
            parser=parse_country,
        ),
        Field(
            "size",
            gettext_lazy("size"),
            ["Tamaño", "Tamaño empresa", "Company size"],
            parser=choice_parser(CustomerSize.choices, SIZE_ES),
        ),
        Field("currency", gettext_lazy("currency"), ["Moneda", "Divisa"], parser=parse_currency),
        Field(
            "parent",
            gettext_lazy("parent company"),
            [
                "Matriz",
                "Empresa matriz",
                "Grupo",
                "Holding",
                "Parent",
                "Parent company",
                "RUT matriz",
            ],
        ),
        Field(
            "status",
            gettext_lazy("status"),
            ["Estado", "Estado KAM", "Status"],
            parser=choice_parser(CustomerStatus.choices, STATUS_ES),
        ),
        Field(
            "owner",
            gettext_lazy("key account manager"),
            [
                "KAM",
                "Email KAM",
                "Correo KAM",
                "KAM email",
                "Ejecutivo",
                "Responsable",
                "Owner",
                "Account manager",
            ],
        ),
        Field(
            "address",
            gettext_lazy("address"),
            ["Dirección", "Direccion", "Domicilio", "Address", "Billing Address"],
            parser=parse_long_text,  # a street on one line and the city on the next
            max_length=500,
        ),
        Field(
            "notes",
            gettext_lazy("notes"),
            ["Notas", "Observaciones", "Comentarios", "Notes"],
            parser=parse_long_text,  # a CRM's notes keep their lines
        ),
    ]

    example = {
        "tax_id": "76.123.456-0",
        "external_id": "C-0042",
        "name": "Constructora Andes SpA",
        "industry": "Construcción",
        "region": "Metropolitana",
        "country": "CL",
        "size": "Grande",
        "currency": "CLP",
        "parent": "",
        "status": "Cuenta clave",
        "owner": "ana@example.com",
        "address": "Av. Apoquindo 3000, Las Condes",
        "notes": "",
    }

    def prepare(self, ctx: ImportContext) -> None:
        customer_index(ctx)
        ctx.cache["owners"] = {
            email.lower(): pk
            for pk, email in User.objects.filter(
                is_active=True,
                role__in=[Role.KAM, Role.DIRECTOR, Role.ADMIN],
            ).values_list("id", "email")
        }
        ctx.cache["seen"] = {}  # key → first line, for duplicates within the file
        ctx.cache["file_names"] = {}
        ctx.cache["file_taxes"] = {}
        ctx.cache["parent_refs"] = []  # (line, ref) to check against the whole file
        ctx.cache["by_name"] = []  # lines matched to a customer by its name alone

    def clean(self, row: dict[str, Any], ctx: ImportContext) -> dict[str, Any]:
        index = customer_index(ctx)
        seen = ctx.cache["seen"]
        pk = None
        key = tax_key(row.get("tax_id", ""))
        ext = row.get("external_id", "").strip().lower()
        if key:
            pk = index.by_tax.get(key)
        if "tax_id" in row:
            # The id by the rule of the customer's country (the file's, else the one kamp
            # knows for it, else Chile's), then found by that canonical form: a CUIT typed
            # 20267565393 finds the customer kept as 20-26756539-3.
            country = row.get("country") or (index.country.get(pk) if pk else None) or "CL"
            try:
                row["tax_id"] = normalise_tax_id(row["tax_id"], country)
            except ValidationError as exc:
                raise RowError(" ".join(exc.messages), "tax_id") from None
            key = tax_key(row["tax_id"])
            pk = index.by_tax.get(key) or pk
        if ext:
            by_ext = index.by_external.get(ext)
            if pk and by_ext and by_ext != pk:
                raise RowError(
                    _("Tax id and external id belong to two different customers."), "external_id"
                )
            pk = pk or by_ext
        if pk:
            check_may_edit(ctx, pk, "tax_id" if key else "external_id")
        elif not key and not ext:
            # Without a tax id or an external id, the exact name (case, accents and spacing
            # aside) is what says it is the same company: a re-import updates it.
            pk = index.by_exact_name(row["name"])
            if pk:
                check_may_edit(ctx, pk, "name")
                ctx.cache["by_name"].append(ctx.line)
        keys = [("tax", key), ("ext", ext)] if key or ext else [("name", fold(row["name"]))]
        for what, value in keys:
            if value:
                first = seen.setdefault((what, value), ctx.line)
                if first != ctx.line:
                    raise RowError(
                        _("The same customer is already on line %(line)s.") % {"line": first},
                        {"tax": "tax_id", "ext": "external_id"}.get(what, "name"),
                    )
        if "owner" in row:
            owner = ctx.cache["owners"].get(row["owner"].strip().lower())
            if owner is None:
                raise RowError(
                    _("No active KAM, director or admin with e-mail “%(email)s”.")
                    % {"email": row["owner"]},
                    "owner",
                )
            _check_owner(ctx, pk, owner)
            row["owner_id"] = owner
            del row["owner"]
        if "status" in row:
            _check_status(ctx, pk, row["status"])
        if "parent" in row:
            ref = row.pop("parent")
            if (key and tax_key(ref) == key) or fold(ref) == fold(row["name"]):
                raise RowError(_("A company cannot be its own parent."), "parent")
            row["_parent"] = ref
            try:
                found = index.find(ref)
            except RowError as exc:
                raise RowError(exc.message, "parent") from None
            if found is None:
                ctx.cache["parent_refs"].append((ctx.line, ref))
        ctx.cache["file_names"][fold(row["name"])] = True
        if ext:
            ctx.cache["file_names"][fold(ext)] = True
        if key:
            ctx.cache["file_taxes"][key] = True
        row["_id"] = pk
        return row

    def after_validation(self, ctx: ImportContext) -> None:
        lines = ctx.cache["by_name"]
        if lines:
            # The report says which rows found their customer by name alone (no tax id or
            # external id to go by), so whoever imports can check them.
            ctx.batch.options["matched_by_name"] = {"count": len(lines), "lines": lines[:1000]}
        # A parent that is not in the database must be a customer of this file.
        names, taxes = ctx.cache["file_names"], ctx.cache["file_taxes"]
        for line, ref in ctx.cache["parent_refs"]:
            if tax_key(ref) not in taxes and fold(ref) not in names:
                ctx.add_error(
                    line,
                    _("No customer with tax id or name “%(ref)s”, in kamp or in this file.")
                    % {"ref": ref},
                    "parent",
                )

    def write(self, rows: list[dict[str, Any]], ctx: ImportContext) -> None:
        index = customer_index(ctx)
        new = [r for r in rows if not r["_id"]]
        old = [r for r in rows if r["_id"]]
        objs = [Customer(import_batch=ctx.batch, **_values(r)) for r in new]
        Customer.objects.bulk_create(objs, batch_size=500)
        for obj, r in zip(objs, new, strict=False):
            index.add(obj.pk, obj.tax_id, obj.external_id, obj.name, obj.country)
            if "_parent" in r:
                ctx.cache.setdefault("parents", []).append((obj.pk, r["_parent"]))
        ctx.created += len(objs)
        if old:
            existing = Customer.objects.in_bulk([r["_id"] for r in old])
            changed_fields: set[str] = set()
            for r in old:
                changed_fields.update(_values(r))
                if "_parent" in r:
                    changed_fields.add("parent_id")
            fields = sorted(changed_fields)
            objs = [existing[r["_id"]] for r in old]
            ctx.remember(objs, fields)
            now = timezone.now()
            handovers = []
            for obj, r in zip(objs, old, strict=False):
                values = _values(r)
                new_owner = values.pop("owner_id", obj.owner_id)
                if new_owner != obj.owner_id:
                    handovers.append((obj.pk, new_owner))
                for k, v in values.items():
                    setattr(obj, k, v)
                obj.updated_at = now
                index.add(obj.pk, obj.tax_id, obj.external_id, obj.name, obj.country)
                if "_parent" in r:
                    ctx.cache.setdefault("parents", []).append((obj.pk, r["_parent"]))
            Customer.objects.bulk_update(
                objs,
                [f for f in fields if f not in ("parent_id", "owner_id")] + ["updated_at"],
                batch_size=500,
            )
            _hand_over(ctx, handovers)
            ctx.updated += len(objs)

    def finish(self, ctx: ImportContext) -> None:
        index = customer_index(ctx)
        pending = ctx.cache.get("parents", [])
        for start in range(0, len(pending), 1000):
            part = pending[start : start + 1000]
            objs = Customer.objects.in_bulk([pk for pk, _ref in part])
            out = []
            for pk, ref in part:
                obj = objs[pk]
                obj.parent_id = index.resolve(ref, "parent")
                out.append(obj)
            Customer.objects.bulk_update(out, ["parent"], batch_size=500)
        if pending:
            # A company whose parent changed may have moved between groups (docs/groups.md).
            from kamp.customers import membership

            membership.sync([pk for pk, _ref in pending])


def _hand_over(ctx: ImportContext, handovers: list[tuple[int, int]]) -> None:
    """An owner that changes goes through the hand-over action, as on the pages: checked by the
    ownership rule, kept in the account's ownership history and audited. (The batch remembered
    the previous owner, so a revert restores it.)"""
    if not handovers:
        return
    from kamp.team.actions import do_change_owner

    customers = Customer.objects.in_bulk([pk for pk, _owner in handovers])
    owners = User.objects.in_bulk([owner for _pk, owner in handovers])
    for pk, owner in handovers:
        do_change_owner(ctx.user, customers[pk], owners[owner], reason=_("Customers import"))


def _current(ctx: ImportContext, pk: int) -> tuple[int | None, str]:
    """The owner id and status a customer has now (read once, only for files that carry them)."""
    if "current" not in ctx.cache:
        ctx.cache["current"] = {
            cid: (owner_id, status)
            for cid, owner_id, status in Customer.objects.values_list("id", "owner_id", "status")
        }
    return ctx.cache["current"].get(pk, (None, CustomerStatus.CANDIDATE))


def _check_owner(ctx: ImportContext, pk: int | None, owner_id: int) -> None:
    """The ownership rule, row by row, as on the pages: a director or an admin names anyone, a
    KAM's new customers are theirs, and an account changes hands only when its owning KAM hands
    it over (the command line, run by the server's administrator, has no user and no limit)."""
    user = ctx.user
    if user is None or user.manages_programme:
        return
    if pk is None:
        if owner_id != user.pk:
            raise RowError(
                _("Only a director or an admin assigns a new customer to someone else."), "owner"
            )
        return
    current_owner, _status = _current(ctx, pk)
    if owner_id != current_owner and current_owner != user.pk:
        raise RowError(
            _(
                "You may not change this customer's key account manager: only a director, an "
                "admin or the owning KAM hands an account over."
            ),
            "owner",
        )


def _check_status(ctx: ImportContext, pk: int | None, status: str) -> None:
    """The status changes by a selection decision, never by an import; a new customer comes in
    as a candidate, except when a director or an admin loads an existing programme."""
    if pk is None:
        user = ctx.user
        if status != CustomerStatus.CANDIDATE and user is not None and not user.manages_programme:
            raise RowError(
                _("A new customer is a candidate; a selection decision makes it a key account."),
                "status",
            )
        return
    if status != _current(ctx, pk)[1]:
        raise RowError(
            _(
                "The status changes only through a selection decision (the customer's "
                "Selection tab), not by an import."
            ),
            "status",
        )


def _values(row: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in row.items() if not k.startswith("_")}
