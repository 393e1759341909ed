"""The economics card on the customer summary and the profit badges on the homes' account
cards — money, so only for who may see it (admins, directors, the owning KAM)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.utils.translation import gettext as _

from kamp.core.money import format_money
from kamp.customers.access import can_see_economics

from . import figures, services
from .pnl import AccountPnL, Period


def last_12_months(customer, today: date | None = None) -> AccountPnL:
    """The account's P&L over the 12 complete months before ``today``, in the base currency,
    with the 12 months before it attached (``.previous``) for growth.

    The one figure the Summary tab (this card and the "Sales, last 12 months" at a glance) and
    the Economics tab's default view show: one computation, so the same amount never appears
    twice with two values or two currencies.

    Kept on the customer object for the request: the at-a-glance figure, this area's card and
    its headline figures read one computation rather than three."""
    period = Period.trailing(today or date.today(), 12)
    held = getattr(customer, "_last_12_months", None)
    if held is not None and held.period == period:
        return held
    value = services.account_pnl(customer, period)
    if not isinstance(customer, int):
        customer._last_12_months = value
    return value


def glance(customer, today: date | None = None) -> dict | None:
    """The customer page's "Sales, last 12 months": net revenue, gross margin ratio and growth
    from :func:`last_12_months`, with its currency; ``None`` without sales in either year."""
    value = last_12_months(customer, today)
    before = value.previous.net_revenue if value.previous else Decimal(0)
    if not value.net_revenue and not before:
        return None
    net = value.net_revenue
    return {
        "net": net,
        "currency": value.currency,
        "margin_ratio": value.gross_margin_pct,
        "growth": value.growth("net_revenue"),
    }


def card(request, customer):
    """This area's card on the customer summary: (template, context) or None."""
    if not can_see_economics(request.user, customer):
        return None
    value = last_12_months(customer)
    window = value.period
    if not (value.net_revenue or value.cost_to_serve or value.kam_investments):
        return ("economics/_summary_card.html", {"customer": customer, "empty": True})
    return (
        "economics/_summary_card.html",
        {
            "customer": customer,
            "value": value,
            "window": window,
            # The headline figures, as the API and the exports give them (docs/figures.md).
            # The money ones only: the RQI, the diamond index and the plan's completeness
            # are on their own areas' cards.
            "figures": figures.account_figures(customer, keys=figures.MONEY_KEYS, pnl=value),
        },
    )


def badges(customer_ids: list[int], user=None) -> dict[int, list[dict]]:
    """Profit after KAM over the last 12 complete months, per account: ``{id: [badge]}``.

    Money: pass the ``user`` looking at the cards — without one (or for a user who may not see an
    account's economics) no badge is given. Constant queries.
    """
    if user is None or not customer_ids:
        return {}
    allowed = set(
        services.economics_customers(user)
        .filter(pk__in=list(customer_ids))
        .values_list("pk", flat=True)
    )
    if not allowed:
        return {}
    window = Period.trailing(date.today(), 12)
    values = services.portfolio_pnl(window, allowed, with_previous=False)
    out: dict[int, list[dict]] = {}
    for cid in allowed:
        value = values.get(cid)
        if value is None:
            continue
        profit = value.profit_after_kam
        out[cid] = [
            {
                "label": _("Profit after KAM %(amount)s")
                % {"amount": format_money(profit, value.currency)},
                "css": "profit-negative" if profit < 0 else "profit-positive",
                "title": _("Last 12 months: contribution %(c)s − KAM investments %(i)s")
                % {
                    "c": format_money(value.contribution, value.currency),
                    "i": format_money(value.kam_investments, value.currency),
                },
            }
        ]
    return out
