"""Importing interactions from a calendar file: upload, then review before anything is stored."""

from __future__ import annotations

import uuid
from datetime import date
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import translation
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kamp.core.http import AuthenticatedHttpRequest
from kamp.core.models import ImportBatch
from kamp.core.uploads import check_upload_size
from kamp.customers.access import customers_editable_by

from .. import imports
from ..entry import CalendarUploadForm
from ..tasks import plan_calendar_task


def _may_import(user) -> None:
    if not customers_editable_by(user).exists():
        raise PermissionDenied


def calendar_upload(request: AuthenticatedHttpRequest) -> HttpResponse:
    _may_import(request.user)
    form = CalendarUploadForm(request.POST or None, request.FILES or None)
    back = request.GET.get("customer", "")
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            check_upload_size(upload.size)
        except ValidationError as exc:
            form.add_error("file", exc)
            return render(
                request, "interactions/calendar_upload.html", {"form": form, "customer_pk": back}
            )
        since = form.cleaned_data.get("since")
        if upload.size > settings.KAMP_CALENDAR_INLINE_MAX_BYTES:
            return _read_in_background(request, upload, back, since)
        plan = imports.plan_calendar(upload.read(), request.user, since=since)
        if plan.errors:
            form.add_error("file", plan.errors[0])
        elif not plan.to_act_on:
            # Nothing to log nor to remove: the review is shown as it is, and no batch is
            # kept for a file that changed nothing.
            return render(
                request,
                "interactions/calendar_review.html",
                _review_context(plan, upload.name, done=False, back=back),
            )
        else:
            batch = ImportBatch.objects.create(
                kind="interactions_calendar",
                filename=upload.name[:255],
                created_by=request.user,
                status=ImportBatch.Status.PENDING,
                options={"plan": plan.as_dict(), "customer": back},
                total_rows=plan.rows,
            )
            return redirect("interactions:calendar_review", batch_pk=batch.pk)
    return render(request, "interactions/calendar_upload.html", {"form": form, "customer_pk": back})


def _read_in_background(
    request: AuthenticatedHttpRequest, upload, back: str, since: date | None
) -> HttpResponse:
    """A large calendar (reading and matching 100,000 events takes many seconds) is kept and
    handed to the worker; the review page waits for it."""
    name = default_storage.save(
        f"imports/{uuid.uuid4().hex}/{get_valid_filename(Path(upload.name).name)}", upload
    )
    batch = ImportBatch.objects.create(
        kind="interactions_calendar",
        filename=upload.name[:255],
        stored_file=name,
        created_by=request.user,
        status=ImportBatch.Status.VALIDATING,
        options={
            "customer": back,
            "background": True,
            "language": translation.get_language() or "",
            "since": since.isoformat() if since else "",
        },
    )
    transaction.on_commit(lambda: plan_calendar_task.enqueue(batch.pk))
    return redirect("interactions:calendar_review", batch_pk=batch.pk)


def calendar_review(request: AuthenticatedHttpRequest, batch_pk: int) -> HttpResponse:
    batch = get_object_or_404(
        ImportBatch, pk=batch_pk, kind="interactions_calendar", created_by=request.user
    )
    if batch.status == ImportBatch.Status.VALIDATING:
        if request.htmx:  # the page polls while the worker reads: nothing new yet
            return HttpResponse(status=204)
        return render(
            request, "interactions/calendar_review.html", {"batch": batch, "reading": True}
        )
    if request.htmx:  # read meanwhile: the whole page again, with the events
        return HttpResponse(status=204, headers={"HX-Refresh": "true"})
    if batch.status == ImportBatch.Status.FAILED:
        return render(
            request, "interactions/calendar_review.html", {"batch": batch, "failed": True}
        )
    plan = imports.CalendarPlan.from_dict(batch.options.get("plan", {}))
    back = batch.options.get("customer", "")
    if request.method == "POST" and batch.status == ImportBatch.Status.PENDING:
        chosen = set(request.POST.getlist("event"))
        events = [e for i, e in enumerate(plan.matched) if str(i) in chosen]
        dropped = set(request.POST.getlist("remove"))
        remove = [e for i, e in enumerate(plan.cancelled) if str(i) in dropped]
        saved, made, removed = imports.save_calendar(
            request.user, events, batch.filename, batch=batch, remove=remove
        )
        if saved is None:
            messages.info(request, _("Nothing was logged from the calendar."))
        else:
            said = ngettext(
                "%(n)d interaction logged from the calendar.",
                "%(n)d interactions logged from the calendar.",
                len(made),
            ) % {"n": len(made)}
            if removed:
                said += " " + ngettext(
                    "%(n)d cancelled meeting removed from the log.",
                    "%(n)d cancelled meetings removed from the log.",
                    removed,
                ) % {"n": removed}
            messages.success(request, said)
        if back.isdigit():
            return redirect("interactions:customer_tab", pk=int(back))
        return redirect("interactions:calendar_upload")
    return render(
        request,
        "interactions/calendar_review.html",
        {
            **_review_context(
                plan, batch.filename, done=batch.status != ImportBatch.Status.PENDING, back=back
            ),
            "batch": batch,
        },
    )


def _review_context(
    plan: imports.CalendarPlan, filename: str, *, done: bool, back: str
) -> dict[str, Any]:
    for group in (
        plan.matched,
        plan.already,
        plan.unmatched,
        plan.not_allowed,
        plan.planned,
        plan.cancelled,
    ):
        for e in group:
            e["date_value"] = date.fromisoformat(e["date"])
    for s in plan.series:
        s["next_value"] = date.fromisoformat(s["next"]) if s.get("next") else None
    return {
        "plan": plan,
        "filename": filename,
        "since": date.fromisoformat(plan.since) if plan.since else None,
        "done": done,
        "customer_pk": back,
    }
