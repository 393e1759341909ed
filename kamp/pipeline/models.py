"""Bids and opportunities, their debriefs, contracts and followed contacts (docs/pipeline.md)."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Stage(models.TextChoices):
    IDENTIFIED = "identified", _("Identified")
    QUALIFYING = "qualifying", _("Qualifying")
    PROPOSAL = "proposal", _("Proposal")
    NEGOTIATION = "negotiation", _("Negotiation")
    WON = "won", _("Won")
    LOST = "lost", _("Lost")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Reason(models.TextChoices):
    PRICE = "price", _("Price")
    RELATIONSHIP = "relationship", _("Relationship")
    CAPABILITY = "capability", _("Capability")
    BUYING_PROCESS = "buying_process", _("Buying process")
    CULTURE = "culture", _("Culture")


class Bid(models.Model):
    """A bid or opportunity with a customer; once closed, its debrief."""

    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.CASCADE,
        related_name="bids",
    )
    title = models.CharField(_("title"), max_length=200)
    scope = models.TextField(_("scope"), blank=True)
    value = models.DecimalField(_("value"), max_digits=18, decimal_places=4, null=True, blank=True)
    currency = models.CharField(_("currency"), max_length=3, blank=True)
    stage = models.CharField(
        _("stage"), max_length=12, choices=Stage.choices, default=Stage.IDENTIFIED
    )
    probability = models.PositiveSmallIntegerField(
        _("probability (%)"),
        default=10,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    due_on = models.DateField(_("due date"), null=True, blank=True)
    rivals = models.CharField(_("rivals"), max_length=300, blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    # The debrief of a closed bid.
    reasons = models.JSONField(_("why we won or lost"), default=list, blank=True)
    debrief_note = models.TextField(_("debrief note"), blank=True)
    learnt_needs = models.TextField(_("what we learnt about their needs"), blank=True)
    learnt_buying = models.TextField(_("what we learnt about their buying process"), blank=True)
    learnt_culture = models.TextField(_("what we learnt about their culture"), blank=True)
    learnt_people = models.TextField(
        _("the people of their decision"),
        blank=True,
        help_text=_("One a line: name; title; roles (decider, buyer, influencer, user…)."),
    )
    # "From lost bid to key account": when the bid was made the seed of a candidate.
    seeded_on = models.DateField(_("made a candidate on"), null=True, blank=True)
    seeded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("bid")
        verbose_name_plural = _("bids")
        ordering = ["customer", "-created_at", "-id"]
        indexes = [models.Index(fields=["customer", "stage"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(probability__lte=100), name="bid_probability_0_100"
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.stage not in (Stage.WON, Stage.LOST, Stage.WITHDRAWN)

    def get_reasons_display(self) -> list[str]:
        labels = dict(Reason.choices)
        return [str(labels.get(r, r)) for r in self.reasons or []]


class Contract(models.Model):
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.CASCADE,
        related_name="contracts",
    )
    title = models.CharField(_("title"), max_length=200)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    value = models.DecimalField(_("value"), max_digits=18, decimal_places=4, null=True, blank=True)
    currency = models.CharField(_("currency"), max_length=3, blank=True)
    bid = models.ForeignKey(
        Bid,
        verbose_name=_("bid"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="contracts",
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("contract")
        verbose_name_plural = _("contracts")
        ordering = ["customer", "ends_on", "id"]
        indexes = [models.Index(fields=["ends_on"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")),
                name="contract_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return self.title


class FollowedContact(models.Model):
    """A champion who left an account, followed to their new company: the new contact keeps
    the link to the old one (and so to its history)."""

    former = models.OneToOneField(
        "customers.Contact",
        verbose_name=_("contact who left"),
        on_delete=models.CASCADE,
        related_name="followed_to",
    )
    new = models.OneToOneField(
        "customers.Contact",
        verbose_name=_("contact at the new company"),
        on_delete=models.CASCADE,
        related_name="followed_from",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("followed contact")
        verbose_name_plural = _("followed contacts")

    def __str__(self) -> str:
        return f"{self.former} → {self.new}"
