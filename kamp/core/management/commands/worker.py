"""``kamp worker``: the background task worker (django-tasks' database backend) that runs long
imports and recomputations. Run one or more beside the web processes; every option of
django-tasks-db's ``db_worker`` applies (``kamp worker --help``).

While it runs, the worker writes a heartbeat row (``core.WorkerHeartbeat``) every
``KAMP_WORKER_HEARTBEAT_SECONDS``: ``/healthz`` reports its age, so a dead worker is seen.

A worker killed in the middle of a task (SIGKILL, out of memory, a power cut) leaves the task
marked running for ever. At each beat every worker looks for such tasks — running, but their
worker's heartbeat older than :data:`LOST_AFTER_BEATS` beats — and runs them again (every task
writes in one transaction, so the killed attempt left nothing half-written), or, once
:data:`MAX_ATTEMPTS` workers died on it, marks it failed with the reason."""

from __future__ import annotations

import logging
import threading
from datetime import timedelta

from django.conf import settings
from django.db import close_old_connections, connection
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand
from django_tasks_db.models import DBTaskResult

from kamp.core.models import WorkerHeartbeat

logger = logging.getLogger(__name__)

# A worker whose last heartbeat is older than this many beats is taken for dead.
LOST_AFTER_BEATS = 4
# A task on which this many workers died is not tried again (it may be what kills them).
MAX_ATTEMPTS = 3
LOST = "kamp.core.management.commands.worker.WorkerLost"


def beat(worker_id: str) -> None:
    """Record that the worker ``worker_id`` is alive now."""
    WorkerHeartbeat.objects.update_or_create(
        worker_id=worker_id[:64], defaults={"beat_at": timezone.now()}
    )


def recover_lost_tasks(interval: float) -> tuple[int, int]:
    """Run again, or mark failed, the tasks whose worker died while running them (see the
    module's docstring). Returns (tasks queued again, tasks failed). Safe with several workers
    at once: a task is taken back only while it is still the attempt seen."""
    now = timezone.now()
    cutoff = now - timedelta(seconds=interval * LOST_AFTER_BEATS)
    alive = set(
        WorkerHeartbeat.objects.filter(beat_at__gte=cutoff).values_list("worker_id", flat=True)
    )
    retried = failed = 0
    running = DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING)
    # A task started since the cutoff is left alone: its worker may not have beaten yet.
    for task in running.filter(started_at__lt=cutoff).only(
        "id", "worker_ids", "started_at", "task_path"
    ):
        attempts = list(task.worker_ids or [])
        if attempts and attempts[-1][:64] in alive:
            continue
        same_attempt = running.filter(pk=task.pk, started_at=task.started_at)
        if len(attempts) < MAX_ATTEMPTS:
            if same_attempt.update(status=TaskResultStatus.READY, started_at=None):
                retried += 1
                logger.warning(
                    "Task %s (%s): its worker stopped during attempt %d; queued again",
                    task.pk,
                    task.task_path,
                    len(attempts),
                )
        elif same_attempt.update(
            status=TaskResultStatus.FAILED,
            finished_at=now,
            exception_class_path=LOST,
            traceback=(
                f"WorkerLost: the worker running this task stopped (killed or crashed) "
                f"{len(attempts)} times; it is not tried again. Nothing of an unfinished "
                f"attempt was saved."
            ),
        ):
            failed += 1
            logger.error(
                "Task %s (%s): %d workers died on it; failed",
                task.pk,
                task.task_path,
                len(attempts),
            )
    return retried, failed


def periodic_work() -> None:
    """Each app's ``periodic.every_beat()`` (found by name, ``kamp.core.registry``): work that
    falls due with time, such as syncing connected calendars, queued as tasks."""
    from kamp.core import registry

    for module in registry.discover("periodic"):
        every_beat = getattr(module, "every_beat", None)
        if callable(every_beat):
            try:
                every_beat()
            except Exception:
                logger.warning("%s.every_beat failed", module.__name__, exc_info=True)


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
                recover_lost_tasks(self.interval)
                periodic_work()
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
