"""Typed scores checked against kamp's own data: a factor scored by hand that kamp can also
measure (profitability from the profit after KAM, cost to serve from the recorded cost to serve
as a share of sales) is flagged when the typed score and the measured one sit in opposite
halves of the scale — Minera typed 3.5/10 on profitability while it ranks first on profit
after KAM.

The measured value is the customer's percentile rank over the portfolio mapped to the scale
(the same mapping as a derived factor), read from the economics area when it is installed."""

from __future__ import annotations

from datetime import date

from django.core.cache import cache
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import guards, scoring

# Typed factor key -> the measured figure it can be checked against.
CHECKS = {"profitability": "profit_after_kam", "cost_to_serve": "cost_to_serve"}
LABELS = {
    "profit_after_kam": _("profit after KAM, last 12 months"),
    "cost_to_serve": _("cost to serve as a share of sales, last 12 months"),
}


def measured_positions(
    scale_min: float, scale_max: float, as_of: date | None = None
) -> dict[str, dict[int, float]]:
    """{figure: {customer id: the customer's place on the scale by that figure}}, over every
    customer with money in the last 12 months. Cached until the economics data change."""
    try:
        from kamp.economics import pnl, services
    except ImportError:  # selection works without the economics area
        return {}
    as_of = as_of or timezone.localdate()
    key = f"selection:crosscheck:{services.data_version()}:{as_of}:{scale_min}:{scale_max}"
    cached = cache.get(key)
    if cached is not None:
        return cached
    values = services.portfolio_pnl(pnl.Period.trailing(as_of, 12), None, with_previous=False)
    profit = {cid: float(v.profit_after_kam) for cid, v in values.items()}
    # As a share of sales, so that a large account is not "costly" for its size alone; no
    # cost-to-serve record is not a low cost to serve: such customers are left out.
    cts = {
        cid: float(pct)
        for cid, v in values.items()
        if v.cost_to_serve and (pct := v.cost_to_serve_pct) is not None
    }
    out = {
        "profit_after_kam": scoring.map_derived(profit, scale_min, scale_max),
        "cost_to_serve": scoring.map_derived(cts, scale_min, scale_max),
    }
    cache.set(key, out, 3600)
    return out


def contradiction(
    factor: str,
    customer_id: int,
    typed: float | None,
    positions: dict[str, dict[int, float]],
    scale_min: float,
    scale_max: float,
) -> dict | None:
    """``{"typed", "measured", "label"}`` when the typed score contradicts the measured one."""
    figure = CHECKS.get(factor)
    if figure is None or typed is None:
        return None
    measured = positions.get(figure, {}).get(customer_id)
    if measured is None or not guards.opposite_halves(typed, measured, scale_min, scale_max):
        return None
    return {"typed": typed, "measured": measured, "label": LABELS[figure]}
