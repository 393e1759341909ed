"""``kamp worker``: the background task worker (django-tasks' database backend) that runs long
imports and recomputations. Run one or more beside the web processes; every option of
django-tasks-db's ``db_worker`` applies (``kamp worker --help``).

While it runs, the worker writes a heartbeat row (``core.WorkerHeartbeat``) every
``KAMP_WORKER_HEARTBEAT_SECONDS``: ``/healthz`` reports its age, so a dead worker is seen."""

from __future__ import annotations

import logging
import threading

from django.conf import settings
from django.db import close_old_connections, connection
from django.utils import timezone
from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand

from kamp.core.models import WorkerHeartbeat

logger = logging.getLogger(__name__)


def beat(worker_id: str) -> None:
    """Record that the worker ``worker_id`` is alive now."""
    WorkerHeartbeat.objects.update_or_create(
        worker_id=worker_id[:64], defaults={"beat_at": timezone.now()}
    )


class Heartbeat(threading.Thread):
    """Beats beside the worker's loop, not inside it: a task of several minutes (a large
    import) must not read as a dead worker."""

    def __init__(self, worker_id: str, interval: float):
        super().__init__(name="kamp-worker-heartbeat", daemon=True)
        self.worker_id = worker_id
        self.interval = interval
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.is_set():
            try:
                close_old_connections()
                beat(self.worker_id)
            except Exception:
                # A locked SQLite file or a database restart: try again at the next beat.
                logger.warning("The worker heartbeat could not be written", exc_info=True)
            self.stopped.wait(self.interval)
        connection.close()


class Command(DbWorkerCommand):
    help = (
        "Run kamp's background task worker (imports, recomputations). Keep it running beside "
        "`kamp serve`; --batch processes what is queued and exits."
    )

    def handle(self, *args, **options):
        heartbeat = Heartbeat(options["worker_id"], settings.KAMP_WORKER_HEARTBEAT_SECONDS)
        heartbeat.start()
        try:
            return super().handle(*args, **options)
        finally:
            heartbeat.stopped.set()
