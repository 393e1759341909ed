"""The economics card on the customer summary and the profit badges on the homes' account
cards — money, so only for who may see it (admins, directors, the owning KAM)."""

from __future__ import annotations

from datetime import date

from django.utils.translation import gettext as _

from kamp.core.money import format_money
from kamp.customers.access import can_see_economics

from . import services
from .pnl import Period


def card(request, customer):
    """This area's card on the customer summary: (template, context) or None."""
    if not can_see_economics(request.user, customer):
        return None
    window = Period.trailing(date.today(), 12)
    value = services.account_pnl(customer, window)
    if not (value.net_revenue or value.cost_to_serve or value.kam_investments):
        return ("economics/_summary_card.html", {"customer": customer, "empty": True})
    return (
        "economics/_summary_card.html",
        {"customer": customer, "value": value, "window": window},
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
