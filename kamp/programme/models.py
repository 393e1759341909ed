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


class StoredAlert(models.Model):
    """One alert as the worker computed it (``kamp.programme.alert_store``): what the pages read
    instead of running every area's checks on each view. Its texts are kept in every language
    kamp speaks, so each reader reads them in theirs; who may see it and its money are decided
    when it is read (``visible_to`` and the money rule depend on the reader)."""

    key = models.CharField(_("alert"), max_length=300, db_index=True)
    area = models.CharField(_("area"), max_length=30)
    kind = models.CharField(_("kind"), max_length=60)
    cause = models.CharField(_("cause"), max_length=60, blank=True)
    severity = models.CharField(_("severity"), max_length=10)
    # Severity weight × value at stake: the rank for a reader who may see every account's money.
    score = models.DecimalField(max_digits=24, decimal_places=2, default=0)
    customer_id = models.BigIntegerField(_("customer"), null=True, blank=True, db_index=True)
    customer_name = models.CharField(_("customer"), max_length=200, blank=True)
    subject = models.CharField(max_length=100, blank=True)
    # The KAM an alert without a customer is about (the team's "what a KAM can carry").
    kam_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    url = models.CharField(max_length=500, blank=True)
    value_at_stake = models.DecimalField(max_digits=22, decimal_places=2, null=True, blank=True)
    sign_kinds = models.JSONField(default=list)
    # {language: {"message", "cause_title", "signs", "data"}}
    texts = models.JSONField(default=dict)
    computed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("stored alert")
        verbose_name_plural = _("stored alerts")
        indexes = [models.Index(fields=["-score", "customer_name"], name="programme_alert_rank")]

    def __str__(self) -> str:
        return self.key


class AlertDirty(models.Model):
    """A customer whose alerts need recomputing (``customer_id`` 0: every account), written by
    the change that made them stale and cleared by the worker once it recomputed them."""

    customer_id = models.BigIntegerField(db_index=True)
    marked_at = models.DateTimeField(default=timezone.now)
    #: Who made the change (a user's id; None: the worker, a command): their own next page
    #: recomputes the account at once, the others' read what the worker stores a moment later.
    marked_by = models.BigIntegerField(null=True, blank=True)

    class Meta:
        verbose_name = _("alerts to recompute")
        verbose_name_plural = _("alerts to recompute")

    def __str__(self) -> str:
        return str(self.customer_id)


class AlertRefresh(models.Model):
    """When every account's alerts were last computed (one row): the day the stored alerts are
    for. Time-based alerts (overdue actions, no contact for 90 days) move with the date, so a
    view on a later day has the worker recompute them all."""

    as_of = models.DateField()
    finished_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("alerts refresh")
        verbose_name_plural = _("alerts refreshes")

    def __str__(self) -> str:
        return self.as_of.isoformat()
