"""Economics alerts (kam-domain.md §5): a key account unprofitable after KAM several periods in a
row (star quadrant excepted), and cost to serve growing faster than revenue. Constant queries:
two set-based P&L computations whatever the number of customers.

These alerts are about money: each carries ``data["economics"] = True`` and the messages give no
amounts; whoever shows them to a user should keep them to users for whom
``kamp.customers.access.can_see_economics`` holds (see :func:`visible_to`)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.urls import reverse
from django.utils.translation import gettext as _

from kamp.core.alerts import Alert
from kamp.core.formatting import format_period
from kamp.customers.models import CustomerStatus

from . import pnl, services
from .models import EconomicsSettings

CAUSE = "profitability"


def alerts(customers, as_of: date | None = None) -> list[Alert]:
    as_of = as_of or date.today()
    info = {
        cid: (name, status)
        for cid, name, status in customers.order_by().values_list("id", "name", "status")
    }
    if not info:
        return []
    ids = list(info)
    settings = EconomicsSettings.load()
    out: list[Alert] = []
    title = _("What the account earns us")

    # 1. Key accounts with profit after KAM < 0 in each of the last N complete periods.
    keys = [cid for cid in ids if info[cid][1] == CustomerStatus.KEY_ACCOUNT]
    n = max(int(settings.alert_periods), 1)
    if keys:
        periods = services.recent_periods(settings.alert_unit, n, as_of)
        values = services.compute(periods, keys)
        stars = None
        for cid in keys:
            profits = [
                values[(cid, i)].profit_after_kam if (cid, i) in values else pnl.ZERO
                for i in range(n)
            ]
            if not pnl.unprofitable_streak(profits, n):
                continue
            if stars is None:
                stars = services.star_quadrant_ids(keys, as_of)
            if cid in stars:
                continue
            last = values[(cid, n - 1)]
            out.append(
                Alert(
                    "economics",
                    "unprofitable_key_account",
                    "danger",
                    _(
                        "Profit after KAM negative %(n)s periods in a row (%(periods)s): the account "
                        "costs more than it brings."
                    )
                    # The quarters as people write them (T2 2026, T3 2026 in Spanish).
                    % {"n": n, "periods": ", ".join(format_period(p) for p in periods)},
                    customer_id=cid,
                    customer_name=info[cid][0],
                    url=reverse("economics:customer_tab", args=[cid]) + f"?period={periods[-1]}",
                    # Money: only for who may see the account's economics (can_see_economics).
                    data={
                        "economics": True,
                        "periods": [str(p) for p in periods],
                        "profits": [str(p) for p in profits],
                        "currency": last.currency,
                    },
                    cause=CAUSE,
                    cause_title=title,
                )
            )

    # 2. Cost to serve growing faster than revenue: last 12 months vs the 12 before.
    window = pnl.Period.trailing(as_of, 12)
    # On key accounts only: a candidate's cost to serve is the selection's question.
    values = services.compute([window, window.previous()], keys) if keys else {}
    for cid in keys:
        now, before = values.get((cid, 0)), values.get((cid, 1))
        if now is None or before is None:
            continue
        if pnl.cost_to_serve_outgrows_revenue(
            now.cost_to_serve, before.cost_to_serve, now.net_revenue, before.net_revenue
        ):
            cts_g = pnl.growth(now.cost_to_serve, before.cost_to_serve)
            rev_g = pnl.growth(now.net_revenue, before.net_revenue)
            out.append(
                Alert(
                    "economics",
                    "cost_to_serve_outgrows_revenue",
                    "warning",
                    _(
                        "Cost to serve grew %(cts)s in the last 12 months, revenue %(rev)s: serving "
                        "the account is getting more expensive than what it buys."
                    )
                    % {"cts": _pct(cts_g), "rev": _pct(rev_g)},
                    customer_id=cid,
                    customer_name=info[cid][0],
                    url=reverse("economics:customer_tab", args=[cid]) + "#cost-to-serve",
                    data={
                        "economics": True,
                        "cost_to_serve_growth": str(cts_g),
                        "revenue_growth": str(rev_g),
                    },
                    cause=CAUSE,
                    cause_title=title,
                )
            )
    return out


def value_at_stake(customer_ids: list[int], as_of: date) -> dict[int, Decimal]:
    """Each account's net revenue of the last 12 months in the base currency: what an alert
    puts at stake, to rank the inbox by (one set-based P&L computation)."""
    values = services.compute([pnl.Period.trailing(as_of, 12)], customer_ids)
    return {cid: v.net_revenue for (cid, _i), v in values.items() if v.net_revenue is not None}


def _pct(value) -> str:
    from kamp.core.formatting import format_percent

    if value is None:
        return "—"
    return format_percent(value, 1)


def visible_to(user, found: list[Alert]) -> list[Alert]:
    """Keep the economics alerts only for the customers ``user`` may see the money of."""
    from kamp.customers.models import Customer

    ids = {a.customer_id for a in found if a.area == "economics" and a.customer_id}
    if not ids:
        return found
    allowed = set(
        services.economics_customers(user, Customer.objects.filter(pk__in=ids)).values_list(
            "pk", flat=True
        )
    )
    return [a for a in found if a.area != "economics" or a.customer_id in allowed]
