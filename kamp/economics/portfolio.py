"""The ranked portfolio behind the whale-curve page, as the page reads it: the snapshot computed by
:mod:`kamp.economics.ranking`, with the fingerprint of the data it came from
(:func:`kamp.economics.services.data_version`).

The page reads the snapshot (one row). When the data have changed since, it still shows the
snapshot — saying when it was computed — and has the worker recompute it (one pending task for
all the views and changes until it runs; the worker is also asked after every change, so the
first view usually finds it done); only the very first view of a period computes in the request. A per-process cache saves even the row read."""

from __future__ import annotations

import pickle

from django.core.cache import cache

from kamp.core.counting import count_up_to
from kamp.customers.models import Customer

from . import services
from .models import PortfolioSnapshot
from .ranking import compute_snapshot
from .tasks import prepare

#: Up to this many customers a stale ranking is recomputed in the request; above, by the worker.
INLINE_CUSTOMERS = 5000


def summary(scope: str, period, customers) -> dict:
    """The ranked portfolio for the page: fresh when the data have not changed since it was
    computed, else the last one with ``stale`` set while the worker recomputes it."""
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
        snapshot.version != version
        and count_up_to(Customer.objects.all(), INLINE_CUSTOMERS + 1) <= INLINE_CUSTOMERS
    ):
        # The first view of a period, or a small portfolio: computing now takes less than a
        # second and needs no worker (the single-user demo runs none).
        result = compute_snapshot(scope, period, customers, version)
    else:
        result = pickle.loads(bytes(snapshot.data))
        if snapshot.version != version:
            result["stale"] = True
            prepare()  # one pending task whatever the number of views
            return result  # not cached: the next view looks for the fresh snapshot
    cache.set(key, result, 3600)
    return result
