"""Background work of economics: recomputing the ranked portfolio (whale curve) after the data
changed, in the ``kamp worker`` process, so the portfolio page never waits for it."""

from __future__ import annotations

from django_tasks import task

from kamp.core.models import User

from . import ranking
from .pnl import Period
from .services import economics_customers


@task()
def refresh_portfolio(scope: str, first: int, months: int, kind: str) -> None:
    period = Period(first, months, kind)
    customers = None
    if scope.startswith("kam"):
        customers = economics_customers(User.objects.get(pk=int(scope[3:])))
    ranking.compute_snapshot(scope, period, customers)
