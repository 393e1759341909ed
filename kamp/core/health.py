"""What ``/healthz`` and ``/metrics`` report about the running installation: the database, its
migrations, the task worker's heartbeat and queue, the free disk in KAMP_HOME. A constant number
of queries whatever the data; never any business data."""

from __future__ import annotations

import shutil
from dataclasses import dataclass

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.loader import MigrationLoader
from django.db.models import Count, Min
from django.utils import timezone


@dataclass(frozen=True)
class Health:
    database: bool
    migrations_pending: bool | None  # None: not known (the database is unreachable)
    worker_age: float | None  # seconds since the freshest heartbeat; None: never beat
    disk_free: int | None

    @property
    def worker_ok(self) -> bool:
        return self.worker_age is not None and (
            self.worker_age <= settings.KAMP_HEALTH_WORKER_MAX_AGE
        )

    @property
    def disk_ok(self) -> bool:
        return self.disk_free is not None and self.disk_free >= settings.KAMP_HEALTH_MIN_FREE_BYTES

    @property
    def healthy(self) -> bool:
        return (
            self.database and self.migrations_pending is False and self.worker_ok and self.disk_ok
        )

    def as_dict(self) -> dict:
        migrations = {None: "unknown", True: "pending", False: "applied"}[self.migrations_pending]
        return {
            "status": "ok" if self.healthy else "error",
            "database": "ok" if self.database else "error",
            "migrations": migrations,
            "worker": {
                "status": "ok" if self.worker_ok else "error",
                "heartbeat_age_seconds": (
                    None if self.worker_age is None else round(self.worker_age, 1)
                ),
                "max_age_seconds": settings.KAMP_HEALTH_WORKER_MAX_AGE,
            },
            "disk": {
                "status": "ok" if self.disk_ok else "error",
                "free_bytes": self.disk_free,
                "min_free_bytes": settings.KAMP_HEALTH_MIN_FREE_BYTES,
            },
        }


def database_reachable() -> bool:
    try:
        with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
            cursor.execute("SELECT 1")
        return True
    except Exception:
        return False


def migrations_pending() -> bool:
    """True when the code holds a migration the database has not applied (one query: the
    recorder's table; the migration files are read from disk). Every migration is compared, not
    only the latest of each app: one left out in the middle is pending too."""
    loader = MigrationLoader(connections[DEFAULT_DB_ALIAS])
    return any(key not in loader.applied_migrations for key in loader.graph.nodes)


def worker_heartbeat_age() -> float | None:
    from kamp.core.models import WorkerHeartbeat

    latest = WorkerHeartbeat.objects.order_by("-beat_at").values_list("beat_at", flat=True).first()
    if latest is None:
        return None
    return max(0.0, (timezone.now() - latest).total_seconds())


def disk_free() -> int | None:
    try:
        return shutil.disk_usage(settings.KAMP_HOME).free
    except OSError:
        return None


def check() -> Health:
    database = database_reachable()
    pending: bool | None = None
    age: float | None = None
    if database:
        try:
            pending = migrations_pending()
            # Without the heartbeat table (pending migrations) the worker's age is not known.
            age = None if pending else worker_heartbeat_age()
        except Exception:
            database = False
    return Health(
        database=database, migrations_pending=pending, worker_age=age, disk_free=disk_free()
    )


def task_queue() -> tuple[int, float]:
    """(tasks waiting to run, age in seconds of the oldest of them; 0 when none): one query."""
    from django_tasks_db.models import DBTaskResult

    stats = DBTaskResult.objects.ready().aggregate(count=Count("pk"), oldest=Min("enqueued_at"))
    oldest = stats["oldest"]
    age = max(0.0, (timezone.now() - oldest).total_seconds()) if oldest else 0.0
    return stats["count"], age
