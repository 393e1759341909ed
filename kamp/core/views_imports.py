"""The Imports pages: upload → column mapping (with a preview) → validation report → import
(with progress), and the history with revert. The engine is kamp.core.imports."""

from __future__ import annotations

import csv
import io
import logging
import os
import uuid
from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, npgettext
from django.views.decorators.http import require_POST

from .imports import (
    ImportKind,
    ImportRefused,
    ReadError,
    RevertError,
    all_kinds,
    auto_mapping,
    get_kind,
    live_processed_rows,
    liveness,
    open_table,
    revert_batch,
)
from .imports.base import apply_overrides, count_rows
from .imports.presets import (
    NO_PRESET,
    PresetError,
    choose_preset,
    presets_for,
    split_overrides,
)
from .imports.readers import unpacked_size
from .models import ImportBatch, SavedMapping
from .params import int_param
from .saved_mappings import (
    MappingError,
    do_delete_mapping,
    do_save_mapping,
    may_delete,
    saved_presets,
    visible_mappings,
)
from .tasks import batch_file, import_batch_task, run_batch
from .uploads import check_upload_size

ALLOWED_SUFFIXES = {".csv", ".txt", ".tsv", ".xlsx"}
PREVIEW_ROWS = 5
log = logging.getLogger(__name__)


# --- access ---------------------------------------------------------------------------------
def may_import(user) -> bool:
    """Admins, directors and KAMs import; members and viewers do not."""
    return bool(
        getattr(user, "is_authenticated", False)
        and user.is_active
        and (user.manages_programme or user.is_kam)
    )


def may_revert(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_admin)


def _kinds_for(user) -> list[ImportKind]:
    return [k for k in all_kinds() if k.may_import(user)]


def _batches_for(user):
    qs = ImportBatch.objects.select_related("created_by")
    return qs if user.manages_programme else qs.filter(created_by=user)


def _get_batch(request: HttpRequest, pk: int) -> ImportBatch:
    if not may_import(request.user):
        raise PermissionDenied
    batch = get_object_or_404(_batches_for(request.user), pk=pk)
    liveness.reap([batch])  # a run whose process died says so, instead of "importing" forever
    return batch


# --- upload ---------------------------------------------------------------------------------
class UploadForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("What the file holds"))
    file = forms.FileField(
        label=gettext_lazy("Spreadsheet"),
        help_text=gettext_lazy(
            "CSV (UTF-8, UTF-16, Windows-1252 or Mac; separated by commas, semicolons or tabs) "
            "or Excel (.xlsx). The column names are found under any title rows."
        ),
    )

    def __init__(self, *args, kinds: list[ImportKind], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(k.name, k.label) for k in kinds]  # type: ignore[attr-defined]
        self.fields["file"].widget.attrs["accept"] = ",".join(sorted(ALLOWED_SUFFIXES))

    def clean_file(self):
        f = self.cleaned_data["file"]
        suffix = Path(f.name).suffix.lower()
        if suffix in (".ods", ".xls", ".numbers"):
            raise forms.ValidationError(
                _(
                    "kamp reads Excel (.xlsx) and CSV files: open this one in its program, save "
                    "it as “Excel Workbook (.xlsx)” or CSV, and upload that."
                )
            )
        if suffix in (".ics", ".ical", ".icalendar", ".ifb"):
            raise forms.ValidationError(
                _(
                    "This is a calendar file: import it from a customer's Interactions tab "
                    "(Import from a calendar), where kamp shows what it would log before "
                    "saving anything."
                )
            )
        if suffix not in ALLOWED_SUFFIXES:
            raise forms.ValidationError(_("Upload a .csv or .xlsx file."))
        if f.size == 0:
            raise forms.ValidationError(_("The file is empty."))
        check_upload_size(f.size)
        return f


def imports_home(request: HttpRequest) -> HttpResponse:
    """Upload a file, and the history of imports below."""
    if not may_import(request.user):
        raise PermissionDenied
    kinds = _kinds_for(request.user)
    initial = {"kind": request.GET.get("kind")} if request.GET.get("kind") else None
    form = UploadForm(request.POST or None, request.FILES or None, kinds=kinds, initial=initial)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        name = default_storage.save(
            f"imports/{uuid.uuid4().hex}/{get_valid_filename(Path(upload.name).name)}", upload
        )
        batch = ImportBatch.objects.create(
            kind=form.cleaned_data["kind"],
            filename=Path(upload.name).name[:255],
            stored_file=name,
            created_by=request.user,  # type: ignore[misc]
            status=ImportBatch.Status.PENDING,
            options={"language": translation.get_language()},
        )
        return redirect("core:import_mapping", batch.pk)
    page = Paginator(_batches_for(request.user), 25).get_page(request.GET.get("page"))
    liveness.reap(page.object_list)  # a run whose process died says so
    # The history names each kind by its label in the reader's language, not its key.
    labels = {k.name: k.label for k in all_kinds()}
    for b in page.object_list:
        b.kind_label = labels.get(b.kind, b.kind)
    return render(
        request,
        "core/imports/home.html",
        {
            "form": form,
            "kinds": kinds,
            "page": page,
            "may_revert": may_revert(request.user),
        },
    )


# --- mapping --------------------------------------------------------------------------------
#: Rows for columns joined into one field on the mapping step (a preset may fill them).
COMBINED_ROWS = 3


class MappingForm(forms.Form):
    decimal = forms.ChoiceField(
        label=gettext_lazy("Decimal separator"),
        required=False,
        choices=[
            ("", gettext_lazy("Detect it")),
            (",", gettext_lazy("Comma: 1.234,5")),
            (".", gettext_lazy("Point: 1,234.5")),
        ],
    )
    skip_invalid = forms.BooleanField(
        label=gettext_lazy("Import the good rows even if some rows have errors"), required=False
    )
    date_order = forms.ChoiceField(
        label=gettext_lazy("Date order"),
        required=False,
        choices=[
            ("", gettext_lazy("Detect it from the dates")),
            ("dmy", gettext_lazy("Day/month/year: 31/12/2025")),
            ("mdy", gettext_lazy("Month/day/year: 12/31/2025")),
            ("ymd", gettext_lazy("Year/month/day: 2025/12/31")),
        ],
    )
    # Where the table is: chosen above the mapping (a GET that reads the file again), carried
    # here so that the check reads the same sheet and header row the person saw.
    sheet = forms.CharField(required=False, widget=forms.HiddenInput)
    header_row = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    # The preset chosen above the mapping, kept for the report ("" found, "none" none).
    preset = forms.CharField(required=False, max_length=100, widget=forms.HiddenInput)
    save_as = forms.CharField(
        label=gettext_lazy("Save this mapping as…"),
        required=False,
        max_length=100,
        help_text=gettext_lazy(
            "A name, to use it again: a file with these same columns gets it by itself next "
            "time. Leave it empty not to save it."
        ),
    )
    save_shared = forms.BooleanField(
        label=gettext_lazy("Shared with everyone who imports (otherwise only you see it)"),
        required=False,
    )

    def __init__(
        self,
        *args,
        kind: ImportKind,
        header: list[str],
        initial_mapping: dict[int, str],
        initial_combined: list[tuple[str, list[int]]] | None = None,
        **kwargs,
    ) -> None:
        super().__init__(*args, **kwargs)
        self._add_combined(kind, header, initial_combined or [])
        if type(kind).refuse is not ImportKind.refuse:
            # A kind that may refuse a whole file (a sales file without document numbers
            # imported before): the command line's --force, on the page.
            self.fields["force"] = forms.BooleanField(
                label=gettext_lazy("Import it even if it was imported before"),
                required=False,
            )
        self.kind = kind
        self.header = header
        choices = [("", _("— do not import —"))] + [
            (f.name, f"{str(f.label).capitalize()}{' *' if f.required else ''}")
            for f in kind.fields
        ]
        self.columns = []
        for i, title in enumerate(header):
            name = f"col_{i}"
            self.fields[name] = forms.ChoiceField(
                label=title or _("Column %(n)s") % {"n": i + 1},
                choices=choices,
                required=False,
                initial=initial_mapping.get(i, ""),
            )
            self.columns.append(name)

    def clean(self):
        data = super().clean()
        mapping: dict[int, str] = {}
        seen: dict[str, int] = {}
        for i, name in enumerate(self.columns):
            target = data.get(name)
            if not target:
                continue
            if target in seen:
                self.add_error(
                    name,
                    _("“%(field)s” is already taken by column “%(column)s”.")
                    % {"field": self.kind.field(target).label, "column": self.header[seen[target]]},
                )
                continue
            seen[target] = i
            mapping[i] = target
        combined: dict[str, str] = {}
        for n in range(COMBINED_ROWS):
            target = data.get(f"combine_{n}_field")
            indexes = [int(i) for i in data.get(f"combine_{n}_columns") or []]
            if not target and not indexes:
                continue
            if not target:
                self.add_error(
                    f"combine_{n}_field", _("Choose the field the joined columns go into.")
                )
            elif len(indexes) < 2:
                self.add_error(f"combine_{n}_columns", _("Choose at least two columns to join."))
            elif target in seen:
                self.add_error(
                    f"combine_{n}_field",
                    _("“%(field)s” is already taken by column “%(column)s”.")
                    % {"field": self.kind.field(target).label, "column": self.header[seen[target]]},
                )
            elif target in combined.values():
                self.add_error(
                    f"combine_{n}_field",
                    _("“%(field)s” already takes other joined columns.")
                    % {"field": self.kind.field(target).label},
                )
            else:
                # 1-based column numbers, as --map takes them: a header may repeat a name.
                combined["+".join(str(i + 1) for i in indexes)] = target
        missing = [
            f
            for f in self.kind.fields
            if f.required and f.name not in seen and f.name not in combined.values()
        ]
        if missing and not self.errors:
            raise forms.ValidationError(
                _("Choose a column for: %(fields)s.")
                % {"fields": ", ".join(str(f.label) for f in missing)}
            )
        data["mapping"] = mapping
        data["combined"] = combined
        return data

    def _add_combined(
        self, kind: ImportKind, header: list[str], initial: list[tuple[str, list[int]]]
    ) -> None:
        """A few rows of columns joined into one field (first + last name → name)."""
        targets = [("", _("— none —"))] + [(f.name, str(f.label).capitalize()) for f in kind.fields]
        columns = [
            (str(i), title or _("Column %(n)s") % {"n": i + 1}) for i, title in enumerate(header)
        ]
        self.combined_rows = []
        for n in range(COMBINED_ROWS):
            target, indexes = initial[n] if n < len(initial) else ("", [])
            self.fields[f"combine_{n}_field"] = forms.ChoiceField(
                label=_("Field"), choices=targets, required=False, initial=target
            )
            self.fields[f"combine_{n}_columns"] = forms.MultipleChoiceField(
                label=_("Columns joined with a space, in the file's order"),
                choices=columns,
                required=False,
                initial=[str(i) for i in indexes],
                widget=forms.SelectMultiple(attrs={"size": min(6, max(2, len(header)))}),
            )
            self.combined_rows.append((self[f"combine_{n}_field"], self[f"combine_{n}_columns"]))


def import_mapping(request: HttpRequest, pk: int) -> HttpResponse:
    batch = _get_batch(request, pk)
    if batch.status not in (
        ImportBatch.Status.PENDING,
        ImportBatch.Status.VALIDATED,
        ImportBatch.Status.FAILED,
    ):
        return redirect("core:import_batch", batch.pk)
    kind = get_kind(batch.kind)
    sheet, header_row = _where(request, batch)
    try:
        try:
            table = open_table(batch_file(batch), sheet=sheet, header_row=header_row)
        except ReadError as exc:
            if sheet is None and header_row is None:
                raise
            # A sheet or header row that does not fit this file: say so, read it as found.
            messages.error(request, str(exc))
            sheet = header_row = None
            table = open_table(batch_file(batch))
        preview = table.preview(PREVIEW_ROWS)
    except (ReadError, UnicodeDecodeError, OSError) as exc:
        messages.error(request, _("This file cannot be read: %(error)s") % {"error": exc})
        batch.status = ImportBatch.Status.FAILED
        batch.message = str(exc)
        batch.save(update_fields=["status", "message"])
        return redirect("core:imports")
    saved = batch.options.get("columns")
    same_table = (batch.options.get("sheet"), batch.options.get("header_row")) == (
        sheet,
        header_row,
    )
    # The preset: chosen above the mapping (a GET, like the sheet), else as saved, else found
    # from the header. Its entries fill the mapping, which the person may still change.
    data = request.POST if request.method == "POST" else request.GET
    chosen = str(data.get("preset", batch.options.get("preset") or ""))[:100]
    try:
        preset = choose_preset(kind.name, table.header, chosen, request.user)
    except PresetError as exc:
        messages.error(request, str(exc))
        chosen, preset = "", choose_preset(kind.name, table.header, None, request.user)
    # A saved mapping brings its date order and decimal separator (the page still shows them).
    kept = preset.options if preset is not None and preset.saved else {}
    if saved and same_table and "preset" not in request.GET:
        initial_mapping = {int(k): v for k, v in saved.items()}
        initial_combined = [
            (target, [int(i) - 1 for i in spec.split("+")])
            for spec, target in (batch.options.get("combined") or {}).items()
        ]
    else:
        single, initial_combined = split_overrides(
            table.header, preset.overrides(table.header) if preset else {}
        )
        initial_mapping = apply_overrides(
            kind, table.header, auto_mapping(kind, table.header), single
        )
        joined = {target for target, _indexes in initial_combined}
        initial_mapping = {i: n for i, n in initial_mapping.items() if n not in joined}
    form = MappingForm(
        request.POST or None,
        kind=kind,
        header=table.header,
        initial_mapping=initial_mapping,
        initial_combined=initial_combined,
        initial={
            "preset": chosen,
            "decimal": batch.options.get("decimal") or kept.get("decimal") or "",
            "skip_invalid": batch.options.get("skip_invalid", False),
            "force": batch.options.get("force", False),
            "date_order": batch.options.get("date_order") or kept.get("date_order") or "",
            "sheet": sheet or "",
            "header_row": header_row,
        },
    )
    saved_name = None
    if request.method == "POST" and form.is_valid() and form.cleaned_data["save_as"].strip():
        try:
            saved_name = _save_mapping(request, kind, table, form, sheet, header_row).name
        except MappingError as exc:
            form.add_error("save_as", str(exc))
    if request.method == "POST" and form.is_valid():
        batch.options = {
            **batch.options,
            "columns": {str(k): v for k, v in form.cleaned_data["mapping"].items()},
            "combined": form.cleaned_data["combined"],
            "preset": saved_name or form.cleaned_data["preset"] or None,
            "decimal": form.cleaned_data["decimal"] or None,
            "skip_invalid": form.cleaned_data["skip_invalid"],
            "force": bool(form.cleaned_data.get("force")),
            "date_order": form.cleaned_data["date_order"] or None,
            "sheet": sheet,
            "header_row": header_row,
        }
        batch.status = ImportBatch.Status.VALIDATING
        batch.save(update_fields=["options", "status"])
        _start(batch, table, dry_run=True)
        return redirect("core:import_batch", batch.pk)
    rows = []
    for name, i in zip(form.columns, range(len(table.header)), strict=True):
        rows.append(
            {
                "field": form[name],
                "title": table.header[i],
                "examples": [r[i] for r in preview if i < len(r) and r[i] not in ("", None)][:3],
            }
        )
    return render(
        request,
        "core/imports/mapping.html",
        {
            "batch": batch,
            "kind": kind,
            "form": form,
            "rows": rows,
            "table": table,
            "preview": [(r + [""] * len(table.header))[: len(table.header)] for r in preview],
            "required": [f for f in kind.fields if f.required],
            "sheets": table.extra.get("sheets") or [],
            # Empty unless chosen: another sheet's header is found again, not taken from this one.
            "header_row": header_row,
            "presets": presets_for(kind.name),
            "saved_presets": saved_presets(request.user, kind.name),
            "deletable": [
                m for m in visible_mappings(request.user, kind.name) if may_delete(request.user, m)
            ],
            "preset": preset,
            "chosen_preset": chosen,
            "no_preset": NO_PRESET,
        },
    )


def _save_mapping(request, kind, table, form, sheet, header_row) -> SavedMapping:
    """The mapping step's plan under a name: each column by its name (a left-out one as "", so
    that next time it stays out), joined columns as ``A+B``, the date order and the rest."""
    header = table.header
    columns: dict[str, str] = {}
    for i, title in enumerate(header):
        if str(title).strip() and title not in columns:
            columns[title] = form.cleaned_data["mapping"].get(i, "")
    for spec, target in form.cleaned_data["combined"].items():
        columns["+".join(header[int(n) - 1] for n in spec.split("+"))] = target
    saved = do_save_mapping(
        request.user,
        kind=kind.name,
        name=form.cleaned_data["save_as"],
        columns=columns,
        header=list(header),
        options={
            "date_order": form.cleaned_data["date_order"],
            "decimal": form.cleaned_data["decimal"],
            "sheet": sheet,
            "header_row": header_row,
        },
        shared=form.cleaned_data["save_shared"],
    )
    messages.success(request, _("Mapping “%(name)s” saved.") % {"name": saved.name})
    return saved


@require_POST
def delete_saved_mapping(request: HttpRequest, pk: int) -> HttpResponse:
    """Delete a saved mapping (its author, or an admin), back to the page it was deleted from."""
    if not may_import(request.user):
        raise PermissionDenied
    mapping = get_object_or_404(visible_mappings(request.user), pk=pk)
    try:
        do_delete_mapping(request.user, mapping)
    except MappingError as exc:
        raise PermissionDenied(str(exc)) from None
    messages.success(request, _("Mapping “%(name)s” deleted.") % {"name": mapping.name})
    back = str(request.POST.get("next") or "")
    if back and url_has_allowed_host_and_scheme(back, {request.get_host()}, request.is_secure()):
        return redirect(back)
    return redirect("core:imports")


def _where(request: HttpRequest, batch: ImportBatch) -> tuple[str | None, int | None]:
    """The sheet and header row to read: chosen on the page (the "Read again" form's query, or
    the mapping form's hidden fields), else as saved on the batch, else ``None`` (found)."""
    data = request.POST if request.method == "POST" else request.GET
    if "sheet" in data or "header_row" in data:
        sheet = str(data.get("sheet") or "").strip()[:255] or None
        text = str(data.get("header_row") or "").strip()
        header_row = int_param(text, minimum=1, maximum=1_048_576) if text else None
        if text and header_row is None:
            messages.error(
                request,
                _("“%(value)s” is not a row number: the header row was found instead.")
                % {"value": text[:20]},
            )
        return sheet, header_row
    saved_row = batch.options.get("header_row")
    return (
        batch.options.get("sheet") or None,
        saved_row if isinstance(saved_row, int) and saved_row > 0 else None,
    )


def _is_large(batch: ImportBatch, table=None) -> bool:
    path = batch_file(batch)
    if os.path.getsize(path) > settings.KAMP_IMPORT_INLINE_MAX_BYTES:
        return True
    # An XLSX's row count comes from its <dimension>, which may lie: what it unpacks to bounds
    # the work instead (its XML is several times larger than the same rows as CSV).
    if unpacked_size(path) > 8 * settings.KAMP_IMPORT_INLINE_MAX_BYTES:
        return True
    table = table or open_table(path)
    return count_rows(table) > settings.KAMP_IMPORT_INLINE_MAX_ROWS


def _start(batch: ImportBatch, table, *, dry_run: bool) -> None:
    """Check or import now, or hand a large file to the worker."""
    if _is_large(batch, table):
        batch.options = {**batch.options, "background": True}
        batch.save(update_fields=["options"])
        import_batch_task.enqueue(batch.pk, dry_run)
        return
    try:
        run_batch(batch.pk, dry_run)
    except Exception:  # the batch says "failed" and why; the page shows it
        log.exception("import #%s failed", batch.pk)


# --- report, import, progress -------------------------------------------------------------
def import_batch(request: HttpRequest, pk: int) -> HttpResponse:
    batch = _get_batch(request, pk)
    if batch.status == ImportBatch.Status.PENDING:
        return redirect("core:import_mapping", batch.pk)
    return render(request, "core/imports/batch.html", _batch_context(request, batch))


def _batch_context(request, batch: ImportBatch) -> dict:
    try:
        kind = get_kind(batch.kind)
    except ImportRefused:
        kind = None
    processed = live_processed_rows(batch)
    total = batch.total_rows or 0
    return {
        "batch": batch,
        "kind": kind,
        "processed": processed,
        "percent": min(100, round(100 * processed / total)) if total else 0,
        "good_rows": max(0, batch.total_rows - batch.invalid_count),
        "may_revert": may_revert(request.user) and batch.status == ImportBatch.Status.DONE,
        "errors_more": max(0, batch.invalid_count - len(batch.errors)),
        # Column → the field's label in the reader's language ("RUT → RUT", never "tax_id").
        "columns": {
            column: _field_label(kind, name)
            for column, name in ((batch.options.get("detected") or {}).get("columns", {})).items()
        },
    }


def _field_label(kind, name: str):
    try:
        return kind.field(name).label if kind is not None else name
    except KeyError:  # a field since removed: its key is all there is
        return name


@require_POST
def import_run(request: HttpRequest, pk: int) -> HttpResponse:
    batch = _get_batch(request, pk)
    if batch.status != ImportBatch.Status.VALIDATED:
        messages.error(request, _("This import cannot be started now."))
        return redirect("core:import_batch", batch.pk)
    skip = request.POST.get("skip_invalid") == "on" or batch.options.get("skip_invalid")
    if batch.invalid_count and not skip:
        messages.error(request, _("Some rows have errors: fix the file, or choose to skip them."))
        return redirect("core:import_batch", batch.pk)
    # Checked → running exactly once, in one UPDATE that only a still-checked batch matches:
    # a double click (two requests at once) starts one import; the other is told so.
    started = ImportBatch.objects.filter(pk=batch.pk, status=ImportBatch.Status.VALIDATED).update(
        status=ImportBatch.Status.RUNNING,
        processed_rows=0,
        options={**batch.options, "skip_invalid": bool(skip)},
    )
    if not started:
        messages.error(request, _("This import has already been started."))
        return redirect("core:import_batch", batch.pk)
    batch.refresh_from_db()
    _start(batch, None, dry_run=False)
    batch.refresh_from_db()
    if batch.status == ImportBatch.Status.DONE:
        messages.success(
            request,
            _("Imported: %(created)s %(created_word)s, %(updated)s %(updated_word)s.")
            % {
                "created": batch.created_count,
                "created_word": npgettext(
                    "records after an import", "created", "created", batch.created_count
                ),
                "updated": batch.updated_count,
                "updated_word": npgettext(
                    "records after an import", "updated", "updated", batch.updated_count
                ),
            },
        )
    return redirect("core:import_batch", batch.pk)


def import_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress fragment, polled by HTMX while the worker checks or imports; when it is
    over, HTMX reloads the page to show the report."""
    batch = _get_batch(request, pk)
    if not batch.in_progress:
        response = HttpResponse(status=204)
        response["HX-Refresh"] = "true"
        return response
    return render(request, "core/imports/_progress.html", _batch_context(request, batch))


@require_POST
def import_revert(request: HttpRequest, pk: int) -> HttpResponse:
    if not may_revert(request.user):
        raise PermissionDenied
    batch = get_object_or_404(ImportBatch, pk=pk)
    try:
        batch = revert_batch(batch, request.user)
    except (RevertError, ImportRefused) as exc:
        messages.error(request, str(exc))
    else:
        r = batch.options.get("reverted", {})
        messages.success(
            request,
            _("Import #%(id)s reverted: %(removed)s rows removed, %(restored)s restored.")
            % {"id": batch.pk, "removed": r.get("removed", 0), "restored": r.get("restored", 0)},
        )
    return redirect(request.POST.get("next") or reverse("core:imports"))


@require_POST
def import_discard(request: HttpRequest, pk: int) -> HttpResponse:
    """Drop an upload that was never imported (and its file)."""
    batch = _get_batch(request, pk)
    if batch.status not in (
        ImportBatch.Status.PENDING,
        ImportBatch.Status.VALIDATED,
        ImportBatch.Status.FAILED,
    ):
        raise Http404
    try:
        if not os.path.isabs(batch.stored_file):
            default_storage.delete(batch.stored_file)
    except OSError:
        pass
    batch.delete()
    messages.success(request, _("The upload was discarded."))
    return redirect("core:imports")


def import_sample(request: HttpRequest, kind: str) -> HttpResponse:
    """A CSV to start from: the columns a kind understands (in the user's language) and an
    example row, semicolon-separated with a BOM so that Excel opens it as it is."""
    if not may_import(request.user):
        raise PermissionDenied
    try:
        k = get_kind(kind)
    except ImportRefused:
        raise Http404 from None
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=";", lineterminator="\r\n")
    writer.writerow([str(f.label).capitalize() for f in k.fields])
    if k.example:
        writer.writerow([k.example.get(f.name, "") for f in k.fields])
    response = HttpResponse("\ufeff" + buf.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="kamp-{k.name}.csv"'
    return response
