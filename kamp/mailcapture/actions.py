"""Every change of mail capture: atomic, audited. The password is encrypted here and appears in
no audit entry (only that it changed)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kamp.connect import crypto, netguard
from kamp.core import audit
from kamp.customers import actions as customer_actions
from kamp.customers.access import customers_editable_by
from kamp.customers.models import Contact, Customer
from kamp.interactions import actions as interaction_actions
from kamp.interactions.imports import people_by_email
from kamp.interactions.models import InteractionKind, InteractionSource

from .models import CapturedMessage, Mailbox, Status
from .sync import _external_uid

FIELDS = [
    "host",
    "port",
    "security",
    "username",
    "folder",
    "address",
    "enabled",
    "store_body",
    "max_megabytes",
]


@transaction.atomic
def do_save_mailbox(acting_user, *, password: str = "", **values: Any) -> Mailbox:
    """Set up or change the dropbox mailbox; an empty ``password`` keeps the one stored. A new
    server, user or folder starts reading that folder from the start (mail read before is
    recognised and not logged twice)."""
    mailbox = Mailbox.load()
    before = audit.snapshot(mailbox, FIELDS) if mailbox.pk else {}
    where = (mailbox.host, mailbox.username, mailbox.folder)
    for k, v in values.items():
        setattr(mailbox, k, v)
    if password:
        mailbox.password_encrypted = crypto.encrypt({"password": password})
    if not mailbox.password_encrypted:
        raise ValidationError({"password": [_("Enter the mailbox's password.")]})
    if (mailbox.host, mailbox.username, mailbox.folder) != where:
        mailbox.uidvalidity, mailbox.last_uid = None, 0
    mailbox.full_clean()
    # Not this machine nor a private network (netguard; checked again at each connection).
    try:
        netguard.check_host(mailbox.host, mailbox.port)
    except ValidationError as exc:
        raise ValidationError({"host": exc.messages}) from None
    mailbox.save()
    changes = audit.diff(before, audit.snapshot(mailbox, FIELDS))
    if password:
        changes.append({"field": "password", "before": "", "after": "••••"})
    if changes:
        audit.record(acting_user, "update" if before else "create", mailbox, changes=changes)
    transaction.on_commit(_schedule)
    return mailbox


def _schedule() -> None:
    from .tasks import schedule_next

    schedule_next()


@transaction.atomic
def do_remove_mailbox(acting_user) -> None:
    """Forget the mailbox and its password (what was logged from it stays)."""
    mailbox = Mailbox.objects.order_by("pk").first()
    if mailbox is None:
        return
    audit.record(
        acting_user, "delete", mailbox, changes=audit.diff(audit.snapshot(mailbox, FIELDS), {})
    )
    mailbox.delete()


def _own(acting_user, message: CapturedMessage) -> None:
    if message.sender_id != getattr(acting_user, "pk", None):
        raise PermissionDenied
    if message.status not in (Status.UNMATCHED, Status.TOO_LARGE, Status.UNREADABLE):
        raise ValidationError(_("This mail is no longer waiting to be resolved."))


@transaction.atomic
def do_assign(acting_user, message: CapturedMessage, customer: Customer) -> CapturedMessage:
    """Log a waiting mail on ``customer`` as an e-mail interaction of its sender: its
    correspondents who are contacts of that customer, the others (not ours) added as new
    contacts of it."""
    message = CapturedMessage.objects.select_for_update().get(pk=message.pk)
    _own(acting_user, message)
    if message.status != Status.UNMATCHED:
        raise ValidationError(_("Only a mail that was read can be logged."))
    if not customers_editable_by(acting_user).filter(pk=customer.pk).exists():
        raise PermissionDenied
    people = {p["email"]: p.get("name", "") for p in message.addresses if p.get("email")}
    ours, contacts = people_by_email(people)
    theirs: list[Contact] = []
    for email, name in people.items():
        if email in ours:
            continue
        mine = [c for c in contacts.get(email, []) if c.customer_id == customer.pk]
        if mine:
            theirs.extend(mine)
        else:
            theirs.append(
                customer_actions.do_create_contact(
                    acting_user, customer, name=name or email.split("@")[0], email=email
                )
            )
    our_people = list(dict.fromkeys(ours[e] for e in people if e in ours)) or [acting_user]
    if not theirs:
        raise ValidationError(_("Nobody outside our people is on this mail: nothing to log."))
    when = message.sent_at or message.read_at
    interaction = interaction_actions.do_log_interaction(
        acting_user,
        customer,
        our_people=our_people,
        their_contacts=theirs,
        date=timezone.localtime(when).date(),
        kind=InteractionKind.EMAIL,
        topic=(message.topic or message.subject or _("(no subject)"))[:300],
        notes=message.body,
        source=InteractionSource.MAIL,
        external_uid=_external_uid(message.key),
    )
    message.status = Status.LOGGED
    message.customer = customer
    message.interaction = interaction
    message.resolved_at = timezone.now()
    message.resolved_by = acting_user
    message.save()
    return message


@transaction.atomic
def do_dismiss(acting_user, message: CapturedMessage) -> CapturedMessage:
    message = CapturedMessage.objects.select_for_update().get(pk=message.pk)
    _own(acting_user, message)
    message.status = Status.DISMISSED
    message.body = ""  # a dismissed mail keeps no text
    message.resolved_at = timezone.now()
    message.resolved_by = acting_user
    message.save()
    audit.record(acting_user, "update", message, summary=_("Mail dismissed: not logged."))
    return message
