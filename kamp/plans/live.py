"""Objectives bound to a live figure: their current value computed through
``kamp.economics.figures`` (docs/figures.md) wherever they are shown — the plan tab, the joint
plan, the API, the PDF and the QBR deck — so it is the same number as on the customer page."""

from __future__ import annotations

from decimal import Decimal

from django.utils import timezone

from .models import MONEY_METRICS


def bind(objectives, customer, money: bool) -> list:
    """Set ``current`` (in memory, never saved) on each objective that names a ``metric``: the
    figure at its displayed precision — share of wallet in percent (24.2), the RQI with one
    decimal, money in the base currency. A money figure stays ``None`` for a reader who may not
    see it, as does any figure the account has not got (no estimate, no counted round)."""
    objectives = list(objectives)
    bound = [o for o in objectives if o.metric]
    if not bound:
        return objectives
    try:
        from kamp.economics import figures
    except ImportError:
        return objectives
    keys = {o.metric for o in bound} & set(figures.ALL_KEYS)
    values = figures.account_figures(customer, timezone.localdate(), money=money, keys=keys)
    for o in bound:
        value = objective_value(o.metric, values.get(o.metric))
        if o.metric in MONEY_METRICS and not money:
            value = None
        o.current = value
        o.live = True
    return objectives


def objective_value(metric: str, figure) -> Decimal | None:
    """A figure in an objective's unit: share of wallet in percent with one decimal (24.2), the
    diamond index in whole percent (63), the RQI with one decimal, money in the base currency —
    what the plan shows and what ``health`` compares with the target."""
    value = figure.rounded if figure is not None else None
    if value is None:
        return None
    if metric == "share_of_wallet":
        return (value * 100).quantize(Decimal("0.1"))
    if metric == "diamond_index":
        return (value * 100).quantize(Decimal(1))
    return value


def live_values(objectives, today) -> dict[int, Decimal | None]:
    """``{objective id: live value}`` for bound objectives (``id``, ``metric`` and the plan's
    ``customer_id`` given), for many accounts in a constant number of queries: what the
    execution check compares with the target. Money is read whoever asks — only the count of
    objectives off track leaves this function, never the value."""
    objectives = [o for o in objectives if o["metric"]]
    if not objectives:
        return {}
    try:
        from kamp.economics import figures
    except ImportError:
        return {}
    keys = {o["metric"] for o in objectives} & set(figures.ALL_KEYS)
    found = figures.figures_for({o["customer_id"] for o in objectives}, today, keys=keys)
    return {
        o["id"]: objective_value(o["metric"], found.get(o["customer_id"], {}).get(o["metric"]))
        for o in objectives
    }


def sales_revenue(customer):
    """The account's net revenue from its sales lines over the last 12 complete months, as a
    ``kamp.economics.figures.Figure`` (value and period), or ``None`` without that area: the
    whitespace grid's current revenue, read-only, instead of the sum of hand-typed cells."""
    try:
        from kamp.economics import figures
    except ImportError:
        return None
    return figures.account_figures(customer, timezone.localdate(), keys={"revenue"})["revenue"]


def whitespace_totals(cells, customer) -> dict | None:
    """Current revenue (from the sales lines), potential (the cells') and the gap between."""
    cells = list(cells)
    if not cells:
        return None
    potential = sum((c.potential for c in cells), Decimal(0))
    typed = sum((c.current_revenue for c in cells), Decimal(0))
    revenue = sales_revenue(customer)
    current = revenue.value if revenue is not None else typed
    return {
        "current": current,
        "period": revenue.period if revenue is not None else "",
        "cells": typed,
        "potential": potential,
        "gap": max(potential - current, Decimal(0)),
    }
