"""Mail capture: the company's dropbox mailbox (IMAP) that people BCC or forward customer mail
to, and each message read from it.

The mailbox's password is kept encrypted (kamp.connect.crypto: Fernet, keyed from the secret
key) and never shown again. Each message read leaves one row, whatever became of it (logged,
waiting for its sender to resolve, dismissed, too large, unreadable), keyed by its Message-ID so
that it is never logged twice; its body is kept only when the company says so, attachments
never."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _


class Security(models.TextChoices):
    TLS = "tls", _("TLS (port 993)")
    STARTTLS = "starttls", _("STARTTLS (port 143)")


class Mailbox(models.Model):
    """The company's one dropbox mailbox (a singleton: :meth:`load`)."""

    host = models.CharField(_("server"), max_length=255, blank=True)
    port = models.PositiveIntegerField(
        _("port"), default=993, validators=[MinValueValidator(1), MaxValueValidator(65535)]
    )
    security = models.CharField(
        _("security"), max_length=10, choices=Security.choices, default=Security.TLS
    )
    username = models.CharField(_("user name"), max_length=255, blank=True)
    password_encrypted = models.TextField(blank=True, editable=False)
    folder = models.CharField(_("folder"), max_length=255, default="INBOX")
    address = models.EmailField(
        _("dropbox address"),
        blank=True,
        help_text=_("The address people BCC or forward customer mail to (shown to them)."),
    )
    enabled = models.BooleanField(_("read this mailbox"), default=True)
    store_body = models.BooleanField(
        _("keep the text of each mail"),
        default=False,
        help_text=_(
            "Off: only the date, subject and people are logged. Attachments are never kept."
        ),
    )
    max_megabytes = models.PositiveIntegerField(
        _("largest message read (MB)"),
        default=10,
        validators=[MinValueValidator(1), MaxValueValidator(200)],
        help_text=_("Larger messages are listed, not read."),
    )
    # Where the reading stands: the folder's UIDVALIDITY and the last UID read under it.
    uidvalidity = models.BigIntegerField(null=True, blank=True, editable=False)
    last_uid = models.BigIntegerField(default=0, editable=False)
    last_sync_at = models.DateTimeField(_("last check"), null=True, blank=True, editable=False)
    last_success_at = models.DateTimeField(
        _("last successful check"), null=True, blank=True, editable=False
    )
    last_error = models.TextField(_("last error"), blank=True, editable=False)
    consecutive_failures = models.PositiveIntegerField(default=0, editable=False)
    syncing_since = models.DateTimeField(null=True, blank=True, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("dropbox mailbox")
        verbose_name_plural = _("dropbox mailboxes")

    def __str__(self) -> str:
        return self.username and f"{self.username}@{self.host}" or str(_("dropbox mailbox"))

    @classmethod
    def load(cls) -> Mailbox:
        obj = cls.objects.order_by("pk").first()
        return obj if obj is not None else cls()

    @property
    def configured(self) -> bool:
        return bool(self.pk and self.host and self.username and self.password_encrypted)

    @property
    def max_bytes(self) -> int:
        return self.max_megabytes * 1024 * 1024


class Status(models.TextChoices):
    LOGGED = "logged", _("logged")
    UNMATCHED = "unmatched", _("to resolve")
    DISMISSED = "dismissed", _("dismissed")
    TOO_LARGE = "too_large", _("too large, not read")
    UNREADABLE = "unreadable", _("cannot be read")
    DUPLICATE = "duplicate", _("already read")


class CapturedMessage(models.Model):
    """One message read from the dropbox: what it was and what became of it."""

    key = models.CharField(max_length=255, unique=True)  # Message-ID, else a SHA-256 of it
    uidvalidity = models.BigIntegerField(null=True, blank=True)
    uid = models.BigIntegerField(null=True, blank=True)
    status = models.CharField(_("state"), max_length=12, choices=Status.choices)
    # Why it waits, in English (a msgid) with its values: shown in the reader's language.
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    reason_params = models.JSONField(default=dict, blank=True)
    subject = models.CharField(_("subject"), max_length=300, blank=True)
    topic = models.CharField(_("topic"), max_length=300, blank=True)  # what a log entry says
    sent_at = models.DateTimeField(_("date"), null=True, blank=True)
    from_address = models.CharField(_("from"), max_length=255, blank=True)
    # Every address of the mail's correspondents (the forwarded message's, for a forward).
    addresses = models.JSONField(default=list, blank=True)
    forwarded = models.BooleanField(default=False)
    size = models.PositiveIntegerField(default=0)
    body = models.TextField(blank=True)  # only when the mailbox keeps bodies
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("sent by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="captured_mail",
        db_index=False,  # the (sender, status) index starts with it
    )
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    interaction = models.ForeignKey(
        "interactions.Interaction",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    read_at = models.DateTimeField(pgettext_lazy("mail", "read"), default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("captured mail")
        verbose_name_plural = _("captured mail")
        ordering = ["-sent_at", "-id"]
        indexes = [models.Index(fields=["sender", "status"])]

    def __str__(self) -> str:
        return self.subject or self.key

    @property
    def reason_text(self) -> str:
        """The reason in the reader's language."""
        if not self.reason:
            return ""
        text = gettext(self.reason)
        try:
            return text % self.reason_params if self.reason_params else text
        except (KeyError, TypeError, ValueError):
            return text
