"""The ranked portfolio behind the whale-curve page: computed set-based, kept as a snapshot with
the fingerprint of the data it came from (:func:`kamp.economics.services.data_version`).

The page reads the snapshot (one row). When the data have changed since, it still shows the
snapshot — saying when it was computed — and has the worker recompute it; only the very first
view of a period computes in the request. A per-process cache saves even the row read."""

from __future__ import annotations

import pickle

from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.utils import timezone

from kamp.customers.models import Customer, CustomerStatus

from . import pnl, services
from .models import PortfolioSnapshot

#: Up to this many customers a stale ranking is recomputed in the request; above, by the worker.
INLINE_CUSTOMERS = 5000


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


def summary(scope: str, period, customers) -> dict:
    """The ranked portfolio for the page: fresh when the data have not changed since it was
    computed, else the last one with ``stale`` set while the worker recomputes it."""
    from .tasks import refresh_portfolio

    base = services.base_currency()
    version = services.data_version()
    key = f"economics:portfolio:{scope}:{period}:{base}:{version}"
    hit = cache.get(key)
    if hit is not None:
        return hit
    snapshot = (
        PortfolioSnapshot.objects.filter(scope=scope, period=str(period), currency=base)
        .only("version", "computed_at", "data")
        .first()
    )
    if snapshot is None or (
        snapshot.version != version and Customer.objects.count() <= INLINE_CUSTOMERS
    ):
        # The first view of a period, or a small portfolio: computing now takes less than a
        # second and needs no worker (the single-user demo runs none).
        result = compute_snapshot(scope, period, customers, version)
    else:
        result = pickle.loads(bytes(snapshot.data))
        if snapshot.version != version:
            result["stale"] = True
            refresh_portfolio.enqueue(scope, period.first, period.months, period.kind)
            return result  # not cached: the next view looks for the fresh snapshot
    cache.set(key, result, 3600)
    return result
