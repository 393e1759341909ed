from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AlertDismissal(models.Model):
    """An alert someone set aside, with the reason. Kept when restored, so the inbox has a
    history of what was dismissed, by whom and why."""

    key = models.CharField(_("alert"), max_length=300, db_index=True)
    area = models.CharField(_("area"), max_length=30)
    kind = models.CharField(_("kind"), max_length=60)
    # The cause the alert was about (its signs may change while it is set aside).
    cause = models.CharField(_("cause"), max_length=200, blank=True)
    customer_id = models.BigIntegerField(_("customer"), null=True, blank=True, db_index=True)
    customer_name = models.CharField(_("customer"), max_length=200, blank=True)
    message = models.CharField(_("message"), max_length=500, blank=True)
    reason = models.CharField(_("reason"), max_length=500)
    dismissed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("dismissed by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    dismissed_at = models.DateTimeField(_("dismissed"), default=timezone.now)
    # Until when it stays dismissed (empty: until restored).
    until = models.DateField(_("until"), null=True, blank=True)
    restored_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("restored by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    restored_at = models.DateTimeField(_("restored"), null=True, blank=True)

    class Meta:
        verbose_name = _("dismissed alert")
        verbose_name_plural = _("dismissed alerts")
        ordering = ["-dismissed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.key} ({self.reason})"

    def is_active(self, today=None) -> bool:
        today = today or timezone.localdate()
        return self.restored_at is None and (self.until is None or self.until >= today)


class ReadinessAssessment(models.Model):
    """One take of the readiness self-assessment: answers and the scores they gave, so takes can
    be compared over time."""

    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("taken by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    taken_on = models.DateField(_("date"), default=timezone.localdate)
    answers = models.JSONField(_("answers"), default=dict)
    scores = models.JSONField(_("scores per area"), default=dict)
    overall = models.PositiveSmallIntegerField(_("overall score"), null=True)
    level = models.CharField(_("level"), max_length=20, blank=True)
    steps = models.JSONField(_("next steps"), default=list)
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("readiness self-assessment")
        verbose_name_plural = _("readiness self-assessments")
        ordering = ["-taken_on", "-id"]

    def __str__(self) -> str:
        return f"{self.taken_on} · {self.overall}%"
