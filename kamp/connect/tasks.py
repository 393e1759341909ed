"""Background work of connect: webhook deliveries, in the ``kamp worker`` process.

Each delivery is one task; a failed try schedules its next one (``run_after``) with the pause
``webhooks.backoff`` gives. A backend that cannot defer (the immediate one of the tests) leaves
the retry to :func:`retry_due`, which ``kamp webhooks retry`` runs from cron."""

from __future__ import annotations

from django.utils import timezone
from django_tasks import task

from . import webhooks
from .models import DeliveryStatus, WebhookDelivery


def _enqueue(delivery_id: int, run_after=None) -> None:
    job = deliver_webhook
    if run_after is not None:
        if not job.get_backend().supports_defer:
            return
        job = job.using(run_after=run_after)
    job.enqueue(delivery_id)


def send(deliveries) -> None:
    for delivery in deliveries:
        _enqueue(delivery.pk)


def deliver(delivery_id: int) -> WebhookDelivery | None:
    delivery = webhooks.attempt(delivery_id)
    if (
        delivery is not None
        and delivery.status == DeliveryStatus.PENDING
        and delivery.next_attempt_at is not None
        and delivery.endpoint.active
    ):
        delivery.endpoint.refresh_from_db(fields=["active"])
        if delivery.endpoint.active:
            _enqueue(delivery.pk, run_after=delivery.next_attempt_at)
    return delivery


@task()
def deliver_webhook(delivery_id: int) -> None:
    deliver(delivery_id)


def retry_due(now=None) -> int:
    """Try every waiting delivery whose time has come (the worker schedules retries itself;
    this catches up after a restart, and runs them where retries cannot be deferred)."""
    now = now or timezone.now()
    due = list(
        WebhookDelivery.objects.filter(
            status=DeliveryStatus.PENDING, next_attempt_at__lte=now, endpoint__active=True
        )
        .order_by("next_attempt_at", "id")
        .values_list("pk", flat=True)[:1000]
    )
    for pk in due:
        webhooks.attempt(pk)
    return len(due)


# --- calendar sync -----------------------------------------------------------------------------


@task()
def sync_calendar(connection_id: int, force: bool = False) -> None:
    """One connection's sync (``force``: "Sync now", even if synced a moment ago or stopped).
    A sync already done within the period (a second task queued while the first ran) is not
    run again."""
    from . import calendars

    if not force and connection_id not in calendars.due():
        return
    calendars.sync(connection_id, force=force)


def schedule_calendars() -> int:
    """Hand each connection that is due to the worker, once (``kamp worker`` calls this at
    every heartbeat: ``kamp.connect.periodic``). Returns how many were queued."""
    from kamp.core.tasks import enqueue_once

    from . import calendars

    return sum(1 for pk in calendars.due() if enqueue_once(sync_calendar, pk))
