"""Selection models and their factors, assessments, snapshots of scoring runs and decisions."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from kamp.core.models import import_batch_field
from kamp.core.versioning import version_field

from . import scoring


class Dimension(models.TextChoices):
    ATTRACTIVENESS = scoring.ATTRACTIVENESS, _("Customer attractiveness")
    POSITION = scoring.POSITION, _("Competitive position")


class Direction(models.TextChoices):
    HIGHER = scoring.HIGHER, _("Higher is better")
    LOWER = scoring.LOWER, _("Lower is better")


class Source(models.TextChoices):
    ASSESSED = scoring.ASSESSED, _("Assessed by people")
    DERIVED = scoring.DERIVED, _("Derived from data")


class Mapping(models.TextChoices):
    PERCENTILE = "percentile", _("Percentile rank in the portfolio")
    THRESHOLDS = "thresholds", _("Thresholds")


class Quadrant(models.TextChoices):
    STRATEGIC = scoring.STRATEGIC, pgettext_lazy("quadrant", "Strategic")
    STAR = scoring.STAR, pgettext_lazy("quadrant", "Star")
    STATUS = scoring.STATUS, pgettext_lazy("quadrant", "Status")
    STREAMLINE = scoring.STREAMLINE, pgettext_lazy("quadrant", "Streamline")


class SelectionModel(models.Model):
    """How customers are scored for key account selection (kam-domain.md §2). One is active."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    description = models.TextField(_("description"), blank=True)
    scale_min = models.FloatField(_("scale minimum"), default=1)
    scale_max = models.FloatField(_("scale maximum"), default=10)
    split = models.FloatField(
        _("split"),
        null=True,
        blank=True,
        help_text=_(
            "Where low turns high on both axes. Empty: the scale's midpoint (5.5 on 1–10)."
        ),
    )
    co_investment_min = models.FloatField(
        _("co-investment floor"),
        null=True,
        blank=True,
        help_text=_(
            "A strategic customer scoring below this on willingness to co-invest is "
            "unreciprocated and not recommended. Empty: the split."
        ),
    )
    cap = models.PositiveIntegerField(
        _("key account cap"),
        null=True,
        blank=True,
        help_text=_(
            "At most this many key accounts. Empty: from the company size (SME 10, large 25)."
        ),
    )
    # Group accounts (docs/groups.md): score each group as one account — its companies' sales
    # summed, its companies not scored apart — and the cap counts accounts, not legal entities.
    score_groups = models.BooleanField(
        _("score groups as one account"),
        default=False,
        help_text=_(
            "Score each group account with its companies' sales summed, instead of scoring its "
            "companies one by one; the cap then counts the group once."
        ),
    )
    # The reciprocity ledger (docs/selection.md): each kind of evidence's points, over the
    # defaults of kamp.selection.reciprocity, and the fall of the score that raises an alert.
    reciprocity_weights = models.JSONField(
        _("weights of the reciprocity evidence"), default=dict, blank=True
    )
    reciprocity_drop = models.FloatField(
        _("reciprocity drop alert"),
        default=1.5,
        help_text=_("An alert when the reciprocity score falls by at least these points."),
    )
    is_active = models.BooleanField(_("active"), default=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    # Two managers editing one model (or a file loaded over it): the second is told.
    version = version_field()

    class Meta:
        verbose_name = _("selection model")
        verbose_name_plural = _("selection models")
        ordering = ["-is_active", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_active"], condition=Q(is_active=True), name="selection_one_active_model"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def split_value(self) -> float:
        return (self.scale_min + self.scale_max) / 2 if self.split is None else self.split

    @property
    def floor_value(self) -> float:
        return self.split_value if self.co_investment_min is None else self.co_investment_min

    def effective_cap(self, site=None) -> int:
        if self.cap is not None:
            return self.cap
        if site is None:
            from kamp.core.models import SiteSettings

            site = SiteSettings.load()
        return site.key_account_cap

    def to_pure(self, factors=None, site=None) -> scoring.Model:
        factors = list(self.factors.all()) if factors is None else factors
        return scoring.Model(
            factors=tuple(f.to_pure() for f in factors),
            scale_min=self.scale_min,
            scale_max=self.scale_max,
            split=self.split,
            co_investment_min=self.co_investment_min,
            cap=self.effective_cap(site),
        )


class Factor(models.Model):
    model = models.ForeignKey(
        SelectionModel,
        verbose_name=_("selection model"),
        on_delete=models.CASCADE,
        related_name="factors",
    )
    key = models.SlugField(_("key"), max_length=40)
    label_en = models.CharField(_("English label"), max_length=100, blank=True)
    label_es = models.CharField(_("Spanish label"), max_length=100, blank=True)
    dimension = models.CharField(_("dimension"), max_length=20, choices=Dimension.choices)
    weight = models.FloatField(_("weight"))
    direction = models.CharField(
        _("direction"), max_length=10, choices=Direction.choices, default=Direction.HIGHER
    )
    source = models.CharField(
        _("source"), max_length=10, choices=Source.choices, default=Source.ASSESSED
    )
    metric = models.CharField(
        _("derived from"),
        max_length=30,
        blank=True,
        help_text=_("For a derived factor: the figure computed from the data."),
    )
    mapping = models.CharField(
        _("mapping to the scale"),
        max_length=12,
        choices=Mapping.choices,
        default=Mapping.PERCENTILE,
    )
    thresholds = models.JSONField(
        _("thresholds"),
        default=list,
        blank=True,
        help_text=_(
            "Ascending raw values where the score steps up (with 9 values on 1–10, "
            "whole scores 1 to 10)."
        ),
    )
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("factor")
        verbose_name_plural = _("factors")
        ordering = ["model", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["model", "key"], name="selection_factor_key_unique"),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        lang = (get_language() or "en")[:2]
        if lang == "es" and self.label_es:
            return self.label_es
        return self.label_en or self.label_es or self.key.replace("_", " ").capitalize()

    def to_pure(self) -> scoring.Factor:
        return scoring.Factor(self.key, self.dimension, self.weight, self.direction, self.source)


class Assessment(models.Model):
    """One assessor's score of one customer on one factor (or on ``co_investment``). An assessor
    has one current score per customer and factor; a new score replaces it (the audit log keeps
    the old one)."""

    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.CASCADE,
        related_name="selection_assessments",
    )
    factor = models.SlugField(_("factor"), max_length=40)
    assessor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assessor"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    score = models.FloatField(_("score"))
    date = models.DateField(_("date"), default=timezone.localdate)
    note = models.CharField(_("note"), max_length=300, blank=True)
    import_batch = import_batch_field()
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    # Moved on by every change: a grid opened before someone else's score cannot overwrite it.
    version = version_field()

    class Meta:
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")
        ordering = ["customer", "factor", "assessor"]
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "factor", "assessor"], name="selection_assessment_unique"
            ),
        ]
        indexes = [
            models.Index(fields=["factor", "customer"]),
            # The scoring run's fingerprint reads the newest change on every page that shows a
            # score (kamp.selection.engine.fingerprint): an index look-up, not a scan.
            models.Index(fields=["updated_at"], name="selection_assessment_updated"),
        ]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.factor} {self.score:g} ({self.assessor_id})"


class Snapshot(models.Model):
    """A saved scoring run: where every complete customer sat on the matrix on a date."""

    model = models.ForeignKey(
        SelectionModel,
        verbose_name=_("selection model"),
        on_delete=models.CASCADE,
        related_name="snapshots",
    )
    taken_on = models.DateField(_("date"), default=timezone.localdate)
    label = models.CharField(_("label"), max_length=100, blank=True)
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("snapshot")
        verbose_name_plural = _("snapshots")
        ordering = ["-taken_on", "-id"]

    def __str__(self) -> str:
        return self.label or f"{self.taken_on:%Y-%m-%d}"


class SnapshotPoint(models.Model):
    snapshot = models.ForeignKey(Snapshot, on_delete=models.CASCADE, related_name="points")
    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="+")
    attractiveness = models.FloatField()
    position = models.FloatField()
    co_investment = models.FloatField(null=True, blank=True)
    quadrant = models.CharField(max_length=12, choices=Quadrant.choices)
    recommended = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["snapshot", "customer"], name="selection_point_unique"),
        ]
        indexes = [models.Index(fields=["customer", "snapshot"])]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.attractiveness:.2f}/{self.position:.2f}"


class Decision(models.Model):
    """A change of a customer's key-account status: who decided, when, and why."""

    class Kind(models.TextChoices):
        MAKE = "make", _("Made key account")
        REVOKE = "revoke", _("Key account status revoked")

    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.CASCADE,
        related_name="selection_decisions",
    )
    kind = models.CharField(_("decision"), max_length=10, choices=Kind.choices)
    from_status = models.CharField(_("from"), max_length=12)
    to_status = models.CharField(_("to"), max_length=12)
    rationale = models.TextField(_("rationale"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_on = models.DateField(_("date"), default=timezone.localdate)
    # What the matrix said at the time, so an override of the recommendation stays visible.
    quadrant = models.CharField(_("quadrant"), max_length=12, blank=True, choices=Quadrant.choices)
    was_recommended = models.BooleanField(_("recommended at the time"), null=True)
    model_name = models.CharField(_("selection model"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        verbose_name = _("key account decision")
        verbose_name_plural = _("key account decisions")
        ordering = ["-decided_on", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.decided_on:%Y-%m-%d}"

    @property
    def overrides_recommendation(self) -> bool:
        if self.was_recommended is None:
            return False
        return (self.kind == self.Kind.MAKE) != self.was_recommended


class PreparedRun(models.Model):
    """The latest full scoring run of a model, as the worker (or a first view) computed it, with
    the fingerprint of the data it came from (:func:`kamp.selection.engine.run`'s cache key). A
    process that has not computed the run itself reads it here instead of rescoring; when the
    data have changed since, the matrix shows it marked as being updated while the worker
    prepares the next one."""

    model = models.OneToOneField(SelectionModel, on_delete=models.CASCADE, related_name="+")
    version = models.CharField(max_length=300)
    computed_at = models.DateTimeField()
    data = models.BinaryField()  # the run by columns, compressed (engine.dumps)

    def __str__(self) -> str:
        return f"{self.model_id} {self.computed_at:%Y-%m-%d %H:%M}"


class EvidenceKind(models.TextChoices):
    SURVEY = "survey", _("Survey answer on investing time and resources")
    ACTION_ON_TIME = "action_on_time", _("Joint-plan action done on time")
    EXECUTIVE_MEETING = "executive_meeting", _("Executive-level meeting")
    CO_CREATION = "co_creation", _("Co-creation with the customer's resources")
    DATA_SHARED = "data_shared", _("Data shared (forecasts, plans)")
    COMMITMENT = "commitment", _("Exclusivity or volume commitment")


class ReciprocityEvidence(models.Model):
    """An item of reciprocity evidence typed by the KAM: dated, of a kind, with a note."""

    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.CASCADE,
        related_name="reciprocity_evidence",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=EvidenceKind.choices)
    happened_on = models.DateField(_("date"))
    note = models.CharField(_("what happened"), max_length=300)
    strength = models.FloatField(
        _("strength"), default=1.0, help_text=_("From 0 (token) to 1 (full).")
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        verbose_name = _("reciprocity evidence")
        verbose_name_plural = _("reciprocity evidence")
        ordering = ["-happened_on", "-id"]

    def __str__(self) -> str:
        return f"{self.kind} · {self.happened_on:%Y-%m-%d}"


class ReciprocityLedger(models.Model):
    """A customer's reciprocity score as last computed (what the selection model reads as its
    willingness to co-invest), the score before it (a drop is an alert) and a typed override
    kept with its reason."""

    customer = models.OneToOneField(
        "customers.Customer", on_delete=models.CASCADE, related_name="reciprocity_ledger"
    )
    score = models.FloatField(_("reciprocity score"), null=True, blank=True)
    previous_score = models.FloatField(null=True, blank=True)
    computed_on = models.DateField(null=True, blank=True)
    override = models.FloatField(_("override"), null=True, blank=True)
    override_reason = models.CharField(_("reason"), max_length=300, blank=True)
    override_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("reciprocity ledger")
        verbose_name_plural = _("reciprocity ledgers")

    def __str__(self) -> str:
        return f"{self.customer_id} {self.score}"

    @property
    def effective(self) -> float | None:
        return self.override if self.override is not None else self.score
