"""``{% mail_capture_state %}``: the dropbox mailbox's state on the Connections pages (each
person: the address and their mail waiting; admins: the last check and error too)."""

from django import template

from ..access import may_manage_mailbox, messages_for
from ..models import Mailbox, Status

register = template.Library()


@register.inclusion_tag("mailcapture/_state.html", takes_context=True)
def mail_capture_state(context) -> dict:
    user = context["request"].user
    mailbox = Mailbox.load()
    return {
        "mailbox": mailbox if mailbox.configured else None,
        "admin": may_manage_mailbox(user),
        "waiting": messages_for(user)
        .filter(status__in=(Status.UNMATCHED, Status.TOO_LARGE, Status.UNREADABLE))
        .count(),
    }
