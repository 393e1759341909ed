from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kamp.core.models import import_batch_field

from . import quality, typology
from . import stages as stage_rule

SCALE = [MinValueValidator(1), MaxValueValidator(7)]


class RelationshipType(models.TextChoices):
    VULNERABLE_SUPPLIER = typology.VULNERABLE_SUPPLIER, _("Vulnerable supplier")
    VULNERABLE_BUYER = typology.VULNERABLE_BUYER, _("Vulnerable buyer")
    INVITING_BUYER = typology.INVITING_BUYER, _("Inviting buyer")
    INVITING_SUPPLIER = typology.INVITING_SUPPLIER, _("Inviting supplier")
    COMPETITIVE_INTERACTION = typology.COMPETITIVE_INTERACTION, _("Competitive interaction")
    COLLABORATIVE_PARTNERSHIP = typology.COLLABORATIVE_PARTNERSHIP, _("Collaborative partnership")
    INDEPENDENT = typology.INDEPENDENT, _("Independent / market exchange")


class Stage(models.TextChoices):
    EXPLORATORY = stage_rule.EXPLORATORY, _("Exploratory (pre-KAM)")
    BASIC = stage_rule.BASIC, _("Basic (early KAM)")
    COOPERATIVE = stage_rule.COOPERATIVE, _("Cooperative (mid KAM)")
    INTERDEPENDENT = stage_rule.INTERDEPENDENT, _("Interdependent (partnership)")
    INTEGRATED = stage_rule.INTEGRATED, _("Integrated (synergistic)")
    DISINTEGRATING = stage_rule.DISINTEGRATING, _("Disintegrating (uncoupling)")


class Construct(models.TextChoices):
    TRUST = "trust", _("Trust")
    COMMITMENT = "commitment", _("Commitment")
    SATISFACTION = "satisfaction", _("Satisfaction")
    CONFLICT = "conflict", _("Conflict")
    SHARED_VALUES = "shared_values", _("Shared values and goals")
    INFORMATION_SHARING = "information_sharing", _("Information sharing")
    COOPERATION = "cooperation", _("Cooperation and reciprocity")
    CLOSENESS = "closeness", _("Interpersonal closeness")


class ROSource(models.TextChoices):
    ASSESSED = "assessed", _("assessed by the team")
    RQI = "rqi", _("from the relationship quality index")
    IMPORTED = "imported", _("imported")


class Assessment(models.Model):
    """The team's dependence and orientation assessment of one account on one date, with the
    type it gives (kept so the path over time is the one people saw)."""

    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.CASCADE,
        related_name="relationship_assessments",
    )
    date = models.DateField(_("date"), default=timezone.localdate)
    ro = models.DecimalField(
        _("relational orientation"), max_digits=4, decimal_places=2, validators=SCALE
    )
    ro_source = models.CharField(
        _("orientation source"), max_length=10, choices=ROSource.choices, default=ROSource.ASSESSED
    )
    # Our dependence on the customer (D_s): items 1–7, higher = more dependent.
    ds_sales_share = models.PositiveSmallIntegerField(
        _("its share of our sales"), null=True, blank=True, validators=SCALE
    )
    ds_replaceability = models.PositiveSmallIntegerField(
        _("how hard it would be to replace"), null=True, blank=True, validators=SCALE
    )
    ds_switching = models.PositiveSmallIntegerField(
        _("our switching costs"), null=True, blank=True, validators=SCALE
    )
    # The customer's dependence on us (D_b).
    db_category_share = models.PositiveSmallIntegerField(
        _("our share of its category spend"), null=True, blank=True, validators=SCALE
    )
    db_alternatives = models.PositiveSmallIntegerField(
        _("how few alternatives it has"), null=True, blank=True, validators=SCALE
    )
    db_switching = models.PositiveSmallIntegerField(
        _("its switching costs"), null=True, blank=True, validators=SCALE
    )
    db_supply_risk = models.PositiveSmallIntegerField(
        _("its supply risk without us"), null=True, blank=True, validators=SCALE
    )
    ds = models.DecimalField(
        _("our dependence (D_s)"), max_digits=4, decimal_places=2, validators=SCALE
    )
    db = models.DecimalField(
        _("customer's dependence (D_b)"), max_digits=4, decimal_places=2, validators=SCALE
    )
    relative_power = models.DecimalField(_("relative power"), max_digits=4, decimal_places=2)
    type = models.CharField(
        _("relationship type"), max_length=30, choices=RelationshipType.choices, db_index=True
    )
    systems_linked = models.BooleanField(
        _("systems linked"),
        default=False,
        help_text=_(
            "Our systems and the customer's exchange data directly (EDI, portals, shared planning)."
        ),
    )
    functional_pairs = models.PositiveSmallIntegerField(
        _("functional contact pairs"),
        null=True,
        blank=True,
        help_text=_(
            "How many functional counterparts (logistics ↔ logistics, finance ↔ finance…) "
            "talk regularly. Used for the stage when the interaction log does not say."
        ),
    )
    note = models.TextField(_("note"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("recorded"), default=timezone.now)
    import_batch = import_batch_field()

    DS_ITEMS = ["ds_sales_share", "ds_replaceability", "ds_switching"]
    DB_ITEMS = ["db_category_share", "db_alternatives", "db_switching", "db_supply_risk"]

    class Meta:
        verbose_name = _("relationship assessment")
        verbose_name_plural = _("relationship assessments")
        ordering = ["-date", "-id"]
        indexes = [models.Index(fields=["customer", "date"])]

    def __str__(self) -> str:
        return f"{self.customer} · {self.date} · {self.get_type_display()}"


class SurveyTemplate(models.Model):
    key = models.CharField(_("key"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("survey template")
        verbose_name_plural = _("survey templates")

    def __str__(self) -> str:
        return self.name


class SurveyItem(models.Model):
    template = models.ForeignKey(SurveyTemplate, on_delete=models.CASCADE, related_name="items")
    key = models.CharField(_("key"), max_length=40)
    construct = models.CharField(_("construct"), max_length=30, choices=Construct.choices)
    facet = models.CharField(_("facet"), max_length=20, blank=True)
    reversed = models.BooleanField(
        _("reversed"),
        default=False,
        help_text=_("Agreeing means less of the construct; scored 8 − answer."),
    )
    text_en = models.CharField(_("wording (English)"), max_length=300)
    text_es = models.CharField(_("wording (Spanish)"), max_length=300)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("survey item")
        verbose_name_plural = _("survey items")
        ordering = ["template", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["template", "key"], name="survey_item_key_unique")
        ]

    def __str__(self) -> str:
        return self.key

    def text(self, language: str, partner: str) -> str:
        wording = self.text_es if (language or "").startswith("es") else self.text_en
        return wording.replace("{partner}", partner)


class RelationshipSettings(models.Model):
    """How many answers a survey round needs per side before its figures count: one row,
    edited by directors and admins (Django admin)."""

    min_team_answers = models.PositiveSmallIntegerField(
        _("answers needed from our team"),
        default=quality.MIN_TEAM_ANSWERS,
        validators=[MinValueValidator(1), MaxValueValidator(50)],
        help_text=_(
            "A closed round counts toward the account's RQI, trend and stage only with at "
            "least this many answers from our team."
        ),
    )
    min_customer_answers = models.PositiveSmallIntegerField(
        _("answers needed from the customer"),
        default=quality.MIN_CUSTOMER_ANSWERS,
        validators=[MinValueValidator(1), MaxValueValidator(50)],
        help_text=_(
            "A closed round counts only with at least this many answers from the customer's "
            "contacts."
        ),
    )

    class Meta:
        verbose_name = _("relationship survey settings")
        verbose_name_plural = _("relationship survey settings")

    def __str__(self) -> str:
        return str(self._meta.verbose_name)

    @classmethod
    def load(cls) -> "RelationshipSettings":
        from kamp.core.request_memo import memo

        return memo("relationships.settings", cls._load)

    @classmethod
    def _load(cls) -> "RelationshipSettings":
        obj = cls.objects.order_by("pk").first()
        return obj if obj is not None else cls()


class Side(models.TextChoices):
    TEAM = "team", _("Our team")
    CUSTOMER = "customer", _("Customer")


class SurveyRound(models.Model):
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.CASCADE,
        related_name="survey_rounds",
    )
    template = models.ForeignKey(
        SurveyTemplate, verbose_name=_("survey"), on_delete=models.PROTECT, related_name="rounds"
    )
    opened_on = models.DateField(_("opened on"), default=timezone.localdate)
    closes_on = models.DateField(_("answers until"))
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    # Kept up to date as answers arrive, so lists and alerts read them without the answers.
    team_rqi = models.DecimalField(
        _("RQI, our team"), max_digits=7, decimal_places=4, null=True, blank=True
    )
    customer_rqi = models.DecimalField(
        _("RQI, customer"), max_digits=7, decimal_places=4, null=True, blank=True
    )
    max_gap = models.DecimalField(
        _("largest perception gap"), max_digits=7, decimal_places=4, null=True, blank=True
    )
    team_answered = models.PositiveSmallIntegerField(default=0)
    customer_answered = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("survey round")
        verbose_name_plural = _("survey rounds")
        ordering = ["-opened_on", "-id"]
        indexes = [models.Index(fields=["customer", "opened_on"])]

    def __str__(self) -> str:
        return f"{self.customer} · {self.opened_on:%Y-%m-%d}"

    @property
    def is_open(self) -> bool:
        return self.closed_at is None and timezone.localdate() <= self.closes_on

    @property
    def rqi(self):
        """Both sides' RQI averaged (one side's when only one answered)."""
        values = [v for v in (self.team_rqi, self.customer_rqi) if v is not None]
        return sum(values) / len(values) if values else None

    @property
    def gap_flagged(self) -> bool:
        from .quality import GAP_THRESHOLD

        return self.max_gap is not None and float(self.max_gap) > GAP_THRESHOLD


class Respondent(models.Model):
    """One person asked to answer a round: one of our team (answers in the app) or a customer
    contact (answers through a private link). Only a hash of the link's token is stored."""

    round = models.ForeignKey(SurveyRound, on_delete=models.CASCADE, related_name="respondents")
    side = models.CharField(_("side"), max_length=10, choices=Side.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="survey_invitations",
    )
    contact = models.ForeignKey(
        "customers.Contact",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="survey_invitations",
    )
    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("e-mail"), blank=True)
    language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, default="es"
    )
    # The link's token is recomputed from this salt and SECRET_KEY (so it can be copied and
    # re-sent); the database alone does not reveal it. Lookup goes through the hash.
    token_salt = models.CharField(max_length=64, blank=True, editable=False)
    token_hash = models.CharField(max_length=64, null=True, blank=True, unique=True, editable=False)
    expires_at = models.DateTimeField(_("link expires"), null=True, blank=True)
    invited_at = models.DateTimeField(_("invited"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("last reminded"), null=True, blank=True)
    reminder_count = models.PositiveSmallIntegerField(_("reminders"), default=0)
    responded_at = models.DateTimeField(_("answered"), null=True, blank=True)
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        verbose_name = _("survey respondent")
        verbose_name_plural = _("survey respondents")
        ordering = ["side", "name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["round", "user"],
                condition=Q(user__isnull=False),
                name="respondent_user_unique",
            ),
            models.UniqueConstraint(
                fields=["round", "contact"],
                condition=Q(contact__isnull=False),
                name="respondent_contact_unique",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Answer(models.Model):
    respondent = models.ForeignKey(Respondent, on_delete=models.CASCADE, related_name="answers")
    item = models.ForeignKey(SurveyItem, on_delete=models.PROTECT, related_name="+")
    value = models.PositiveSmallIntegerField(_("answer"), validators=SCALE)

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        constraints = [
            models.UniqueConstraint(fields=["respondent", "item"], name="answer_unique"),
            models.CheckConstraint(
                condition=Q(value__gte=1) & Q(value__lte=7), name="answer_1_to_7"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.respondent_id}:{self.item_id}={self.value}"


# The foundations checklist (kam-domain.md §4, point 4): group, key, wording.
FOUNDATION_GROUPS = [
    ("journey", _("Customer journey and experience understood")),
    ("buying", _("Buying process and decision-making unit analysed")),
    ("organisation", _("Organisation and structure that sustain KAM")),
]
FOUNDATION_ITEMS = [
    (
        "journey",
        "journey_mapped",
        _("We have mapped the customer's journey with us, from first need to after-sales."),
    ),
    (
        "journey",
        "experience_known",
        _("We know where the customer's experience with us is good and where it hurts."),
    ),
    (
        "journey",
        "business_understood",
        _("We understand the customer's business, its own customers and its goals."),
    ),
    (
        "buying",
        "buying_process",
        _("The customer's buying process (steps, criteria, timing) is written down."),
    ),
    (
        "buying",
        "dmu_mapped",
        _("The decision-making unit is mapped: who uses, influences, buys, decides and gatekeeps."),
    ),
    (
        "buying",
        "buying_criteria",
        _("We know the customer's buying criteria and how it compares us with competitors."),
    ),
    (
        "organisation",
        "kam_mandate",
        _("The key account manager has the time and mandate to manage this account."),
    ),
    ("organisation", "team_staffed", _("A multifunctional account team is staffed.")),
    ("organisation", "sponsor", _("An executive sponsor is assigned and involved.")),
    (
        "organisation",
        "incentives",
        _("Goals and incentives reward developing the account over the long term."),
    ),
]


class Foundations(models.Model):
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.CASCADE,
        related_name="relationship_foundations",
    )
    date = models.DateField(_("date"), default=timezone.localdate)
    checks = models.JSONField(_("checklist"), default=dict, blank=True)
    score = models.PositiveSmallIntegerField(_("score"), default=0)
    note = models.TextField(_("note"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("recorded"), default=timezone.now)

    class Meta:
        verbose_name = _("foundations assessment")
        verbose_name_plural = _("foundations assessments")
        ordering = ["-date", "-id"]

    def __str__(self) -> str:
        return f"{self.customer} · {self.date} · {self.score}"


class StageRecord(models.Model):
    """A stage decided by the KAM: the rule's suggestion accepted, or overridden with a reason."""

    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.CASCADE,
        related_name="relationship_stages",
    )
    date = models.DateField(_("date"), default=timezone.localdate)
    suggested = models.CharField(_("suggested stage"), max_length=20, choices=Stage.choices)
    stage = models.CharField(_("stage"), max_length=20, choices=Stage.choices)
    reason = models.TextField(_("reason"), blank=True)
    reasons = models.JSONField(_("rule's reasons"), default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("recorded"), default=timezone.now)

    class Meta:
        verbose_name = _("relationship stage")
        verbose_name_plural = _("relationship stages")
        ordering = ["-date", "-id"]
        indexes = [models.Index(fields=["customer", "date"])]

    def __str__(self) -> str:
        return f"{self.customer} · {self.date} · {self.get_stage_display()}"

    @property
    def overridden(self) -> bool:
        return self.stage != self.suggested
