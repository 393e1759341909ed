from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class TeamRole(models.TextChoices):
    SPONSOR = "sponsor", _("Executive sponsor")
    MEMBER = "member", _("Team member")


class AccountTeamMember(models.Model):
    """A colleague on a customer's multifunctional account team. Members may edit the account
    (see kamp.customers.access), so membership lives with the foundation."""

    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("customer"), on_delete=models.CASCADE,
        related_name="team_members",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("person"), on_delete=models.CASCADE,
        related_name="team_memberships",
    )
    role = models.CharField(_("role on the account"), max_length=10, choices=TeamRole.choices,
                            default=TeamRole.MEMBER)
    responsibility = models.CharField(_("responsibility"), max_length=200, blank=True)
    since = models.DateField(_("since"), null=True, blank=True)

    class Meta:
        verbose_name = _("account team member")
        verbose_name_plural = _("account team members")
        constraints = [
            models.UniqueConstraint(fields=["customer", "user"], name="team_member_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.customer}"
