"""Background work of core: large imports run here, in the ``kamp worker`` process; and the
helpers other apps use to hand work to the worker once (:func:`enqueue_once`,
:func:`after_commit_once`)."""

from __future__ import annotations

import os

from django.conf import settings
from django.core.files.storage import default_storage
from django.utils import translation
from django_tasks import task

from .imports import ImportOptions, get_kind, run_import
from .models import ImportBatch


def batch_file(batch: ImportBatch) -> str:
    """The file of a batch: an absolute path (CLI) or a name in the media storage (uploads)."""
    if os.path.isabs(batch.stored_file):
        return batch.stored_file
    return default_storage.path(batch.stored_file)


def run_batch(batch_id: int, dry_run: bool) -> ImportBatch:
    """Check (``dry_run``) or import an uploaded batch with the options saved on it."""
    batch = ImportBatch.objects.select_related("created_by").get(pk=batch_id)
    options = ImportOptions.from_json(batch.options)
    options.dry_run = dry_run
    # The mapping step's columns joined into one field ("3+4" → name), on top of its mapping.
    options.mapping = dict(batch.options.get("combined") or {})
    columns = {int(k): v for k, v in (batch.options.get("columns") or {}).items()}
    # The report is written in the language of whoever uploaded the file, also by the worker.
    language = batch.options.get("language") or translation.get_language() or settings.LANGUAGE_CODE
    with translation.override(language):
        return run_import(
            get_kind(batch.kind),
            batch_file(batch),
            user=batch.created_by,
            batch=batch,
            options=options,
            column_mapping=columns,
        )


@task()
def import_batch_task(batch_id: int, dry_run: bool = False) -> None:
    run_batch(batch_id, dry_run)


def enqueue_once(task_, *args) -> bool:
    """Hand ``task_`` to the worker unless one of the same kind and arguments is already waiting
    (not started): a pending task absorbs every later change, since it reads the data when it
    runs. Returns whether a task was enqueued. Work that prepares figures after a change goes
    through here, so N page views or N writes before the worker gets to it make one task.

    Two processes checking at the same instant may both enqueue; the tasks are written to do
    nothing when what they prepare is already up to date, so the second costs a look-up."""
    from django_tasks import TaskResultStatus
    from django_tasks.utils import normalize_json
    from django_tasks_db.backend import DatabaseBackend
    from django_tasks_db.models import DBTaskResult

    if isinstance(task_.get_backend(), DatabaseBackend):
        wanted = normalize_json({"args": list(args), "kwargs": {}})
        pending = DBTaskResult.objects.filter(
            status=TaskResultStatus.READY, task_path=task_.module_path
        ).values_list("args_kwargs", flat=True)
        if any(p == wanted for p in pending):
            return False
    task_.enqueue(*args)
    return True


def after_commit_once(callback) -> None:
    """Run ``callback`` once the current transaction commits — once, however many writes of the
    transaction ask for it (an import writes many audit events); at once outside a transaction."""
    from django.db import connection, transaction

    if connection.in_atomic_block and any(
        entry[1] is callback for entry in connection.run_on_commit
    ):
        return
    transaction.on_commit(callback)
