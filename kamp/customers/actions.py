"""Every change to customers and contacts: atomic, audited, checked against the version the
writer read (``version=``; see ``kamp.core.versioning``).

A customer's ``owner`` and ``status`` are not ordinary fields: the owner changes only through
:func:`do_set_owner` (the ownership rule; ``kamp.team.actions.do_change_owner`` adds the history)
and the status only through the selection decision (``kamp.selection.actions.do_decide``).
``tests/customers/test_ownership.py`` fails when either is assigned anywhere else.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from kamp.core import audit
from kamp.core.versioning import claim

from . import membership
from .access import can_change_owner, can_create_customer, can_edit_customer, can_own_accounts
from .models import Contact, Customer, CustomerStatus

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
    "is_group_account",
    "status",
    "owner",
    "address",
    "notes",
]
# What the generic edit (form, API, import) may change: everything but the owner and the status.
EDITABLE_CUSTOMER_FIELDS = [f for f in CUSTOMER_FIELDS if f not in ("status", "owner")]
RESERVED_CUSTOMER_FIELDS = {"status", "owner", "owner_id"}
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


def _refuse_reserved(values: dict[str, Any]) -> None:
    reserved = sorted(RESERVED_CUSTOMER_FIELDS & set(values))
    if "status" in reserved:
        raise ValidationError(
            {"status": _("The status changes only through a selection decision.")}
        )
    if reserved:
        raise ValidationError(
            {reserved[0]: _("The owner changes only by handing the account over.")}
        )


def check_new_owner(acting_user, owner) -> None:
    """Whom ``acting_user`` may make the owner of a new account: anyone eligible when they run
    the programme, themselves when they are a KAM, nobody otherwise."""
    if owner is None:
        return
    if not can_own_accounts(owner):
        raise ValidationError({"owner": _("No active key account manager with this id.")})
    if not (acting_user.manages_programme or owner.pk == acting_user.pk):
        raise PermissionDenied(_("Only a director or an admin assigns an account to someone else."))


@transaction.atomic
def do_create_customer(acting_user, **values: Any) -> Customer:
    """A new customer, always a candidate (it becomes a key account by a selection decision);
    its owner is the creating KAM, or whom a director or admin names."""
    if not can_create_customer(acting_user):
        raise PermissionDenied
    status = values.pop("status", CustomerStatus.CANDIDATE) or CustomerStatus.CANDIDATE
    if status != CustomerStatus.CANDIDATE:
        raise ValidationError(
            {
                "status": _(
                    "A new customer is a candidate; a selection decision makes it a key account."
                )
            }
        )
    owner = values.pop("owner", None)
    if owner is None and acting_user.is_kam:
        owner = acting_user
    check_new_owner(acting_user, owner)
    customer = Customer(owner=owner, **values)
    customer.full_clean()
    customer.save()
    if customer.parent_id or customer.is_group_account:
        membership.sync([customer.pk])
    audit.record(
        acting_user,
        "create",
        customer,
        customer_id=customer.pk,
        changes=audit.diff({}, audit.snapshot(customer, CUSTOMER_FIELDS)),
    )
    return customer


@transaction.atomic
def do_update_customer(
    acting_user, customer: Customer, *, version: Any = None, **values: Any
) -> Customer:
    """Change the ordinary fields of ``customer`` (never its owner or status). With ``version``,
    only if nobody saved it since that version (``VersionConflict`` otherwise)."""
    _refuse_reserved(values)
    claim(customer, version)
    if not can_edit_customer(acting_user, customer):
        raise PermissionDenied
    before = audit.snapshot(customer, CUSTOMER_FIELDS)
    _apply(customer, values)
    customer.full_clean()
    customer.save()
    changes = audit.diff(before, audit.snapshot(customer, CUSTOMER_FIELDS))
    if {c["field"] for c in changes} & {"parent", "is_group_account"}:
        # The company (and those under it) may have moved between groups: dated from today.
        membership.sync([customer.pk])
    if changes:
        audit.record(acting_user, "update", customer, customer_id=customer.pk, changes=changes)
    return customer


@transaction.atomic
def do_set_owner(acting_user, customer: Customer, new_owner, *, version: Any = None):
    """The only place a customer's owner changes, under the ownership rule (a director, an
    admin, or the owning KAM handing over), with an audit row "owner changed from X to Y".
    Returns the previous owner. ``kamp.team.actions.do_change_owner`` calls it and keeps the
    ownership history; use that one."""
    claim(customer, version)
    # ``None`` is a command run by the server's administrator (the import from the command
    # line), which has no user and, as everywhere in the import engine, no limit.
    if acting_user is not None and not can_change_owner(acting_user, customer):
        raise PermissionDenied(
            _("Only a director, an admin or the owning KAM hands an account over.")
        )
    if new_owner is not None and not can_own_accounts(new_owner):
        raise ValidationError({"owner": _("No active key account manager with this id.")})
    previous = customer.owner
    if (previous.pk if previous else None) == (new_owner.pk if new_owner else None):
        raise ValidationError(_("%(name)s already owns this account.") % {"name": new_owner or "—"})
    customer.owner = new_owner
    customer.save(update_fields=["owner", "updated_at"])
    audit.record(
        acting_user,
        "update",
        customer,
        customer_id=customer.pk,
        changes=[
            {
                "field": "owner",
                "old": str(previous) if previous else None,
                "new": str(new_owner) if new_owner else None,
            }
        ],
        summary=audit.say(
            gettext_noop("Owner changed from %(old)s to %(new)s"),
            old=previous or "—",
            new=new_owner or "—",
        ),
    )
    return previous


@transaction.atomic
def do_delete_customer(acting_user, customer: Customer) -> None:
    audit.record(
        acting_user,
        "delete",
        customer,
        customer_id=customer.pk,
        changes=audit.diff(audit.snapshot(customer, CUSTOMER_FIELDS), {}),
    )
    subsidiaries = list(customer.subsidiaries.values_list("pk", flat=True))
    customer.delete()
    # Its subsidiaries lose their parent, and with it perhaps their group.
    membership.sync(subsidiaries)


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
def do_update_contact(
    acting_user, contact: Contact, *, version: Any = None, **values: Any
) -> Contact:
    """Change a contact; with ``version``, only if nobody saved it since (``VersionConflict``)."""
    claim(contact, version)
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
