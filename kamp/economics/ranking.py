"""The ranked portfolio behind the whale-curve page, computed set-based and kept as a snapshot
with the fingerprint of the data it came from (:func:`kamp.economics.services.data_version`).

The page's reader (:mod:`kamp.economics.portfolio`) computes here or hands the work to the worker
(:mod:`kamp.economics.tasks`), which computes here too: portfolio → tasks → ranking, and nothing
here imports back up."""

from __future__ import annotations

import pickle

from django.db import IntegrityError, transaction
from django.utils import timezone

from kamp.customers.models import Customer, CustomerStatus

from . import pnl, services
from .models import PortfolioSnapshot


def _summary(period, customers, rates) -> dict:
    values = services.portfolio_pnl(period, customers, with_previous=False, rates=rates)
    keys_qs = Customer.objects.filter(status=CustomerStatus.KEY_ACCOUNT)
    if customers is not None:
        keys_qs = keys_qs.filter(pk__in=customers.values("pk"))
    key_ids = set(keys_qs.values_list("pk", flat=True))
    points = pnl.whale_curve((cid, v.profit_after_kam) for cid, v in values.items())
    empty = pnl.build_pnl(None, period, rates)
    top = points[:10]
    return {
        "key_ids": key_ids,
        "top": top,
        "bottom": [p for p in points[-10:] if p not in top],
        "key_points": {p.key: p for p in points if p.key in key_ids},
        "key_values": {c: values[c] for c in key_ids if c in values},
        "sample": pnl.sample_curve(points, 600, keep=key_ids),
        "total": sum((v for v in values.values()), empty),
        "key_total": sum((values[c] for c in key_ids if c in values), empty),
        "peak": max(points, key=lambda p: p.cumulative) if points else None,
        "losing": sum(1 for p in points if p.profit < 0),
        "customers": len(points),
    }


def compute_snapshot(scope: str, period, customers, version: str | None = None) -> dict:
    rates = services.rate_table()
    version = version or services.data_version()
    summary = _summary(period, customers, rates)
    summary["computed_at"] = timezone.now()
    values = {
        "version": version,
        "computed_at": summary["computed_at"],
        "data": pickle.dumps(summary),
    }
    try:
        with transaction.atomic():
            PortfolioSnapshot.objects.update_or_create(
                scope=scope, period=str(period), currency=rates.base, defaults=values
            )
    except IntegrityError:  # two processes computed it at once: either row is right
        pass
    return summary
