"""The customer's Economics tab: the account P&L with its chart, cost to serve, investments, share
of wallet and CLV; recording and deleting their inputs; the P&L's Excel export."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, F, Sum
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_POST

from kamp.core.formatting import format_period
from kamp.core.http import AuthenticatedHttpRequest
from kamp.customers.models import Customer
from kamp.customers.page import customer_context

from .. import actions, exports, services
from ..figures import window_label
from ..forms import ActivityRecordForm, CategorySpendForm, InvestmentForm
from ..models import (
    ActivityRecord,
    CategorySpend,
    EconomicsSettings,
    Investment,
    InvestmentAllocation,
    SalesLine,
)
from ..pnl import Period
from ..pnl_rows import COSTS, PNL_ROWS
from .common import economics_customer, period_choices, period_from, period_label

TAB = "economics"


def pnl_rows(value) -> list[dict]:
    rows = []
    for key, label, how, inputs, subtotal in PNL_ROWS:
        now = value.line(key)
        before = value.previous.line(key) if value.previous else None
        rows.append(
            {
                "key": key,
                "label": label,
                "how": how,
                "inputs": inputs,
                "subtotal": subtotal,
                "value": now,
                "previous": before,
                "growth": value.growth(key),
                "cost": key in COSTS,
                "negative": subtotal and now < 0,
            }
        )
    return rows


def _chart_series(customer: Customer, as_of: date) -> dict:
    quarters = services.recent_periods("quarter", 8, as_of)
    series = services.pnl_series(customer, quarters)
    return {
        "labels": [format_period(v.period) for v in series],  # "T3 2025" / "Q3 2025"
        "net_revenue": [float(v.net_revenue) for v in series],
        "contribution": [float(v.contribution) for v in series],
        "profit_after_kam": [float(v.profit_after_kam) for v in series],
        "currency": series[0].currency if series else "",
        "names": {
            "net_revenue": str(pgettext("P&L line", "Net revenue")),
            "contribution": str(_("Contribution")),
            "profit_after_kam": str(_("Profit after KAM")),
        },
    }


def customer_tab(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    customer = economics_customer(request, pk)
    forms = {
        "activity": ActivityRecordForm(prefix="act"),
        "investment": InvestmentForm(prefix="inv"),
        "spend": CategorySpendForm(prefix="sow"),
    }
    status = 200
    if request.method == "POST":
        which = request.POST.get("form", "")
        if which not in forms:
            raise PermissionDenied
        form_class = {
            "activity": ActivityRecordForm,
            "investment": InvestmentForm,
            "spend": CategorySpendForm,
        }[which]
        form = form_class(request.POST, prefix=forms[which].prefix)
        forms[which] = form
        if form.is_valid():
            try:
                _save_customer_form(request, customer, which, form.cleaned_data)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("Saved."))
                return redirect(request.get_full_path())
        status = 422
    return render(
        request,
        "economics/customer_tab.html",
        _customer_tab_context(request, customer, forms),
        status=status,
    )


def _save_customer_form(request, customer, which, data) -> None:
    user = request.user
    if which == "activity":
        month = Period.parse(data["month"]).start
        actions.do_record_activity(
            user,
            customer,
            data["activity"],
            month,
            data["count"],
            data.get("minutes"),
            data.get("note", ""),
        )
    elif which == "investment":
        actions.do_record_investment(
            user,
            customer=customer,
            kind=data["kind"],
            amount=data["amount"],
            currency=data.get("currency", ""),
            date=data["date"],
            note=data.get("note", ""),
        )
    else:
        actions.do_set_category_spend(
            user,
            customer,
            data["period"],
            data["amount"],
            data.get("currency", ""),
            data.get("note", ""),
        )


def _customer_tab_context(request, customer, forms) -> dict:
    from .. import alerts as economics_alerts
    from .. import summary as economics_summary

    period, code = period_from(request)
    today = date.today()
    value = services.account_pnl(customer, period)
    # The Summary tab's card shows this same figure: one function for both.
    last_12 = value if code == "12m" else economics_summary.last_12_months(customer, today)
    settings = EconomicsSettings.load()
    clv = services.account_clv(last_12, settings)
    records = (
        ActivityRecord.objects.filter(
            customer=customer, month__gte=period.start, month__lt=period.end
        )
        .select_related("activity")
        .order_by("-month", "activity__name")[:300]
    )
    allocations = (
        InvestmentAllocation.objects.filter(
            customer=customer, date__gte=period.start, date__lt=period.end
        )
        .select_related("investment")
        .order_by("-date")[:300]
    )
    grouped = (
        SalesLine.objects.filter(customer=customer, date__gte=period.start, date__lt=period.end)
        .values("currency")
        .annotate(lines=Count("id"), net=Sum("net_amount"), cost=Sum("cost"))
        .order_by("currency")
    )
    # A line without a currency (imported before lines got one) is in the customer's currency,
    # else the base: counted and formatted under that one currency, never under two.
    own_currency = customer.currency or value.currency
    by_currency: dict[str, dict] = {}
    # ``cur``, not ``code``: that name holds the period asked for, which the labels, the export
    # link and the delete forms read below (a currency there made "12m" read "CLP").
    for row in grouped:
        cur = row["currency"] or own_currency
        slot = by_currency.setdefault(cur, {"currency": cur, "lines": 0, "net": 0, "cost": 0})
        slot["lines"] += row["lines"]
        slot["net"] += row["net"] or 0
        slot["cost"] += row["cost"] or 0
    sales = [by_currency[cur] for cur in sorted(by_currency)]
    spends = CategorySpend.objects.filter(customer=customer).order_by("-first_month")[:12]
    cts_summary = (
        ActivityRecord.objects.filter(
            customer=customer, month__gte=period.start, month__lt=period.end
        )
        .values("activity__name", "activity__driver", "currency")
        .annotate(
            occurrences=Sum("count"),
            total_minutes=Sum(F("count") * F("minutes")),
            total_cost=Sum("cost"),
        )
        .order_by("-total_cost")
    )
    inv_summary, inv_note = _investment_summary(customer, period, value)
    found_alerts = list(economics_alerts.alerts(Customer.objects.filter(pk=customer.pk), today))
    return customer_context(
        request,
        customer,
        TAB,
        period=period,
        period_code=code,
        period_label=period_label(period, code),
        previous_label=period_label(period.previous(), "")
        if code != "12m"
        else _("the 12 months before"),
        periods=period_choices(today),
        period_codes=[c for c, _l in period_choices(today)],
        in_progress=period.end > today,
        value=value,
        rows=pnl_rows(value),
        currency=value.currency,
        missing_rates=sorted(value.missing_rates),
        last_12=last_12,
        last_12_label=window_label(last_12.period),
        clv=clv,
        settings=settings,
        clv_years=settings.clv_years,
        chart=_chart_series(customer, today),
        records=records,
        allocations=allocations,
        cts_summary=list(cts_summary),
        inv_summary=inv_summary,
        inv_summary_note=inv_note,
        column_label=_("Last 12 months") if code == "12m" else format_period(period),
        sales=sales,
        spends=spends,
        alerts=found_alerts,
        forms=forms,
        customer_currency=own_currency,
    )


def _investment_summary(customer, period, value):
    """KAM investments in the period by kind, own and programme share, in the base currency
    (the same conversion as the P&L: one set-based query per kind of origin)."""
    from .. import pnl
    from ..models import InvestmentKind

    rates = services.rate_table(value.currency)
    rows = InvestmentAllocation.objects.filter(
        customer=customer, date__gte=period.start, date__lt=period.end
    ).values_list("investment__kind", "investment__customer_id", "currency", "date", "amount")
    sums: dict = {}
    missing = False
    for kind, own, currency, day, amount in rows:
        slot = sums.setdefault(kind, [pnl.ZERO, pnl.ZERO])
        try:
            converted = rates.to_base(amount, currency, pnl.month_index(day.year, day.month))
        except pnl.MissingRate:
            missing = True
            continue
        slot[0 if own else 1] += converted
    labels = dict(InvestmentKind.choices)
    out = [
        {
            "label": labels.get(k, k),
            "own": pnl.quantize(v[0], value.currency),
            "programme": pnl.quantize(v[1], value.currency),
        }
        for k, v in sums.items()
    ]
    note = _("Some investments have no exchange rate and are left out.") if missing else ""
    return out, note


@require_POST
def activity_delete(request: AuthenticatedHttpRequest, pk: int, record_pk: int) -> HttpResponse:
    customer = economics_customer(request, pk)
    record = get_object_or_404(ActivityRecord, pk=record_pk, customer=customer)
    actions.do_delete_activity_record(request.user, record)
    messages.success(request, _("Activity record deleted."))
    return redirect(_back(request, customer))


@require_POST
def investment_delete(
    request: AuthenticatedHttpRequest, pk: int, investment_pk: int
) -> HttpResponse:
    customer = economics_customer(request, pk)
    investment = get_object_or_404(Investment, pk=investment_pk, customer=customer)
    actions.do_delete_investment(request.user, investment)
    messages.success(request, _("Investment deleted."))
    return redirect(_back(request, customer))


@require_POST
def spend_delete(request: AuthenticatedHttpRequest, pk: int, spend_pk: int) -> HttpResponse:
    customer = economics_customer(request, pk)
    spend = get_object_or_404(CategorySpend, pk=spend_pk, customer=customer)
    actions.do_delete_category_spend(request.user, spend)
    messages.success(request, _("Estimate deleted."))
    return redirect(_back(request, customer))


def _back(request, customer) -> str:
    url = reverse("economics:customer_tab", args=[customer.pk])
    period = request.POST.get("period") or request.GET.get("period")
    return f"{url}?period={period}" if period else url


def customer_export(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    customer = economics_customer(request, pk)
    period, code = period_from(request)
    value = services.account_pnl(customer, period)
    return exports.pnl_response(customer, value, period_label(period, code))
