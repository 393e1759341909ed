from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from kamp.core.choices import Function
from kamp.core.models import import_batch_field
from kamp.core.versioning import version_field

from .searchtext import SEARCHED_FIELDS, query_terms, search_text


class CustomerStatus(models.TextChoices):
    CANDIDATE = "candidate", _("Candidate")
    KEY_ACCOUNT = "key_account", _("Key account")
    FORMER = "former", _("Former key account")


class CustomerSize(models.TextChoices):
    MICRO = "micro", _("Micro")
    SMALL = "small", _("Small")
    MEDIUM = "medium", _("Medium")
    LARGE = "large", _("Large")
    ENTERPRISE = "enterprise", _("Enterprise / multinational")


class CustomerQuerySet(models.QuerySet):
    """Bulk writes (the importers, the demo, the generic import engine) skip ``save()``: they
    fill the stored search text here, so no writer can leave it stale."""

    def bulk_create(self, objs, *args, **kwargs):
        objs = list(objs)
        for obj in objs:
            obj.search_text = obj.compute_search_text()
        return super().bulk_create(objs, *args, **kwargs)

    def bulk_update(self, objs, fields, *args, **kwargs):
        objs = list(objs)
        fields = list(fields)
        if set(fields) & set(SEARCHED_FIELDS):
            for obj in objs:
                obj.search_text = obj.compute_search_text()
            if "search_text" not in fields:
                fields.append("search_text")
        return super().bulk_update(objs, fields, *args, **kwargs)

    def update(self, **kwargs):
        # A queryset update of a searched value without the search text (which depends on the
        # row's other values) would leave the search behind: such a writer must save the rows or
        # bulk_update them (refused here so it is found at once, not later as a customer the
        # search misses).
        if set(kwargs) & set(SEARCHED_FIELDS) and "search_text" not in kwargs:
            raise TypeError(
                "Customer's searched fields change through save() or bulk_update(), "
                "which keep search_text in step."
            )
        return super().update(**kwargs)


def search_customers(qs, query: str):
    """The customers of ``qs`` whose name, tax id, external id or region contain what was
    typed, whatever its case and accents, a tax id with or without dots and dash (the query is
    folded as the stored ``search_text`` was; the same on SQLite and PostgreSQL)."""
    terms = query_terms(query)
    if not terms:
        return qs
    match = Q()
    for term in terms:
        match |= Q(search_text__contains=term)
    return qs.filter(match)


class Customer(models.Model):
    name = models.CharField(_("name"), max_length=200, db_index=True)
    tax_id = models.CharField(
        _("tax id"), max_length=40, blank=True, help_text=_("E.g. a Chilean RUT: 76.123.456-0")
    )
    external_id = models.CharField(
        _("external id"),
        max_length=60,
        blank=True,
        help_text=_("The customer's code in your ERP or CRM."),
    )
    industry = models.CharField(_("industry"), max_length=100, blank=True, db_index=True)
    region = models.CharField(_("region"), max_length=100, blank=True, db_index=True)
    country = models.CharField(
        _("country"),
        max_length=2,
        blank=True,
        default="CL",
        help_text=_("Two-letter ISO code, e.g. CL."),
    )
    size = models.CharField(_("size"), max_length=12, choices=CustomerSize.choices, blank=True)
    currency = models.CharField(
        _("currency"),
        max_length=3,
        blank=True,
        help_text=_("ISO code, e.g. CLP. Empty: the base currency."),
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent company"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="subsidiaries",
    )
    # The account of its group: the companies under it (its parent chain) roll up to it
    # (kamp.customers.groups; docs/groups.md).
    is_group_account = models.BooleanField(
        _("group account"),
        default=False,
        help_text=_(
            "The account of its group: the sales, P&L, interactions and people of the "
            "companies under it roll up to it."
        ),
    )
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=CustomerStatus.choices,
        default=CustomerStatus.CANDIDATE,
        db_index=True,
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("key account manager"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_customers",
    )
    address = models.TextField(
        _("address"), max_length=500, blank=True, help_text=_("Street, number and city.")
    )
    notes = models.TextField(_("notes"), blank=True)
    import_batch = import_batch_field()
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    # Moved on by every action that changes the record, so a stale form cannot overwrite it.
    version = version_field()
    # Name, tax id, external id and region folded for the search (kamp.customers.searchtext):
    # kept by save() and the bulk writes, never typed.
    search_text = models.TextField(_("search text"), blank=True, default="", editable=False)

    objects = CustomerQuerySet.as_manager()

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["tax_id"],
                condition=~Q(tax_id=""),
                name="customer_tax_id_unique",
                violation_error_code="duplicate_tax_id",
                violation_error_message=_("Another customer already has this tax id."),
            ),
            models.UniqueConstraint(
                fields=["external_id"],
                condition=~Q(external_id=""),
                name="customer_external_id_unique",
                violation_error_code="duplicate_external_id",
                violation_error_message=_("Another customer already has this external id."),
            ),
        ]
        indexes = [
            models.Index(fields=["status", "name"]),
            models.Index(fields=["owner", "status"]),
            # The selection run's fingerprint reads the latest change to any customer on every
            # page that shows the matrix: without it, a scan of every customer.
            models.Index(fields=["updated_at"], name="customer_updated_at_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        self.search_text = self.compute_search_text()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and set(update_fields) & set(SEARCHED_FIELDS):
            kwargs["update_fields"] = {*update_fields, "search_text"}
        super().save(*args, **kwargs)

    def compute_search_text(self) -> str:
        return search_text(
            self.name or "", self.tax_id or "", self.external_id or "", self.region or ""
        )

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        from .validators import normalise_tax_id

        self.country = (self.country or "").upper()
        self.currency = (self.currency or "").upper()
        try:
            self.tax_id = normalise_tax_id(self.tax_id, self.country)
        except ValidationError as exc:
            raise ValidationError({"tax_id": exc.messages})
        if self.parent_id and self.parent_id == self.pk:
            raise ValidationError({"parent": _("A company cannot be its own parent.")})

    def validate_constraints(self, exclude=None) -> None:
        """A duplicate tax id or external id is reported beside that field, not above the form."""
        from django.core.exceptions import ValidationError

        try:
            super().validate_constraints(exclude=exclude)
        except ValidationError as exc:
            fields = {"duplicate_tax_id": "tax_id", "duplicate_external_id": "external_id"}
            errors: dict[str, list] = {}
            for error in (
                exc.error_list
                if not hasattr(exc, "error_dict")
                else [e for errs in exc.error_dict.values() for e in errs]
            ):
                errors.setdefault(fields.get(error.code or "", "__all__"), []).append(error)
            raise ValidationError(errors)

    @property
    def is_key_account(self) -> bool:
        return self.status == CustomerStatus.KEY_ACCOUNT

    @property
    def code(self) -> str:
        """How scripts and exports name a customer: tax id, else external id, else the name."""
        return self.tax_id or self.external_id or self.name


class GroupMembership(models.Model):
    """A company's membership of a group account, dated: when a company moves between groups
    the open record is closed and a new one opened, so a past month's sales still count for
    the group the company belonged to then (kamp.customers.groups). ``valid_from`` empty: since
    before anything kamp holds; ``valid_to`` empty: still a member. The group account itself is
    not a member of its own group: it is always in it."""

    company = models.ForeignKey(
        Customer,
        verbose_name=_("company"),
        on_delete=models.CASCADE,
        related_name="group_memberships",
    )
    group = models.ForeignKey(
        Customer,
        verbose_name=_("group account"),
        on_delete=models.CASCADE,
        related_name="group_members",
    )
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)

    class Meta:
        verbose_name = _("group membership")
        verbose_name_plural = _("group memberships")
        ordering = ["company", "valid_from"]
        indexes = [
            models.Index(fields=["group", "valid_to"]),
            models.Index(fields=["company", "valid_to"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["company"],
                condition=Q(valid_to__isnull=True),
                name="group_membership_one_open",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.company_id} → {self.group_id}"


class Seniority(models.TextChoices):
    EXECUTIVE = "executive", _("Executive / C-level")
    SENIOR = "senior", _("Senior manager")
    MIDDLE = "middle", _("Middle manager")
    STAFF = "staff", _("Staff")


class DMURole(models.TextChoices):
    """Webster & Wind's buying centre roles, plus initiator and champion."""

    USER = "user", _("User")
    INFLUENCER = "influencer", _("Influencer")
    BUYER = "buyer", _("Buyer")
    DECIDER = "decider", _("Decider")
    GATEKEEPER = "gatekeeper", _("Gatekeeper")
    INITIATOR = "initiator", _("Initiator")
    CHAMPION = "champion", _("Champion")


class Attitude(models.TextChoices):
    CHAMPION = "champion", _("Champion")
    SUPPORTER = "supporter", _("Supporter")
    NEUTRAL = "neutral", _("Neutral")
    CRITIC = "critic", _("Critic")
    OPPONENT = "opponent", _("Opponent")


class Contact(models.Model):
    """One of the customer's people: the seed of the DMU map."""

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="contacts"
    )
    name = models.CharField(_("name"), max_length=200)
    title = models.CharField(_("title"), max_length=200, blank=True)
    function = models.CharField(
        _("function"), max_length=20, choices=Function.choices, default=Function.OTHER
    )
    seniority = models.CharField(
        _("seniority"), max_length=12, choices=Seniority.choices, blank=True
    )
    dmu_roles = models.JSONField(_("DMU roles"), default=list, blank=True)
    reports_to = models.ForeignKey(
        "self",
        verbose_name=_("reports to"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reports",
    )
    attitude = models.CharField(
        _("attitude toward us"), max_length=12, choices=Attitude.choices, default=Attitude.NEUTRAL
    )
    influence = models.PositiveSmallIntegerField(
        _("influence"),
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
        help_text=_("1 (little) to 5 (decisive)."),
    )
    email = models.EmailField(_("e-mail"), blank=True, db_index=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    active = models.BooleanField(_("still at the company"), default=True)
    left_on = models.DateField(_("left on"), null=True, blank=True)
    import_batch = import_batch_field()
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    # Moved on by every action that changes the record, so a stale form cannot overwrite it.
    version = version_field()

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ["customer", "name"]
        indexes = [
            models.Index(fields=["customer", "name"]),
            # Mail capture and the calendar import find who an address is by its lower case
            # (kamp.interactions.imports.people_by_email), for each chunk of a mailbox: without
            # this index every chunk read the whole contact table.
            models.Index(Lower("email"), name="contact_email_lower"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_dmu_roles_display(self) -> list[str]:
        labels = dict(DMURole.choices)
        return [str(labels.get(r, r)) for r in self.dmu_roles or []]

    @property
    def is_purchasing(self) -> bool:
        """The purchasing side of a bow-tie: function purchasing or DMU role buyer."""
        return self.function == Function.PURCHASING or DMURole.BUYER in (self.dmu_roles or [])
