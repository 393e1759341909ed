"""Background work of interactions: a large calendar file is read and matched by the worker
(``kamp worker``), not inside the upload's request."""

from __future__ import annotations

import logging
from datetime import date

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone, translation
from django_tasks import task

from kamp.core.models import ImportBatch

from . import imports

log = logging.getLogger(__name__)


def plan_stored_calendar(batch_id: int) -> ImportBatch:
    """Read and match the calendar kept for ``batch_id`` (waiting in "checking"): its plan goes
    on the batch, which then waits for the user's review; a file that cannot be read fails the
    batch with the reason. The file is dropped either way: the plan is all the review needs."""
    batch = ImportBatch.objects.select_related("created_by").get(pk=batch_id)
    if batch.status != ImportBatch.Status.VALIDATING:
        return batch  # already read (a task run twice)
    language = batch.options.get("language") or settings.LANGUAGE_CODE
    try:
        with default_storage.open(batch.stored_file, "rb") as f:
            data = f.read()
        since = batch.options.get("since")
        with translation.override(language):
            plan = imports.plan_calendar(
                data, batch.created_by, since=date.fromisoformat(since) if since else None
            )
    except Exception as exc:
        log.exception("calendar #%s could not be read", batch.pk)
        with translation.override(language):
            plan = imports.CalendarPlan(errors=[str(exc) or exc.__class__.__name__])
    with transaction.atomic():
        batch = ImportBatch.objects.select_for_update().get(pk=batch_id)
        if plan.errors:
            batch.status = ImportBatch.Status.FAILED
            batch.message = plan.errors[0][:2000]
            batch.finished_at = timezone.now()
        else:
            batch.status = ImportBatch.Status.PENDING
            batch.options = {**batch.options, "plan": plan.as_dict()}
            batch.total_rows = plan.rows
        name, batch.stored_file = batch.stored_file, ""
        batch.save()
    try:
        default_storage.delete(name)
    except OSError:
        log.warning("calendar #%s: its file could not be removed", batch.pk)
    return batch


@task()
def plan_calendar_task(batch_id: int) -> None:
    plan_stored_calendar(batch_id)
