"""The connect app's hooks into the rest of kamp: audit entries written through an API token
are noted with its name, audit entries of certain kinds become webhook events."""

from __future__ import annotations

from django.core.signals import request_finished, request_started
from django.db.models.signals import post_save


def _forget_token(**kwargs) -> None:
    # A worker thread serves many requests: the token of one must not mark the next one's
    # entries.
    from .tokens import current_token

    current_token.set(None)


def _audited(sender, instance, created, **kwargs) -> None:
    if not created:
        return
    from . import events
    from .models import TokenWrite
    from .tokens import current_token

    token = current_token.get()
    if token is not None:
        TokenWrite.objects.create(event=instance, token=token, token_name=token.name)
    events.from_audit(
        instance.object_type,
        instance.action,
        instance.object_id,
        instance.customer_id,
        instance.changes,
    )


def connect() -> None:
    from kamp.core.models import AuditEvent

    request_started.connect(_forget_token, dispatch_uid="connect-forget-token-start")
    request_finished.connect(_forget_token, dispatch_uid="connect-forget-token-end")
    post_save.connect(_audited, sender=AuditEvent, dispatch_uid="connect-audited")
