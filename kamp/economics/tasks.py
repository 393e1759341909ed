"""Background work of economics: recomputing the ranked portfolio (whale curve and programme P&L)
after the data changed, in the ``kamp worker`` process, so the portfolio page never waits for it.

One task for the whole kind of work (:func:`refresh_portfolios`, no arguments): it recomputes every
stored snapshot whose data have changed, with the data as they are when it runs, so one pending
task absorbs every later change and page view (:func:`kamp.core.tasks.enqueue_once`)."""

from __future__ import annotations

from django.conf import settings
from django_tasks import task

from kamp.core.models import User
from kamp.core.tasks import after_commit_once, enqueue_once

from . import ranking
from .pnl import Period
from .services import economics_customers


def _period(key: str) -> Period:
    """A snapshot's period back from its text (``str(period)``)."""
    if ".." in key:
        start, end = (Period.parse(k) for k in key.split(".."))
        return Period(start.first, end.first - start.first + 1, "window")
    return Period.parse(key)


def _customers(scope: str):
    if scope.startswith("kam"):
        return economics_customers(User.objects.get(pk=int(scope[3:])))
    return None


@task()
def refresh_portfolios() -> int:
    """Recompute the stale snapshots; returns how many were recomputed (0 when a task that ran
    before this one has already done it)."""
    from . import services
    from .models import PortfolioSnapshot

    done = 0
    for snap in PortfolioSnapshot.objects.only("scope", "period", "currency", "version"):
        version = services.data_version()
        if snap.version == version or snap.currency != services.base_currency():
            continue
        try:
            customers = _customers(snap.scope)
        except User.DoesNotExist:
            snap.delete()
            continue
        ranking.compute_snapshot(snap.scope, _period(snap.period), customers, version)
        done += 1
    return done


def prepare() -> None:
    """Have the worker refresh the stored portfolios (at most one pending task)."""
    enqueue_once(refresh_portfolios)


def after_change(sender, instance, created, **kwargs) -> None:
    """Connected to every audit event saved: every change in kamp writes one."""
    if created and getattr(settings, "KAMP_PREPARE_AFTER_CHANGES", False):
        after_commit_once(prepare)
