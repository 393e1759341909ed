"""The economics pages: the customer's Economics tab (P&L, cost to serve, investments, share of
wallet, CLV), the portfolio (whale curve, programme P&L), programme-wide investments and the
economics settings (base currency, rates, activities, CLV and alert parameters)."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, F, Sum
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext, pgettext_lazy
from django.views.decorators.http import require_POST

from kamp.core.http import AuthenticatedHttpRequest
from kamp.customers.access import can_see_economics, get_customer_for_user
from kamp.customers.models import Customer
from kamp.customers.page import customer_context

from . import actions, exports, services
from .forms import (
    ActivityRecordForm,
    ActivityTypeForm,
    CategorySpendForm,
    ExchangeRateForm,
    InvestmentForm,
    ProgrammeInvestmentForm,
    SettingsForm,
)
from .models import (
    ActivityRecord,
    ActivityType,
    CategorySpend,
    EconomicsSettings,
    ExchangeRate,
    Investment,
    InvestmentAllocation,
    SalesLine,
)
from .pnl import Period

TAB = "economics"

# Each P&L line: (key, label, how it is computed, where its inputs are, is a subtotal).
PNL_ROWS = [
    (
        "net_revenue",
        pgettext_lazy("P&L line", "Net revenue"),
        gettext_lazy("Sum of the invoiced sales lines' net amounts (after discounts and rebates)."),
        "sales",
        False,
    ),
    (
        "cost_of_goods",
        gettext_lazy("Cost of goods"),
        gettext_lazy("Sum of the sales lines' cost."),
        "sales",
        False,
    ),
    (
        "gross_margin",
        gettext_lazy("Gross margin"),
        gettext_lazy("Net revenue − cost of goods."),
        "",
        True,
    ),
    (
        "cost_to_serve",
        gettext_lazy("Cost to serve"),
        gettext_lazy(
            "Sum of the activities done for the account: rate × minutes × count, or "
            "rate × count for activities costed per event."
        ),
        "cost-to-serve",
        False,
    ),
    (
        "contribution",
        gettext_lazy("Contribution"),
        gettext_lazy("Gross margin − cost to serve."),
        "",
        True,
    ),
    (
        "kam_investments",
        gettext_lazy("KAM investments"),
        gettext_lazy("The account's own investments plus its share of programme-wide ones."),
        "investments",
        False,
    ),
    (
        "profit_after_kam",
        gettext_lazy("Profit after KAM"),
        gettext_lazy("Contribution − KAM investments: what the account leaves after all it costs."),
        "",
        True,
    ),
]
COSTS = {"cost_of_goods", "cost_to_serve", "kam_investments"}


def _economics_customer(request: AuthenticatedHttpRequest, pk: int) -> Customer:
    customer = get_customer_for_user(request.user, pk)
    if not can_see_economics(request.user, customer):
        raise PermissionDenied
    return customer


def _require_programme(request: AuthenticatedHttpRequest) -> None:
    if not request.user.manages_programme:
        raise PermissionDenied


def period_choices(today: date | None = None) -> list[tuple[str, str]]:
    """The periods offered in the picker: the last 12 months, this and last year, the last
    four quarters and the last three months."""
    today = today or date.today()
    this_year = Period.containing("year", today)
    quarter = Period.containing("quarter", today)
    month = Period.containing("month", today)
    out = [("12m", _("Last 12 months"))]
    out += [(str(p), str(p)) for p in (this_year, this_year.previous())]
    out += [(str(quarter.shift(-n)), str(quarter.shift(-n))) for n in range(0, 4)]
    out += [(str(month.shift(-n)), str(month.shift(-n))) for n in range(0, 3)]
    return out


def period_from(request: AuthenticatedHttpRequest) -> tuple[Period, str]:
    """The period asked for (``?period=2025-Q3``); the last 12 complete months by default."""
    text = (request.GET.get("period") or "12m").strip()
    if text != "12m":
        try:
            return Period.parse(text), str(Period.parse(text))
        except ValueError:
            messages.warning(
                request,
                _(
                    "“%(p)s” is not a period (use 2025, 2025-Q3 or 2025-07): "
                    "showing the last 12 months."
                )
                % {"p": text},
            )
    return Period.trailing(date.today(), 12), "12m"


def period_label(period: Period, code: str) -> str:
    if code == "12m":
        return _("last 12 months (%(range)s)") % {
            "range": f"{period.start:%Y-%m} – {_last_month(period)}"
        }
    return str(period)


def _last_month(period: Period) -> str:
    from .pnl import month_key, month_of

    return month_key(*month_of(period.last))


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
        "labels": [str(v.period) for v in series],
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
    customer = _economics_customer(request, pk)
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
    from . import alerts as economics_alerts

    period, code = period_from(request)
    today = date.today()
    value = services.account_pnl(customer, period)
    window = Period.trailing(today, 12)
    last_12 = value if code == "12m" else services.account_pnl(customer, window)
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
    sales = (
        SalesLine.objects.filter(customer=customer, date__gte=period.start, date__lt=period.end)
        .values("currency")
        .annotate(lines=Count("id"), net=Sum("net_amount"), cost=Sum("cost"))
        .order_by("currency")
    )
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
        clv=clv,
        settings=settings,
        clv_years=settings.clv_years,
        chart=_chart_series(customer, today),
        records=records,
        allocations=allocations,
        cts_summary=list(cts_summary),
        inv_summary=inv_summary,
        inv_summary_note=inv_note,
        column_label=_("Last 12 months") if code == "12m" else str(period),
        sales=list(sales),
        spends=spends,
        alerts=found_alerts,
        forms=forms,
        customer_currency=customer.currency or value.currency,
    )


def _investment_summary(customer, period, value):
    """KAM investments in the period by kind, own and programme share, in the base currency
    (the same conversion as the P&L: one set-based query per kind of origin)."""
    from . import pnl
    from .models import InvestmentKind

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
    customer = _economics_customer(request, pk)
    record = get_object_or_404(ActivityRecord, pk=record_pk, customer=customer)
    actions.do_delete_activity_record(request.user, record)
    messages.success(request, _("Activity record deleted."))
    return redirect(_back(request, customer))


@require_POST
def investment_delete(
    request: AuthenticatedHttpRequest, pk: int, investment_pk: int
) -> HttpResponse:
    customer = _economics_customer(request, pk)
    investment = get_object_or_404(Investment, pk=investment_pk, customer=customer)
    actions.do_delete_investment(request.user, investment)
    messages.success(request, _("Investment deleted."))
    return redirect(_back(request, customer))


@require_POST
def spend_delete(request: AuthenticatedHttpRequest, pk: int, spend_pk: int) -> HttpResponse:
    customer = _economics_customer(request, pk)
    spend = get_object_or_404(CategorySpend, pk=spend_pk, customer=customer)
    actions.do_delete_category_spend(request.user, spend)
    messages.success(request, _("Estimate deleted."))
    return redirect(_back(request, customer))


def _back(request, customer) -> str:
    url = reverse("economics:customer_tab", args=[customer.pk])
    period = request.POST.get("period") or request.GET.get("period")
    return f"{url}?period={period}" if period else url


def customer_export(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    customer = _economics_customer(request, pk)
    period, code = period_from(request)
    value = services.account_pnl(customer, period)
    return exports.pnl_response(customer, value, period_label(period, code))


# --- portfolio ------------------------------------------------------------------------------
def _portfolio_scope(request):
    user = request.user
    if not (user.manages_programme or user.is_kam):
        raise PermissionDenied
    return None if user.manages_programme else services.economics_customers(user)


def portfolio_data(request) -> dict:
    """The whale curve and the programme P&L for the customers the user may see the money of:
    constant queries whatever the size of the portfolio."""
    scope = _portfolio_scope(request)
    period, code = period_from(request)
    rates = services.rate_table()
    scope_key = "all" if scope is None else f"kam{request.user.pk}"
    from . import portfolio as ranked

    w = ranked.summary(scope_key, period, scope)
    key_ids = w["key_ids"]
    shown = {p.key for p in w["top"]} | {p.key for p in w["bottom"]} | key_ids
    names = dict(Customer.objects.filter(pk__in=list(shown)).values_list("pk", "name"))
    key_rows = sorted(
        (
            {
                "id": c,
                "name": names.get(c, ""),
                "point": w["key_points"].get(c),
                "value": w["key_values"].get(c),
            }
            for c in key_ids
        ),
        key=lambda r: (r["point"].rank if r["point"] else 10**9, r["name"]),
    )
    chart = {
        # The curve starts at the origin: no customer, no profit.
        "x": [0.0] + [float(p.customers_pct * 100) for p in w["sample"]],
        "y": [0.0] + [float(p.cumulative) for p in w["sample"]],
        "keys": [
            {
                "x": float(p.customers_pct * 100),
                "y": float(p.cumulative),
                "name": names.get(p.key, ""),
            }
            for p in w["sample"]
            if p.key in key_ids
        ],
        "currency": rates.base,
        "total": float(w["total"].profit_after_kam),
        "names": {
            "total": str(_("Total profit of the portfolio")),
            "curve": str(_("Cumulative profit after KAM")),
            "keys": str(_("Key accounts")),
            "x": str(_("Customers, most profitable first (%)")),
            "y": str(_("Cumulative profit after KAM (%(currency)s)") % {"currency": rates.base}),
        },
    }
    return {
        "period": period,
        "period_code": code,
        "period_label": period_label(period, code),
        "periods": period_choices(),
        "period_codes": [c for c, _l in period_choices()],
        "currency": rates.base,
        "scope": scope,
        "rates": rates,
        "names": names,
        "top": [{"p": p, "name": names.get(p.key, "")} for p in w["top"]],
        "bottom": [{"p": p, "name": names.get(p.key, "")} for p in w["bottom"]],
        "key_rows": key_rows,
        "total": w["total"],
        "key_total": w["key_total"],
        "peak": w["peak"],
        "losing": w["losing"],
        "customers": w["customers"],
        "points": w["customers"],
        "chart": chart,
        "key_ids": key_ids,
        "stale": w.get("stale", False),
        "computed_at": w.get("computed_at"),
    }


def portfolio(request: AuthenticatedHttpRequest) -> HttpResponse:
    return render(request, "economics/portfolio.html", portfolio_data(request))


def portfolio_export(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Every customer of the portfolio, ranked, with all the P&L lines (not cached: an export
    reads everything once)."""
    from . import pnl

    data = portfolio_data(request)
    values = services.portfolio_pnl(
        data["period"], data["scope"], with_previous=False, rates=data["rates"]
    )
    data["values"] = values
    data["points"] = pnl.whale_curve((cid, v.profit_after_kam) for cid, v in values.items())
    names = dict(Customer.objects.filter(pk__in=list(values)).values_list("pk", "name"))
    return exports.portfolio_response(data, names)


# --- programme-wide investments ------------------------------------------------------------------
def programme_investments(request: AuthenticatedHttpRequest) -> HttpResponse:
    _require_programme(request)
    form = ProgrammeInvestmentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            actions.do_record_investment(
                request.user,
                customer=None,
                kind=d["kind"],
                amount=d["amount"],
                currency=d.get("currency", ""),
                date=d["date"],
                note=d.get("note", ""),
                allocation=d["allocation"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Investment recorded and allocated to the key accounts."))
            return redirect("economics:programme_investments")
    investments = (
        Investment.objects.filter(customer__isnull=True)
        .prefetch_related("allocations__customer")
        .order_by("-date", "-id")[:100]
    )
    return render(
        request,
        "economics/programme_investments.html",
        {"form": form, "investments": investments},
        status=422 if form.errors else 200,
    )


@require_POST
def programme_investment_action(
    request: AuthenticatedHttpRequest, investment_pk: int
) -> HttpResponse:
    _require_programme(request)
    investment = get_object_or_404(Investment, pk=investment_pk, customer__isnull=True)
    if request.POST.get("do") == "delete":
        actions.do_delete_investment(request.user, investment)
        messages.success(request, _("Investment deleted."))
    else:
        try:
            actions.do_reallocate(request.user, investment)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Investment reallocated."))
    return redirect("economics:programme_investments")


# --- settings ---------------------------------------------------------------------------------
def economics_settings(request: AuthenticatedHttpRequest) -> HttpResponse:
    _require_programme(request)
    current = EconomicsSettings.load()
    which = request.POST.get("form", "") if request.method == "POST" else ""
    settings_form = SettingsForm(
        request.POST if which == "settings" else None,
        instance=current,
        prefix="s",
        initial={"base_currency": services.base_currency()},
    )
    rate_form = ExchangeRateForm(request.POST if which == "rate" else None, prefix="r")
    edit = None
    if request.GET.get("activity", "").isdigit():
        edit = get_object_or_404(ActivityType, pk=int(request.GET["activity"]))
    activity_form = ActivityTypeForm(
        request.POST if which == "activity" else None, instance=edit, prefix="a"
    )
    if which:
        form = {"settings": settings_form, "rate": rate_form, "activity": activity_form}.get(which)
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            try:
                _save_settings_form(request, which, form, edit)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("Saved."))
                return redirect("economics:settings")
    return render(
        request,
        "economics/settings.html",
        {
            "settings_form": settings_form,
            "rate_form": rate_form,
            "activity_form": activity_form,
            "editing": edit,
            "rates": ExchangeRate.objects.all(),
            "activities": ActivityType.objects.annotate(uses=Count("records")),
            "base_currency": services.base_currency(),
        },
        status=422 if which else 200,
    )


def _save_settings_form(request, which, form, edit) -> None:
    d = form.cleaned_data
    if which == "settings":
        values = {k: d[k] for k in actions.SETTINGS_FIELDS}
        actions.do_update_settings(request.user, base_currency=d["base_currency"], **values)
    elif which == "rate":
        actions.do_set_exchange_rate(request.user, d["currency"], d["period"], d["rate"])
    else:
        values = {
            k: d[k]
            for k in ["name", "driver", "rate", "currency", "kam_time", "description", "active"]
        }
        fresh = ActivityType.objects.get(pk=edit.pk) if edit else None
        actions.do_save_activity_type(request.user, fresh, **values)


@require_POST
def rate_delete(request: AuthenticatedHttpRequest, rate_pk: int) -> HttpResponse:
    _require_programme(request)
    rate = get_object_or_404(ExchangeRate, pk=rate_pk)
    actions.do_delete_exchange_rate(request.user, rate)
    messages.success(request, _("Rate deleted."))
    return redirect("economics:settings")
