"""Connections to other tools: personal API tokens, webhooks and the subscribed calendar feed.

Secrets (a token, a feed's address) are shown once when made and stored only as their SHA-256:
a leaked database gives no way in. A webhook's signing secret must be kept to sign with: it is
stored encrypted (``kamp.connect.crypto``), shown once too and never again on a page; so is a
webhook's address, shown masked after it is registered (receivers put secrets in it)."""

from __future__ import annotations

import hashlib
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from . import crypto


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


class TokenScope(models.TextChoices):
    READ = "read", _("Read only")
    WRITE = "write", _("Read and write")


class ApiTokenQuerySet(models.QuerySet):
    def usable(self, now=None):
        now = now or timezone.now()
        return self.filter(revoked_at__isnull=True, expires_at__gt=now, user__is_active=True)


class ApiToken(models.Model):
    """A personal access token: ``Authorization: Bearer kamp_…`` acts as its user on /api/v1/,
    under the same rules as that user (a read-only one only reads)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="api_tokens",
    )
    name = models.CharField(_("name"), max_length=100)
    scope = models.CharField(
        _("scope"), max_length=8, choices=TokenScope.choices, default=TokenScope.READ
    )
    # The first characters of the token ("kamp_AbC1"), to recognise it in a list.
    prefix = models.CharField(_("starts with"), max_length=16, editable=False)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(pgettext_lazy("connection", "created"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires"))
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("revoked by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()

    @property
    def is_usable(self) -> bool:
        return self.revoked_at is None and not self.is_expired

    @property
    def can_write(self) -> bool:
        return self.scope == TokenScope.WRITE


class TokenWrite(models.Model):
    """An entry of the audit trail written through an API token: which token (by name, kept if
    the token is later deleted)."""

    event = models.OneToOneField(
        "core.AuditEvent", on_delete=models.CASCADE, related_name="token_write"
    )
    token = models.ForeignKey(ApiToken, null=True, on_delete=models.SET_NULL, related_name="writes")
    token_name = models.CharField(_("token"), max_length=100)

    class Meta:
        verbose_name = _("write by API token")
        verbose_name_plural = _("writes by API token")

    def __str__(self) -> str:
        return self.token_name


class CalendarFeed(models.Model):
    """A person's private iCalendar feed (their plan actions, QBRs and survey deadlines): the
    secret in its address is the key, stored only as a hash."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="calendar_feed",
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(pgettext_lazy("connection", "created"), default=timezone.now)
    last_fetched_at = models.DateTimeField(_("last fetched"), null=True, blank=True)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")

    def __str__(self) -> str:
        return str(self.user)


class WebhookEvent(models.TextChoices):
    CUSTOMER_CREATED = "customer.created", _("Customer created")
    CUSTOMER_CHANGED = "customer.changed", _("Customer changed")
    INTERACTION_LOGGED = "interaction.logged", _("Interaction logged")
    KEY_ACCOUNT_DECISION = "key_account.decision", _("Key-account decision")
    PLAN_ACTION_OVERDUE = "plan_action.overdue", _("Plan action overdue")
    ALERT_RAISED = "alert.raised", _("Alert raised")
    SURVEY_ANSWERED = "survey.answered", _("Survey answered")


def masked_address(url: str) -> str:
    """A receiver's address as kamp shows it: scheme, host, port and the first path segment;
    the rest of the path and any query (where Slack, Teams or Zapier put their secret:
    ``https://hooks.slack.com/services/T000/B000/XXXX``, ``?token=…``) become "…"."""
    parts = urlsplit((url or "").strip())
    shown = f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}"
    segments = parts.path.split("/")[1:]  # "/services/T0/B0" → services, T0, B0
    if segments and segments[0]:
        shown += "/" + segments[0]
    if any(segments[1:]):
        shown += "/…"
    elif parts.query or parts.fragment:
        shown += "?…"
    return shown


class WebhookEndpoint(models.Model):
    """A receiver of kamp's events, registered by a director. Its address is kept encrypted
    (``address``, kamp.connect.crypto: {"url": …}) and only shown masked (``url``): receivers
    put their secret in the path or the query."""

    name = models.CharField(_("name"), max_length=100)
    # The address as shown (:func:`masked_address`); the whole one is in ``address``.
    url = models.CharField(_("URL"), max_length=500)
    address = models.TextField(editable=False, default="")
    events = models.JSONField(_("events"), default=list)
    finance = models.BooleanField(
        _("finance"),
        default=False,
        help_text=_("Payloads include amounts (sales, value at stake). Only for finance systems."),
    )
    # Kept to sign with (a hash would not do), encrypted like calendar credentials
    # (kamp.connect.crypto: {"secret": "whsec_…"}); shown once, when made.
    secret = models.TextField(editable=False)
    active = models.BooleanField(pgettext_lazy("connection", "active"), default=True)
    consecutive_failures = models.PositiveIntegerField(_("failures in a row"), default=0)
    disabled_at = models.DateTimeField(_("disabled"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(pgettext_lazy("connection", "created"), default=timezone.now)

    class Meta:
        verbose_name = _("webhook")
        verbose_name_plural = _("webhooks")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.url and not self.address:  # made with url=… (the whole address): kept hidden
            self.set_address(self.url)
        super().save(*args, **kwargs)

    def set_address(self, url: str) -> None:
        """Keep ``url`` encrypted and its masked form to show."""
        self.address = crypto.encrypt({"url": url})
        self.url = masked_address(url)

    def full_address(self) -> str:
        """The whole address, to deliver to (:class:`kamp.connect.crypto.Unreadable` when the
        server's secret key changed)."""
        return str(crypto.decrypt(self.address)["url"])

    def event_labels(self) -> list[str]:
        labels = dict(WebhookEvent.choices)
        return [str(labels.get(e, e)) for e in self.events]


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", pgettext_lazy("delivery", "waiting")
    DELIVERED = "delivered", _("delivered")
    FAILED = "failed", _("given up")


class WebhookDelivery(models.Model):
    """One event for one endpoint: its signed body, retried with growing pauses until the
    receiver answers 2xx or the attempts run out."""

    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries"
    )
    event = models.CharField(_("event"), max_length=40, choices=WebhookEvent.choices)
    event_id = models.CharField(max_length=40, db_index=True)
    body = models.TextField()
    created_at = models.DateTimeField(
        pgettext_lazy("connection", "created"), default=timezone.now, db_index=True
    )
    status = models.CharField(
        pgettext_lazy("delivery", "status"),
        max_length=10,
        choices=DeliveryStatus.choices,
        default=DeliveryStatus.PENDING,
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    last_status_code = models.PositiveIntegerField(_("response"), null=True, blank=True)
    last_error = models.CharField(_("error"), max_length=300, blank=True)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"{self.event} → {self.endpoint}"


class DeliveryAttempt(models.Model):
    """One try at a delivery: the receiver's status code or the error, and how long it took."""

    delivery = models.ForeignKey(
        WebhookDelivery, on_delete=models.CASCADE, related_name="attempt_log"
    )
    at = models.DateTimeField(_("when"), default=timezone.now)
    status_code = models.PositiveIntegerField(_("response"), null=True, blank=True)
    error = models.CharField(_("error"), max_length=300, blank=True)
    duration_ms = models.PositiveIntegerField(_("time (ms)"), default=0)

    class Meta:
        verbose_name = _("delivery attempt")
        verbose_name_plural = _("delivery attempts")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.status_code or self.error}"


class EmittedEvent(models.Model):
    """An event found by looking (an action fell overdue, an alert appeared), remembered so the
    next look does not send it again."""

    key = models.CharField(max_length=200, unique=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("emitted event")
        verbose_name_plural = _("emitted events")

    def __str__(self) -> str:
        return self.key


class CalendarKind(models.TextChoices):
    CALDAV = "caldav", _("CalDAV calendar")
    FEED = "feed", _("Secret iCalendar address")


class CalendarMode(models.TextChoices):
    LOG = "log", _("Log meetings with customers directly")
    REVIEW = "review", _("Send them to my review list first")


class CalendarConnection(models.Model):
    """A person's calendar that kamp reads by itself: a CalDAV calendar (server, user name, app
    password) or a secret iCalendar address. The password or the secret address is kept
    encrypted (``kamp.connect.crypto``) and never shown again once saved."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="calendar_connections",
    )
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=8, choices=CalendarKind.choices)
    mode = models.CharField(
        _("meetings found"), max_length=8, choices=CalendarMode.choices, default=CalendarMode.LOG
    )
    # CalDAV: the server's address and the user name (not secret, shown); a feed: only its host.
    server_url = models.CharField(_("server"), max_length=500, blank=True)
    username = models.CharField(_("user name"), max_length=200, blank=True)
    host = models.CharField(_("host"), max_length=200, blank=True)
    # The app password or the feed's address, encrypted (Fernet); never shown.
    secret = models.TextField(editable=False)
    # CalDAV: the calendars found on the server ([{"url", "name"}]), all read.
    calendars = models.JSONField(_("calendars"), default=list, blank=True)
    active = models.BooleanField(pgettext_lazy("connection", "active"), default=True)
    consecutive_failures = models.PositiveIntegerField(_("failures in a row"), default=0)
    last_sync_at = models.DateTimeField(_("last sync"), null=True, blank=True)
    last_success_at = models.DateTimeField(_("last successful sync"), null=True, blank=True)
    last_error = models.CharField(_("error"), max_length=300, blank=True)
    # What the last successful sync did: {"logged", "updated", "withdrawn", "offered", "events"}.
    last_counts = models.JSONField(default=dict, blank=True, editable=False)
    stopped_at = models.DateTimeField(_("stopped"), null=True, blank=True)
    # The meetings waiting for the owner's review (review mode): one pending calendar import.
    review_batch = models.ForeignKey(
        "core.ImportBatch", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(pgettext_lazy("connection", "created"), default=timezone.now)

    class Meta:
        verbose_name = _("calendar connection")
        verbose_name_plural = _("calendar connections")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def place(self) -> str:
        """Where it reads from, as shown (never the secret address)."""
        if self.kind == CalendarKind.FEED:
            return self.host
        return f"{self.username} @ {self.server_url}" if self.username else self.server_url


class CalendarSeen(models.Model):
    """An event of a connected calendar that has an interaction in the log: when it disappears
    from the calendar, the interaction it made is withdrawn (or offered for removal)."""

    connection = models.ForeignKey(
        CalendarConnection, on_delete=models.CASCADE, related_name="seen"
    )
    key = models.CharField(max_length=255)
    day = models.DateField()

    class Meta:
        verbose_name = _("event seen")
        verbose_name_plural = _("events seen")
        constraints = [
            models.UniqueConstraint(fields=["connection", "key"], name="connect_seen_unique")
        ]

    def __str__(self) -> str:
        return self.key
