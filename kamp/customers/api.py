"""Customers and their contacts over the REST API (``/api/v1/customers/``).

Reads go through the same access helpers as the pages; writes through the same action functions
(so they are audited). Bad input answers 4xx with a JSON body naming the field, never 500.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from ninja import Router, Schema, Status
from ninja.errors import HttpError
from pydantic import Field

from kamp.core.choices import Function, Role
from kamp.core.http import AuthenticatedHttpRequest
from kamp.core.models import User
from kamp.core.versioning import VersionConflict, parse_if_match

from . import actions, membership
from .access import (
    can_create_customer,
    can_own_accounts,
    can_see_economics,
    customers_visible_to,
    get_customer_for_user,
)
from .identity import CustomerRef, customer_ref
from .models import (
    Attitude,
    Contact,
    Customer,
    CustomerSize,
    CustomerStatus,
    DMURole,
    Seniority,
    search_customers,
)

router = Router(tags=["customers"])


class CustomerOut(Schema):
    id: int
    name: str
    tax_id: str
    external_id: str
    industry: str
    region: str
    country: str
    size: str
    currency: str
    status: str
    owner_id: int | None
    parent_id: int | None
    # The parent as every API object names a customer (null: none, or one the reader may not
    # read — the id above still says which).
    parent: CustomerRef | None
    is_group_account: bool
    # The group account it belongs to now (itself when it is one; null: no group).
    group_account_id: int | None
    group_account: CustomerRef | None
    address: str
    notes: str
    updated_at: datetime
    version: int

    @staticmethod
    def resolve_group_account_id(obj) -> int | None:
        return membership.current_group_id(obj)

    @staticmethod
    def resolve_parent(obj, context) -> dict | None:
        return _related_ref(obj, obj.parent_id, context)

    @staticmethod
    def resolve_group_account(obj, context) -> dict | None:
        return _related_ref(obj, membership.current_group_id(obj), context)


def _readable_refs(user, ids) -> dict[int, dict]:
    """``{id: customer object}`` of the customers ``ids`` that ``user`` may read, in one query."""
    wanted = {pk for pk in ids if pk is not None}
    if not wanted or user is None:
        return {}
    rows = (
        customers_visible_to(user).filter(pk__in=wanted).only("id", "tax_id", "external_id", "name")
    )
    return {c.pk: customer_ref(c) for c in rows}


def with_related_refs(user, customers: list[Customer]) -> list[Customer]:
    """The customers with their parents and group accounts named (read at once: one query for a
    whole page of the list, so its query count stays flat)."""
    refs = _readable_refs(
        user,
        {c.parent_id for c in customers}
        | ({membership.current_group_id(c) for c in customers} - {c.pk for c in customers}),
    )
    for c in customers:
        c.__dict__["_related_refs"] = refs
    return customers


def _related_ref(obj, pk: int | None, context) -> dict | None:
    if pk is None:
        return None
    if pk == obj.pk:
        return customer_ref(obj)
    refs = obj.__dict__.get("_related_refs")
    if refs is None:
        request = (context or {}).get("request")
        refs = _readable_refs(getattr(request, "user", None), [pk])
    return refs.get(pk)


class CustomerIn(Schema):
    """A new customer: only the name is required."""

    name: str = Field(min_length=1, max_length=200)
    tax_id: str = ""
    external_id: str = ""
    industry: str = ""
    region: str = ""
    country: str = "CL"
    size: str = ""
    currency: str = ""
    status: str = CustomerStatus.CANDIDATE
    owner_id: int | None = None
    parent_id: int | None = None
    is_group_account: bool = False
    address: str = Field(default="", max_length=500)
    notes: str = ""


class CustomerPatch(Schema):
    """A change: only the fields sent are changed. ``version`` (or an ``If-Match`` header) is the
    version the client read: the change is refused (409/412) when the customer has moved on. The
    owner and the status are not changed here: ``POST …/owner`` hands the account over, a
    selection decision changes the status (sending either answers 422)."""

    name: str | None = Field(default=None, min_length=1, max_length=200)
    tax_id: str | None = None
    external_id: str | None = None
    industry: str | None = None
    region: str | None = None
    country: str | None = None
    size: str | None = None
    currency: str | None = None
    status: str | None = None
    owner_id: int | None = None
    parent_id: int | None = None
    is_group_account: bool | None = None
    address: str | None = Field(default=None, max_length=500)
    notes: str | None = None
    version: int | None = None


class OwnerIn(Schema):
    """Hand the account over: the new owner's id (``null``: nobody) and why."""

    owner_id: int | None
    reason: str = Field(default="", max_length=300)
    version: int | None = None


class ContactOut(Schema):
    id: int
    customer: CustomerRef
    customer_id: int
    name: str
    title: str
    function: str
    seniority: str
    dmu_roles: list[str]
    reports_to_id: int | None
    attitude: str
    influence: int
    email: str
    phone: str
    active: bool
    left_on: date | None
    version: int


class ContactIn(Schema):
    name: str = Field(min_length=1, max_length=200)
    title: str = ""
    function: str = Function.OTHER
    seniority: str = ""
    dmu_roles: list[str] = []
    reports_to_id: int | None = None
    attitude: str = Attitude.NEUTRAL
    influence: int = Field(default=3, ge=1, le=5)
    email: str = ""
    phone: str = ""
    active: bool = True
    left_on: date | None = None


class ContactPatch(Schema):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    title: str | None = None
    function: str | None = None
    seniority: str | None = None
    dmu_roles: list[str] | None = None
    reports_to_id: int | None = None
    attitude: str | None = None
    influence: int | None = Field(default=None, ge=1, le=5)
    email: str | None = None
    phone: str | None = None
    active: bool | None = None
    left_on: date | None = None
    version: int | None = None


def _invalid(field: str, message: str) -> ValidationError:
    return ValidationError({field: [message]})


def _choice(values: dict[str, Any], field: str, allowed: list[str], blank: bool = False) -> None:
    value = values.get(field)
    if value is None or (blank and value == ""):
        return
    if value not in allowed:
        raise _invalid(field, f"“{value}” is not one of: {', '.join(allowed)}.")


def _customer_values(
    request: AuthenticatedHttpRequest, data: dict[str, Any], instance: Customer | None
) -> dict:
    """Check choices and resolve the ids a body names; raise ValidationError (→ 422)."""
    values = dict(data)
    _choice(values, "status", CustomerStatus.values)
    _choice(values, "size", CustomerSize.values, blank=True)
    if "owner_id" in values:
        owner_id = values.pop("owner_id")
        owner = None
        if owner_id is not None:
            owner = User.objects.filter(
                pk=owner_id, is_active=True, role__in=[Role.KAM, Role.DIRECTOR, Role.ADMIN]
            ).first()
            if owner is None:
                raise _invalid("owner_id", "No active key account manager with this id.")
        values["owner"] = owner
    if "parent_id" in values:
        parent_id = values.pop("parent_id")
        parent = None
        if parent_id is not None:
            parent = customers_visible_to(request.user).filter(pk=parent_id).first()
            if parent is None:
                raise _invalid("parent_id", "No customer with this id.")
            if instance is not None and parent.pk == instance.pk:
                raise _invalid("parent_id", "A company cannot be its own parent.")
        values["parent"] = parent
    for name in (
        "tax_id",
        "external_id",
        "industry",
        "region",
        "country",
        "currency",
        "address",
        "notes",
    ):
        if name in values and values[name] is not None:
            values[name] = values[name].strip()
    return values


def _contact_values(customer: Customer, data: dict[str, Any], instance: Contact | None) -> dict:
    values = dict(data)
    _choice(values, "function", Function.values)
    _choice(values, "seniority", Seniority.values, blank=True)
    _choice(values, "attitude", Attitude.values)
    roles = values.get("dmu_roles")
    if roles is not None:
        unknown = [r for r in roles if r not in DMURole.values]
        if unknown:
            raise _invalid(
                "dmu_roles", f"Unknown roles {unknown}; use: {', '.join(DMURole.values)}."
            )
        values["dmu_roles"] = list(dict.fromkeys(roles))
    if "reports_to_id" in values:
        boss_id = values.pop("reports_to_id")
        boss = None
        if boss_id is not None:
            boss = customer.contacts.filter(pk=boss_id).first()
            if boss is None or (instance is not None and boss.pk == instance.pk):
                raise _invalid("reports_to_id", "No other contact of this customer with this id.")
        values["reports_to"] = boss
    if (
        values.get("active") is False
        and not values.get("left_on")
        and not (instance is not None and instance.left_on)
    ):
        raise _invalid("left_on", "Say when the contact left the company.")
    return values


def _save(fn, *args, **kwargs):
    """Run an action; a database constraint (a duplicate tax id…) becomes a 409, not a 500."""
    try:
        return fn(*args, **kwargs)
    except IntegrityError:
        raise HttpError(409, "This conflicts with an existing record (duplicate tax id or code?).")


@router.get("/", response=list[CustomerOut])
def list_customers(
    request: HttpRequest, q: str = "", status: str = "", limit: int = 100, offset: int = 0
):
    qs = membership.with_group(customers_visible_to(request.user)).order_by("name", "id")
    if q:
        qs = search_customers(qs, q)
    if status:
        qs = qs.filter(status=status)
    limit = max(1, min(limit, 1000))
    offset = min(offset, 2**62)  # past SQLite's 64-bit integers (a 500); no rows there anyway
    return with_related_refs(request.user, list(qs[max(0, offset) : max(0, offset) + limit]))


def _expected_version(request: HttpRequest, body_version: int | None) -> tuple[int | None, int]:
    """The version the client read — from ``If-Match`` (answered 412 on a mismatch, as HTTP
    says) or the body's ``version`` (409) — and the status a mismatch answers."""
    try:
        header = parse_if_match(request.headers.get("If-Match"))
    except ValueError:
        raise HttpError(400, 'If-Match must name a version, e.g. If-Match: "3".')
    if header is not None:
        if body_version is not None and body_version != header:
            raise HttpError(400, "If-Match and the body's version disagree.")
        return header, 412
    return body_version, 409


def _checked(status: int, fn, *args, **kwargs):
    """Run an action that checks versions: someone else's newer save answers ``status`` (409 or
    412) with the record as it is now, never a silent overwrite."""
    try:
        return _save(fn, *args, **kwargs)
    except VersionConflict as exc:
        if exc.current is None:
            raise HttpError(404, "Not found: it was deleted meanwhile.")
        schema = CustomerOut if isinstance(exc.current, Customer) else ContactOut
        if isinstance(exc.current, Customer):
            with_related_refs(args[0], [exc.current])  # the user who saved
        return Status(
            status,
            {
                "detail": "Someone else changed this since you read it (version "
                f"{exc.current.version} now): read it again and resend your change with that "
                "version.",
                "current": schema.from_orm(exc.current).dict(),
            },
        )


@router.post("/", response={201: CustomerOut})
def create_customer(request: AuthenticatedHttpRequest, payload: CustomerIn):
    if not can_create_customer(request.user):
        raise PermissionDenied
    values = _customer_values(request, payload.dict(), None)
    # The action makes a KAM's new customer theirs and refuses an owner they may not name.
    return Status(201, _save(actions.do_create_customer, request.user, **values))


@router.get("/{customer_id}", response=CustomerOut)
def get_customer(request: AuthenticatedHttpRequest, customer_id: int, response: HttpResponse):
    customer = get_customer_for_user(request.user, customer_id)
    response["ETag"] = f'"{customer.version}"'  # for If-Match on the next PATCH
    return customer


@router.patch("/{customer_id}", response={200: CustomerOut, 409: dict, 412: dict})
def update_customer(request: AuthenticatedHttpRequest, customer_id: int, payload: CustomerPatch):
    customer = get_customer_for_user(request.user, customer_id, write=True)
    data = payload.dict(exclude_unset=True)
    if "owner_id" in data:
        raise _invalid(
            "owner_id",
            "The owner changes only by handing the account over: POST "
            f"/api/v1/customers/{customer.pk}/owner (a director, an admin or the owning KAM).",
        )
    if "status" in data:
        raise _invalid("status", "The status changes only through a selection decision.")
    version, mismatch = _expected_version(request, data.pop("version", None))
    values = _customer_values(request, data, customer)
    if "name" in values and values["name"] is None:
        raise _invalid("name", "The name cannot be empty.")
    values = {k: ("" if v is None and k != "parent" else v) for k, v in values.items()}
    return _checked(
        mismatch, actions.do_update_customer, request.user, customer, version=version, **values
    )


@router.get("/{customer_id}/group", response=dict)
def group_rollup(request: AuthenticatedHttpRequest, customer_id: int, as_of: date | None = None):
    """A group account's roll-up (docs/groups.md): its companies and the money figures of the
    group (the sum of its companies over their months in it) and of each company; the money is
    ``null`` for whoever may not see the group account's economics."""
    from kamp.economics.group import group_json

    group = get_customer_for_user(request.user, customer_id)
    if not group.is_group_account:
        raise HttpError(404, "This customer is not a group account: see group_account_id.")
    visible = customers_visible_to(request.user).values("pk")
    return group_json(group, as_of or date.today(), can_see_economics(request.user, group), visible)


@router.post("/{customer_id}/owner", response={200: CustomerOut, 409: dict, 412: dict})
def change_owner(request: AuthenticatedHttpRequest, customer_id: int, payload: OwnerIn):
    """Hand the account over (a director, an admin, or its owning KAM), kept in its ownership
    history."""
    from kamp.team.actions import do_change_owner

    customer = get_customer_for_user(request.user, customer_id, write=True)
    owner = None
    if payload.owner_id is not None:
        owner = User.objects.filter(pk=payload.owner_id).first()
        if owner is None or not can_own_accounts(owner):
            raise _invalid("owner_id", "No active key account manager with this id.")
    version, mismatch = _expected_version(request, payload.version)
    result = _checked(
        mismatch,
        do_change_owner,
        request.user,
        customer,
        owner,
        reason=payload.reason.strip(),
        version=version,
    )
    if isinstance(result, Status):
        return result
    return get_customer_for_user(request.user, customer_id)


@router.delete("/{customer_id}", response={204: None})
def delete_customer(request: AuthenticatedHttpRequest, customer_id: int):
    customer = get_customer_for_user(request.user, customer_id, write=True)
    if not request.user.manages_programme:
        raise PermissionDenied
    actions.do_delete_customer(request.user, customer)
    return Status(204, None)


@router.get("/{customer_id}/contacts", response=list[ContactOut])
def list_contacts(request: AuthenticatedHttpRequest, customer_id: int):
    customer = get_customer_for_user(request.user, customer_id)
    return customer.contacts.order_by("name")


@router.post("/{customer_id}/contacts", response={201: ContactOut})
def create_contact(request: AuthenticatedHttpRequest, customer_id: int, payload: ContactIn):
    customer = get_customer_for_user(request.user, customer_id, write=True)
    values = _contact_values(customer, payload.dict(), None)
    return Status(201, _save(actions.do_create_contact, request.user, customer, **values))


@router.patch(
    "/{customer_id}/contacts/{contact_id}", response={200: ContactOut, 409: dict, 412: dict}
)
def update_contact(
    request: AuthenticatedHttpRequest, customer_id: int, contact_id: int, payload: ContactPatch
):
    """Only the fields sent change; ``version`` or ``If-Match`` as for customers."""
    customer = get_customer_for_user(request.user, customer_id, write=True)
    contact = get_object_or_404(Contact, pk=contact_id, customer=customer)
    data = payload.dict(exclude_unset=True)
    version, mismatch = _expected_version(request, data.pop("version", None))
    values = _contact_values(customer, data, contact)
    for required in ("name", "function", "attitude", "influence", "active", "dmu_roles"):
        if required in values and values[required] is None:
            raise _invalid(required, "This field cannot be empty.")
    values = {
        k: ("" if v is None and k not in ("reports_to", "left_on") else v)
        for k, v in values.items()
    }
    return _checked(
        mismatch, actions.do_update_contact, request.user, contact, version=version, **values
    )


@router.delete("/{customer_id}/contacts/{contact_id}", response={204: None})
def delete_contact(request: AuthenticatedHttpRequest, customer_id: int, contact_id: int):
    customer = get_customer_for_user(request.user, customer_id, write=True)
    contact = get_object_or_404(Contact, pk=contact_id, customer=customer)
    actions.do_delete_contact(request.user, contact)
    return Status(204, None)
