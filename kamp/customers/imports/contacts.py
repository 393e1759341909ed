"""Import of the customer's people: customer by tax id, external id or exact name; a contact is
matched within its customer by e-mail, then by name; reports-to by name or e-mail, also a
contact further down the same file."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kamp.core.choices import Function
from kamp.core.imports import (
    Field,
    ImportContext,
    ImportKind,
    ParseError,
    RowError,
    choice_parser,
    fold,
    list_parser,
    parse_bool,
    parse_int,
    register,
)

from ..models import Attitude, Contact, DMURole, Seniority
from .lookup import check_may_edit, customer_index

FUNCTION_ES = {
    "sales": ["Ventas", "Comercial"],
    "purchasing": ["Compras", "Abastecimiento", "Adquisiciones"],
    "logistics": ["Logística", "Distribución"],
    "finance": ["Finanzas", "Contabilidad"],
    "operations": ["Operaciones", "Producción"],
    "quality": ["Calidad"],
    "engineering": ["Ingeniería", "I+D", "Ingeniería / I+D", "R&D", "Engineering"],
    "it": ["TI", "Informática", "Sistemas", "Tecnología"],
    "marketing": ["Marketing", "Mercadeo"],
    "management": ["Gerencia", "Dirección", "Gerencia general", "Alta dirección"],
    "other": ["Otro", "Otra", "Otros"],
}
SENIORITY_ES = {
    "executive": ["Ejecutivo", "Alta dirección", "C-level", "Gerente general", "Directivo"],
    "senior": ["Gerente", "Gerente senior", "Senior"],
    "middle": ["Jefatura", "Mando medio", "Jefe"],
    "staff": ["Profesional", "Analista", "Staff", "Operativo"],
}
DMU_ES = {
    "user": ["Usuario"],
    "influencer": ["Influenciador", "Influyente", "Prescriptor"],
    "buyer": ["Comprador"],
    "decider": ["Decisor", "Decide"],
    "gatekeeper": ["Guardián", "Filtro"],
    "initiator": ["Iniciador"],
    "champion": ["Campeón", "Promotor"],
}
ATTITUDE_ES = {
    "champion": ["Campeón", "Promotor"],
    "supporter": ["Partidario", "Aliado", "Favorable"],
    "neutral": ["Neutral", "Neutro"],
    "critic": ["Crítico"],
    "opponent": ["Opositor", "Detractor"],
}


def parse_influence(value: Any, decimal: str | None = None) -> int:
    n = parse_int(value, decimal)
    if not 1 <= n <= 5:
        raise ParseError("Influence goes from 1 to 5, not %(value)s.", value=value)
    return n


def parse_email(value: Any, decimal: str | None = None) -> str:
    text = str(value).strip().lower()
    try:
        validate_email(text)
    except ValidationError:
        raise ParseError("“%(value)s” is not an e-mail address.", value=value) from None
    return text


def _person_keys(customer_id: int, name: str, email: str) -> list[tuple[int, str]]:
    keys = [(customer_id, "n:" + fold(name))]
    if email:
        keys.insert(0, (customer_id, "e:" + email.lower()))
    return keys


@register
class ContactImport(ImportKind):
    name = "contacts"
    order = 20
    label = gettext_lazy("Contacts")
    description = gettext_lazy(
        "The customers' people, matched within each customer by e-mail, then name."
    )
    models = [Contact]
    batch_size = 1000
    fields = [
        Field(
            "customer",
            gettext_lazy("customer"),
            [
                "Cliente",
                "Empresa",
                "Cuenta",
                "RUT",
                "RUT cliente",
                "Razón social",
                "Customer",
                "Company",
                "Account",
            ],
            required=True,
        ),
        Field(
            "name",
            gettext_lazy("name"),
            [
                "Nombre",
                "Contacto",
                "Nombre contacto",
                "Nombre completo",
                "Name",
                "Full name",
                "Contact",
            ],
            required=True,
            max_length=200,
        ),
        Field(
            "title",
            gettext_lazy("title"),
            ["Cargo", "Puesto", "Title", "Job title", "Position"],
            max_length=200,
        ),
        Field(
            "function",
            gettext_lazy("function"),
            ["Función", "Área", "Departamento", "Department"],
            parser=choice_parser(Function.choices, FUNCTION_ES),
        ),
        Field(
            "seniority",
            gettext_lazy("seniority"),
            ["Nivel", "Jerarquía", "Seniority", "Level"],
            parser=choice_parser(Seniority.choices, SENIORITY_ES),
        ),
        Field(
            "dmu_roles",
            gettext_lazy("DMU roles"),
            ["Roles DMU", "Rol DMU", "Roles", "Rol", "DMU", "Buying roles", "Buying role", "Role"],
            parser=list_parser(choice_parser(DMURole.choices, DMU_ES)),
        ),
        Field(
            "reports_to",
            gettext_lazy("reports to"),
            ["Reporta a", "Jefe directo", "Jefe", "Superior", "Reports to", "Manager"],
        ),
        Field(
            "attitude",
            gettext_lazy("attitude toward us"),
            ["Actitud", "Attitude", "Postura"],
            parser=choice_parser(Attitude.choices, ATTITUDE_ES),
        ),
        Field(
            "influence",
            gettext_lazy("influence"),
            ["Influencia", "Influence", "Poder"],
            parser=parse_influence,
        ),
        Field(
            "email",
            gettext_lazy("e-mail"),
            ["Correo", "Correo electrónico", "Email", "Mail", "E-mail"],
            parser=parse_email,
        ),
        Field(
            "phone",
            gettext_lazy("phone"),
            ["Teléfono", "Fono", "Celular", "Móvil", "Phone", "Mobile"],
            max_length=40,
        ),
        Field(
            "active",
            gettext_lazy("still at the company"),
            ["Activo", "Vigente", "Active"],
            parser=parse_bool,
        ),
    ]

    example = {
        "customer": "76.123.456-0",
        "name": "María González",
        "title": "Gerente de finanzas",
        "function": "Finanzas",
        "seniority": "Gerente",
        "dmu_roles": "Decisor|Influenciador",
        "reports_to": "Andrés Silva",
        "attitude": "Partidario",
        "influence": "5",
        "email": "maria.gonzalez@andes.cl",
        "phone": "+56 2 2345 6789",
        "active": "sí",
    }

    def prepare(self, ctx: ImportContext) -> None:
        customer_index(ctx)
        ctx.cache["people"] = {}  # (customer, key) → line, for the file's own people
        ctx.cache["refs"] = []  # (line, customer, ref) to check once the whole file is read

    def clean(self, row: dict[str, Any], ctx: ImportContext) -> dict[str, Any]:
        customer_id = customer_index(ctx).resolve(row.pop("customer"))
        row["customer_id"] = customer_id
        check_may_edit(ctx, customer_id)
        people = ctx.cache["people"]
        email = row.get("email", "")
        if email:
            first = people.get((customer_id, "e:" + email))
            if first:
                raise RowError(
                    _("The same contact is already on line %(line)s.") % {"line": first}, "email"
                )
        for key in _person_keys(customer_id, row["name"], email):
            people.setdefault(key, ctx.line)
        if "reports_to" in row:
            ref = row["reports_to"]
            if fold(ref) == fold(row["name"]) or (email and ref.strip().lower() == email):
                raise RowError(_("A contact cannot report to themselves."), "reports_to")
            ctx.cache["refs"].append((ctx.line, customer_id, ref))
        return row

    def after_validation(self, ctx: ImportContext) -> None:
        people = ctx.cache["people"]
        pending = [(line, c, ref) for line, c, ref in ctx.cache["refs"] if not _in(people, c, ref)]
        known = _existing_people({c for _l, c, _r in pending})
        for line, customer_id, ref in pending:
            if not _in(known, customer_id, ref):
                ctx.add_error(
                    line,
                    _(
                        "“%(ref)s” is not a contact of this customer, in kamp or in "
                        "this file (give a name or an e-mail)."
                    )
                    % {"ref": ref},
                    "reports_to",
                )

    def write(self, rows: list[dict[str, Any]], ctx: ImportContext) -> None:
        customer_ids = {r["customer_id"] for r in rows}
        existing: dict[tuple[int, str], int] = {}
        for pk, customer_id, name, email in (
            Contact.objects.filter(customer_id__in=customer_ids)
            .order_by("-id")
            .values_list("id", "customer_id", "name", "email")
        ):
            for key in _person_keys(customer_id, name, email):
                existing[key] = pk
        # A contact created earlier in this file may be met again (same person, two lines).
        written: dict[tuple[int, str], int] = ctx.cache.setdefault("written", {})
        new_rows: list[dict[str, Any]] = []
        old_rows: list[dict[str, Any]] = []
        for r in rows:
            keys = _person_keys(r["customer_id"], r["name"], r.get("email", ""))
            found: int | None = next(
                (
                    existing.get(k) or written.get(k)
                    for k in keys
                    if existing.get(k) or written.get(k)
                ),
                None,
            )
            r["_id"] = found
            (old_rows if found else new_rows).append(r)
        objs = [Contact(import_batch=ctx.batch, **_values(r)) for r in new_rows]
        Contact.objects.bulk_create(objs, batch_size=500)
        ctx.created += len(objs)
        pairs = list(zip(objs, new_rows, strict=False))
        if old_rows:
            by_pk = Contact.objects.in_bulk([r["_id"] for r in old_rows])
            fields = sorted(
                {k for r in old_rows for k in _values(r)} - {"customer_id"}
                | ({"reports_to_id"} if any("_reports_to" in r for r in old_rows) else set())
            )
            olds = [by_pk[r["_id"]] for r in old_rows]
            ctx.remember(olds, fields)
            now = timezone.now()
            for obj, r in zip(olds, old_rows, strict=False):
                for k, v in _values(r).items():
                    setattr(obj, k, v)
                if obj.active:
                    obj.left_on = None
                obj.updated_at = now
            Contact.objects.bulk_update(
                olds,
                [f for f in fields if f != "reports_to_id"] + ["updated_at", "left_on"],
                batch_size=500,
            )
            ctx.updated += len(olds)
            pairs += list(zip(olds, old_rows, strict=False))
        for obj, r in pairs:
            for key in _person_keys(obj.customer_id, obj.name, obj.email):
                written[key] = obj.pk
            if "_reports_to" in r:
                ctx.cache.setdefault("links", []).append(
                    (obj.pk, obj.customer_id, r["_reports_to"])
                )

    def finish(self, ctx: ImportContext) -> None:
        links = ctx.cache.get("links", [])
        if not links:
            return
        written = ctx.cache.get("written", {})
        known = _existing_people({c for _pk, c, _ref in links})
        for start in range(0, len(links), 1000):
            part = links[start : start + 1000]
            objs = Contact.objects.in_bulk([pk for pk, _c, _r in part])
            out = []
            for pk, customer_id, ref in part:
                target = _lookup(written, customer_id, ref) or _lookup(known, customer_id, ref)
                if target and target != pk:
                    objs[pk].reports_to_id = target
                    out.append(objs[pk])
            Contact.objects.bulk_update(out, ["reports_to"], batch_size=500)


def _values(row: dict[str, Any]) -> dict[str, Any]:
    out = {k: v for k, v in row.items() if not k.startswith("_")}
    if "reports_to" in out:
        row["_reports_to"] = out.pop("reports_to")
    return out


def _lookup(people: dict, customer_id: int, ref: str) -> Any:
    return people.get((customer_id, "e:" + ref.strip().lower())) or people.get(
        (customer_id, "n:" + fold(ref))
    )


def _in(people: dict, customer_id: int, ref: str) -> bool:
    return _lookup(people, customer_id, ref) is not None


def _existing_people(customer_ids: set[int]) -> dict[tuple[int, str], int]:
    known: dict[tuple[int, str], int] = {}
    ids = sorted(customer_ids)
    for start in range(0, len(ids), 500):
        for pk, customer_id, name, email in Contact.objects.filter(
            customer_id__in=ids[start : start + 500]
        ).values_list("id", "customer_id", "name", "email"):
            for key in _person_keys(customer_id, name, email):
                known[key] = pk
    return known
