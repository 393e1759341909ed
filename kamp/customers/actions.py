"""Every change to customers and contacts: atomic, audited."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from kamp.core import audit

from .models import Contact, Customer

CUSTOMER_FIELDS = [
    "name",
    "tax_id",
    "external_id",
    "industry",
    "region",
    "country",
    "size",
    "currency",
    "parent",
    "status",
    "owner",
    "notes",
]
CONTACT_FIELDS = [
    "name",
    "title",
    "function",
    "seniority",
    "dmu_roles",
    "reports_to",
    "attitude",
    "influence",
    "email",
    "phone",
    "active",
    "left_on",
]


def _apply(instance, values: dict[str, Any]) -> None:
    for name, value in values.items():
        setattr(instance, name, value)


@transaction.atomic
def do_create_customer(acting_user, **values: Any) -> Customer:
    customer = Customer(**values)
    customer.full_clean()
    customer.save()
    audit.record(
        acting_user,
        "create",
        customer,
        customer_id=customer.pk,
        changes=audit.diff({}, audit.snapshot(customer, CUSTOMER_FIELDS)),
    )
    return customer


@transaction.atomic
def do_update_customer(acting_user, customer: Customer, **values: Any) -> Customer:
    before = audit.snapshot(customer, CUSTOMER_FIELDS)
    _apply(customer, values)
    customer.full_clean()
    customer.save()
    changes = audit.diff(before, audit.snapshot(customer, CUSTOMER_FIELDS))
    if changes:
        audit.record(acting_user, "update", customer, customer_id=customer.pk, changes=changes)
    return customer


@transaction.atomic
def do_delete_customer(acting_user, customer: Customer) -> None:
    audit.record(
        acting_user,
        "delete",
        customer,
        customer_id=customer.pk,
        changes=audit.diff(audit.snapshot(customer, CUSTOMER_FIELDS), {}),
    )
    customer.delete()


@transaction.atomic
def do_create_contact(acting_user, customer: Customer, **values: Any) -> Contact:
    contact = Contact(customer=customer, **values)
    contact.full_clean()
    contact.save()
    audit.record(
        acting_user,
        "create",
        contact,
        customer_id=customer.pk,
        changes=audit.diff({}, audit.snapshot(contact, CONTACT_FIELDS)),
    )
    return contact


@transaction.atomic
def do_update_contact(acting_user, contact: Contact, **values: Any) -> Contact:
    before = audit.snapshot(contact, CONTACT_FIELDS)
    _apply(contact, values)
    if contact.active:
        contact.left_on = None
    contact.full_clean()
    contact.save()
    changes = audit.diff(before, audit.snapshot(contact, CONTACT_FIELDS))
    if changes:
        audit.record(
            acting_user, "update", contact, customer_id=contact.customer_id, changes=changes
        )
    return contact


@transaction.atomic
def do_delete_contact(acting_user, contact: Contact) -> None:
    audit.record(
        acting_user,
        "delete",
        contact,
        customer_id=contact.customer_id,
        changes=audit.diff(audit.snapshot(contact, CONTACT_FIELDS), {}),
    )
    contact.delete()
