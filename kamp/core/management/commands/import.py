"""``kamp import KIND FILE`` — import customers, contacts, sales lines (or any registered kind)
from a CSV or XLSX file; ``kamp import list``, ``kamp import revert ID``,
``kamp import fields KIND``, ``kamp import mappings [--json]``. See docs/imports.md."""

from __future__ import annotations

import json
import os
import sys

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from kamp.core.cli import (
    add_dry_run_argument,
    add_json_argument,
    add_user_argument,
    resolve_user,
)
from kamp.core.imports import (
    ImportOptions,
    ImportRefused,
    RevertError,
    all_kinds,
    get_kind,
    liveness,
    revert_batch,
    run_import,
)
from kamp.core.imports.base import DATE_ORDERS
from kamp.core.imports.presets import presets_for
from kamp.core.models import ImportBatch

ERRORS_SHOWN = 50
# Calendar files go to the interactions area's review flow (the same list as its CALENDAR_SUFFIXES).
CALENDAR_SUFFIXES = (".ics", ".ical", ".ifb", ".icalendar")


class Command(BaseCommand):
    help = (
        "Import a CSV or XLSX file: kamp import KIND FILE (kinds: customers, contacts, sales, "
        "…); kamp import list; kamp import revert ID; kamp import fields KIND; "
        "kamp import mappings."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "kind", help="customers | contacts | sales | … | list | revert | fields | mappings"
        )
        parser.add_argument("target", nargs="?", help="the file (or the batch id for revert)")
        parser.add_argument(
            "--map",
            action="append",
            default=[],
            metavar="COLUMN=field",
            help="map a column (header text or 1-based number) to a field; "
            "'COLUMN=' ignores it; 'First Name+Last Name=name' joins columns. Repeatable.",
        )
        parser.add_argument(
            "--preset",
            metavar="NAME",
            help="a preset for the file's source (salesforce-report-accounts, "
            "hubspot-contacts…: docs/imports.md) or a mapping saved on the web mapping step "
            "(kamp import mappings lists them); default: the one the header fits; 'none': none",
        )
        add_dry_run_argument(parser)
        parser.add_argument(
            "--skip-invalid",
            action="store_true",
            help="import the good rows and report the bad ones",
        )
        parser.add_argument(
            "--decimal",
            choices=[",", "."],
            help="the decimal separator, for files where 1.234 is ambiguous",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="import a sales file without document numbers again",
        )
        parser.add_argument(
            "--sheet",
            metavar="NAME",
            help="XLSX: the sheet to read (default: the one Excel opens on, if visible)",
        )
        parser.add_argument(
            "--header-row",
            type=_positive,
            metavar="N",
            help="the line (CSV) or row (XLSX) holding the column names (default: found under "
            "any title rows)",
        )
        parser.add_argument(
            "--date-order",
            choices=DATE_ORDERS,
            help="how the file writes dates: dmy (31/12/2025), mdy (12/31/2025) or ymd "
            "(default: found from each date column's values)",
        )
        add_user_argument(parser)
        add_json_argument(parser)
        parser.add_argument("--limit", type=int, default=30, help="list: how many batches")
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")
        parser.add_argument(
            "--create-people",
            action="store_true",
            help="interactions: create unknown people and contacts (ours need our_functions)",
        )
        parser.add_argument(
            "--since",
            metavar="DATE",
            default="",
            help="interactions from a calendar (.ics): expand recurring meetings from this day "
            "(YYYY-MM-DD; default: a year ago)",
        )
        parser.add_argument(
            "--remove-cancelled",
            action="store_true",
            help="interactions from a calendar (.ics): remove logged interactions whose meeting "
            "the file shows cancelled",
        )

    def handle(self, *args, **opts):
        user = self._user(opts.get("user"))
        # The report in the importing user's language, else the site's default.
        with translation.override(getattr(user, "language", "") or settings.LANGUAGE_CODE):
            return self._handle(user, opts)

    def _handle(self, user, opts):
        action = opts["kind"]
        if action == "list":
            return self._list(opts["limit"])
        if action == "fields":
            return self._fields(opts["target"])
        if action == "mappings":
            return self._mappings(opts["target"], user, as_json=opts["json"])
        if action == "revert":
            return self._revert(opts["target"], user)
        calendar = (
            action == "interactions"
            and bool(opts["target"])
            and opts["target"].lower().endswith(CALENDAR_SUFFIXES)
        )
        if (opts["since"] or opts["remove_cancelled"]) and not calendar:
            raise CommandError(
                "--since and --remove-cancelled are for calendar files: "
                "kamp import interactions FILE.ics",
                returncode=2,
            )
        if calendar or (action == "interactions" and opts["target"] and opts["create_people"]):
            # Calendar files and --create-people have their own review flow, in the
            # interactions area (core knows no business app, so through its command, which
            # `kamp interactions import` also reaches: one implementation, two spellings).
            from django.core.management import call_command

            return call_command(
                "interactions",
                "import",
                opts["target"],
                dry_run=opts["dry_run"],
                create_people=opts["create_people"],
                since=opts["since"],
                remove_cancelled=opts["remove_cancelled"],
                user=getattr(user, "email", None),
                stdout=self.stdout,
                stderr=self.stderr,
            )
        try:
            kind = get_kind(action)
        except ImportRefused as exc:
            raise CommandError(str(exc), returncode=2) from None
        if not opts["target"]:
            raise CommandError(f"Which file? kamp import {kind.name} FILE", returncode=2)
        if not os.path.isfile(opts["target"]):
            raise CommandError(f"No such file: {opts['target']}", returncode=2)
        mapping = {}
        for item in opts["map"]:
            if "=" not in item:
                raise CommandError(f"--map takes COLUMN=field, not “{item}”", returncode=2)
            column, field = item.split("=", 1)
            mapping[column.strip()] = field.strip()
        if opts["preset"]:
            # A saved mapping's sheet and header row, unless given here.
            from kamp.core.saved_mappings import named_saved

            saved = named_saved(user, kind.name, opts["preset"])
            if saved is not None:
                opts["sheet"] = opts["sheet"] or saved.options.get("sheet")
                opts["header_row"] = opts["header_row"] or saved.options.get("header_row")
        options = ImportOptions(
            mapping=mapping,
            decimal=opts["decimal"],
            skip_invalid=opts["skip_invalid"],
            dry_run=opts["dry_run"],
            force=opts["force"],
            preset=opts["preset"],
            sheet=opts["sheet"],
            header_row=opts["header_row"],
            date_order=opts["date_order"],
        )
        bar = _Bar(enabled=not opts["no_progress"])
        try:
            batch = run_import(kind, opts["target"], user=user, options=options, progress=bar)
        except FileNotFoundError:
            raise CommandError(f"No such file: {opts['target']}", returncode=2) from None
        except Exception as exc:
            bar.close()
            raise CommandError(f"The import failed and nothing was written: {exc}") from None
        bar.close()
        self._report(batch)
        if opts["dry_run"]:
            batch.delete()
        if batch.status == ImportBatch.Status.FAILED or (opts["dry_run"] and batch.invalid_count):
            raise CommandError(batch.message or "The file has errors.", returncode=1)

    # --- pieces ------------------------------------------------------------------------------
    def _user(self, email):
        return resolve_user(email)

    def _report(self, batch: ImportBatch) -> None:
        w = self.stdout.write
        detected = batch.options.get("detected", {})
        if detected:
            fmt = detected.get("format", "")
            if fmt == "csv":
                delim = {"\t": "tab"}.get(detected.get("delimiter"), detected.get("delimiter"))
                fmt += f", {detected.get('encoding')}, delimiter {delim!r}"
            elif fmt == "xlsx":
                fmt += f", sheet {detected.get('sheet')!r}"
            w(f"File: {batch.filename} ({fmt})")
            if detected.get("preset"):
                w(f"Preset: {detected['preset']}")
            if detected.get("header_row", 1) != 1:
                w(f"Header: line {detected['header_row']}")
            for column, order in (detected.get("date_orders") or {}).items():
                w(f"Dates in “{column}”: {'/'.join(order)}")
            for line, text in detected.get("footer") or []:
                w(f"Left out, a report footer (line {line}): {text}")
            w("Columns: " + ", ".join(f"{c} → {f}" for c, f in detected.get("columns", {}).items()))
        w(f"Rows: {batch.total_rows}, with errors: {batch.invalid_count}")
        by_name = batch.options.get("matched_by_name")
        if by_name:
            lines = ", ".join(str(n) for n in by_name["lines"][:20])
            w(
                f"Matched by name (no tax id or external id): {by_name['count']} rows "
                f"(lines {lines})"
            )
        for e in batch.errors[:ERRORS_SHOWN]:
            where = f"line {e['line']}" if e.get("line") else "file"
            col = f", column “{e['column']}”" if e.get("column") else ""
            w(f"  {where}{col}: {e['message']}")
        if batch.invalid_count > min(len(batch.errors), ERRORS_SHOWN):
            w(f"  … and more ({batch.invalid_count} rows with errors in all)")
        if batch.status == ImportBatch.Status.DONE:
            w(
                self.style.SUCCESS(
                    f"Imported (batch #{batch.pk}): {batch.created_count} created, "
                    f"{batch.updated_count} updated, {batch.options.get('unchanged', 0)} "
                    f"unchanged, {batch.skipped_count} skipped."
                )
            )
        elif batch.status == ImportBatch.Status.VALIDATED:
            w(
                self.style.SUCCESS("Dry run: the file is good, nothing written.")
                if not batch.invalid_count
                else self.style.WARNING("Dry run: nothing written.")
            )
        elif batch.message and batch.status != ImportBatch.Status.FAILED:
            w(batch.message)  # a failure's message is the command's error, printed once

    def _list(self, limit: int):
        batches = list(ImportBatch.objects.select_related("created_by")[:limit])
        liveness.reap(batches)  # a run whose process died says so
        for b in batches:
            who = b.created_by.email if b.created_by else "-"
            self.stdout.write(
                f"#{b.pk:<6} {b.created_at:%Y-%m-%d %H:%M}  {b.kind:<12} {b.status:<10} "
                f"{b.created_count:>8} new {b.updated_count:>8} upd {b.invalid_count:>6} bad  "
                f"{who}  {b.filename}"
            )

    def _fields(self, name):
        kinds = [get_kind(name)] if name else all_kinds()
        for kind in kinds:
            self.stdout.write(f"{kind.name}: {kind.label}")
            for f in kind.fields:
                req = " (required)" if f.required else ""
                self.stdout.write(f"  {f.name}{req}: {', '.join(sorted(f.match_keys()))}")
            for preset in presets_for(kind.name):
                detect = ", ".join(preset.detect)
                self.stdout.write(f"  preset {preset.name}: {preset.label} (columns {detect})")

    def _mappings(self, name, user, *, as_json: bool):
        """The presets kamp ships and the saved mappings ``user`` may use (without --user: the
        shared ones), per kind."""
        from kamp.core.saved_mappings import visible_mappings

        try:
            kinds = [get_kind(name)] if name else all_kinds()
        except ImportRefused as exc:
            raise CommandError(str(exc), returncode=2) from None
        rows: list[dict[str, object]] = []
        for kind in kinds:
            for preset in presets_for(kind.name):
                rows.append(
                    {
                        "kind": kind.name,
                        "name": preset.name,
                        "source": "preset",
                        "label": preset.label,
                        "columns": list(preset.detect),
                    }
                )
            for m in visible_mappings(user, kind.name):
                rows.append(
                    {
                        "kind": kind.name,
                        "name": m.name,
                        "source": "saved",
                        "shared": m.shared,
                        "saved_by": m.created_by.email if m.created_by else None,
                        "updated_at": m.updated_at.isoformat(),
                        "columns": list(m.header),
                        "header_text": ", ".join(m.header),
                        "plan": m.columns,
                        "options": m.options,
                    }
                )
        if as_json:
            for row in rows:
                row.pop("header_text", None)
            self.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2))
            return
        for row in rows:
            if row["source"] == "preset":
                self.stdout.write(f"{row['kind']:<12} preset  {row['name']}: {row['label']}")
            else:
                who = "shared" if row["shared"] else "private"
                self.stdout.write(
                    f"{row['kind']:<12} saved   {row['name']} ({who}, by "
                    f"{row['saved_by'] or '-'}): columns {row['header_text']}"
                )

    def _revert(self, target, user):
        if not target or not str(target).isdigit():
            raise CommandError("kamp import revert BATCH_ID", returncode=2)
        try:
            batch = ImportBatch.objects.get(pk=int(target))
        except ImportBatch.DoesNotExist:
            raise CommandError(f"No import #{target}", returncode=2) from None
        try:
            batch = revert_batch(batch, user)
        except (RevertError, ImportRefused) as exc:
            raise CommandError(str(exc), returncode=1) from None
        r = batch.options.get("reverted", {})
        self.stdout.write(
            self.style.SUCCESS(
                f"Import #{batch.pk} reverted: {r.get('removed', 0)} rows removed, "
                f"{r.get('restored', 0)} restored."
            )
        )


class _Bar:
    """A tqdm bar on stderr per phase (checking, importing)."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled and sys.stderr is not None
        self.bar = None
        self.phase = ""

    def __call__(self, phase: str, done: int, total: int) -> None:
        if not self.enabled:
            return
        from tqdm import tqdm

        if phase != self.phase:
            self.close()
            self.phase = phase
            self.bar = tqdm(
                total=total, desc=phase, unit=" rows", file=sys.stderr, mininterval=0.5, leave=False
            )
        if self.bar is not None:
            if total and self.bar.total != total:
                self.bar.total = total
            self.bar.n = done
            self.bar.refresh() if done == total else self.bar.update(0)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None


def _positive(text: str) -> int:
    """A line number: a whole number from 1 (argparse reports anything else, exit status 2)."""
    import argparse

    if not text.strip().isascii() or not text.strip().isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"“{text}” is not a line number (1, 2, 3…).")
    return int(text)
