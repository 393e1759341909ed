"""The import engine: kinds, fields, column matching and the two-pass run.

An *import kind* (``customers``, ``sales``…) declares the fields a file may carry and how to
write its rows; the engine does the rest — reading CSV/XLSX, matching headers, parsing cells,
validating every row before writing any, one transaction, batches, progress, the ImportBatch,
the audit event and revert. See docs/imports.md.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import logging
import marshal
import multiprocessing
import os
import pickle
import tempfile
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Any

from django.db import connection, connections, models, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from kamp.core import cpus
from kamp.core.registry import discover

from . import liveness
from .files import database_key, progress_file, side_folder

try:
    import fcntl
except ImportError:  # pragma: no cover - not on POSIX: runs of one file are not serialised
    fcntl = None  # type: ignore[assignment]
from .parsers import ParseError, fold, parse_text
from .presets import PresetError, choose_preset, combine_columns
from .readers import ReadError, Table, file_hash, open_table

log = logging.getLogger(__name__)

# The parsers (plain Python, no Django) raise these messages; the engine translates them when
# it reports a cell. Listed here so that makemessages finds them.
PARSER_MESSAGES = (
    gettext_noop("“%(value)s” is not a number."),
    gettext_noop("“%(value)s” is not a whole number."),
    gettext_noop("“%(value)s” is not a valid date."),
    gettext_noop("“%(value)s” is not a date (use dd-mm-yyyy or yyyy-mm-dd)."),
    gettext_noop("“%(value)s” is not a date."),
    gettext_noop("“%(value)s” is not yes or no."),
    gettext_noop("“%(value)s” is not one of: %(valid)s."),
    gettext_noop("Too long: at most %(n)s characters."),
    gettext_noop("“%(value)s” is not a two-letter country code (e.g. CL)."),
    gettext_noop("“%(value)s” is not a three-letter currency code (e.g. CLP)."),
    gettext_noop("Influence goes from 1 to 5, not %(value)s."),
    gettext_noop("“%(value)s” is not an e-mail address."),
    gettext_noop("%(value)s is too large."),
    gettext_noop("“%(value)s” is before 1900: check the year."),
    gettext_noop("“%(value)s” is more than a year from today: check the year."),
)

#: How many errors a batch keeps for its report (the count is always exact).
MAX_STORED_ERRORS = 1000
#: Files of fewer rows are checked in the importing process: starting worker processes costs
#: more than it saves (and the web UI checks small files inline).
PARALLEL_MIN_ROWS = 20_000
#: At most this many worker processes check a large file (the importing process reads it and
#: writes the spill; beyond a few workers it becomes the bottleneck).
MAX_PROCESSES = 4


class RowError(Exception):
    """A row that cannot be imported: raised by a kind's ``clean`` (``field`` names the field the
    problem is about, if any)."""

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class ImportRefused(Exception):
    """The whole file is refused before any row is read (a required column is missing, the same
    file was already imported…)."""


@dataclass
class Field:
    """One thing a file may carry. ``parser(value, decimal)`` turns a non-empty cell into a
    value or raises :class:`~kamp.core.imports.parsers.ParseError`; an empty cell leaves the
    field out of the row (an update keeps the current value, a create takes the default)."""

    name: str
    label: Any
    aliases: Iterable[str] = ()
    parser: Callable[..., Any] = parse_text
    required: bool = False
    help: Any = ""
    #: ``max_length`` to enforce on text (checked after parsing).
    max_length: int | None = None

    def match_keys(self) -> set[str]:
        keys = {fold(self.name), fold(self.name.replace("_", " "))}
        keys.update(fold(a) for a in self.aliases)
        for lang in ("en", "es"):
            with translation.override(lang):
                keys.add(fold(str(self.label)))
        keys.discard("")
        return keys

    def fast_parser(self) -> Callable[[Any, str | None], Any]:
        """``parse`` as one closure (the engine calls it millions of times)."""
        parser, limit = self.parser, self.max_length
        if not limit:
            return parser

        def parse(value: Any, decimal: str | None) -> Any:
            parsed = parser(value, decimal)
            if parsed.__class__ is str and len(parsed) > limit:
                raise ParseError("Too long: at most %(n)s characters.", n=limit)
            return parsed

        return parse

    def parse(self, value: Any, decimal: str | None) -> Any:
        parsed = self.parser(value, decimal)
        if self.max_length and isinstance(parsed, str) and len(parsed) > self.max_length:
            raise ParseError("Too long: at most %(n)s characters.", n=self.max_length)
        return parsed


class ImportKind:
    """Base class of an import kind. Subclass it, set ``name``, ``label``, ``fields`` and
    ``models``, implement ``clean`` and ``write``, and :func:`register` an instance."""

    name: str = ""
    label: Any = ""
    description: Any = ""
    fields: list[Field] = []
    #: Models whose rows carry ``import_batch``: a revert deletes the rows the batch created.
    models: list[type[models.Model]] = []
    #: Rows handed to ``write`` at once.
    batch_size: int = 2000
    #: Place in the UI's list of kinds (the foundation's customers, contacts, sales first).
    order: int = 100
    #: One example row (field name → cell text) for the sample file the UI offers.
    example: dict[str, str] = {}
    #: ``clean`` may run in worker processes, on chunks of a large file, in parallel: it reads
    #: only what ``prepare`` put in ``ctx.cache`` (no queries) and keeps nothing from one row
    #: for the next (checks across rows go through ``duplicate_key`` or ``after_validation``).
    parallel: bool = False

    #: Who may import this kind from the web UI (the CLI trusts the shell user).
    def may_import(self, user) -> bool:
        return bool(
            getattr(user, "is_authenticated", False)
            and user.is_active
            and (user.manages_programme or user.is_kam)
        )

    def field(self, name: str) -> Field:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(name)

    # --- hooks, in the order the engine calls them -------------------------------------------
    def refuse(self, ctx: ImportContext) -> str | None:
        """A reason to refuse the whole file before reading its rows, or ``None``."""
        return None

    def prepare(self, ctx: ImportContext) -> None:
        """Preload what ``clean`` looks up (in bulk: a few queries, not one per row) into
        ``ctx.cache``."""

    def clean(self, row: dict[str, Any], ctx: ImportContext) -> Any:
        """Validate one parsed row (its fields by name, only the non-empty ones) and return the
        values ``write`` needs; raise :class:`RowError` to reject it. No writes here.

        Return a dict (``write`` receives it with ``_line`` added), or — for many plain rows —
        a tuple of ``str``/``int``/``None``, which is far cheaper to keep between the passes and
        to send back from a worker process (``write`` then receives the tuples as they are)."""
        return row

    def duplicate_key(self, row: Any) -> Any:
        """What no two rows of a file may share (``None``: nothing), from a cleaned row. The
        engine checks it in file order, also when ``clean`` runs in parallel, and reports a
        repeat with :meth:`duplicate_error`."""
        return None

    def duplicate_error(self, row: Any) -> RowError:
        """The error for a row whose :meth:`duplicate_key` an earlier row already had (a kind
        with a ``duplicate_key`` says what the repeat means)."""
        raise NotImplementedError

    def after_validation(self, ctx: ImportContext) -> None:
        """Checks that need the whole file (references to other rows): report with
        ``ctx.add_error(line, message, field)``."""

    def write(self, rows: list[Any], ctx: ImportContext) -> None:
        """Create or update a batch of cleaned rows (dicts with ``_line``, or the tuples
        ``clean`` returned), in file order. Use bulk queries;
        count with ``ctx.created``/``ctx.updated``; before changing existing objects call
        ``ctx.remember(objects, fields)`` so a revert can restore them; set ``import_batch`` on
        new objects."""
        raise NotImplementedError

    def finish(self, ctx: ImportContext) -> None:
        """After the last batch, in the same transaction (resolve references between rows)."""

    def reverting(self, batch) -> Any:
        """Before a revert changes anything (same transaction): gather what :meth:`reverted`
        needs to know about the rows the revert will delete or restore."""
        return None

    def reverted(self, batch, state: Any) -> None:
        """After a revert, in its transaction, with what :meth:`reverting` returned."""

    def restore(self, model: Any, changes: list[Any]) -> int:
        """Put back the values ``changes`` (``ImportChange`` rows, newest first) remembered on
        objects of the model class ``model``, for a revert; returns how many were restored. A
        kind that updates many rows may do it set-based (the default saves them with
        ``bulk_update``, which costs milliseconds a row)."""
        return _restore(model, changes)


_REGISTRY: dict[str, ImportKind] = {}
_loaded = False


def register(kind: ImportKind | type[ImportKind]) -> ImportKind:
    """Register an import kind (usable as a class decorator). The last registration of a name
    wins, so a test can replace a kind."""
    instance = kind() if isinstance(kind, type) else kind
    if not instance.name:
        raise ValueError("An import kind needs a name")
    _REGISTRY[instance.name] = instance
    return kind  # type: ignore[return-value]


def _load() -> None:
    """Import each kamp app's ``imports`` module (or package) once: registering its kinds is the
    app's business, so the engine names no business app (Wagtail's hooks, discovered)."""
    global _loaded
    if _loaded:
        return
    discover("imports")
    _loaded = True


def get_kind(name: str) -> ImportKind:
    _load()
    try:
        return _REGISTRY[name]
    except KeyError:
        raise ImportRefused(
            _("Unknown import kind “%(kind)s” (known: %(known)s).")
            % {"kind": name, "known": ", ".join(sorted(_REGISTRY))}
        ) from None


def all_kinds() -> list[ImportKind]:
    _load()
    return sorted(_REGISTRY.values(), key=lambda k: (k.order, str(k.label)))


# --- column matching ----------------------------------------------------------------------------
def auto_mapping(kind: ImportKind, header: list[str]) -> dict[int, str]:
    """Column index → field name, from the header's text (aliases, labels in both languages,
    case- and accent-blind). Each field takes at most one column, the first that matches."""
    keys: dict[str, str] = {}
    for f in kind.fields:
        for k in f.match_keys():
            keys.setdefault(k, f.name)
    mapping: dict[int, str] = {}
    taken: set[str] = set()
    for i, title in enumerate(header):
        name = keys.get(fold(title))
        if name and name not in taken:
            mapping[i] = name
            taken.add(name)
    return mapping


def apply_overrides(
    kind: ImportKind, header: list[str], mapping: dict[int, str], overrides: dict[str, str]
) -> dict[int, str]:
    """Apply ``COLUMN=field`` overrides (COLUMN: the header text or its 1-based number; an empty
    field ignores the column). Raises :class:`ImportRefused` for an unknown column or field."""
    mapping = dict(mapping)
    folded = [fold(h) for h in header]
    names = {f.name for f in kind.fields}
    by_key: dict[str, str] = {}
    for f in kind.fields:
        for k in f.match_keys():
            by_key.setdefault(k, f.name)
    for column, target in overrides.items():
        if column.isdigit() and 1 <= int(column) <= len(header):
            index = int(column) - 1
        elif fold(column) in folded:
            index = folded.index(fold(column))
        else:
            raise ImportRefused(
                _("The file has no column “%(column)s” (columns: %(columns)s).")
                % {"column": column, "columns": ", ".join(header)}
            )
        target = target.strip()
        if not target or target in {"-", "ignore"}:
            mapping.pop(index, None)
            continue
        name = target if target in names else by_key.get(fold(target))
        if not name:
            raise ImportRefused(
                _("“%(field)s” is not a field of this import (fields: %(fields)s).")
                % {"field": target, "fields": ", ".join(sorted(names))}
            )
        for i, n in list(mapping.items()):
            if n == name:
                del mapping[i]
        mapping[index] = name
    return mapping


def column_plan(
    kind,
    table: Table,
    overrides: dict[str, str],
    preset_name: str | None,
    column_mapping,
    user=None,
):
    """The table (with its combined columns), the mapping (column index → field) and the preset
    used, for a run: the automatic mapping, then the preset's entries, then the person's
    ``--map`` overrides; ``column_mapping`` (the mapping step's choice) replaces the first two."""
    try:
        try:
            preset = choose_preset(kind.name, table.header, preset_name, user)
        except PresetError:
            if column_mapping is None:
                raise
            # The mapping step's choice is the plan; a saved mapping deleted since is no reason
            # to refuse the file.
            preset = None
        spec: dict[str, str] = {}
        if preset is not None and column_mapping is None:
            spec.update(preset.overrides(table.header))
        spec.update(overrides)
        table, spec = combine_columns(table, spec)
    except PresetError as exc:
        raise ImportRefused(str(exc)) from None
    mapping = column_mapping if column_mapping is not None else auto_mapping(kind, table.header)
    return table, apply_overrides(kind, table.header, mapping, spec), preset


# --- the run -------------------------------------------------------------------------------------
@dataclass
class ImportContext:
    """What one run knows: handed to every hook of the kind."""

    kind: ImportKind
    batch: Any  # kamp.core.models.ImportBatch
    user: Any
    table: Table
    mapping: dict[int, str]
    decimal: str | None = None
    skip_invalid: bool = False
    force: bool = False
    cache: dict[str, Any] = field(default_factory=dict)
    errors: list[dict[str, Any]] = field(default_factory=list)
    invalid_lines: set[int] = field(default_factory=set)
    created: int = 0
    updated: int = 0
    #: Existing rows the file repeated value for value: neither written nor kept for a revert.
    unchanged: int = 0
    valid: int = 0
    rows_read: int = 0
    #: The line of the row being cleaned (for kinds that remember rows to check later).
    line: int = 0

    @property
    def fields(self) -> set[str]:
        """The fields this file carries (mapped columns)."""
        return set(self.mapping.values())

    def column_of(self, field_name: str) -> str:
        for i, name in self.mapping.items():
            if name == field_name:
                return self.table.header[i]
        return ""

    def add_error(
        self, line: int | None, message: str, field: str = "", column: str | None = None
    ) -> None:
        if line is not None:
            self.invalid_lines.add(line)
        if len(self.errors) < MAX_STORED_ERRORS:
            self.errors.append(self.error(line, message, field, column))

    def error(
        self, line: int | None, message: str, field: str = "", column: str | None = None
    ) -> dict[str, Any]:
        """An error as the batch's report keeps it."""
        return {
            "line": line,
            "column": column if column is not None else self.column_of(field),
            "field": field,
            "message": str(message),
        }

    def insert(
        self, model: type[models.Model], fields: list[str], rows: Iterable[tuple[Any, ...]]
    ) -> None:
        """The fast path for plain inserts of many rows: tuples of Python values (str, int,
        Decimal, date, None) in the order of ``fields`` (attnames), straight to the database —
        ``COPY`` on PostgreSQL, ``executemany`` elsewhere. No model instances, no signals, no ids
        back; every NOT NULL column must be given (model defaults are not applied)."""
        meta = model._meta
        qn = connection.ops.quote_name
        table = qn(meta.db_table)
        cols = ", ".join(qn(meta.get_field(f).column) for f in fields)  # type: ignore[union-attr,arg-type]
        with connection.cursor() as cur:
            if connection.vendor == "postgresql" and hasattr(cur.cursor, "copy"):
                with cur.cursor.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
            else:
                marks = ", ".join(["%s"] * len(fields))
                cur.executemany(f"INSERT INTO {table} ({cols}) VALUES ({marks})", list(rows))

    def remember(self, objects: Iterable[models.Model], fields: Iterable[str]) -> None:
        """Keep the current values of ``fields`` of existing ``objects`` before a write changes
        them, so that a revert restores them."""
        from kamp.core.models import ImportChange

        objects = list(objects)
        if not objects:
            return
        meta = objects[0]._meta
        attnames = [meta.get_field(f).attname for f in fields]  # type: ignore[union-attr]
        label = meta.label_lower
        ImportChange.objects.bulk_create(
            [
                ImportChange(
                    batch=self.batch,
                    model=label,
                    object_id=o.pk,
                    previous={a: _jsonable(getattr(o, a)) for a in attnames},
                )
                for o in objects
            ],
            batch_size=1000,
        )


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, (bool, int, float, str, list, dict)):
        return value
    return str(value)


class _Progress:
    """Publishes ``processed_rows`` while a run goes on, at most once a second. Outside the
    write transaction, a plain update; inside it (where other connections would not see it) a
    side channel: a second connection on PostgreSQL, a small file beside the uploads on SQLite."""

    def __init__(self, batch, callback: Callable[[str, int, int], None] | None) -> None:
        self.batch = batch
        self.callback = callback
        self.last = 0.0
        self.side: Any = None

    def __call__(
        self,
        phase: str,
        done: int,
        total: int,
        *,
        in_transaction: bool = False,
        force: bool = False,
    ) -> None:
        if self.callback:
            self.callback(phase, done, total)
        now = time.monotonic()
        if not force and now - self.last < 1.0:
            return
        self.last = now
        from kamp.core.models import ImportBatch

        if not in_transaction:
            # total_rows is the file's rows, good and invalid; the write phase counts only the
            # good ones and must not overwrite it.
            fields = {"processed_rows": done}
            if phase != "importing":
                fields["total_rows"] = total
            ImportBatch.objects.filter(pk=self.batch.pk).update(**fields)
            return
        if connection.vendor == "postgresql":
            try:
                if self.side is None:
                    self.side = connections.create_connection("default")
                    self.side.set_autocommit(True)
                with self.side.cursor() as cur:
                    cur.execute(
                        f"UPDATE {ImportBatch._meta.db_table} SET processed_rows = %s "
                        "WHERE id = %s",
                        [done, self.batch.pk],
                    )
            except Exception:  # progress is a nicety, never a reason to fail an import
                log.warning("import progress side channel failed", exc_info=True)
        else:
            progress_file(self.batch.pk).write_text(str(done))

    def close(self) -> None:
        if self.side is not None:
            self.side.close()
            self.side = None
        with contextlib.suppress(FileNotFoundError, OSError):
            progress_file(self.batch.pk).unlink()


def live_processed_rows(batch) -> int:
    """``processed_rows`` including what a running write has published through the side file."""
    if batch.status == batch.Status.RUNNING and connection.vendor != "postgresql":
        try:
            return int(progress_file(batch.pk).read_text() or 0)
        except (FileNotFoundError, ValueError):
            pass
    return batch.processed_rows


def count_rows(table: Table) -> int:
    """A quick estimate of the data rows (for progress): lines of a CSV, rows of a sheet."""
    if table.format == "xlsx":
        import openpyxl

        wb = openpyxl.load_workbook(table.path, read_only=True)
        try:
            ws = wb[table.sheet] if table.sheet else wb.worksheets[0]
            return max(0, (ws.max_row or 0) - table.header_line)
        finally:
            wb.close()
    n = 0
    last = b"\n"
    with open(table.path, "rb") as f:
        while chunk := f.read(1 << 20):
            n += chunk.count(b"\n")
            last = chunk[-1:]
    if last != b"\n":
        n += 1
    return max(0, n - table.header_line)


def parse_plan(ctx: ImportContext, fields: dict[str, Field]) -> list[tuple[int, str, Callable]]:
    """(column index, field name, parse function) for each mapped column, worked out once."""
    plan = []
    for index, name in sorted(ctx.mapping.items()):
        plan.append((index, name, fields[name].fast_parser()))
    return plan


def parse_row(
    ctx: ImportContext,
    line: int,
    cells: list[Any],
    plan: list[tuple[int, str, Callable]],
    required: list[Field],
) -> dict[str, Any] | None:
    """Cells → ``{field: value}`` for the mapped, non-empty cells; reports each bad cell."""
    row: dict[str, Any] = {}
    ok = True
    n = len(cells)
    decimal = ctx.decimal
    for index, name, parse in plan:
        value = cells[index] if index < n else ""
        if not value:  # "" or None (a 0 number cell is falsy too: let it through)
            if value is None or value == "":
                continue
        elif value.__class__ is str and value[0].isspace() and value.isspace():
            continue
        try:
            row[name] = parse(value, decimal)
        except ParseError as exc:
            ok = False
            row[name] = None  # present but bad: not also "required"
            ctx.add_error(
                line,
                _(exc.message) % exc.params if exc.params else _(exc.message),
                name,
                ctx.table.header[index],
            )
    for f in required:
        if f.name not in row:
            ok = False
            ctx.add_error(line, _("“%(field)s” is required.") % {"field": f.label}, f.name)
    return row if ok else None


#: The orders a file's dates may be written in (``--date-order``, the mapping step).
DATE_ORDERS = ("dmy", "mdy", "ymd")


@dataclass
class ImportOptions:
    mapping: dict[str, str] = field(default_factory=dict)
    decimal: str | None = None
    skip_invalid: bool = False
    dry_run: bool = False
    force: bool = False
    #: A saved mapping (kamp/<app>/import_presets/NAME.toml); None: the one the header fits,
    #: "none": none.
    preset: str | None = None
    #: An XLSX's sheet (default: the one Excel opens on, if visible).
    sheet: str | None = None
    #: The line (CSV) or row (XLSX) of the header (default: found under any title rows).
    header_row: int | None = None
    #: "dmy", "mdy" or "ymd" for every date column (default: found from each column's values).
    date_order: str | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "mapping": self.mapping,
            "decimal": self.decimal,
            "skip_invalid": self.skip_invalid,
            "dry_run": self.dry_run,
            "force": self.force,
            "preset": self.preset,
            "sheet": self.sheet,
            "header_row": self.header_row,
            "date_order": self.date_order,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ImportOptions:
        header_row = data.get("header_row")
        return cls(
            mapping=dict(data.get("mapping") or {}),
            decimal=data.get("decimal") or None,
            skip_invalid=bool(data.get("skip_invalid")),
            dry_run=bool(data.get("dry_run")),
            force=bool(data.get("force")),
            preset=str(data["preset"]) if data.get("preset") else None,
            sheet=data.get("sheet") or None,
            header_row=header_row if isinstance(header_row, int) and header_row > 0 else None,
            date_order=data.get("date_order") if data.get("date_order") in DATE_ORDERS else None,
        )


def is_date_field(f: Field) -> bool:
    """Whether a field's parser reads dates (``parse_date`` or a kind's own wrapper of it):
    it reads ``2001-02-03`` as that day and refuses a word. Its column's dates are read in the
    order found for it (:meth:`~kamp.core.imports.readers.Table.date_orders`)."""
    import datetime as dt

    try:
        parsed = f.parser("2001-02-03", None)
    except (ParseError, ValueError, TypeError):
        return False
    if parsed not in (dt.date(2001, 2, 3), "2001-02-03"):
        return False
    try:
        f.parser("kamp", None)
    except (ParseError, ValueError, TypeError):
        return True
    return False


def run_import(
    kind: ImportKind | str,
    path: str | Path,
    *,
    user=None,
    batch=None,
    options: ImportOptions | None = None,
    filename: str | None = None,
    progress: Callable[[str, int, int], None] | None = None,
    column_mapping: dict[int, str] | None = None,
):
    """Import ``path`` as ``kind``: validate every row, then (unless it is a dry run, or rows are
    bad and ``skip_invalid`` is off) write the good ones in one transaction. Returns the
    :class:`~kamp.core.models.ImportBatch` with its status, counts and errors. Exceptions raised
    while writing roll everything back, mark the batch failed and propagate.

    ``column_mapping`` (index → field), when given, replaces the automatic one (the web UI's
    mapping step); ``options.mapping`` holds CLI-style ``COLUMN=field`` overrides on top.
    """
    from kamp.core.models import ImportBatch

    kind = get_kind(kind) if isinstance(kind, str) else kind
    options = options or ImportOptions()
    path = Path(path)
    if batch is None:
        batch = ImportBatch.objects.create(
            kind=kind.name,
            filename=filename or path.name,
            created_by=user if getattr(user, "pk", None) else None,
            stored_file=str(path.resolve()),
            status=ImportBatch.Status.VALIDATING,
        )
    with _one_run_per_file(kind, path), liveness.running(batch):
        return _run(kind, path, batch, user, options, progress, column_mapping)


@contextlib.contextmanager
def _one_run_per_file(kind: ImportKind, path: Path) -> Iterator[None]:
    """Runs of one file as one kind, one after the other, across processes (two ``kamp import``
    commands, two workers, the page and the command): the second checks the file against what
    the first wrote — it updates the rows the first created instead of failing on them or
    creating them again, or is told the file was already imported. On PostgreSQL an advisory
    lock on a connection of its own, elsewhere an ``flock`` beside the uploads; either goes
    with the process."""
    try:
        key = f"{kind.name}:{file_hash(path)}"
    except OSError:  # the run says the file cannot be read
        yield
        return
    if connection.vendor == "postgresql":
        holder = connections.create_connection("default")
        try:
            holder.set_autocommit(True)
            with holder.cursor() as cur:
                cur.execute("SELECT pg_advisory_lock(%s)", [_lock_key(f"run:{key}")])
            yield
        finally:
            holder.close()  # the lock is the session's: it ends with it
        return
    if fcntl is None:  # pragma: no cover - not on POSIX
        yield
        return
    name = hashlib.sha1(key.encode()).hexdigest()[:32]
    with open(side_folder() / f"{database_key()}-run-{name}.lock", "a+") as lock:
        fcntl.flock(lock.fileno(), fcntl.LOCK_EX)  # waits for the other run
        yield


def _lock_key(text: str) -> int:
    """A PostgreSQL advisory lock key (a signed 64-bit integer) for ``text``."""
    return int.from_bytes(
        hashlib.blake2b(text.encode(), digest_size=8).digest(), "big", signed=True
    )


def _run(kind, path, batch, user, options, progress, column_mapping):
    from kamp.core.models import ImportBatch

    batch.options = {**(batch.options or {}), **options.as_json()}
    if column_mapping is not None:
        batch.options["columns"] = {str(k): v for k, v in column_mapping.items()}
    _reset(batch, ImportBatch.Status.VALIDATING)
    spill = None
    report = _Progress(batch, progress)
    try:
        try:
            table = open_table(path, sheet=options.sheet, header_row=options.header_row)
        except (ReadError, UnicodeDecodeError, OSError) as exc:
            raise ImportRefused(str(exc)) from None
        # The preset (the one the header fits, or the one asked for), combined columns, --map.
        table, mapping, preset = column_plan(
            kind, table, options.mapping, options.preset, column_mapping, user
        )
        if preset is not None and preset.saved and column_mapping is None:
            # A saved mapping keeps its date order and decimal separator unless given now (the
            # mapping step shows them, so there the person's choice is what counts).
            options.date_order = options.date_order or preset.options.get("date_order")
            options.decimal = options.decimal or preset.options.get("decimal")
            batch.options.update(date_order=options.date_order, decimal=options.decimal)
        # Only the columns imported: a formula without a value elsewhere is no reason to refuse.
        table.extra["columns"] = set(mapping)
        try:
            table.extra["dates"] = table.date_orders(
                sorted(i for i, n in mapping.items() if is_date_field(kind.field(n))),
                options.date_order,
            )
        except (ReadError, UnicodeDecodeError) as exc:
            raise ImportRefused(str(exc)) from None
        ctx = ImportContext(
            kind=kind,
            batch=batch,
            user=user,
            table=table,
            mapping=mapping,
            decimal=options.decimal,
            skip_invalid=options.skip_invalid,
            force=options.force,
        )
        batch.options["detected"] = {
            "format": table.format,
            "encoding": table.encoding,
            "delimiter": table.delimiter,
            "columns": {table.header[i]: n for i, n in mapping.items()},
            "sheet": table.sheet,
            "header_row": table.header_line,
            "date_orders": {table.header[i]: o for i, o in table.extra["dates"].items()},
        }
        if preset is not None:
            batch.options["detected"]["preset"] = preset.name
        missing = [f for f in kind.fields if f.required and f.name not in ctx.fields]
        if missing:
            raise ImportRefused(
                _("The file has no column for %(fields)s. Columns found: %(columns)s.")
                % {
                    "fields": ", ".join(f"“{f.label}”" for f in missing),
                    "columns": ", ".join(table.header),
                }
            )
        batch.content_hash = file_hash(path)
        reason = kind.refuse(ctx)
        if reason:
            raise ImportRefused(reason)
        total = count_rows(table)
        batch.total_rows = total
        batch.save(update_fields=["options", "content_hash", "total_rows"])

        # Pass 1: parse and validate every row; the good ones go to a spill file, in chunks,
        # so that pass 2 neither re-parses the file nor holds it in memory. A large file of a
        # kind whose ``clean`` allows it is checked by worker processes, chunk by chunk; the
        # checks across rows (duplicates within the file) stay here, in file order.
        kind.prepare(ctx)
        spill = tempfile.TemporaryFile(prefix="kamp-import-")  # noqa: SIM115 (closed in finally)
        checker = _Checker(kind, ctx)
        seen: set[int] = set()
        processes = _processes(kind, total)
        with _pool(processes, checker) as pool:
            try:
                for result in _checked_chunks(pool, checker, table, kind.batch_size, processes):
                    ctx.rows_read += result.rows
                    _absorb(kind, ctx, result, seen, spill)
                    if ctx.rows_read < total:  # the end is reported below
                        report("validating", ctx.rows_read, total)
            except ReadError as exc:  # the file turned out unreadable further on (a cell too long)
                raise ImportRefused(str(exc)) from None
        del seen
        if table.extra.get("footer"):
            # A report's footer under the data is not data: left out, and said so.
            batch.options["detected"]["footer"] = table.extra["footer"]
        kind.after_validation(ctx)
        batch.total_rows = ctx.rows_read
        invalid = len(ctx.invalid_lines)
        ctx.valid = ctx.rows_read - invalid
        batch.invalid_count = invalid
        batch.errors = sorted(ctx.errors, key=lambda e: e["line"] or 0)
        batch.processed_rows = ctx.rows_read
        report("validating", ctx.rows_read, ctx.rows_read, force=True)
        if options.dry_run or (invalid and not options.skip_invalid):
            batch.status = (
                ImportBatch.Status.VALIDATED if options.dry_run else ImportBatch.Status.FAILED
            )
            if not options.dry_run:
                batch.message = _("Nothing was imported: %(n)s rows have errors.") % {"n": invalid}
            batch.skipped_count = invalid
            batch.finished_at = timezone.now() if not options.dry_run else None
            batch.save()
            return batch

        # Pass 2: write, in one transaction.
        batch.status = ImportBatch.Status.RUNNING
        batch.processed_rows = 0
        batch.save()
        spill.seek(0)
        written = 0
        with transaction.atomic():
            # Two runs of the same file at once (two CLI imports, two workers) both passed the
            # check above; the second to get here must see the first's finished batch. Ask
            # again, holding a lock: on SQLite the transaction began IMMEDIATE (it holds the
            # database's write lock); on PostgreSQL a lock on the kind and the file's hash.
            _lock_file_content(kind, batch)
            reason = kind.refuse(ctx)
            if reason:
                raise ImportRefused(reason)
            for lines, rows in _read_spill(spill):
                if ctx.invalid_lines:
                    bad = ctx.invalid_lines
                    rows = [r for n, r in zip(lines, rows, strict=True) if n not in bad]
                if rows:
                    kind.write(rows, ctx)
                written += len(rows)
                report("importing", written, ctx.valid, in_transaction=True)
            kind.finish(ctx)
            batch.status = ImportBatch.Status.DONE
            batch.processed_rows = written
            batch.created_count = ctx.created
            batch.updated_count = ctx.updated
            batch.skipped_count = invalid
            if ctx.unchanged:
                batch.options["unchanged"] = ctx.unchanged
            batch.finished_at = timezone.now()
            batch.message = ""
            batch.save()
            _audit(batch, user, "import")
        report("importing", written, ctx.valid, force=True)
        return batch
    except ImportRefused as exc:
        batch.status = ImportBatch.Status.FAILED
        batch.message = str(exc)
        batch.finished_at = timezone.now()
        batch.save()
        return batch
    except BaseException as exc:
        # A crash while writing: the transaction is rolled back; say so on the batch.
        ImportBatch.objects.filter(pk=batch.pk).update(
            status=ImportBatch.Status.FAILED,
            finished_at=timezone.now(),
            message=(
                _("The import failed and nothing was written: %(error)s")
                % {"error": exc.__class__.__name__ + (f": {exc}" if str(exc) else "")}
            )[:2000],
            created_count=0,
            updated_count=0,
        )
        raise
    finally:
        report.close()
        if spill is not None:
            spill.close()


def _lock_file_content(kind: ImportKind, batch) -> None:
    """Serialise the writes of one file imported as one kind, until the transaction ends (also
    where :func:`_one_run_per_file` holds no lock)."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cur:
        cur.execute(
            "SELECT pg_advisory_xact_lock(%s)",
            [_lock_key(f"write:{kind.name}:{batch.content_hash}")],
        )


def _reset(batch, status) -> None:
    batch.status = status
    batch.processed_rows = 0
    batch.created_count = batch.updated_count = batch.skipped_count = batch.invalid_count = 0
    batch.options.pop("unchanged", None)
    batch.errors = []
    batch.message = ""
    batch.finished_at = None
    batch.save()


# --- pass 1: checking chunks of rows, here or in worker processes -------------------------------
@dataclass
class _Checked:
    """What checking one chunk of rows gives back (from a worker process or from this one)."""

    rows: int  # rows read
    errors: list[dict[str, Any]]  # in line order, at most MAX_STORED_ERRORS
    invalid: list[int]  # every bad line
    keys: list[tuple[int, int]]  # (line, hash of its duplicate key) for the good rows with one
    blob: bytes  # the good rows, encoded for the spill
    pid: int = 0  # the process that checked them


class _Checker:
    """Parses and cleans chunks of rows: in the importing process, or in a forked worker that has
    its own copy of the context (with the cache ``prepare`` filled)."""

    def __init__(self, kind: ImportKind, ctx: ImportContext) -> None:
        self.kind = kind
        self.ctx = ctx
        self.plan = parse_plan(ctx, {f.name: f for f in kind.fields})
        self.required = [f for f in kind.fields if f.required]
        self.keyed = type(kind).duplicate_key is not ImportKind.duplicate_key

    def __call__(self, chunk: list[tuple[int, list[Any]]]) -> _Checked:
        kind, ctx, plan, required, keyed = self.kind, self.ctx, self.plan, self.required, self.keyed
        # This chunk's errors apart: a worker sends them back, and here they are merged in file
        # order with the duplicates found afterwards.
        errors, invalid_lines = ctx.errors, ctx.invalid_lines
        ctx.errors, ctx.invalid_lines = [], set()
        try:
            lines: list[int] = []
            rows: list[Any] = []
            keys: list[tuple[int, int]] = []
            for line, cells in chunk:
                ctx.line = line
                row = parse_row(ctx, line, cells, plan, required)
                if row is None:
                    continue
                try:
                    cleaned = kind.clean(row, ctx)
                except RowError as exc:
                    ctx.add_error(line, exc.message, exc.field)
                    continue
                if cleaned.__class__ is dict:
                    cleaned["_line"] = line
                if keyed:
                    key = kind.duplicate_key(cleaned)
                    if key is not None:
                        # A hash, not the key: a million keys stay a few tens of MB (two keys
                        # colliding on 64 bits is not a practical concern). Forked workers share
                        # this process's hash seed.
                        keys.append((line, hash(key)))
                lines.append(line)
                rows.append(cleaned)
            return _Checked(
                len(chunk),
                ctx.errors,
                sorted(ctx.invalid_lines),
                keys,
                _encode(lines, rows),
                os.getpid(),
            )
        finally:
            ctx.errors, ctx.invalid_lines = errors, invalid_lines


def _cpu_count() -> int:
    return cpus.usable()


def _processes(kind: ImportKind, total_rows: int) -> int:
    """How many worker processes check this file: none for a small file, a kind whose ``clean``
    must run here, a single CPU or a platform without ``fork``."""
    if not kind.parallel or total_rows < PARALLEL_MIN_ROWS:
        return 0
    if "fork" not in multiprocessing.get_all_start_methods():
        return 0
    processes = min(_cpu_count(), MAX_PROCESSES)
    return processes if processes > 1 else 0


_WORKER_CHECKER: _Checker | None = None


@contextlib.contextmanager
def _pool(processes: int, checker: _Checker) -> Iterator[ProcessPoolExecutor | None]:
    """Worker processes forked from this one once ``prepare`` has run, so each has the kind's
    lookups without querying (they never touch the database connection they inherit)."""
    global _WORKER_CHECKER
    if not processes:
        yield None
        return
    _WORKER_CHECKER = checker
    pool = ProcessPoolExecutor(
        processes,
        mp_context=multiprocessing.get_context("fork"),
        initializer=_worker_init,
        initargs=(os.getpid(), translation.get_language()),
    )
    try:
        yield pool
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
        _WORKER_CHECKER = None


def _worker_init(parent: int, language: str | None) -> None:
    # What the worker inherited stays as it is: the collector neither walks it again (a young
    # collection every few hundred rows of a chunk) nor copies its pages by touching them.
    gc.freeze()
    if language:
        translation.activate(language)  # the report's language

    def orphaned() -> None:
        # A worker waits for chunks forever: go when the importing process is gone (killed).
        while os.getppid() == parent:
            time.sleep(1)
        os._exit(1)

    threading.Thread(target=orphaned, daemon=True).start()


def _check_in_worker(chunk: bytes) -> _Checked:
    assert _WORKER_CHECKER is not None
    return _WORKER_CHECKER(_unpack(chunk))


def _checked_chunks(
    pool: ProcessPoolExecutor | None,
    checker: _Checker,
    table: Table,
    size: int,
    processes: int,
) -> Iterator[_Checked]:
    """The file's rows checked chunk by chunk, in file order. With worker processes, a few
    chunks at a time are in flight (memory stays bounded) while this process reads the next."""
    chunks = _read_chunks(table, size)
    if pool is None:
        for chunk in chunks:
            yield checker(chunk)
        return
    pending: deque[Future[_Checked]] = deque()
    for chunk in chunks:
        pending.append(pool.submit(_check_in_worker, _pack(chunk)))
        if len(pending) > 2 * processes:
            yield pending.popleft().result()
    while pending:
        yield pending.popleft().result()


def _read_chunks(table: Table, size: int) -> Iterator[list[tuple[int, list[Any]]]]:
    rows = table.rows()
    while chunk := list(islice(rows, size)):
        yield chunk


def _absorb(kind: ImportKind, ctx: ImportContext, result: _Checked, seen: set[int], spill) -> None:
    """Take a checked chunk in: the duplicates within the file (in file order, against every
    earlier chunk), its errors, its good rows to the spill."""
    errors = result.errors
    repeated = []
    for line, key in result.keys:
        if key in seen:
            repeated.append(line)
        else:
            seen.add(key)
    if repeated:
        lines, rows = _decode(result.blob)
        by_line = dict(zip(lines, rows, strict=True))
        more = []
        for line in repeated:
            exc = kind.duplicate_error(by_line[line])
            more.append(ctx.error(line, exc.message, exc.field))
        # Stable: the errors of one line keep their order.
        errors = sorted(errors + more, key=lambda e: e["line"])
        ctx.invalid_lines.update(repeated)
    ctx.invalid_lines.update(result.invalid)
    room = MAX_STORED_ERRORS - len(ctx.errors)
    if room > 0:
        ctx.errors.extend(errors[:room])
    spill.write(len(result.blob).to_bytes(8, "little"))
    spill.write(result.blob)


# --- the spill between the passes ----------------------------------------------------------------
def _pack(obj: Any) -> bytes:
    """``marshal`` where it can (several times faster than pickle for plain values), else
    pickle (XLSX cells with dates, rows holding Decimals…)."""
    try:
        return b"m" + marshal.dumps(obj)
    except ValueError:
        return b"p" + pickle.dumps(obj, pickle.HIGHEST_PROTOCOL)


def _unpack(data: bytes) -> Any:
    return marshal.loads(data[1:]) if data[:1] == b"m" else pickle.loads(data[1:])


def _encode(lines: list[int], rows: list[Any]) -> bytes:
    """A chunk of cleaned rows for the spill. Dicts are grouped by their keys and kept as tuples
    (much smaller and faster than dicts that repeat the same keys); tuples stay as they are."""
    if rows and rows[0].__class__ is dict:
        groups: dict[tuple[str, ...], list[tuple[Any, ...]]] = {}
        for row in rows:
            groups.setdefault(tuple(row), []).append(tuple(row.values()))
        return _pack((lines, groups))
    return _pack((lines, rows))


def _decode(data: bytes) -> tuple[list[int], list[Any]]:
    lines, payload = _unpack(data)
    if payload.__class__ is not dict:
        return lines, payload
    rows = [
        dict(zip(keys, values, strict=True)) for keys, items in payload.items() for values in items
    ]
    if len(payload) > 1:  # back in file order (rows may refer to earlier ones)
        rows.sort(key=lambda r: r["_line"])
    return [r["_line"] for r in rows], rows


def _read_spill(spill) -> Iterator[tuple[list[int], list[Any]]]:
    while header := spill.read(8):
        yield _decode(spill.read(int.from_bytes(header, "little")))


def _audit(batch, user, action: str) -> None:
    from kamp.core import audit

    if action == "import":
        summary = _(
            "%(kind)s from %(file)s: %(created)s created, %(updated)s updated, %(skipped)s skipped"
        ) % {
            "kind": batch.kind,
            "file": batch.filename,
            "created": batch.created_count,
            "updated": batch.updated_count,
            "skipped": batch.skipped_count,
        }
    else:
        summary = _(
            "%(kind)s from %(file)s reverted: %(created)s removed, %(updated)s restored"
        ) % {
            "kind": batch.kind,
            "file": batch.filename,
            "created": batch.created_count,
            "updated": batch.updated_count,
        }
    audit.record(
        user,
        action,
        batch,
        summary=summary,
        changes=[
            {"field": "created", "old": None, "new": batch.created_count},
            {"field": "updated", "old": None, "new": batch.updated_count},
            {"field": "skipped", "old": None, "new": batch.skipped_count},
        ],
    )


class RevertError(Exception):
    pass


@transaction.atomic
def revert_batch(batch, user):
    """Undo an import: restore the values it changed, delete the rows it created. One
    transaction, one audit event."""
    from django.apps import apps

    from kamp.core.models import ImportBatch, ImportChange

    batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
    if batch.status != ImportBatch.Status.DONE:
        raise RevertError(
            _("Only a finished import can be reverted (this one is “%(status)s”).")
            % {"status": batch.get_status_display()}
        )
    kind = get_kind(batch.kind)
    state = kind.reverting(batch)
    restored = 0
    changes = ImportChange.objects.filter(batch=batch).order_by("-id")
    by_model: dict[str, list[ImportChange]] = {}
    for change in changes.iterator(chunk_size=2000):
        by_model.setdefault(change.model, []).append(change)
        if len(by_model[change.model]) >= 2000:
            restored += kind.restore(apps.get_model(change.model), by_model.pop(change.model))
    for label, items in by_model.items():
        restored += kind.restore(apps.get_model(label), items)
    removed = 0
    for model in reversed(kind.models):
        removed += (
            model.objects.filter(import_batch=batch)._raw_delete(model.objects.db)
            if _can_raw_delete(model)
            else model.objects.filter(import_batch=batch).delete()[0]
        )
    changes.delete()
    kind.reverted(batch, state)
    batch.status = ImportBatch.Status.REVERTED
    batch.options = {
        **batch.options,
        "reverted": {
            "removed": removed,
            "restored": restored,
            "at": timezone.now().isoformat(),
            "by": getattr(user, "email", ""),
        },
    }
    batch.save()
    b = ImportBatch(
        kind=batch.kind,
        filename=batch.filename,
        created_count=removed,
        updated_count=restored,
        pk=batch.pk,
    )
    _audit(b, user, "revert")
    return batch


def _can_raw_delete(model) -> bool:
    # Sales lines have nothing pointing at them: a plain DELETE is much faster than the
    # collector; anything with dependants goes through the ORM so cascades and SET_NULL apply.
    return not any(
        rel.auto_created and not rel.concrete
        for rel in model._meta.get_fields()
        if rel.is_relation and (rel.one_to_many or rel.one_to_one)
    )


def _restore(model, changes) -> int:
    # The oldest change of an object wins: a batch remembers an object once per write, and a
    # later write (finish step) may remember it again with values this batch set.
    previous: dict[Any, dict[str, Any]] = {}
    for c in changes:  # newest first, so the oldest overwrites
        previous[c.object_id if isinstance(c.object_id, int) else c.object_id] = c.previous
    objs = model.objects.in_bulk([model._meta.pk.to_python(k) for k in previous])
    touched = set()
    out = []
    for key, values in previous.items():
        obj = objs.get(model._meta.pk.to_python(key))
        if obj is None:
            continue
        for attname, value in values.items():
            f = next(x for x in model._meta.concrete_fields if x.attname == attname)
            setattr(obj, attname, None if value is None else f.to_python(value))
            touched.add(f.name)
        out.append(obj)
    if out and touched:
        model.objects.bulk_update(out, sorted(touched), batch_size=500)
    return len(out)


__all__ = [
    "Field",
    "ImportKind",
    "ImportContext",
    "ImportOptions",
    "RowError",
    "ImportRefused",
    "RevertError",
    "register",
    "get_kind",
    "all_kinds",
    "auto_mapping",
    "apply_overrides",
    "run_import",
    "revert_batch",
    "live_processed_rows",
]
