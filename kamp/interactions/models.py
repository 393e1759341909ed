from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kamp.core.models import import_batch_field
from kamp.core.versioning import version_field

from . import forms as rules


class InteractionKind(models.TextChoices):
    MEETING = "meeting", _("Meeting")
    CALL = "call", _("Call")
    VISIT = "visit", _("Visit")
    EMAIL = "email", _("E-mail")
    WORKSHOP = "workshop", _("Workshop")
    EVENT = "event", _("Event")
    OTHER = "other", _("Other")


class InteractionSource(models.TextChoices):
    MANUAL = "manual", _("typed in")
    IMPORT = "import", _("imported file")
    CALENDAR = "calendar", _("calendar")
    MAIL = "mail", _("mailbox")


class Interaction(models.Model):
    """Who from our side met whom from theirs, when, about what."""

    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.CASCADE,
        related_name="interactions",
        db_index=False,  # interaction_fingerprint starts with it (one index less to write)
    )
    date = models.DateField(_("date"), db_index=True)
    kind = models.CharField(
        _("kind"), max_length=10, choices=InteractionKind.choices, default=InteractionKind.MEETING
    )
    topic = models.CharField(_("topic"), max_length=300)
    notes = models.TextField(_("notes"), blank=True)
    follow_up = models.CharField(
        _("follow-up"), max_length=300, blank=True, help_text=_("What was agreed to do next.")
    )
    follow_up_on = models.DateField(_("follow-up due"), null=True, blank=True)
    our_people = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("our people"),
        through="InteractionPerson",
        related_name="interactions",
    )
    their_contacts = models.ManyToManyField(
        "customers.Contact",
        verbose_name=_("their people"),
        through="InteractionContact",
        related_name="interactions",
    )
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("logged by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    source = models.CharField(
        _("source"),
        max_length=10,
        choices=InteractionSource.choices,
        default=InteractionSource.MANUAL,
    )
    # A calendar event's UID: the same event is never imported twice.
    external_uid = models.CharField(_("calendar event id"), max_length=255, blank=True)
    import_batch = import_batch_field()
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    # Two people editing one logged interaction: the second is told (kamp.core.versioning).
    version = version_field()

    class Meta:
        verbose_name = _("interaction")
        verbose_name_plural = _("interactions")
        ordering = ["-date", "-id"]
        indexes = [
            # Also the index of an account's log by date (and of its customer alone): it starts
            # with them, so no (customer) nor (customer, date) index is kept besides it — one
            # index less for each interaction written (a mailbox's first read writes 10,000).
            # What an account's analysis is held under (kamp.interactions.summary._fingerprint:
            # how many, newest id, latest edit, last date) read from this index alone: without
            # it, every view of a large account's tab read all its rows.
            models.Index(
                fields=["customer", "date", "updated_at", "id"], name="interaction_fingerprint"
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["external_uid"],
                condition=~Q(external_uid=""),
                name="interaction_external_uid_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.topic}"


class InteractionPerson(models.Model):
    # The unique (interaction, …) constraint's index starts with it: no index of its own.
    interaction = models.ForeignKey(
        Interaction,
        on_delete=models.CASCADE,
        related_name="people_links",
        db_index=False,
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["interaction", "user"], name="interaction_person_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.interaction_id}:{self.user_id}"


class InteractionContact(models.Model):
    # The unique (interaction, …) constraint's index starts with it: no index of its own.
    interaction = models.ForeignKey(
        Interaction,
        on_delete=models.CASCADE,
        related_name="contact_links",
        db_index=False,
    )
    contact = models.ForeignKey("customers.Contact", on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["interaction", "contact"], name="interaction_contact_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.interaction_id}:{self.contact_id}"


class InteractionSettings(models.Model):
    """The thresholds of the bow-tie / diamond analysis: one row, edited by directors and admins."""

    window_days = models.PositiveSmallIntegerField(
        _("window (days)"),
        default=90,
        validators=[MinValueValidator(7), MaxValueValidator(730)],
        help_text=_("The analysis looks at the interactions of this many days up to today."),
    )
    min_pairs = models.PositiveSmallIntegerField(
        _("functional pairs for a diamond"),
        default=2,
        validators=[MinValueValidator(1), MaxValueValidator(20)],
        help_text=_(
            "An account is type B (diamond) when at least this many functional pairs, "
            "besides the KAM and purchasing, had contact in the window."
        ),
    )
    single_thread_percent = models.PositiveSmallIntegerField(
        _("single-thread share (%)"),
        default=80,
        validators=[MinValueValidator(30), MaxValueValidator(100)],
        help_text=_(
            "Flag an account when one customer contact takes part in at least this share "
            "of its interactions."
        ),
    )
    not_met_days = models.PositiveSmallIntegerField(
        _("contact not met after (days)"),
        default=90,
        validators=[MinValueValidator(7), MaxValueValidator(730)],
    )
    # Two managers saving the settings at once: the second is told (kamp.core.versioning).
    version = version_field()

    class Meta:
        verbose_name = _("interaction analysis settings")
        verbose_name_plural = _("interaction analysis settings")

    def __str__(self) -> str:
        return str(self._meta.verbose_name)

    @classmethod
    def load(cls) -> "InteractionSettings":
        from kamp.core.request_memo import memo

        return memo("interactions.settings", cls._load)

    @classmethod
    def _load(cls) -> "InteractionSettings":
        obj = cls.objects.order_by("pk").first()
        return obj if obj is not None else cls()

    def as_rules(self) -> rules.Settings:
        return rules.Settings(
            window_days=self.window_days,
            min_pairs=self.min_pairs,
            single_thread_share=self.single_thread_percent / 100,
            not_met_days=self.not_met_days,
        )


class TargetForm(models.Model):
    """The interaction form an account aims at (kam-domain.md §7): A bow-tie, B diamond, or a
    mix with named functional pairs (our function ↔ their function)."""

    class Form(models.TextChoices):
        A = "A", _("A · bow-tie")
        B = "B", _("B · diamond")
        MIX = "mix", _("Mix · named pairs")

    customer = models.OneToOneField(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.CASCADE,
        related_name="target_form",
    )
    form = models.CharField(_("target form"), max_length=3, choices=Form.choices)
    pairs = models.JSONField(
        _("named pairs"),
        default=list,
        blank=True,
        help_text=_("Pairs of functions, ours and theirs, that should be in contact."),
    )
    note = models.CharField(_("why"), max_length=300, blank=True)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("set by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    set_on = models.DateField(_("set on"))

    class Meta:
        verbose_name = _("target interaction form")
        verbose_name_plural = _("target interaction forms")

    def __str__(self) -> str:
        return f"{self.customer_id}: {self.form}"

    @property
    def pair_tuples(self) -> tuple[tuple[str, str], ...]:
        from .target import clean_pairs

        return clean_pairs(self.pairs or ())
