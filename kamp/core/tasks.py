"""Background work of core: large imports run here, in the ``kamp worker`` process."""

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
