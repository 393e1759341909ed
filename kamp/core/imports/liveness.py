"""Telling an import that is still running from one whose process died half-way (killed, out of
memory, the machine restarted): without this its batch would say "checking" or "importing"
forever.

The process running an import holds a lock that goes away with it, however it goes: on
PostgreSQL a session advisory lock on a connection of its own (the server drops it when the
connection dies), elsewhere an exclusive ``flock`` on a file beside the uploads (the kernel drops
it when the process dies). The batch notes that a run started (``options["running_in"]``) and the
run removes the note when it ends. A batch in progress whose note is there but whose lock is free
was interrupted: :func:`reap` marks it failed — nothing was written, since the write is one
transaction — so the user sees what happened and can start it again. A batch still waiting for
the worker has no note and is left alone.
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from django.db import connection, connections
from django.utils import timezone
from django.utils.translation import gettext as _

from .files import database_key, side_folder

try:
    import fcntl
except ImportError:  # pragma: no cover - not on POSIX: never reap, never block
    fcntl = None  # type: ignore[assignment]

# The first key of kamp's advisory locks ("KAMP" in ASCII); the second is the batch id.
LOCK_CLASS = 0x4B414D50 & 0x7FFFFFFF
NOTE = "running_in"
log = logging.getLogger(__name__)


def _lock_file(batch_id: int) -> Path:
    return side_folder() / f"{database_key()}-{batch_id}.lock"


@contextlib.contextmanager
def running(batch) -> Iterator[None]:
    """Hold the batch's lock while the block runs (the import), and note on the batch that a run
    started; the note goes when the block ends."""
    holder: Any = None
    try:
        if connection.vendor == "postgresql":
            holder = connections.create_connection("default")
            holder.set_autocommit(True)
            with holder.cursor() as cur:
                cur.execute("SELECT pg_advisory_lock(%s, %s)", [LOCK_CLASS, batch.pk])
        elif fcntl is not None:
            holder = open(_lock_file(batch.pk), "a+")  # noqa: SIM115 (closed in finally)
            try:
                fcntl.flock(holder.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                # Someone holds it (the same batch run twice at once?): run without the
                # bookkeeping rather than fail or wait — the batch is then never reaped.
                log.warning("import #%s: its liveness lock is taken", batch.pk)
                holder.close()
                holder = None
                yield
                return
        batch.options = {
            **(batch.options or {}),
            NOTE: {"host": socket.gethostname(), "pid": os.getpid()},
        }
        yield
    finally:
        _forget(batch)
        if holder is not None:
            with contextlib.suppress(Exception):
                holder.close()
            if connection.vendor != "postgresql":
                with contextlib.suppress(OSError):
                    _lock_file(batch.pk).unlink()


def _forget(batch) -> None:
    from kamp.core.models import ImportBatch

    if NOTE in (batch.options or {}):
        batch.options = {k: v for k, v in batch.options.items() if k != NOTE}
        with contextlib.suppress(Exception):  # never hide the import's own outcome
            ImportBatch.objects.filter(pk=batch.pk).update(options=batch.options)


def is_running(batch_id: int) -> bool:
    """Whether a process holds the batch's lock (any process, on any host for PostgreSQL)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("SELECT pg_try_advisory_lock(%s, %s)", [LOCK_CLASS, batch_id])
            free = cur.fetchone()[0]
            if free:
                cur.execute("SELECT pg_advisory_unlock(%s, %s)", [LOCK_CLASS, batch_id])
        return not free
    if fcntl is None:
        return True
    path = _lock_file(batch_id)
    if not path.exists():
        return False
    with open(path, "a+") as f:
        try:
            fcntl.flock(f.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(f.fileno(), fcntl.LOCK_UN)
        return False


def reap(batches: Iterable) -> None:
    """Mark failed the batches in progress whose run died (see the module's docstring)."""
    from kamp.core.models import ImportBatch

    for batch in batches:
        if not batch.in_progress or NOTE not in (batch.options or {}):
            continue
        if is_running(batch.pk):
            continue
        phase = batch.get_status_display()
        batch.status = ImportBatch.Status.FAILED
        batch.finished_at = timezone.now()
        batch.options = {k: v for k, v in batch.options.items() if k != NOTE}
        batch.message = _(
            "The import stopped while %(phase)s (its process ended before it finished) and "
            "nothing was written. Start it again."
        ) % {"phase": phase}
        updated = ImportBatch.objects.filter(
            pk=batch.pk, status__in=[ImportBatch.Status.VALIDATING, ImportBatch.Status.RUNNING]
        ).update(
            status=batch.status,
            finished_at=batch.finished_at,
            options=batch.options,
            message=batch.message,
        )
        if not updated:  # it finished meanwhile: show what it says
            batch.refresh_from_db()
