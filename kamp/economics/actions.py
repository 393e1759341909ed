"""Every change to the economics data: atomic, audited (docs/development.md, "Actions")."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Max, Min, Sum
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from kamp.core import audit
from kamp.core.models import SiteSettings
from kamp.core.money import (
    base_currency,
    check_column,
    check_decimal_fields,
    check_money,
    column_limits,
)
from kamp.core.versioning import claim
from kamp.customers.models import Customer, CustomerStatus

from . import pnl
from .models import (
    ActivityRecord,
    ActivityType,
    AllocationRule,
    CategorySpend,
    EconomicsSettings,
    ExchangeRate,
    Investment,
    InvestmentAllocation,
)
from .pnl import Period

ACTIVITY_FIELDS = ["name", "driver", "rate", "currency", "kam_time", "description", "active"]
INVESTMENT_FIELDS = ["customer", "kind", "amount", "currency", "date", "note", "allocation"]


def _currency(value: str, customer: Customer | None = None) -> str:
    """Explicit currency to store: the given one, else the customer's, else the base."""
    value = (value or "").strip().upper()
    if value:
        if len(value) != 3 or not value.isalpha():
            raise ValidationError({"currency": _("Use a three-letter ISO code, e.g. CLP.")})
        return value
    if customer is not None and customer.currency:
        return customer.currency.upper()
    return base_currency()


def _period(text: str) -> Period:
    try:
        return Period.parse(text)
    except ValueError:
        raise ValidationError({"period": _("Use a period like 2025, 2025-Q3 or 2025-07.")})


# --- activities (cost to serve) ---------------------------------------------------------------
@transaction.atomic
def do_save_activity_type(
    acting_user, activity: ActivityType | None = None, *, version=None, **values
) -> ActivityType:
    """Create an activity, or change one; with ``version``, only if nobody saved it since
    (``VersionConflict``)."""
    creating = activity is None
    if activity is not None:
        claim(activity, version)
    activity = activity or ActivityType()
    before = {} if creating else audit.snapshot(activity, ACTIVITY_FIELDS)
    for name, value in values.items():
        setattr(activity, name, value)
    activity.currency = _currency(activity.currency)
    activity.full_clean()
    check_decimal_fields(activity)  # the rate as the database keeps it (SQLite: 15 digits)
    activity.save()
    changes = audit.diff(before, audit.snapshot(activity, ACTIVITY_FIELDS))
    if creating or changes:
        audit.record(acting_user, "create" if creating else "update", activity, changes=changes)
    return activity


@transaction.atomic
def do_record_activity(
    acting_user,
    customer: Customer,
    activity: ActivityType,
    month: date,
    count: Decimal,
    minutes: Decimal | None = None,
    note: str = "",
    import_batch=None,
    audit_it: bool = True,
) -> ActivityRecord:
    """Record ``count`` occurrences of ``activity`` for ``customer`` in ``month``; the cost is
    fixed now with the activity's current rate."""
    from .models import Driver

    if count is None:
        raise ValidationError({"count": _("The count cannot be negative.")})
    count = check_column(ActivityRecord, "count", count)
    if count < 0:
        raise ValidationError({"count": _("The count cannot be negative.")})
    if minutes is not None:
        minutes = check_column(ActivityRecord, "minutes", minutes)
    if activity.driver == Driver.MINUTE and not minutes:
        raise ValidationError(
            {
                "minutes": _(
                    "“%(activity)s” is costed per minute: give the minutes per occurrence."
                )
                % {"activity": activity.name}
            }
        )
    record = ActivityRecord(
        customer=customer,
        activity=activity,
        month=month.replace(day=1),
        count=count,
        minutes=minutes if activity.driver == Driver.MINUTE else None,
        note=note,
        cost=activity.cost(count, minutes),
        currency=activity.currency or _currency(""),
        import_batch=import_batch,
    )
    # The cost is computed: a large count times the rate may not fit its column either.
    digits, places = column_limits(ActivityRecord, "cost")
    if abs(record.cost) >= Decimal(10) ** (digits - places):
        raise ValidationError({"count": _("The cost of so many occurrences is too large.")})
    record.save()
    if audit_it:
        audit.record(
            acting_user,
            "create",
            record,
            customer_id=customer.pk,
            summary=audit.say(
                gettext_noop("Cost to serve: %(activity)s × %(count)s in %(month)s"),
                activity=activity.name,
                count=count,
                month=f"{month:%Y-%m}",
            ),
            money=True,
        )
    return record


@transaction.atomic
def do_delete_activity_record(acting_user, record: ActivityRecord) -> None:
    audit.record(acting_user, "delete", record, customer_id=record.customer_id, money=True)
    record.delete()


# --- investments ------------------------------------------------------------------------------
def _weights(rule: str, targets: list[int], day: date) -> dict[int, Decimal]:
    """Allocation weights over the 12 months up to the investment's month."""
    window = Period.trailing(day, 12, include_current=True)
    if rule == AllocationRule.REVENUE:
        from .services import portfolio_pnl

        values = portfolio_pnl(window, targets, with_previous=False)
        return {cid: values[cid].net_revenue if cid in values else Decimal(0) for cid in targets}
    if rule == AllocationRule.KAM_TIME:
        rows = (
            ActivityRecord.objects.filter(
                customer_id__in=targets,
                activity__kam_time=True,
                month__gte=window.start,
                month__lt=window.end,
            )
            .values("customer_id")
            .annotate(minutes=Sum(F("count") * F("minutes")))
            .order_by()
        )
        found = {r["customer_id"]: r["minutes"] or Decimal(0) for r in rows}
        return {cid: Decimal(found.get(cid, 0)) for cid in targets}
    return {cid: Decimal(1) for cid in targets}


def _allocate(investment: Investment) -> list[InvestmentAllocation]:
    investment.allocations.all().delete()
    if investment.customer_id:
        weights = {investment.customer_id: Decimal(1)}
    else:
        targets = list(
            Customer.objects.filter(status=CustomerStatus.KEY_ACCOUNT)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        if not targets:
            raise ValidationError(
                _("There are no key accounts to allocate a programme-wide investment to.")
            )
        weights = _weights(investment.allocation or AllocationRule.EQUAL, targets, investment.date)
    parts = pnl.allocate(investment.amount, weights, investment.currency)
    rows = [
        InvestmentAllocation(
            investment=investment,
            customer_id=cid,
            amount=amount,
            currency=investment.currency,
            date=investment.date,
            weight=weights[cid],
        )
        for cid, amount in parts.items()
    ]
    return InvestmentAllocation.objects.bulk_create(rows)


@transaction.atomic
def do_record_investment(
    acting_user,
    *,
    customer: Customer | None,
    kind: str,
    amount: Decimal,
    date: date,
    currency: str = "",
    note: str = "",
    allocation: str = "",
    import_batch=None,
    audit_it: bool = True,
) -> Investment:
    """An investment in KAM for one account, or programme-wide (``customer`` None) allocated to
    the key accounts by ``allocation`` (equal / revenue / kam_time)."""
    investment = Investment(
        customer=customer,
        kind=kind,
        amount=amount,
        date=date,
        note=note,
        currency=_currency(currency, customer),
        allocation="" if customer else (allocation or AllocationRule.EQUAL),
        import_batch=import_batch,
    )
    investment.full_clean()
    check_decimal_fields(investment)  # amounts the database keeps exactly (SQLite: 15 digits)
    # ...and that its currency can express (no cents on a CLP investment).
    investment.amount = check_money(Investment, "amount", investment.amount, investment.currency)
    investment.save()
    _allocate(investment)
    if audit_it:
        audit.record(
            acting_user,
            "create",
            investment,
            customer_id=customer.pk if customer else None,
            changes=audit.diff({}, audit.snapshot(investment, INVESTMENT_FIELDS)),
            money=True,
        )
    return investment


@transaction.atomic
def do_reallocate(acting_user, investment: Investment) -> list[InvestmentAllocation]:
    parts = _allocate(investment)
    audit.record(
        acting_user,
        "update",
        investment,
        summary=audit.say(gettext_noop("Investment reallocated")),
        money=True,
    )
    return parts


@transaction.atomic
def do_delete_investment(acting_user, investment: Investment) -> None:
    audit.record(
        acting_user,
        "delete",
        investment,
        customer_id=investment.customer_id,
        changes=audit.diff(audit.snapshot(investment, INVESTMENT_FIELDS), {}),
        money=True,
    )
    investment.delete()


# --- category spend ---------------------------------------------------------------------------
@transaction.atomic
def do_set_category_spend(
    acting_user,
    customer: Customer,
    period: str,
    amount: Decimal,
    currency: str = "",
    note: str = "",
    import_batch=None,
    audit_it: bool = True,
) -> CategorySpend:
    """The customer's estimated spend in our category for ``period`` (replaces an earlier
    estimate for the same period)."""
    p = _period(period)
    if amount is None:
        raise ValidationError({"amount": _("The estimate cannot be negative.")})
    currency = _currency(currency, customer)
    amount = check_money(CategorySpend, "amount", amount, currency)
    if amount < 0:
        raise ValidationError({"amount": _("The estimate cannot be negative.")})
    spend, created = CategorySpend.objects.update_or_create(
        customer=customer,
        period=str(p),
        defaults={
            "first_month": p.start,
            "months": p.months,
            "amount": amount,
            "currency": currency,
            "note": note,
            "import_batch": import_batch,
        },
    )
    if audit_it:
        audit.record(
            acting_user,
            "create" if created else "update",
            spend,
            customer_id=customer.pk,
            summary=audit.say(
                gettext_noop("Category spend %(period)s: %(amount)s %(currency)s"),
                period=spend.period,
                amount=amount,
                currency=spend.currency,
            ),
            money=True,
        )
    return spend


@transaction.atomic
def do_delete_category_spend(acting_user, spend: CategorySpend) -> None:
    audit.record(acting_user, "delete", spend, customer_id=spend.customer_id, money=True)
    spend.delete()


# --- rates and settings --------------------------------------------------------------------
@transaction.atomic
def do_set_exchange_rate(acting_user, currency: str, period: str, rate: Decimal) -> ExchangeRate:
    p = _period(period)
    currency = _currency(currency)
    if rate is None:
        raise ValidationError({"rate": _("A rate must be above zero.")})
    rate = check_column(ExchangeRate, "rate", rate)
    if rate <= 0:
        raise ValidationError({"rate": _("A rate must be above zero.")})
    obj, created = ExchangeRate.objects.update_or_create(
        currency=currency, valid_from=p.start, defaults={"period": str(p), "rate": rate}
    )
    audit.record(
        acting_user,
        "create" if created else "update",
        obj,
        summary=f"1 {currency} = {rate} ({obj.period})",
    )
    return obj


@transaction.atomic
def do_delete_exchange_rate(acting_user, rate: ExchangeRate) -> None:
    audit.record(acting_user, "delete", rate)
    rate.delete()


SETTINGS_FIELDS = ["clv_retention", "clv_discount", "clv_years", "alert_unit", "alert_periods"]


@transaction.atomic
def do_update_settings(
    acting_user, base_currency: str | None = None, *, version=None, **values
) -> EconomicsSettings:
    """Change the economics settings (and the base currency); with ``version``, only if nobody
    saved them since (``VersionConflict``)."""
    s = EconomicsSettings.load()
    claim(s, version)
    before = audit.snapshot(s, SETTINGS_FIELDS)
    for name, value in values.items():
        setattr(s, name, value)
    s.full_clean()
    s.save()
    changes = audit.diff(before, audit.snapshot(s, SETTINGS_FIELDS))
    if base_currency:
        site = SiteSettings.load()
        new = _currency(base_currency)
        if site.base_currency != new:
            claim(site)  # a company settings page opened before is told, not reverting it
            changes.append({"field": "base_currency", "old": site.base_currency, "new": new})
            site.base_currency = new
            site.save(update_fields=["base_currency"])
    if changes:
        audit.record(acting_user, "update", s, changes=changes)
    return s


# --- sales lines' currency label -------------------------------------------------------------
@transaction.atomic
def do_relabel_sales_currency(acting_user, customer: Customer, label: str) -> int:
    """Label the customer's sales lines that carry ``label`` ("" for none) with the customer's
    currency, else the base currency — the one the P&L already reads unlabelled lines in. The
    amounts are not converted: this corrects a label that was a default, never a real foreign
    currency (docs/economics.md). The monthly sums and stored figures of the months touched are
    recomputed; one audit row. Returns how many lines were relabelled."""
    from . import sales_months
    from .currency_check import expected_currency
    from .models import SalesLine

    if not getattr(acting_user, "manages_programme", False):
        raise PermissionDenied(_("Only a director or an admin corrects sales data."))
    customer = Customer.objects.select_for_update().get(pk=customer.pk)
    label = (label or "").strip().upper()
    target = expected_currency(customer.currency, base_currency())
    if label == target:
        return 0
    lines = SalesLine.objects.filter(customer=customer, currency=label)
    span = lines.aggregate(first=Min("date"), last=Max("date"))
    if span["first"] is None:
        return 0
    count = lines.update(currency=target)
    sales_months.refresh_touched({customer.pk: [span["first"], span["last"]]})
    audit.record(
        acting_user,
        "update",
        customer_id=customer.pk,
        object_type=SalesLine._meta.label_lower,
        object_repr=str(customer),
        changes=[{"field": "currency", "old": label, "new": target}],
        summary=audit.say(
            gettext_noop(
                "%(n)s sales lines from %(first)s to %(last)s labelled %(new)s (were %(old)s); "
                "amounts unchanged"
            ),
            n=count,
            first=span["first"].isoformat(),
            last=span["last"].isoformat(),
            new=target,
            # An English label: said() shows it in the reader's language.
            old=label or gettext_noop("no currency"),
        ),
        money=True,
    )
    return count
