"""The portfolio page: the whale curve and the programme P&L for the customers whose money the
user may see, and its Excel export."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from kamp.core.http import AuthenticatedHttpRequest
from kamp.customers.models import Customer

from .. import exports, services
from .common import period_choices, period_from, period_label


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
    from .. import portfolio as ranked

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
    from .. import pnl

    data = portfolio_data(request)
    values = services.portfolio_pnl(
        data["period"], data["scope"], with_previous=False, rates=data["rates"]
    )
    data["values"] = values
    data["points"] = pnl.whale_curve((cid, v.profit_after_kam) for cid, v in values.items())
    names = dict(Customer.objects.filter(pk__in=list(values)).values_list("pk", "name"))
    return exports.portfolio_response(data, names)
