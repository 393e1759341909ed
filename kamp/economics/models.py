from decimal import Decimal

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kamp.core.models import import_batch_field
from kamp.core.versioning import version_field


class SalesLine(models.Model):
    """One invoiced line: it feeds the account P&L and the derived selection factors."""

    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.CASCADE,
        related_name="sales_lines",
        db_index=False,  # sales_line_pnl_idx starts with the customer: one index less to fill
    )
    date = models.DateField(_("date"))
    net_amount = models.DecimalField(_("net amount"), max_digits=18, decimal_places=4)
    cost = models.DecimalField(_("cost of goods"), max_digits=18, decimal_places=4, default=0)
    currency = models.CharField(_("currency"), max_length=3, blank=True)
    product = models.CharField(_("product"), max_length=200, blank=True)
    category = models.CharField(_("category"), max_length=200, blank=True)
    quantity = models.DecimalField(
        _("quantity"), max_digits=18, decimal_places=4, null=True, blank=True
    )
    document_number = models.CharField(_("document number"), max_length=60, blank=True)
    line_number = models.CharField(_("line"), max_length=20, blank=True)
    import_batch = import_batch_field()

    class Meta:
        verbose_name = _("sales line")
        verbose_name_plural = _("sales lines")
        ordering = ["-date", "-id"]
        # Covering the P&L's GROUP BY: SQLite answers it from the index alone (6× faster than
        # going back to the table for 5 million lines).
        indexes = [
            models.Index(
                fields=["customer", "date", "currency", "net_amount", "cost"],
                name="sales_line_pnl_idx",
            )
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["document_number", "line_number"],
                condition=~Q(document_number=""),
                name="sales_line_document_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.date} {self.net_amount}"

    def clean(self) -> None:
        """A line saved by hand (the admin) follows the import's rules: without a currency it
        takes its customer's, else the base currency, and its amounts have no more decimals
        than that currency (no cents on a CLP line)."""
        label_and_check_amounts(self, ("net_amount", "cost"))


def label_and_check_amounts(obj, fields) -> None:
    """An amount saved by hand (the admin's forms) follows the rules of the imports and the
    actions: without a currency it takes its customer's, else the company's base currency, and
    no field in ``fields`` has more decimals than that currency's minor unit (ISO 4217: none for
    CLP); a ``ValidationError`` naming each field otherwise."""
    from django.core.exceptions import ValidationError

    from kamp.core.money import AmountError, base_currency, check_minor_unit

    if not obj.currency:
        customer = obj.customer if obj.customer_id else None
        obj.currency = (customer.currency if customer else "") or base_currency()
    obj.currency = obj.currency.upper()
    errors = {}
    for name in fields:
        value = getattr(obj, name)
        if value is None:
            continue
        try:
            check_minor_unit(value, obj.currency)
        except AmountError as exc:
            errors[name] = str(exc)
    if errors:
        raise ValidationError(errors)


class SalesMonth(models.Model):
    """The sales lines summed per customer, month and currency.

    Every reader of sales over whole months — the account P&L, the whale curve, the derived
    selection factors — reads these few rows per customer instead of every invoice line (a
    portfolio of 5 million lines becomes about a million monthly sums). Kept in step with the
    lines by every write to them, in the same transaction: the sales import and its revert, the
    demo, and single saves and deletes (signals, for the admin and the tests).
    :mod:`kamp.economics.sales_months` holds the rules; ``kamp salesmonths --rebuild`` recomputes
    them from the lines.
    """

    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,  # the unique index starts with the customer
    )
    month = models.DateField(_("month"))  # its first day
    currency = models.CharField(_("currency"), max_length=3, blank=True)
    net_amount = models.DecimalField(_("net amount"), max_digits=20, decimal_places=4)
    cost = models.DecimalField(_("cost of goods"), max_digits=20, decimal_places=4)
    lines = models.PositiveIntegerField(_("lines"))

    class Meta:
        verbose_name = _("monthly sales")
        verbose_name_plural = _("monthly sales")
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "month", "currency"], name="sales_month_unique"
            )
        ]
        indexes = [
            # Covering the per-customer sums over a span of months (the derived selection
            # factors, one account's P&L): read from the index alone, in customer order, so the
            # GROUP BY streams instead of sorting or hashing a million rows.
            models.Index(
                fields=["customer", "month", "currency", "net_amount", "cost"],
                name="sales_month_sums_idx",
            )
        ]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.month:%Y-%m} {self.currency} {self.net_amount}"


# --- cost to serve (kam-domain.md §5) -------------------------------------------------------
class Driver(models.TextChoices):
    MINUTE = "minute", _("per minute")
    EVENT = "event", _("per event")


class ActivityType(models.Model):
    """An activity that costs us to serve a customer (a visit, a delivery, a report…), with its
    time-driven rate: per minute (cost = rate × minutes × count) or per event (rate × count)."""

    name = models.CharField(_("activity"), max_length=120, unique=True)
    driver = models.CharField(
        _("driver"), max_length=10, choices=Driver.choices, default=Driver.MINUTE
    )
    rate = models.DecimalField(
        _("rate"), max_digits=18, decimal_places=4, help_text=_("Cost per minute or per event.")
    )
    currency = models.CharField(
        _("currency"), max_length=3, blank=True, help_text=_("ISO code; empty: the base currency.")
    )
    kam_time = models.BooleanField(
        _("KAM time"),
        default=False,
        help_text=_(
            "Time of the key account manager: used to allocate programme-wide "
            "investments by KAM time."
        ),
    )
    description = models.CharField(_("description"), max_length=300, blank=True)
    active = models.BooleanField(_("active"), default=True)
    import_batch = import_batch_field()
    # Two managers editing one activity: the second is told (kamp.core.versioning).
    version = version_field()

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def cost(self, count, minutes=None):
        """What ``count`` occurrences cost (in this activity's currency)."""
        from decimal import Decimal

        count = Decimal(count or 0)
        if self.driver == Driver.MINUTE:
            return self.rate * Decimal(minutes or 0) * count
        return self.rate * count


class ActivityRecord(models.Model):
    """How often we did an activity for a customer in a month. The cost is computed when the
    record is saved, with the rate of the day, so a later change of rate never rewrites past
    periods."""

    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.CASCADE,
        related_name="activity_records",
    )
    activity = models.ForeignKey(
        ActivityType, verbose_name=_("activity"), on_delete=models.PROTECT, related_name="records"
    )
    month = models.DateField(_("month"), help_text=_("First day of the month."))
    count = models.DecimalField(_("count"), max_digits=14, decimal_places=2)
    minutes = models.DecimalField(
        _("minutes per occurrence"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    cost = models.DecimalField(_("cost"), max_digits=18, decimal_places=4, editable=False)
    currency = models.CharField(_("currency"), max_length=3, blank=True, editable=False)
    note = models.CharField(_("note"), max_length=300, blank=True)
    import_batch = import_batch_field()
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("activity record")
        verbose_name_plural = _("activity records")
        ordering = ["-month", "activity__name"]
        indexes = [
            models.Index(
                fields=["customer", "month", "currency", "cost"], name="activity_record_pnl_idx"
            )
        ]

    def __str__(self) -> str:
        return f"{self.activity} × {self.count} ({self.month:%Y-%m})"


# --- KAM investments (kam-domain.md §6) ----------------------------------------------------
class InvestmentKind(models.TextChoices):
    PEOPLE = "people", _("Dedicated people (KAM and team)")
    COMPETENCES = "competences", _("Competence development")
    SPONSORSHIP = "sponsorship", _("Top-management sponsorship")
    TAILORED_OFFER = "tailored_offer", _("Tailored products, services and solutions")
    TECHNOLOGY_CHANNELS = "technology_channels", _("New technologies and communication channels")
    SALES_STRUCTURE = "sales_structure", _("New sales structure")


class AllocationRule(models.TextChoices):
    EQUAL = "equal", _("equally")
    REVENUE = "revenue", _("by revenue")
    KAM_TIME = "kam_time", _("by KAM time")


class Investment(models.Model):
    """Money spent on KAM: for one account, or programme-wide (no customer) and then allocated
    to the key accounts by the director's rule (see :class:`InvestmentAllocation`)."""

    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="kam_investments",
        help_text=_("Empty: programme-wide, allocated to the key accounts."),
    )
    kind = models.CharField(_("kind"), max_length=24, choices=InvestmentKind.choices)
    amount = models.DecimalField(_("amount"), max_digits=18, decimal_places=4)
    currency = models.CharField(
        _("currency"), max_length=3, blank=True, help_text=_("ISO code; empty: the base currency.")
    )
    date = models.DateField(_("date"))
    note = models.CharField(_("note"), max_length=500, blank=True)
    allocation = models.CharField(
        _("allocation rule"), max_length=10, choices=AllocationRule.choices, blank=True
    )
    import_batch = import_batch_field()
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("KAM investment")
        verbose_name_plural = _("KAM investments")
        ordering = ["-date", "-id"]
        indexes = [models.Index(fields=["customer", "date"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.date} {self.amount} {self.currency}"

    @property
    def programme_wide(self) -> bool:
        return self.customer_id is None

    def clean(self) -> None:
        """Saved by hand (the admin), an investment follows the actions' rules: the customer's
        or the base currency when it has none, no cents on a CLP amount."""
        label_and_check_amounts(self, ("amount",))


class InvestmentAllocation(models.Model):
    """The part of an investment that an account bears. An account's own investment has one
    allocation (all of it); a programme-wide one is split over the key accounts, the parts adding
    up exactly to the amount. The P&L reads only allocations."""

    investment = models.ForeignKey(Investment, on_delete=models.CASCADE, related_name="allocations")
    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("customer"), on_delete=models.CASCADE, related_name="+"
    )
    amount = models.DecimalField(_("amount"), max_digits=18, decimal_places=4)
    currency = models.CharField(_("currency"), max_length=3, blank=True)
    date = models.DateField(_("date"))
    weight = models.DecimalField(_("weight"), max_digits=24, decimal_places=4, default=1)

    class Meta:
        verbose_name = _("investment allocation")
        verbose_name_plural = _("investment allocations")
        indexes = [
            models.Index(
                fields=["customer", "date", "currency", "amount"], name="allocation_pnl_idx"
            )
        ]

    def __str__(self) -> str:
        return f"{self.investment_id} → {self.customer_id}: {self.amount}"


# --- share of wallet ----------------------------------------------------------------------
class CategorySpend(models.Model):
    """The customer's estimated total spend in our category for a period (year, quarter or
    month): our sales ÷ this = share of wallet."""

    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.CASCADE,
        related_name="category_spend",
    )
    period = models.CharField(_("period"), max_length=7, help_text=_("2025, 2025-Q3 or 2025-07"))
    first_month = models.DateField(_("first month"), editable=False)
    months = models.PositiveSmallIntegerField(_("months"), editable=False)
    amount = models.DecimalField(_("estimated category spend"), max_digits=18, decimal_places=4)
    currency = models.CharField(_("currency"), max_length=3, blank=True)
    note = models.CharField(_("source of the estimate"), max_length=300, blank=True)
    import_batch = import_batch_field()

    class Meta:
        verbose_name = _("category spend")
        verbose_name_plural = _("category spend")
        ordering = ["-first_month"]
        constraints = [
            models.UniqueConstraint(fields=["customer", "period"], name="category_spend_unique")
        ]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.period} {self.amount}"

    def clean(self) -> None:
        """Saved by hand (the admin), an estimate follows the actions' rules: the customer's or
        the base currency when it has none, no cents on a CLP amount."""
        label_and_check_amounts(self, ("amount",))


# --- currencies and settings ------------------------------------------------------------------
class ExchangeRate(models.Model):
    """1 ``currency`` = ``rate`` base-currency units, from the first month of ``period`` until
    the next rate of that currency."""

    currency = models.CharField(_("currency"), max_length=3)
    period = models.CharField(
        _("from period"),
        max_length=7,
        help_text=_("2025, 2025-Q3 or 2025-07: valid from its first month."),
    )
    valid_from = models.DateField(_("valid from"), editable=False)
    rate = models.DecimalField(_("rate to the base currency"), max_digits=24, decimal_places=8)

    class Meta:
        verbose_name = _("exchange rate")
        verbose_name_plural = _("exchange rates")
        ordering = ["currency", "-valid_from"]
        constraints = [
            models.UniqueConstraint(fields=["currency", "valid_from"], name="exchange_rate_unique")
        ]

    def __str__(self) -> str:
        return f"{self.currency} {self.period} {self.rate}"


class PeriodUnit(models.TextChoices):
    MONTH = "month", _("months")
    QUARTER = "quarter", _("quarters")
    YEAR = "year", _("years")


class EconomicsSettings(models.Model):
    """The economics settings (one row): CLV parameters and the alert rule."""

    clv_retention = models.DecimalField(
        _("retention rate"),
        max_digits=5,
        decimal_places=4,
        default=Decimal("0.90"),
        help_text=_("Chance that the customer stays one more year (0–1)."),
    )
    clv_discount = models.DecimalField(
        _("discount rate"),
        max_digits=5,
        decimal_places=4,
        default=Decimal("0.10"),
        help_text=_("Yearly rate at which future profit is discounted (e.g. 0.10)."),
    )
    clv_years = models.PositiveSmallIntegerField(_("CLV horizon (years)"), default=5)
    alert_unit = models.CharField(
        _("alert period"), max_length=8, choices=PeriodUnit.choices, default=PeriodUnit.QUARTER
    )
    alert_periods = models.PositiveSmallIntegerField(
        _("unprofitable periods in a row"),
        default=2,
        help_text=_(
            "Flag a key account whose profit after KAM is negative this many periods in a row."
        ),
    )
    # Two managers saving the settings at once: the second is told (kamp.core.versioning).
    version = version_field()

    class Meta:
        verbose_name = _("economics settings")
        verbose_name_plural = _("economics settings")

    def __str__(self) -> str:
        return "economics settings"

    @classmethod
    def load(cls) -> "EconomicsSettings":
        from kamp.core.request_memo import memo

        return memo("economics.settings", cls._load)

    @classmethod
    def _load(cls) -> "EconomicsSettings":
        obj = cls.objects.first()
        return obj if obj is not None else cls.objects.create()


class PortfolioSnapshot(models.Model):
    """The ranked portfolio (whale curve) of one period and scope, as last computed, with the
    fingerprint of the data it was computed from: the portfolio page shows it at once and, when
    the data have changed since, has the worker recompute it (it says so on the page)."""

    scope = models.CharField(max_length=40)  # "all" or "kam<user id>"
    period = models.CharField(max_length=20)
    currency = models.CharField(max_length=3)
    version = models.CharField(max_length=200)
    computed_at = models.DateTimeField()
    data = models.BinaryField()  # pickled summary; written only by kamp itself

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["scope", "period", "currency"], name="portfolio_snapshot_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.scope} {self.period} {self.computed_at:%Y-%m-%d %H:%M}"


class SalesFiguresMonth(models.Model):
    """A scoring month whose per-customer sales figures are stored in :class:`SalesFigures`
    (usually the current month, at most :data:`kamp.economics.sales_months.FIGURES_MONTHS`)."""

    month = models.DateField(_("month"), unique=True)  # its first day
    computed_at = models.DateTimeField(_("computed at"), auto_now_add=True)

    class Meta:
        verbose_name = _("stored sales figures month")
        verbose_name_plural = _("stored sales figures months")

    def __str__(self) -> str:
        return f"{self.month:%Y-%m}"


class SalesFigures(models.Model):
    """One customer's sales figures for a scoring month: revenue and cost over the 12 complete
    months before it, revenue over the 12 before those — what the derived selection factors read
    (one row per customer instead of an aggregate over every monthly sum on each rescoring).
    Kept in step with the monthly sums by :mod:`kamp.economics.sales_months`, for the months in
    :class:`SalesFiguresMonth`."""

    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,  # the unique index (month, customer) serves the per-customer refresh
        # A copy of what the monthly sums say, rewritten 100,000 rows at a time when a month is
        # first scored: no constraint to check per row (deleting a customer still takes its rows
        # with it, through Django, and readers skip a customer they do not know).
        db_constraint=False,
    )
    month = models.DateField(_("month"))  # the scoring month's first day
    revenue = models.DecimalField(_("revenue, last 12 months"), max_digits=24, decimal_places=4)
    cost = models.DecimalField(_("cost of goods, last 12 months"), max_digits=24, decimal_places=4)
    previous = models.DecimalField(
        _("revenue, the 12 months before"), max_digits=24, decimal_places=4
    )

    class Meta:
        verbose_name = _("sales figures")
        verbose_name_plural = _("sales figures")
        constraints = [
            models.UniqueConstraint(fields=["month", "customer"], name="sales_figures_unique")
        ]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.month:%Y-%m}"
