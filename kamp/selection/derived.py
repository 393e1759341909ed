"""Derived factors (kam-domain.md §2.3): raw figures computed from data, per customer, in bulk.

A *metric* turns data into one raw number per customer (or None when it is undefined). The sales
metrics read the per-customer sales figures the economics area stores for the scoring month
(:func:`sales_rows`); other areas may add metrics with :func:`register` (economics: share of
wallet, cost to serve). Metrics whose source does not exist (yet) are simply not offered; a model
that names one sees its customers as incomplete, with the reason, instead of an error.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from importlib import import_module

from django.utils.translation import gettext_lazy as _

REVENUE = "revenue_12m"
GROSS_MARGIN = "gross_margin_12m"
GROWTH = "growth"
SHARE_OF_WALLET = "share_of_wallet"
COST_TO_SERVE = "cost_to_serve"

SALES_METRICS = (REVENUE, GROSS_MARGIN, GROWTH)
# Raw figures read from the account's money (amounts, or ratios of them): shown only to those
# who may see the customer's economics; the factor's score (1-5) is shown to everyone.
MONEY_METRICS = frozenset({REVENUE, GROSS_MARGIN, GROWTH, SHARE_OF_WALLET, COST_TO_SERVE})


@dataclass(frozen=True)
class Metric:
    key: str
    label: object
    # (as_of, customer_ids or None for all) -> {customer_id: raw value or None}
    compute: Callable[[date, Iterable[int] | None], dict[int, float | None]] | None = None


LABELS = {
    REVENUE: _("Revenue, last 12 months"),
    GROSS_MARGIN: _("Gross margin, last 12 months"),
    GROWTH: _("Growth, last 12 months vs the 12 before"),
    SHARE_OF_WALLET: _("Share of wallet"),
    COST_TO_SERVE: _("Cost to serve, last 12 months"),
}

_extra: dict[str, Metric] = {}


def register(key: str, label, compute) -> None:
    """Adds a derived metric (for other areas): ``compute(as_of, customer_ids)`` → {id: value}."""
    _extra[key] = Metric(key, label, compute)


def _economics_function(names: Iterable[str]):
    """A bulk function offered by the economics app, looked up at run time so that selection
    works before (and without) it."""
    for module_name in (
        "kamp.economics.pnl",
        "kamp.economics.selection",
        "kamp.economics.services",
        "kamp.economics.models",
    ):
        try:
            module = import_module(module_name)
        except ImportError:
            continue
        for name in names:
            fn = getattr(module, name, None)
            if callable(fn):
                return fn
    return None


def _share_of_wallet():
    return _economics_function(["share_of_wallet_by_customer", "share_of_wallet_bulk"])


def _cost_to_serve():
    return _economics_function(["cost_to_serve_by_customer", "cost_to_serve_bulk"])


def available() -> dict[str, Metric]:
    """The metrics that can be computed on this installation, by key."""
    out = {k: Metric(k, LABELS[k]) for k in SALES_METRICS}
    sow = _share_of_wallet()
    if sow is not None:
        out[SHARE_OF_WALLET] = Metric(SHARE_OF_WALLET, LABELS[SHARE_OF_WALLET], sow)
    cts = _cost_to_serve()
    if cts is not None:
        out[COST_TO_SERVE] = Metric(COST_TO_SERVE, LABELS[COST_TO_SERVE], cts)
    out.update(_extra)
    return out


def choices() -> list[tuple[str, object]]:
    return [(k, m.label) for k, m in available().items()]


def sales_windows(as_of: date) -> tuple[date, date, date]:
    """(start of the previous 12 months, start of the last 12, end) — the last 12 *complete*
    months before ``as_of``'s month and the 12 before them, as in the account P&L's trailing
    year (:meth:`kamp.economics.pnl.Period.trailing`): the revenue a director sees in the matrix
    is the one the economics tab shows, and a half-invoiced current month does not move it."""
    from kamp.economics import sales_months

    return sales_months.windows(as_of.replace(day=1))


def sales_rows(as_of: date) -> list[tuple[int, float, float, float]]:
    """(customer id, revenue, cost, previous revenue) per customer with sales in the 24 months
    (:func:`sales_windows`), in customer order: the figures the economics area stores per
    scoring month (:func:`kamp.economics.sales_months.figures`, one row per customer; the first
    scoring of a month computes and stores them)."""
    from kamp.economics import sales_months

    return sales_months.figures(as_of)


def _figures(revenue, cost, previous) -> dict:
    revenue = float(revenue or 0)
    previous = float(previous or 0)
    return {
        REVENUE: revenue,
        GROSS_MARGIN: revenue - float(cost or 0),
        GROWTH: (revenue - previous) / previous if previous > 0 else None,
        "previous": previous,
    }


def sales_figures(as_of: date, customer_ids: Iterable[int] | None = None) -> dict[int, dict]:
    """Revenue and gross margin (net − cost) over the last 12 complete months and revenue over
    the 12 before, per customer: for the whole portfolio, the stored figures of the month
    (:func:`sales_rows`); for a few customers, one aggregate over their monthly sales sums
    (kept in step with the lines by :mod:`kamp.economics.sales_months`)."""
    from kamp.economics import sales_months

    if customer_ids is None:
        rows = sales_rows(as_of)
    else:
        rows = sales_months.customer_figures(as_of, [int(i) for i in customer_ids])
    return {cid: _figures(r, c, p) for cid, r, c, p in rows}


def raw_values(
    metric_keys: Iterable[str],
    customer_ids: list[int],
    as_of: date,
    sales: dict[int, dict] | None = None,
) -> tuple[dict[str, dict[int, float | None]], list[str]]:
    """Raw values of each metric for the given customers, and the metrics that are unavailable.
    A customer without sales has revenue and margin 0 and an undefined growth."""
    keys = list(dict.fromkeys(metric_keys))
    metrics = available()
    out: dict[str, dict[int, float | None]] = {}
    missing: list[str] = []
    figures: dict[int, dict] = {}
    if any(k in SALES_METRICS for k in keys):
        figures = sales if sales is not None else sales_figures(as_of)
    empty = {REVENUE: 0.0, GROSS_MARGIN: 0.0, GROWTH: None}
    for key in keys:
        compute = metrics[key].compute if key in metrics else None
        if key in SALES_METRICS:
            out[key] = {cid: (figures.get(cid) or empty)[key] for cid in customer_ids}
        elif compute is not None:
            values = compute(as_of, None) or {}
            out[key] = {cid: _float(values.get(cid)) for cid in customer_ids}
        else:
            missing.append(key)
            out[key] = {}
    return out, missing


def _float(v) -> float | None:
    return None if v is None else float(v)
