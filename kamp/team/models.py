from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kamp.core.versioning import version_field


class TeamRole(models.TextChoices):
    SPONSOR = "sponsor", _("Executive sponsor")
    MEMBER = "member", _("Team member")


class AccountTeamMember(models.Model):
    """A colleague on a customer's multifunctional account team. Members may edit the account
    (see kamp.customers.access), so membership lives with the foundation."""

    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.CASCADE,
        related_name="team_members",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        related_name="team_memberships",
    )
    role = models.CharField(
        _("role on the account"), max_length=10, choices=TeamRole.choices, default=TeamRole.MEMBER
    )
    responsibility = models.CharField(_("responsibility"), max_length=200, blank=True)
    since = models.DateField(_("since"), null=True, blank=True)
    # Two people changing one member's role: the second is told (kamp.core.versioning).
    version = version_field()

    class Meta:
        verbose_name = _("account team member")
        verbose_name_plural = _("account team members")
        constraints = [
            models.UniqueConstraint(fields=["customer", "user"], name="team_member_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.customer}"


class Hat(models.TextChoices):
    """The four hats of a key account manager (kam-domain.md §8)."""

    SALESPERSON = "salesperson", _("Salesperson")
    CONDUCTOR = "conductor", _("Orchestra conductor")
    STRATEGIST = "strategist", _("Strategist")
    INNOVATOR = "innovator", _("Innovator")


HAT_FIELDS = [h.value for h in Hat]


def _level(verbose):
    return models.PositiveSmallIntegerField(
        verbose, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )


class HatAssessment(models.Model):
    """One dated assessment of a KAM's four hats, 1–5, by the KAM (self) or by the director.
    Both are kept: the profile shows the latest of each and the history."""

    class Source(models.TextChoices):
        SELF = "self", _("Self-assessment")
        DIRECTOR = "director", _("Director's assessment")

    kam = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("key account manager"),
        on_delete=models.CASCADE,
        related_name="hat_assessments",
    )
    assessor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assessed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    assessed_on = models.DateField(_("date"), default=timezone.localdate)
    salesperson = _level(_("salesperson"))
    conductor = _level(_("orchestra conductor"))
    strategist = _level(_("strategist"))
    innovator = _level(_("innovator"))
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("hat assessment")
        verbose_name_plural = _("hat assessments")
        ordering = ["-assessed_on", "-id"]
        indexes = [models.Index(fields=["kam", "source", "assessed_on"])]

    def __str__(self) -> str:
        return f"{self.kam} · {self.get_source_display()} · {self.assessed_on}"

    @property
    def levels(self) -> dict[str, int]:
        return {h: getattr(self, h) for h in HAT_FIELDS}


class OwnershipChange(models.Model):
    """A change of a customer's owning KAM, with its date: tenure and KAM turnover come from
    here (kam-domain.md §8, keeping the right KAMs). Written by ``do_change_owner``; owner changes
    made elsewhere are read from the audit trail (see ``kamp.team.ownership``)."""

    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.CASCADE,
        related_name="ownership_changes",
    )
    previous_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("previous KAM"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    new_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("new KAM"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    changed_on = models.DateField(_("date"), default=timezone.localdate)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("changed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    # The audit row written by the same change, so the audit fallback never counts it twice.
    audit_event_id = models.BigIntegerField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("change of KAM")
        verbose_name_plural = _("changes of KAM")
        ordering = ["-changed_on", "-id"]
        indexes = [models.Index(fields=["customer", "changed_on"])]

    def __str__(self) -> str:
        return f"{self.customer} · {self.previous_owner} → {self.new_owner} ({self.changed_on})"
