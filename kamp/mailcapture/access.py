"""Who may do what with mail capture: the dropbox mailbox is the admins'; a captured mail is
its sender's (the person of ours who sent or forwarded it), who alone resolves or dismisses it."""

from __future__ import annotations

from django.db.models import QuerySet

from .models import CapturedMessage


def may_manage_mailbox(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_admin)


def messages_for(user) -> QuerySet[CapturedMessage]:
    """The captured mail ``user`` sent or forwarded (nobody else's)."""
    if not getattr(user, "is_authenticated", False):
        return CapturedMessage.objects.none()
    return CapturedMessage.objects.filter(sender=user)
