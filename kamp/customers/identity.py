"""One customer identity in every machine output, and one way to name a customer on input.

Every JSON and TSV output of the ``kamp`` commands and every API object that names a customer
carries the same four fields — kamp's ``id``, the ``tax_id``, the ``external_id`` (the code in
the ERP or CRM) and the ``name`` — so that a script joins on whichever it keeps. In JSON they
are a nested ``"customer"`` object; in TSV the first four columns, headed ``id tax_id
external_id name``. On input, every ``--customer`` accepts any of kamp's id, the tax id (with or
without dots and dash) or the external id: :func:`resolve_customer`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any, Protocol

from django.core.management.base import CommandError
from django.db.models import QuerySet, Value
from django.db.models.functions import Replace, Upper
from ninja import Schema

from .models import Customer

REF_FIELDS = ("id", "tax_id", "external_id", "name")
TSV_HEADER = list(REF_FIELDS)

# Above this many ids one read of the whole table beats a long IN list (SQLite caps the number
# of parameters of a statement).
_IN_LIMIT = 900
_PUNCTUATION = re.compile(r"[\s.\-]")
_PREFIXES = {"id": "id", "tax_id": "tax_id", "tax": "tax_id", "external_id": "external_id"}


class CustomerRef(Schema):
    """How the API names a customer in every object that refers to one."""

    id: int
    tax_id: str
    external_id: str
    name: str


class Identified(Protocol):
    """Anything that carries a customer's identity: the model, or a lighter record of it (the
    KAM profiles' key accounts)."""

    pk: Any
    tax_id: str
    external_id: str
    name: str


def customer_ref(customer: Customer | Identified) -> dict:
    """``{"id", "tax_id", "external_id", "name"}`` of one customer."""
    return {
        "id": customer.pk,
        "tax_id": customer.tax_id,
        "external_id": customer.external_id,
        "name": customer.name,
    }


def customer_refs(ids: Iterable[int]) -> dict[int, dict]:
    """The identity of each customer in ``ids``, in one query."""
    wanted = set(ids)
    if not wanted:
        return {}
    qs = Customer.objects.order_by()
    if len(wanted) <= _IN_LIMIT:
        qs = qs.filter(pk__in=wanted)
    return {
        pk: {"id": pk, "tax_id": tax_id, "external_id": external_id, "name": name}
        for pk, tax_id, external_id, name in qs.values_list("pk", "tax_id", "external_id", "name")
        if pk in wanted
    }


def tsv_fields(ref: dict) -> list[str]:
    """The four identity columns of a TSV row (tabs and line breaks in a name would break it)."""
    return [str(ref[k]).replace("\t", " ").replace("\n", " ") for k in REF_FIELDS]


def _tax_key(text: str) -> str:
    return _PUNCTUATION.sub("", text).upper()


def _describe(c: Customer) -> str:
    return f"{c.pk} ({c.name}; tax id {c.tax_id or '-'}; external id {c.external_id or '-'})"


def resolve_customer(text: str, user=None) -> Customer:
    """The one customer that ``text`` names: kamp's id, a tax id with or without dots and dash
    (``76.123.456-0``, ``76123456-0``, ``761234560``) or an external id.

    A prefix ``id:``, ``tax_id:`` or ``external_id:`` says which one is meant, for a text that
    names different customers in different ways (a number that is one customer's id and
    another's external id). With ``user``, only the customers that person may read are
    considered. Raises :class:`CommandError` when none or more than one match.
    """
    raw = (text or "").strip()
    if not raw:
        raise CommandError("An empty --customer: give an id, a tax id or an external id.")
    qs: QuerySet[Customer] = Customer.objects.all()
    if user is not None:
        from .access import customers_visible_to

        qs = customers_visible_to(user, qs)
    kinds: tuple[str, ...] = ("id", "tax_id", "external_id")
    prefix, sep, rest = raw.partition(":")
    if sep and prefix.strip().lower() in _PREFIXES:
        kinds = (_PREFIXES[prefix.strip().lower()],)
        raw = rest.strip()
    found: dict[int, Customer] = {}
    if "id" in kinds and raw.isdigit():
        found.update((c.pk, c) for c in qs.filter(pk=int(raw)))
    if "tax_id" in kinds:
        key = _tax_key(raw)
        matches = list(qs.filter(tax_id=raw))
        if not matches and key:
            # Stored tax ids keep their dots and dash (a Chilean RUT is 76.123.456-0): compare
            # both sides without them.
            bare = Replace(
                Replace(Replace(Upper("tax_id"), Value("."), Value("")), Value("-"), Value("")),
                Value(" "),
                Value(""),
            )
            matches = list(qs.exclude(tax_id="").annotate(_bare=bare).filter(_bare=key))
        found.update((c.pk, c) for c in matches)
    if "external_id" in kinds:
        found.update((c.pk, c) for c in qs.filter(external_id=raw))
    if not found:
        raise CommandError(
            f"No customer “{text}”: give kamp's id, the tax id or the external id.", returncode=2
        )
    if len(found) > 1:
        listed = "; ".join(_describe(c) for c in sorted(found.values(), key=lambda c: c.pk))
        raise CommandError(
            f"“{text}” names more than one customer: {listed}. "
            "Say which with id:, tax_id: or external_id: before it.",
            returncode=2,
        )
    return next(iter(found.values()))


def resolve_customers(texts: Iterable[str], user=None) -> list[Customer]:
    """Each ``--customer`` given, resolved, in the order given, without repeats."""
    out: dict[int, Customer] = {}
    for text in texts:
        c = resolve_customer(text, user)
        out.setdefault(c.pk, c)
    return list(out.values())
