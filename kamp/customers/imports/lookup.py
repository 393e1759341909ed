"""Finding customers from what a file says about them (tax id, external id or exact name), with
the whole map loaded once: no query per row."""

from __future__ import annotations

import re
from typing import Any

from django.utils.translation import gettext as _

from kamp.core.imports import RowError, fold

from ..models import Customer

AMBIGUOUS = -1
_TAX = re.compile(r"[^0-9A-Z]")


def tax_key(value: str) -> str:
    """'76.123.456-0', '76123456-0' and '761234560' are the same tax id."""
    return _TAX.sub("", (value or "").upper())


class CustomerIndex:
    def __init__(self) -> None:
        self.by_tax: dict[str, int] = {}
        self.exact: dict[str, int] = {}  # tax id as stored → pk: no normalising on the hot path
        self.by_external: dict[str, int] = {}
        self.by_name: dict[str, int] = {}
        self.same_name: dict[str, list[int]] = {}  # folded name → the customers sharing it
        self.country: dict[int, str] = {}
        rows = Customer.objects.values_list("id", "tax_id", "external_id", "name", "country")
        for pk, tax_id, external_id, name, country in rows.iterator(chunk_size=5000):
            self.add(pk, tax_id, external_id, name, country)

    def add(self, pk: int, tax_id: str, external_id: str, name: str, country: str = "") -> None:
        if tax_id:
            self.by_tax[tax_key(tax_id)] = pk
            self.exact[tax_id] = pk
        if external_id:
            self.by_external[external_id.strip().lower()] = pk
        if name:
            key = fold(name)
            prev = self.by_name.get(key)
            if prev is None or prev == pk:
                self.by_name[key] = pk
            else:
                group = self.same_name.setdefault(key, [prev])
                if pk not in group:
                    group.append(pk)
                self.by_name[key] = AMBIGUOUS
        if country:
            self.country[pk] = country

    def find(self, ref: str) -> int | None:
        """The customer a reference names: tax id, then external id, then exact name."""
        key = tax_key(ref)
        if key and key in self.by_tax:
            return self.by_tax[key]
        ext = ref.strip().lower()
        if ext in self.by_external:
            return self.by_external[ext]
        pk = self.by_name.get(fold(ref))
        if pk == AMBIGUOUS:
            raise RowError(
                _("Several customers are called “%(name)s”: use the tax id or the external id.")
                % {"name": ref},
                "customer",
            )
        return pk

    def by_exact_name(self, name: str, field: str = "name") -> int | None:
        """The one customer with this name (case, accents, punctuation and spacing aside), or
        ``None``; several → a RowError naming each of them, so the file can say which."""
        key = fold(name)
        pk = self.by_name.get(key)
        if pk != AMBIGUOUS:
            return pk
        candidates = [
            _("%(name)s (tax id %(tax_id)s, external id %(external_id)s, kamp id %(id)s)")
            % {
                "name": c["name"],
                "tax_id": c["tax_id"] or "—",
                "external_id": c["external_id"] or "—",
                "id": str(c["id"]),
            }
            for c in Customer.objects.filter(pk__in=self.same_name.get(key, []))
            .order_by("name", "id")
            .values("id", "name", "tax_id", "external_id")[:10]
        ]
        raise RowError(
            _(
                "Several customers are called “%(name)s”: %(candidates)s. Give the tax id or "
                "the external id of the one this row is about."
            )
            % {"name": name, "candidates": "; ".join(candidates)},
            field,
        )

    def resolve(self, ref: Any, field: str = "customer") -> int:
        pk = self.find(str(ref))
        if pk is None:
            raise RowError(
                _("No customer with tax id, external id or name “%(ref)s”.") % {"ref": ref}, field
            )
        return pk


def customer_index(ctx) -> CustomerIndex:
    if "customers" not in ctx.cache:
        ctx.cache["customers"] = CustomerIndex()
    return ctx.cache["customers"]


def load_access(ctx) -> None:
    """Load now what the access checks below look up on first use (for a ``clean`` that may
    run in a worker process, where no query may be made)."""
    user = ctx.user
    if user is None or getattr(user, "manages_programme", False):
        return
    _editable(ctx)
    _economics(ctx)


def _editable(ctx) -> set[int]:
    if "editable" not in ctx.cache:
        from ..access import customers_editable_by

        ctx.cache["editable"] = set(customers_editable_by(ctx.user).values_list("id", flat=True))
    return ctx.cache["editable"]


def _economics(ctx) -> set[int]:
    if "economics" not in ctx.cache:
        ctx.cache["economics"] = set(
            Customer.objects.filter(owner=ctx.user).values_list("id", flat=True)
        )
    return ctx.cache["economics"]


def check_may_edit(ctx, customer_id: int, field: str = "customer") -> None:
    """Someone importing from the web UI changes only the customers they may edit (the CLI,
    run by whoever administers the server, has no user and no limit)."""
    user = ctx.user
    if user is None or getattr(user, "manages_programme", False):
        return
    if customer_id not in _editable(ctx):
        raise RowError(_("You may not change this customer."), field)


def check_may_see_economics(ctx, customer_id: int, field: str = "customer") -> None:
    """Sales are money: a KAM imports them only for the accounts they own."""
    user = ctx.user
    if user is None or getattr(user, "manages_programme", False):
        return
    if customer_id not in _economics(ctx):
        raise RowError(
            _("You may not import sales of this customer (only of the accounts you own)."), field
        )
