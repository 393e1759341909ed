from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest
from ninja import Router, Schema

from .access import customers_visible_to, get_customer_for_user

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
    updated_at: datetime


class ContactOut(Schema):
    id: int
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
    active: bool


@router.get("/", response=list[CustomerOut])
def list_customers(request: HttpRequest, q: str = "", status: str = "", limit: int = 100, offset: int = 0):
    qs = customers_visible_to(request.user).order_by("name", "id")
    if q:
        qs = qs.filter(name__icontains=q)
    if status:
        qs = qs.filter(status=status)
    limit = max(1, min(limit, 1000))
    return qs[max(0, offset): max(0, offset) + limit]


@router.get("/{customer_id}", response=CustomerOut)
def get_customer(request: HttpRequest, customer_id: int):
    return get_customer_for_user(request.user, customer_id)


@router.get("/{customer_id}/contacts", response=list[ContactOut])
def list_contacts(request: HttpRequest, customer_id: int):
    customer = get_customer_for_user(request.user, customer_id)
    return customer.contacts.order_by("name")
