"""Background work of connect: webhook deliveries, in the ``kamp worker`` process."""

from __future__ import annotations

from django_tasks import task


@task()
def deliver_webhook(delivery_id: int) -> None:
    from . import webhooks

    webhooks.attempt(delivery_id)
