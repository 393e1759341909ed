"""Account plans (kam-domain.md §10): per key account and period, the customer's business and
goals, our objectives and strategy, actions, whitespace, co-creation initiatives, risks and
review meetings — kept alive, so every change stamps the plan's ``last_updated_at``."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kamp.core.versioning import version_field

PERIOD_VALIDATOR = RegexValidator(
    r"^\d{4}(-[A-Za-z0-9]{1,4})?$",
    _("A year such as 2026, optionally with a part: 2026-H1, 2026-Q3."),
)


def default_period() -> str:
    return str(timezone.localdate().year)


class AccountPlan(models.Model):
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.CASCADE,
        related_name="plans",
    )
    period = models.CharField(
        _("period"),
        max_length=12,
        default=default_period,
        validators=[PERIOD_VALIDATOR],
        help_text=_("A year such as 2026, optionally with a part: 2026-H1."),
    )
    business_and_goals = models.TextField(
        _("the customer's business and goals"),
        blank=True,
        help_text=_("What the customer does, where it is going and what it needs to succeed."),
    )
    strategy = models.TextField(
        _("our strategy"),
        blank=True,
        help_text=_("How we will reach our objectives with this customer."),
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    last_updated_at = models.DateTimeField(_("last updated"), default=timezone.now, db_index=True)
    last_updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("last updated by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Moved on by every action that changes it: a stale form cannot overwrite it.
    version = version_field()

    class Meta:
        verbose_name = _("account plan")
        verbose_name_plural = _("account plans")
        ordering = ["customer", "-period"]
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "period"], name="plan_customer_period_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.customer} · {self.period}"


class ObjectiveMetric(models.TextChoices):
    """The live figures an objective may follow (their keys in ``kamp.economics.figures``)."""

    REVENUE = "revenue", _("Net revenue, last 12 complete months")
    PROFIT_AFTER_KAM = "profit_after_kam", _("Profit after KAM, last 12 complete months")
    SHARE_OF_WALLET = "share_of_wallet", _("Share of wallet (%), last 12 complete months")
    RQI = "rqi", _("RQI, latest counted survey round")
    DIAMOND_INDEX = "diamond_index", _("Diamond index (%), interactions window")


# The figures that are money: an objective bound to one is financial (hidden like one).
MONEY_METRICS = frozenset({"revenue", "profit_after_kam", "share_of_wallet"})


class Objective(models.Model):
    """Our measurable objective with the customer: a target and where we stand."""

    plan = models.ForeignKey(
        AccountPlan, on_delete=models.CASCADE, related_name="objectives", verbose_name=_("plan")
    )
    title = models.CharField(_("objective"), max_length=300)
    measure = models.CharField(
        _("measure"), max_length=100, blank=True, help_text=_("The unit: %, projects, MCLP, days…")
    )
    target = models.DecimalField(
        _("target"), max_digits=18, decimal_places=2, null=True, blank=True
    )
    current = models.DecimalField(
        _("current value"), max_digits=18, decimal_places=2, null=True, blank=True
    )
    is_financial = models.BooleanField(
        _("financial"),
        default=False,
        help_text=_(
            "A money target: shown only to those who may see the account's economics, "
            "never to the customer."
        ),
    )
    due = models.DateField(_("target date"), null=True, blank=True)
    # Bound to one of the account's headline figures (docs/figures.md): the current value is
    # then computed wherever the objective is shown, never typed — a typed 27 % beside a
    # computed 24,2 % is what made directors distrust the numbers.
    metric = models.CharField(
        _("current value from"),
        max_length=20,
        choices=ObjectiveMetric.choices,
        blank=True,
        default="",
        help_text=_("Leave empty to type the current value; else it is computed."),
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    # Not a field: set by ``kamp.reports.plan_data.gather`` when the reader may not see money
    # (``target`` and ``current`` are then blanked).
    hidden_money: bool = False
    # Moved on by every action that changes it: a stale form cannot overwrite it.
    version = version_field()

    class Meta:
        verbose_name = _("objective")
        verbose_name_plural = _("objectives")
        ordering = ["plan", "created_at", "id"]

    def __str__(self) -> str:
        return self.title

    @property
    def progress(self) -> int | None:
        """Per cent of the target reached (None without both values)."""
        if self.target in (None, 0) or self.current is None:
            return None
        return max(0, min(100, round(100 * self.current / self.target)))


class ActionStatus(models.TextChoices):
    OPEN = "open", _("To do")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    DROPPED = "dropped", _("Dropped")


OPEN_STATUSES = (ActionStatus.OPEN, ActionStatus.IN_PROGRESS)


class PlanAction(models.Model):
    plan = models.ForeignKey(
        AccountPlan, on_delete=models.CASCADE, related_name="actions", verbose_name=_("plan")
    )
    title = models.CharField(_("action"), max_length=300)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="plan_actions",
    )
    due = models.DateField(_("due"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=ActionStatus.choices, default=ActionStatus.OPEN
    )
    shared_with_customer = models.BooleanField(
        _("shared with the customer"),
        default=False,
        help_text=_("Shown on the joint plan the customer sees."),
    )
    objective = models.ForeignKey(
        Objective,
        verbose_name=_("objective"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="actions",
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True, editable=False)
    # Moved on by every action that changes it: a stale form cannot overwrite it.
    version = version_field()

    class Meta:
        verbose_name = _("action")
        verbose_name_plural = _("actions")
        ordering = ["plan", "due", "id"]
        indexes = [models.Index(fields=["owner", "status", "due"])]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def is_overdue(self, today: datetime.date | None = None) -> bool:
        today = today or timezone.localdate()
        return self.is_open and self.due is not None and self.due < today


class WhitespaceStatus(models.TextChoices):
    SERVING = "serving", _("We serve it")
    OPPORTUNITY = "opportunity", _("Opportunity")
    PURSUING = "pursuing", _("Pursuing")
    NO_FIT = "no_fit", _("Not a fit")


class WhitespaceCell(models.Model):
    """One cell of the whitespace grid: a customer buying unit × one of our offerings."""

    plan = models.ForeignKey(
        AccountPlan, on_delete=models.CASCADE, related_name="whitespace", verbose_name=_("plan")
    )
    buying_unit = models.CharField(
        _("buying unit"),
        max_length=120,
        help_text=_("A business unit, site or department that buys."),
    )
    offering = models.CharField(_("our offering"), max_length=120)
    current_revenue = models.DecimalField(
        _("current revenue"), max_digits=18, decimal_places=2, default=0
    )
    potential = models.DecimalField(
        _("potential"),
        max_digits=18,
        decimal_places=2,
        default=0,
        help_text=_("Yearly revenue we could reach."),
    )
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=WhitespaceStatus.choices,
        default=WhitespaceStatus.OPPORTUNITY,
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    # Moved on by every action that changes it: a stale form cannot overwrite it.
    version = version_field()

    class Meta:
        verbose_name = _("whitespace cell")
        verbose_name_plural = _("whitespace")
        ordering = ["plan", "buying_unit", "offering"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "buying_unit", "offering"], name="whitespace_cell_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.buying_unit} × {self.offering}"

    @property
    def gap(self):
        return max(self.potential - self.current_revenue, 0)


class InitiativeStage(models.TextChoices):
    IDEA = "idea", _("Idea")
    PILOT = "pilot", _("Pilot")
    LAUNCHED = "launched", _("Launched")
    STOPPED = "stopped", _("Stopped")


class Initiative(models.Model):
    """A co-creation initiative [cocreación]: a joint idea taken from idea to pilot to launch."""

    plan = models.ForeignKey(
        AccountPlan, on_delete=models.CASCADE, related_name="initiatives", verbose_name=_("plan")
    )
    title = models.CharField(_("initiative"), max_length=300)
    stage = models.CharField(
        _("stage"), max_length=10, choices=InitiativeStage.choices, default=InitiativeStage.IDEA
    )
    value_for_customer = models.TextField(_("value for the customer"), blank=True)
    value_for_us = models.TextField(_("value for us"), blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    # Moved on by every action that changes it: a stale form cannot overwrite it.
    version = version_field()

    class Meta:
        verbose_name = _("co-creation initiative")
        verbose_name_plural = _("co-creation initiatives")
        ordering = ["plan", "created_at", "id"]

    def __str__(self) -> str:
        return self.title


LEVEL_CHOICES = [(1, _("Low")), (2, _("Medium")), (3, _("High"))]
HIGH_RISK_SCORE = 6  # likelihood × impact on 1–3: high × medium or worse


class Risk(models.Model):
    plan = models.ForeignKey(
        AccountPlan, on_delete=models.CASCADE, related_name="risks", verbose_name=_("plan")
    )
    title = models.CharField(_("risk"), max_length=300)
    likelihood = models.PositiveSmallIntegerField(
        _("likelihood"),
        choices=LEVEL_CHOICES,
        default=2,
        validators=[MinValueValidator(1), MaxValueValidator(3)],
    )
    impact = models.PositiveSmallIntegerField(
        _("impact"),
        choices=LEVEL_CHOICES,
        default=2,
        validators=[MinValueValidator(1), MaxValueValidator(3)],
    )
    mitigation = models.TextField(_("mitigation"), blank=True)
    closed = models.BooleanField(_("closed"), default=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    # Moved on by every action that changes it: a stale form cannot overwrite it.
    version = version_field()

    class Meta:
        verbose_name = _("risk")
        verbose_name_plural = _("risks")
        ordering = ["plan", "closed", "-likelihood", "-impact", "id"]

    def __str__(self) -> str:
        return self.title

    @property
    def score(self) -> int:
        return self.likelihood * self.impact

    @property
    def is_high(self) -> bool:
        return not self.closed and self.score >= HIGH_RISK_SCORE

    @property
    def level(self) -> str:
        """``high`` (6–9), ``medium`` (3–4) or ``low`` (1–2): likelihood × impact."""
        if self.score >= HIGH_RISK_SCORE:
            return "high"
        return "medium" if self.score >= 3 else "low"

    def get_level_display(self) -> str:
        return str(dict(LEVEL_CHOICES)[{"high": 3, "medium": 2, "low": 1}[self.level]])


class Review(models.Model):
    """A review meeting with the customer (QBR) and what came out of it."""

    plan = models.ForeignKey(
        AccountPlan, on_delete=models.CASCADE, related_name="reviews", verbose_name=_("plan")
    )
    date = models.DateField(_("date"), default=timezone.localdate)
    title = models.CharField(_("meeting"), max_length=200, default="QBR")
    attendees = models.CharField(_("attendees"), max_length=500, blank=True)
    outcomes = models.TextField(_("outcomes"), blank=True)
    # Moved on by every action that changes it: a stale form cannot overwrite it.
    version = version_field()

    class Meta:
        verbose_name = _("review meeting")
        verbose_name_plural = _("review meetings")
        ordering = ["plan", "-date", "-id"]

    def __str__(self) -> str:
        return f"{self.title} {self.date}"


class JointPlanLink(models.Model):
    """A private, expiring, revocable link through which the customer reads chosen parts of the
    plan (never any money) and leaves comments."""

    plan = models.ForeignKey(
        AccountPlan, on_delete=models.CASCADE, related_name="joint_links", verbose_name=_("plan")
    )
    token = models.CharField(max_length=64, unique=True, editable=False)
    label = models.CharField(
        _("for"),
        max_length=200,
        blank=True,
        help_text=_("Whom you send it to, e.g. the customer's CFO."),
    )
    language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, default="es"
    )
    share_objectives = models.BooleanField(_("objectives"), default=True)
    share_actions = models.BooleanField(_("shared actions"), default=True)
    share_initiatives = models.BooleanField(_("co-creation initiatives"), default=True)
    expires_at = models.DateTimeField(_("expires"))
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    last_viewed_at = models.DateTimeField(_("last opened"), null=True, blank=True)
    view_count = models.PositiveIntegerField(_("times opened"), default=0)

    class Meta:
        verbose_name = _("joint plan link")
        verbose_name_plural = _("joint plan links")
        ordering = ["plan", "-created_at"]

    def __str__(self) -> str:
        return self.label or str(self.plan)

    def is_active(self, now: datetime.datetime | None = None) -> bool:
        now = now or timezone.now()
        return self.revoked_at is None and self.expires_at > now


class JointPlanComment(models.Model):
    """A comment the customer left on the joint plan (plain text, always escaped)."""

    link = models.ForeignKey(JointPlanLink, on_delete=models.CASCADE, related_name="comments")
    plan = models.ForeignKey(AccountPlan, on_delete=models.CASCADE, related_name="comments")
    name = models.CharField(_("your name"), max_length=120)
    text = models.TextField(_("comment"), max_length=2000)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    # A keyed hash of the sender's address: enough to rate-limit, nothing to identify.
    sender = models.CharField(max_length=64, blank=True, editable=False)

    class Meta:
        verbose_name = _("customer comment")
        verbose_name_plural = _("customer comments")
        ordering = ["plan", "-created_at"]

    def __str__(self) -> str:
        return f"{self.name}: {self.text[:40]}"


# The parts of a plan that are added, edited and deleted one by one (``actions.ITEM_MODELS``).
PlanItem = Objective | PlanAction | WhitespaceCell | Initiative | Risk | Review


class JourneyStage(models.Model):
    """One stage of the customer's journey with us (kam-domain.md §4, foundations): where it
    meets us (touchpoints) and what hurts there (pain points)."""

    plan = models.ForeignKey(
        AccountPlan,
        verbose_name=_("plan"),
        on_delete=models.CASCADE,
        related_name="journey_stages",
    )
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    name = models.CharField(_("stage"), max_length=120)
    touchpoints = models.TextField(_("touchpoints"), blank=True)
    pain_points = models.TextField(_("pain points"), blank=True)
    dated = models.DateField(_("as of"), null=True, blank=True)

    class Meta:
        verbose_name = _("journey stage")
        verbose_name_plural = _("journey stages")
        ordering = ["plan", "position", "id"]

    def __str__(self) -> str:
        return self.name


class BuyingStep(models.Model):
    """One step of the customer's buying process, with who decides at it (linked to the DMU
    map's contacts) and when."""

    plan = models.ForeignKey(
        AccountPlan,
        verbose_name=_("plan"),
        on_delete=models.CASCADE,
        related_name="buying_steps",
    )
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    name = models.CharField(_("step"), max_length=120)
    deciders = models.ManyToManyField(
        "customers.Contact", verbose_name=_("who decides"), blank=True, related_name="+"
    )
    dated = models.DateField(_("when"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("buying step")
        verbose_name_plural = _("buying steps")
        ordering = ["plan", "position", "id"]

    def __str__(self) -> str:
        return self.name
