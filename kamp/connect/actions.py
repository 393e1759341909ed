"""Every change of the connect app: tokens, feeds and webhooks made, changed and revoked —
atomic and audited. A secret is returned to the caller once and never recorded."""

from __future__ import annotations

import secrets
from datetime import timedelta
from urllib.parse import urlsplit

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from kamp.core import audit

from . import crypto, netguard, tokens, webhooks
from .models import (
    ApiToken,
    CalendarConnection,
    CalendarFeed,
    CalendarKind,
    CalendarMode,
    TokenScope,
    WebhookEndpoint,
    WebhookEvent,
    digest,
)

MAX_TOKEN_DAYS = 366


def can_manage_webhooks(user) -> bool:
    return bool(getattr(user, "manages_programme", False))


@transaction.atomic
def do_create_token(acting_user, *, name: str, scope: str, days: int) -> tuple[ApiToken, str]:
    """A new token of ``acting_user``'s own; the secret is returned, only here."""
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": [_("Give the token a name.")]})
    if scope not in TokenScope.values:
        raise ValidationError({"scope": [_("Choose read only or read and write.")]})
    if not 1 <= int(days) <= MAX_TOKEN_DAYS:
        raise ValidationError(
            {"days": [_("A token lasts from 1 to %(max)s days.") % {"max": MAX_TOKEN_DAYS}]}
        )
    secret = tokens.new_secret()
    token = ApiToken.objects.create(
        user=acting_user,
        name=name[:100],
        scope=scope,
        prefix=secret[:9],
        token_hash=digest(secret),
        expires_at=timezone.now() + timedelta(days=int(days)),
    )
    audit.record(
        acting_user,
        "create",
        token,
        summary=audit.say(
            gettext_noop("API token created: %(name)s (%(scope)s)"),
            name=token.name,
            scope=TokenScope(scope).label,
        ),
    )
    return token, secret


@transaction.atomic
def do_revoke_token(acting_user, token: ApiToken) -> ApiToken:
    """Revoke a token: its owner may, and an admin may revoke anyone's."""
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.user_id != acting_user.pk and not acting_user.is_admin:
        raise PermissionDenied
    if token.revoked_at is not None:
        return token
    token.revoked_at = timezone.now()
    token.revoked_by = acting_user
    token.save(update_fields=["revoked_at", "revoked_by"])
    audit.record(
        acting_user,
        "delete",
        token,
        summary=audit.say(
            gettext_noop("API token revoked: %(name)s of %(user)s"),
            name=token.name,
            user=token.user.email,
        ),
    )
    return token


@transaction.atomic
def do_regenerate_feed(acting_user) -> str:
    """A new secret address for ``acting_user``'s calendar feed (the old one stops working);
    returned only here."""
    secret = tokens.PREFIX + "cal_" + secrets.token_urlsafe(32)
    feed, created = CalendarFeed.objects.select_for_update().get_or_create(
        user=acting_user, defaults={"token_hash": digest(secret)}
    )
    if not created:
        feed.token_hash = digest(secret)
        feed.created_at = timezone.now()
        feed.last_fetched_at = None
        feed.save(update_fields=["token_hash", "created_at", "last_fetched_at"])
    audit.record(
        acting_user,
        "create" if created else "update",
        feed,
        summary=audit.say(gettext_noop("Calendar feed address made anew")),
    )
    return secret


@transaction.atomic
def do_revoke_feed(acting_user) -> bool:
    feed = CalendarFeed.objects.filter(user=acting_user).first()
    if feed is None:
        return False
    audit.record(
        acting_user,
        "delete",
        feed,
        summary=audit.say(gettext_noop("Calendar feed turned off")),
    )
    feed.delete()
    return True


def _clean_webhook(name: str, url: str, events: list[str], *, keep_url: bool = False) -> None:
    """``keep_url``: an empty ``url`` keeps the address stored (a change of the endpoint)."""
    errors: dict[str, list[str]] = {}
    if not (name or "").strip():
        errors["name"] = [_("Give the webhook a name.")]
    if keep_url and not (url or "").strip():
        pass
    elif not (url or "").lower().startswith(("http://", "https://")):
        errors["url"] = [_("The address must start with http:// or https://.")]
    elif urlsplit(url.strip()).username is not None:
        # Credentials in the address would be shown on the webhooks page and kept in the audit
        # trail: the receiver checks the signature made with the webhook's secret instead.
        errors["url"] = [
            _(
                "Leave the user name and password out of the address: the receiver checks "
                "each delivery's signature instead."
            )
        ]
    else:
        # Not this machine nor a private network (netguard; checked again at each delivery).
        try:
            netguard.check_url(url.strip())
        except ValidationError as exc:
            errors["url"] = exc.messages
    unknown = [e for e in events if e not in WebhookEvent.values]
    if not events or unknown:
        errors["events"] = [_("Choose at least one event.")]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def do_create_webhook(
    acting_user, *, name: str, url: str, events: list[str], finance: bool
) -> tuple[WebhookEndpoint, str]:
    if not can_manage_webhooks(acting_user):
        raise PermissionDenied
    _clean_webhook(name, url, events)
    secret = webhooks.new_secret()
    endpoint = WebhookEndpoint(
        name=name.strip()[:100],
        events=list(dict.fromkeys(events)),
        finance=bool(finance),
        secret=webhooks.seal(secret),
        created_by=acting_user,
    )
    endpoint.set_address(url.strip())  # kept encrypted; shown masked from now on
    endpoint.full_clean()
    endpoint.save()
    audit.record(
        acting_user,
        "create",
        endpoint,
        changes=audit.diff({}, audit.snapshot(endpoint, ["name", "url", "events", "finance"])),
    )
    return endpoint, secret


@transaction.atomic
def do_update_webhook(
    acting_user,
    endpoint: WebhookEndpoint,
    *,
    name: str,
    url: str,
    events: list[str],
    finance: bool,
    active: bool,
) -> WebhookEndpoint:
    """Change an endpoint; turning it back on forgets its run of failures. An empty ``url``
    keeps the address stored (it is not shown again to be typed back)."""
    if not can_manage_webhooks(acting_user):
        raise PermissionDenied
    url = (url or "").strip()
    _clean_webhook(name, url, events, keep_url=True)
    endpoint = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
    fields = ["name", "url", "events", "finance", "active"]
    before = audit.snapshot(endpoint, fields)
    endpoint.name = name.strip()[:100]
    new_address = False
    if url:
        try:
            new_address = url != endpoint.full_address()
        except crypto.Unreadable:
            new_address = True
        endpoint.set_address(url)
    endpoint.events, endpoint.finance = list(dict.fromkeys(events)), bool(finance)
    if active and not endpoint.active:
        endpoint.consecutive_failures = 0
        endpoint.disabled_at = None
    elif not active and endpoint.active:
        endpoint.disabled_at = timezone.now()
    endpoint.active = bool(active)
    endpoint.full_clean()
    endpoint.save()
    changes = audit.diff(before, audit.snapshot(endpoint, fields))
    if new_address and not any(c["field"] == "url" for c in changes):
        # Another address that looks the same masked: the change is recorded, not the address.
        changes.append({"field": "url", "old": before["url"], "new": endpoint.url + " (••••)"})
    if changes:
        audit.record(acting_user, "update", endpoint, changes=changes)
    return endpoint


@transaction.atomic
def do_delete_webhook(acting_user, endpoint: WebhookEndpoint) -> None:
    if not can_manage_webhooks(acting_user):
        raise PermissionDenied
    audit.record(
        acting_user,
        "delete",
        endpoint,
        changes=audit.diff(audit.snapshot(endpoint, ["name", "url", "events", "finance"]), {}),
    )
    endpoint.delete()


# --- calendar connections ----------------------------------------------------------------------


def _queue_sync(connection_id: int) -> None:
    from .tasks import sync_calendar

    transaction.on_commit(lambda: sync_calendar.enqueue(connection_id, True))


@transaction.atomic
def do_connect_calendar(
    acting_user,
    *,
    name: str,
    kind: str,
    mode: str,
    url: str,
    username: str = "",
    password: str = "",
) -> CalendarConnection:
    """Connect a calendar of ``acting_user``'s: a CalDAV account (its calendars are found on the
    server now, which also checks the password) or a secret iCalendar address. The password or
    the address is stored encrypted; the first sync is queued."""
    from . import calendars, crypto

    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": [_("Give the connection a name.")]})
    if kind not in CalendarKind.values:
        raise ValidationError({"kind": [_("Choose CalDAV or a secret iCalendar address.")]})
    if mode not in CalendarMode.values:
        raise ValidationError({"mode": [_("Choose what to do with the meetings found.")]})
    try:
        url = calendars.clean_url(url)
        # Not this machine nor a private network (netguard; checked again at each sync).
        netguard.check_url(url)
    except ValidationError as exc:
        raise ValidationError({"url": exc.messages}) from None
    found: list[dict[str, str]] = []
    if kind == CalendarKind.CALDAV:
        if not username or not password:
            raise ValidationError(
                {"password": [_("Give the user name and the app password of the calendar.")]}
            )
        try:
            found = calendars.discover(url, username, password)
        except calendars.SyncError as exc:
            raise ValidationError({exc.field: [str(exc)]}) from None
        secret = crypto.encrypt({"password": password})
    else:
        secret = crypto.encrypt({"url": url})
    connection = CalendarConnection.objects.create(
        user=acting_user,
        name=name[:100],
        kind=kind,
        mode=mode,
        server_url=url[:500] if kind == CalendarKind.CALDAV else "",
        username=username[:200] if kind == CalendarKind.CALDAV else "",
        host=calendars.host_of(url),
        secret=secret,
        calendars=found,
    )
    audit.record(
        acting_user,
        "create",
        connection,
        summary=audit.say(
            gettext_noop("Calendar connected: %(name)s (%(place)s)"),
            name=connection.name,
            place=connection.place,
        ),
    )
    _queue_sync(connection.pk)
    return connection


def _own_or_admin(acting_user, connection: CalendarConnection) -> None:
    if connection.user_id != acting_user.pk and not acting_user.is_admin:
        raise PermissionDenied


@transaction.atomic
def do_update_calendar(acting_user, connection: CalendarConnection, *, mode: str) -> None:
    _own_or_admin(acting_user, connection)
    if mode not in CalendarMode.values:
        raise ValidationError({"mode": [_("Choose what to do with the meetings found.")]})
    if mode == connection.mode:
        return
    before = connection.mode
    connection.mode = mode
    connection.save(update_fields=["mode"])
    audit.record(
        acting_user,
        "update",
        connection,
        changes=audit.diff({"mode": before}, {"mode": mode}),
    )


@transaction.atomic
def do_resume_calendar(acting_user, connection: CalendarConnection) -> None:
    """Start a stopped connection again (after its owner fixed what failed) and sync now."""
    _own_or_admin(acting_user, connection)
    was_stopped = not connection.active
    connection.active = True
    connection.stopped_at = None
    connection.consecutive_failures = 0
    connection.save(update_fields=["active", "stopped_at", "consecutive_failures"])
    if was_stopped:
        audit.record(
            acting_user,
            "update",
            connection,
            summary=audit.say(gettext_noop("Calendar connection started again")),
        )
        from . import calendars

        calendars._alerts_changed()
    _queue_sync(connection.pk)


def do_sync_calendar_now(acting_user, connection: CalendarConnection) -> None:
    _own_or_admin(acting_user, connection)
    _queue_sync(connection.pk)


@transaction.atomic
def do_delete_calendar(acting_user, connection: CalendarConnection) -> None:
    """Remove a connection and its stored credentials. The interactions it logged stay; its
    meetings still waiting for review are dropped."""
    _own_or_admin(acting_user, connection)
    audit.record(
        acting_user,
        "delete",
        connection,
        summary=audit.say(
            gettext_noop("Calendar connection removed: %(name)s (%(place)s)"),
            name=connection.name,
            place=connection.place,
        ),
    )
    batch = connection.review_batch
    if batch is not None and batch.status == batch.Status.PENDING:
        batch.delete()
    if not connection.active:
        from . import calendars

        calendars._alerts_changed()
    connection.delete()
