"""Background work of mail capture: the dropbox is read by the ``kamp worker`` every
``KAMP_MAIL_SYNC_MINUTES`` (a check schedules the next one), and at once on "Check now"."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django_tasks import task

from kamp.core.tasks import enqueue_once

from . import sync
from .models import Mailbox


@task()
def sync_mailbox_task() -> None:
    try:
        sync.sync()
    finally:
        schedule_next()


def schedule_next() -> bool:
    """Queue the next check in ``KAMP_MAIL_SYNC_MINUTES`` unless one is waiting already (a
    backend that cannot defer, the tests', leaves it to "Check now" and ``kamp mail sync``)."""
    mailbox = Mailbox.load()
    if not (mailbox.configured and mailbox.enabled):
        return False
    job = sync_mailbox_task
    if not job.get_backend().supports_defer:
        return False
    minutes = max(1, int(getattr(settings, "KAMP_MAIL_SYNC_MINUTES", 15)))
    return enqueue_once(job.using(run_after=timezone.now() + timedelta(minutes=minutes)))


def check_now() -> None:
    """Read the dropbox as soon as the worker can (a check already running makes this one
    return at once: two never read together)."""
    sync_mailbox_task.enqueue()
