"""Backup and restore of a whole kamp installation: the database and the uploaded files.

An archive (``.tar.gz``) holds:

- ``database/portable/NNN-<app>.<model>.jsonl``: every table, one JSON line per row, written and
  read through the models *of the migration state the database was at* (the historical models
  of the migration graph), so it restores into any database kind kamp runs on — a SQLite backup
  into PostgreSQL and back — and into a newer kamp, which migrates it forward;
- the database's own copy for an operator's manual recovery: ``database/kamp.sqlite3`` (SQLite's
  online backup API) or ``database/kamp.pgdump`` (``pg_dump -Fc``, when the client is installed);
- ``media/…``: every file under MEDIA_ROOT;
- ``manifest.json`` (last): kamp's version, the applied migrations per app, the database kind,
  the tables with their row counts, and the sha256 of every other member.

Both copies of the database are one consistent snapshot taken while kamp runs: SQLite's backup
API copies the file in one step and the portable form is read from that copy; on PostgreSQL the
portable form is read in a REPEATABLE READ transaction whose snapshot ``pg_dump`` shares
(``--snapshot``). A running import is in the snapshot whole or not at all.

A restore reads and checks the whole archive before it writes anything (every checksum, the
manifest, that every migration it names is known here), refuses a database holding data unless
forced, brings the database to the archive's migration state, replaces every table's rows in
one transaction, resets the id sequences, migrates forward when the archive is older, and then
replaces the uploaded files.

Speed (100,000 customers, two million rows): a backup hands each finished file to a thread that
compresses it (gzip level 1) and takes its sha256 while the next table is read; rows are written
by one reused JSON encoder. A restore converts only the columns that need it (decimals, dates and
times parsed once; numbers and text taken as read) and loads each table with ``COPY`` on
PostgreSQL, ``executemany`` in batches of 10,000 on SQLite, all in one transaction.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import io
import json
import os
import queue
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import threading
import time
import uuid
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path, PurePosixPath
from typing import IO, Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connections, models, transaction
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone
from django.utils.duration import duration_iso_string

FORMAT = 1
MANIFEST = "manifest.json"
PORTABLE = "database/portable/"
MEDIA = "media/"
BATCH = 2000
# gzip's fastest level: the archive's JSON lines compress nearly as well at 1 as at 6 (about a
# tenth larger) in a third of the time, which at 100,000 customers is most of a backup's time.
COMPRESSLEVEL = 1
# Rows handed to the database at once by a restore.
LOAD_BATCH = 10000
# Tables a freshly migrated database already fills (Django's content types and permissions), and
# rows nobody entered (sessions, a running worker's heartbeat): a database holding only these is
# empty for a restore.
NOT_DATA = {
    "contenttypes.contenttype",
    "auth.permission",
    "sessions.session",
    "core.workerheartbeat",
}


class BackupError(Exception):
    """The backup or the restore cannot be done; the message says why and what to do."""


@dataclass
class BackupResult:
    path: Path
    size: int
    database: str
    tables: int
    rows: int
    files: int
    seconds: float
    native: str | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "file": str(self.path),
            "bytes": self.size,
            "database": self.database,
            "tables": self.tables,
            "rows": self.rows,
            "files": self.files,
            "native_copy": self.native,
            "seconds": round(self.seconds, 2),
        }


@dataclass
class RestoreResult:
    path: Path
    database: str
    source_database: str
    created_at: str
    kamp_version: str
    tables: dict[str, int] = field(default_factory=dict)
    files: int = 0
    migrated_forward: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "file": str(self.path),
            "database": self.database,
            "source_database": self.source_database,
            "created_at": self.created_at,
            "kamp_version": self.kamp_version,
            "tables": len(self.tables),
            "rows": sum(self.tables.values()),
            "rows_per_table": self.tables,
            "files": self.files,
            "migrated_forward": self.migrated_forward,
            "seconds": round(self.seconds, 2),
        }


def kamp_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("kamp")
    except PackageNotFoundError:  # pragma: no cover - running from a bare checkout
        return "0"


# --- migration states ---------------------------------------------------------------------------


def applied_migrations(alias: str) -> dict[str, list[str]]:
    """The migrations the database has applied, per app (sorted)."""
    recorder = MigrationRecorder(connections[alias])
    if not recorder.has_table():
        return {}
    state: dict[str, list[str]] = {}
    for app, name in recorder.applied_migrations():
        state.setdefault(app, []).append(name)
    return {app: sorted(names) for app, names in sorted(state.items())}


def _nodes(state: dict[str, list[str]]) -> set[tuple[str, str]]:
    return {(app, name) for app, names in state.items() for name in names}


def _leaves(loader: MigrationLoader, nodes: set[tuple[str, str]]) -> list[tuple[str, str]]:
    """The last applied migration of each app: the nodes none of whose children are applied."""
    leaves = []
    for node in nodes:
        if node not in loader.graph.node_map:
            continue
        children = loader.graph.node_map[node].children
        if not any(child.key in nodes for child in children):
            leaves.append(node)
    return sorted(leaves)


def _state_apps(alias: str, nodes: set[tuple[str, str]]):
    """The historical models of this migration state (what the tables look like in it)."""
    loader = MigrationLoader(connections[alias], ignore_no_migrations=True)
    return loader.project_state(_leaves(loader, nodes), at_end=True).apps


def _tables_of(state_apps) -> list[type[models.Model]]:
    """Every table's model of a migration state, parents before the tables pointing at them."""
    found = [
        m
        for m in state_apps.get_models(include_auto_created=True)
        if m._meta.managed and not m._meta.proxy
    ]
    found.sort(key=lambda m: m._meta.label_lower)
    by_label = {m._meta.label_lower: m for m in found}
    ordered: list[type[models.Model]] = []
    seen: set[str] = set()

    def visit(model: type[models.Model], path: set[str]) -> None:
        label = model._meta.label_lower
        if label in seen or label in path:  # a cycle: the constraints are deferred anyway
            return
        path = path | {label}
        for f in model._meta.local_concrete_fields:
            target = getattr(f, "related_model", None)
            if f.is_relation and target is not None and not isinstance(target, str):
                other = by_label.get(target._meta.label_lower)
                if other is not None:
                    visit(other, path)
        seen.add(label)
        ordered.append(model)

    for m in found:
        visit(m, set())
    return ordered


# --- values ---------------------------------------------------------------------------------------


def _encode(value: Any) -> Any:
    if value is None or isinstance(value, (str, bool, int, float)):
        return value
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.timedelta):
        return duration_iso_string(value)
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, (bytes, bytearray, memoryview)):
        return base64.b64encode(bytes(value)).decode("ascii")
    raise BackupError(f"Cannot write a value of type {type(value).__name__} to the backup.")


def _is_json(f: models.Field) -> bool:
    return isinstance(f, models.JSONField)


def _decoder(f: models.Field):
    if _is_json(f):
        return lambda v: v
    to_python = f.to_python
    return lambda v: None if v is None else to_python(v)


# --- writing ----------------------------------------------------------------------------------------


class _Hashing(io.RawIOBase):
    """A file read through while its sha256 is computed (for members added from disk)."""

    def __init__(self, f: IO[bytes]):
        self.f = f
        self.sha = hashlib.sha256()

    def readable(self) -> bool:
        return True

    def read(self, n: int = -1) -> bytes:
        data = self.f.read(n)
        self.sha.update(data)
        return data


class _MemberWriter:
    """Adds the database's files to the archive in a thread of its own as each is complete, so
    the compression (zlib and sha256 leave Python's lock while they work) runs on a second core
    while the next table is read; each file's sha256 is taken as it is compressed, and the file
    is deleted once in the archive."""

    def __init__(self, tar: tarfile.TarFile, folder: Path) -> None:
        self.tar = tar
        self.folder = folder
        self.checksums: dict[str, str] = {}
        self.error: BaseException | None = None
        # A few files ahead at most: the reader waits rather than fill the disk.
        self.queue: queue.Queue[str | None] = queue.Queue(maxsize=4)
        self.thread = threading.Thread(target=self._run, name="kamp-backup-archive", daemon=True)
        self.thread.start()

    def add(self, member: str) -> None:
        if self.error is not None:
            raise BackupError(f"Writing the archive failed: {self.error}") from self.error
        self.queue.put(member)

    def _run(self) -> None:
        while (member := self.queue.get()) is not None:
            if self.error is not None:
                continue  # drain: the caller learns of the error at its next add or close
            try:
                local = self.folder / member
                with open(local, "rb") as f:
                    info = self.tar.gettarinfo(arcname=member, fileobj=f)
                    reader = _Hashing(f)
                    self.tar.addfile(info, reader)  # type: ignore[arg-type]
                self.checksums[member] = reader.sha.hexdigest()
                local.unlink()
            except BaseException as error:  # noqa: BLE001 - handed to the caller
                self.error = error

    def close(self, quiet: bool = False) -> dict[str, str]:
        """Wait for every file handed over; their checksums."""
        self.queue.put(None)
        self.thread.join()
        if self.error is not None and not quiet:
            raise BackupError(f"Writing the archive failed: {self.error}") from self.error
        return self.checksums


def _encode_other(value: Any) -> Any:
    """The JSON encoder's fallback: a value JSON has no type for, written as text."""
    return _encode(value)


# One encoder for every row (``json.dumps`` with options builds one per call); values JSON has
# no type for (dates, decimals, uuids, bytes) go through ``_encode`` only when met, so a row of
# numbers and text is written by the C encoder alone.
_ROW_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), default=_encode_other)


def _dump_portable(
    alias: str,
    nodes: set[tuple[str, str]],
    folder: Path,
    ready: Callable[[str], None] | None = None,
) -> list[dict[str, Any]]:
    """Every table of the database ``alias`` as JSON lines into ``folder``; the tables written.
    ``ready(member)`` is called as each table's file is complete (the archive takes it then)."""
    written = []
    encode = _ROW_ENCODER.encode
    for i, model in enumerate(_tables_of(_state_apps(alias, nodes)), start=1):
        meta = model._meta
        names = [f.attname for f in meta.local_concrete_fields]
        name = f"{i:03d}-{meta.label_lower}.jsonl"
        rows = 0
        with open(folder / name, "w", encoding="utf-8") as out:
            header = {"model": meta.label_lower, "table": meta.db_table, "fields": names}
            out.write(json.dumps(header) + "\n")
            query = model._base_manager.using(alias).order_by(meta.pk.attname).values_list(*names)
            batch: list[str] = []
            for row in query.iterator(chunk_size=BATCH):
                batch.append(encode(row))
                if len(batch) >= BATCH:
                    out.write("\n".join(batch) + "\n")
                    rows += len(batch)
                    batch = []
            if batch:
                out.write("\n".join(batch) + "\n")
                rows += len(batch)
        member = PORTABLE + name
        written.append(
            {"member": member, "model": meta.label_lower, "table": meta.db_table, "rows": rows}
        )
        if ready is not None:
            ready(member)
    return written


@contextmanager
def _sqlite_snapshot_alias(path: Path) -> Iterator[str]:
    """A database alias reading the SQLite copy at ``path`` through Django."""
    alias = f"kamp_backup_{uuid.uuid4().hex[:8]}"
    base = dict(connections.settings["default"])
    base.update(NAME=str(path), TEST={}, CONN_MAX_AGE=0)
    base["OPTIONS"] = {
        k: v for k, v in base.get("OPTIONS", {}).items() if k not in {"init_command"}
    }
    connections.settings[alias] = base
    try:
        yield alias
    finally:
        connections[alias].close()
        del connections[alias]
        del connections.settings[alias]


def _pg_env(alias: str) -> dict[str, str]:
    conf = connections[alias].settings_dict
    env = dict(os.environ)
    for key, var in (
        ("HOST", "PGHOST"),
        ("PORT", "PGPORT"),
        ("USER", "PGUSER"),
        ("PASSWORD", "PGPASSWORD"),
        ("NAME", "PGDATABASE"),
    ):
        if conf.get(key):
            env[var] = str(conf[key])
    sslmode = (conf.get("OPTIONS") or {}).get("sslmode")
    if sslmode:
        env["PGSSLMODE"] = sslmode
    return env


def _snapshot_database(
    alias: str, folder: Path, ready: Callable[[str], None] | None = None
) -> tuple[dict[str, list[str]], list[dict], str | None]:
    """Write the database's copies into ``folder``: its migration state, the portable tables and
    the name of the native copy (or None). ``ready(member)`` is called as each file is complete."""
    ready = ready or (lambda member: None)
    connection = connections[alias]
    native_dir = folder / "database"
    portable_dir = native_dir / "portable"
    portable_dir.mkdir(parents=True)
    if connection.vendor == "sqlite":
        copy = native_dir / "kamp.sqlite3"
        connection.ensure_connection()
        target = sqlite3.connect(copy)
        try:
            # One step (pages=-1) under a read lock: a consistent copy while kamp writes (WAL).
            connection.connection.backup(target)
        finally:
            target.close()
        ready("database/kamp.sqlite3")
        with _sqlite_snapshot_alias(copy) as snap:
            state = applied_migrations(snap)
            tables = _dump_portable(snap, _nodes(state), portable_dir, ready)
        return state, tables, "database/kamp.sqlite3"
    if connection.vendor == "postgresql":
        native: str | None = None
        if connection.in_atomic_block:
            raise BackupError("A backup cannot run inside a transaction.")
        with transaction.atomic(using=alias):
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                cursor.execute("SELECT pg_export_snapshot()")
                snapshot = cursor.fetchone()[0]
            if shutil.which("pg_dump"):
                dump = native_dir / "kamp.pgdump"
                done = subprocess.run(
                    ["pg_dump", "-Fc", "--no-owner", f"--snapshot={snapshot}", "-f", str(dump)],
                    env=_pg_env(alias),
                    capture_output=True,
                    text=True,
                )
                if done.returncode != 0:
                    raise BackupError(f"pg_dump failed: {done.stderr.strip()}")
                native = "database/kamp.pgdump"
                ready(native)
            state = applied_migrations(alias)
            tables = _dump_portable(alias, _nodes(state), portable_dir, ready)
        return state, tables, native
    raise BackupError(f"Backups of a {connection.vendor} database are not supported.")


# Under MEDIA_ROOT, what only lives while a process runs: a running import's progress, liveness
# and lock files (kamp.core.imports.files). Restored, they would describe no running import.
TRANSIENT = ("imports/progress/",)


def _media_files(root: Path) -> list[tuple[Path, str]]:
    if not root.is_dir():
        return []
    found = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for name in sorted(filenames):
            path = Path(dirpath) / name
            rel = path.relative_to(root).as_posix()
            if rel.startswith(TRANSIENT) or path.is_symlink() or not path.is_file():
                continue
            found.append((path, rel))
    return found


def default_backup_path(folder: Path | None = None) -> Path:
    folder = folder or settings.KAMP_HOME / "backups"
    stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
    return folder / f"kamp-backup-{stamp}.tar.gz"


def create_backup(path: Path | None = None, *, alias: str = "default") -> BackupResult:
    """Write a backup archive of the database ``alias`` and MEDIA_ROOT to ``path``."""
    started = time.monotonic()
    if path is None:
        path = default_backup_path()
    elif path.is_dir():
        path = default_backup_path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    connection = connections[alias]
    with tempfile.TemporaryDirectory(prefix="kamp-backup-", dir=path.parent) as tmp:
        folder = Path(tmp)
        with tarfile.open(partial, "w:gz", compresslevel=COMPRESSLEVEL) as tar:
            writer = _MemberWriter(tar, folder)
            try:
                state, tables, native = _snapshot_database(alias, folder, writer.add)
            except BaseException:
                writer.close(quiet=True)  # the snapshot's error is the one to report
                raise
            checksums = writer.close()
            media = _media_files(Path(settings.MEDIA_ROOT))
            files = 0
            for local, rel in media:
                name = MEDIA + rel
                try:
                    f = open(local, "rb")  # noqa: SIM115
                except FileNotFoundError:
                    continue  # deleted since the folder was listed (a finished import's upload)
                with f:
                    info = tar.gettarinfo(arcname=name, fileobj=f)
                    reader = _Hashing(f)
                    tar.addfile(info, reader)  # type: ignore[arg-type]
                checksums[name] = reader.sha.hexdigest()
                files += 1
            manifest = {
                "format": FORMAT,
                "kamp_version": kamp_version(),
                "created_at": timezone.now().isoformat(),
                "database": connection.vendor,
                "native_copy": native,
                "migrations": state,
                "tables": [{k: t[k] for k in ("member", "model", "table", "rows")} for t in tables],
                "files": files,
                "sha256": checksums,
            }
            data = json.dumps(manifest, indent=1, sort_keys=True).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size = len(data)
            info.mtime = int(time.time())
            tar.addfile(info, io.BytesIO(data))
    os.replace(partial, path)
    return BackupResult(
        path=path,
        size=path.stat().st_size,
        database=connection.vendor,
        tables=len(tables),
        rows=sum(t["rows"] for t in tables),
        files=files,
        seconds=time.monotonic() - started,
        native=native,
    )


def prune_backups(folder: Path, keep: int) -> list[Path]:
    """Delete the oldest ``kamp-backup-*.tar.gz`` archives of ``folder`` beyond the newest
    ``keep``; the deleted ones."""
    archives = sorted(folder.glob("kamp-backup-*.tar.gz"))
    doomed = archives[: max(0, len(archives) - keep)]
    for old in doomed:
        old.unlink()
    return doomed


# --- reading and checking -------------------------------------------------------------------------


def _safe_name(name: str) -> bool:
    p = PurePosixPath(name)
    return not p.is_absolute() and ".." not in p.parts and name == p.as_posix() and name != ""


def _unpack(archive: Path, staging: Path) -> dict[str, Any]:
    """Unpack ``archive`` into ``staging`` and check it whole; its manifest. Raises BackupError
    on anything amiss (``staging`` is then the caller's to remove)."""
    if not archive.is_file():
        raise BackupError(f"No such backup file: {archive}")
    found: dict[str, str] = {}
    manifest_bytes: bytes | None = None
    try:
        with tarfile.open(archive, "r:*") as tar:
            for info in tar:
                if info.isdir():
                    continue
                if not info.isfile() or not _safe_name(info.name):
                    raise BackupError(f"The archive holds an unexpected entry: {info.name!r}.")
                source = tar.extractfile(info)
                assert source is not None
                if info.name == MANIFEST:
                    manifest_bytes = source.read()
                    continue
                if not (
                    info.name.startswith(PORTABLE)
                    or info.name.startswith(MEDIA)
                    or info.name.startswith("database/")
                ):
                    raise BackupError(f"The archive holds an unexpected entry: {info.name!r}.")
                target = staging / info.name
                target.parent.mkdir(parents=True, exist_ok=True)
                sha = hashlib.sha256()
                with open(target, "wb") as out:
                    while chunk := source.read(1 << 20):
                        sha.update(chunk)
                        out.write(chunk)
                found[info.name] = sha.hexdigest()
    except (tarfile.TarError, EOFError, zlib.error, OSError) as error:
        raise BackupError(
            f"The archive {archive} is damaged or truncated ({error}); nothing was restored."
        ) from None
    if manifest_bytes is None:
        raise BackupError(
            f"The archive {archive} has no manifest (truncated, or not a kamp backup); "
            "nothing was restored."
        )
    try:
        manifest = json.loads(manifest_bytes)
        expected: dict[str, str] = manifest["sha256"]
        manifest["migrations"], manifest["tables"], manifest["database"]  # noqa: B018
    except (ValueError, KeyError, TypeError):
        raise BackupError("The archive's manifest is unreadable; nothing was restored.") from None
    if manifest.get("format", 0) > FORMAT:
        raise BackupError(
            f"The archive was written by a newer kamp ({manifest.get('kamp_version')}) in a "
            "format this one cannot read: upgrade kamp first; nothing was restored."
        )
    missing = sorted(set(expected) - set(found))
    extra = sorted(set(found) - set(expected))
    changed = sorted(n for n in set(expected) & set(found) if expected[n] != found[n])
    if missing or extra or changed:
        details = []
        if changed:
            details.append(f"checksum mismatch: {', '.join(changed[:5])}")
        if missing:
            details.append(f"missing: {', '.join(missing[:5])}")
        if extra:
            details.append(f"not in the manifest: {', '.join(extra[:5])}")
        raise BackupError(
            "The archive does not match its manifest (" + "; ".join(details) + "): it was "
            "damaged or changed; nothing was restored."
        )
    listed = {t["member"] for t in manifest["tables"]}
    if listed - set(expected):
        raise BackupError("The archive's manifest names tables it does not hold.")
    return manifest


def check_archive(archive: Path) -> dict[str, Any]:
    """Read and check the whole archive (checksums, manifest); its manifest."""
    with tempfile.TemporaryDirectory(prefix="kamp-check-") as tmp:
        return _unpack(archive, Path(tmp))


def _check_migrations(alias: str, manifest: dict[str, Any]) -> MigrationLoader:
    loader = MigrationLoader(connections[alias], ignore_no_migrations=True)
    known = set(loader.disk_migrations)
    unknown = sorted(n for n in _nodes(manifest["migrations"]) if n not in known)
    if unknown:
        named = ", ".join(f"{a}.{n}" for a, n in unknown[:5])
        raise BackupError(
            f"The archive comes from a newer kamp ({manifest.get('kamp_version')}, this is "
            f"{kamp_version()}): its database has migrations this kamp does not know ({named}). "
            "Upgrade kamp, then restore; nothing was restored."
        )
    return loader


def database_holds_data(alias: str = "default") -> list[str]:
    """The tables of the database that hold rows someone entered (``app.model (rows)``)."""
    from django.apps import apps

    connection = connections[alias]
    existing = set(connection.introspection.table_names())
    found = []
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if not meta.managed or meta.proxy or meta.label_lower in NOT_DATA:
            continue
        if meta.db_table not in existing:
            continue
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(meta.db_table)}")
            count = cursor.fetchone()[0]
        if count:
            found.append(f"{meta.label_lower} ({count})")
    return found


# --- restoring ------------------------------------------------------------------------------------


def _drop_everything(alias: str) -> None:
    """Drop every table of the database (before migrating it to the archive's state)."""
    connection = connections[alias]
    tables = connection.introspection.table_names()
    if not tables:
        return
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA foreign_keys = OFF")
            for table in tables:
                cursor.execute(f"DROP TABLE IF EXISTS {quote(table)}")
            cursor.execute("PRAGMA foreign_keys = ON")
        else:
            with transaction.atomic(using=alias):
                for table in tables:
                    cursor.execute(f"DROP TABLE IF EXISTS {quote(table)} CASCADE")


def _migrate_to(alias: str, nodes: set[tuple[str, str]]) -> None:
    connection = connections[alias]
    executor = MigrationExecutor(connection)
    targets: list[tuple[str, str | None]] = list(_leaves(executor.loader, nodes))
    apps_in_state = {app for app, _name in nodes}
    targets += [(app, None) for app in sorted(executor.loader.migrated_apps - apps_in_state)]
    executor.migrate(targets, executor.migration_plan(targets))  # type: ignore[arg-type]


def _load_portable(alias: str, manifest: dict[str, Any], staging: Path) -> dict[str, int]:
    """Replace every table's rows with the archive's, in one transaction; rows per table."""
    connection = connections[alias]
    state_apps = _state_apps(alias, _nodes(manifest["migrations"]))
    models_by_label = {
        m._meta.label_lower: m
        for m in state_apps.get_models(include_auto_created=True)
        if m._meta.managed and not m._meta.proxy
    }
    counts: dict[str, int] = {}
    with transaction.atomic(using=alias):
        tables = [m._meta.db_table for m in models_by_label.values()]
        existing = set(connection.introspection.table_names())
        flush = connection.ops.sql_flush(
            no_style(), [t for t in tables if t in existing], allow_cascade=True
        )
        with connection.cursor() as cursor:
            for sql in flush:
                cursor.execute(sql)
        loaded = []
        for entry in manifest["tables"]:
            model = models_by_label.get(entry["model"])
            if model is None:
                raise BackupError(f"The archive's table {entry['model']} is unknown here.")
            counts[entry["model"]] = _load_table(alias, model, staging / entry["member"])
            if counts[entry["model"]] != entry["rows"]:
                raise BackupError(f"The archive's table {entry['model']} is incomplete.")
            loaded.append(model)
        with connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_sql(no_style(), loaded):
                cursor.execute(sql)
    return counts


# Fields whose archive value (a JSON number, string or boolean) is already what the database
# takes: their rows skip Django's per-value conversion, most of a restore's time otherwise. Exact
# classes only: a subclass may convert (kamp's own fields, an encrypted field).
_AS_IS = (
    models.AutoField,
    models.BigAutoField,
    models.SmallAutoField,
    models.IntegerField,
    models.BigIntegerField,
    models.SmallIntegerField,
    models.PositiveIntegerField,
    models.PositiveBigIntegerField,
    models.PositiveSmallIntegerField,
    models.CharField,
    models.TextField,
    models.SlugField,
    models.EmailField,
    models.URLField,
    models.BooleanField,
)


def _as_is(f: models.Field) -> bool:
    if type(f) in (models.ForeignKey, models.OneToOneField):
        return _as_is(f.target_field)  # type: ignore[attr-defined]
    return type(f) in _AS_IS


def _load_table(alias: str, model: type[models.Model], path: Path) -> int:
    meta = model._meta
    by_attname = {f.attname: f for f in meta.local_concrete_fields}
    connection = connections[alias]
    with open(path, encoding="utf-8") as f:
        header = json.loads(f.readline())
        names: list[str] = header["fields"]
        unknown = [n for n in names if n not in by_attname]
        if unknown:
            raise BackupError(
                f"The archive's table {meta.label_lower} has unknown columns {unknown}."
            )
        fields = [by_attname[n] for n in names]
        # Only the columns that need it are converted; the others are taken as read.
        convert = [(i, _preparer(fl, connection)) for i, fl in enumerate(fields) if not _as_is(fl)]
        width = len(fields)
        quote = connection.ops.quote_name
        table = quote(meta.db_table)
        columns = ", ".join(quote(str(fl.column)) for fl in fields)
        decode = json.JSONDecoder().decode
        rows = 0

        def batches() -> Iterator[list[list[Any]]]:
            batch: list[list[Any]] = []
            for line in f:
                values = decode(line)
                if len(values) != width:
                    raise BackupError(f"The archive's table {meta.label_lower} is damaged.")
                for i, prepare in convert:
                    values[i] = prepare(values[i])
                batch.append(values)
                if len(batch) >= LOAD_BATCH:
                    yield batch
                    batch = []
            if batch:
                yield batch

        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                # COPY: PostgreSQL's bulk load, several times faster than INSERTs.
                with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                    for batch in batches():
                        for values in batch:
                            copy.write_row(values)
                        rows += len(batch)
            else:
                sql = f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * width)})"
                for batch in batches():
                    cursor.executemany(sql, batch)
                    rows += len(batch)
    return rows


def _preparer(f: models.Field, connection):
    """The archive's value of ``f`` (JSON) → the value to insert into this database."""
    decode = _decoder(f)
    prep = f.get_db_prep_save

    def prepare(value: Any) -> Any:
        if value is None and f.null:
            return None
        return prep(decode(value), connection)

    ops = connection.ops
    kind = type(f)
    # Decimals, dates and times, the bulk of the sales lines, parsed once instead of the three
    # times Django's conversions parse them; anything unusual takes the general way.
    if kind is models.DecimalField:
        adapt_decimal = ops.adapt_decimalfield_value
        digits, places = f.max_digits, f.decimal_places  # type: ignore[attr-defined]

        def prepare_decimal(value: Any) -> Any:
            if not isinstance(value, str):
                return prepare(value)
            number = Decimal(value)
            return adapt_decimal(number, digits, places) if number.is_finite() else prepare(value)

        return prepare_decimal
    if kind is models.DateField:
        adapt_date = ops.adapt_datefield_value

        def prepare_date(value: Any) -> Any:
            if not isinstance(value, str):
                return prepare(value)
            try:
                return adapt_date(dt.date.fromisoformat(value))
            except ValueError:
                return prepare(value)

        return prepare_date
    if kind is models.DateTimeField:
        adapt_datetime = ops.adapt_datetimefield_value
        use_tz = settings.USE_TZ

        def prepare_datetime(value: Any) -> Any:
            if not isinstance(value, str):
                return prepare(value)
            try:
                moment = dt.datetime.fromisoformat(value)
            except ValueError:
                return prepare(value)
            if use_tz and moment.tzinfo is None:
                return prepare(value)  # Django's reading of a naive time (the current zone)
            return adapt_datetime(moment)

        return prepare_datetime
    return prepare


def _replace_media(staging: Path) -> int:
    source = staging / "media"
    root = Path(settings.MEDIA_ROOT)
    count = sum(1 for p in source.rglob("*") if p.is_file()) if source.is_dir() else 0
    root.parent.mkdir(parents=True, exist_ok=True)
    old = root.with_name(f"{root.name}.replaced-{uuid.uuid4().hex[:8]}")
    if root.exists():
        os.replace(root, old)
    if source.is_dir():
        shutil.move(str(source), str(root))
    else:
        root.mkdir()
    shutil.rmtree(old, ignore_errors=True)
    return count


def restore_backup(archive: Path, *, force: bool = False, alias: str = "default") -> RestoreResult:
    """Restore the archive into the database ``alias`` and MEDIA_ROOT (see the module)."""
    started = time.monotonic()
    connection = connections[alias]
    home = Path(settings.KAMP_HOME)
    home.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".kamp-restore-", dir=home) as tmp:
        staging = Path(tmp)
        manifest = _unpack(archive, staging)
        _check_migrations(alias, manifest)
        held = database_holds_data(alias)
        if held and not force:
            raise BackupError(
                "The database already holds data ("
                + ", ".join(held[:5])
                + (", …" if len(held) > 5 else "")
                + "): a restore replaces all of it. Give --force to do so; nothing was restored."
            )
        wanted = _nodes(manifest["migrations"])
        current = _nodes(applied_migrations(alias))
        if current != wanted:
            # Another migration state (an empty database, or data of another version): rebuild the
            # tables as they were in the archive's state, load, then migrate forward.
            _drop_everything(alias)
            _migrate_to(alias, wanted)
        tables = _load_portable(alias, manifest, staging)
        # An older archive: the migrations it lacks run now, on its data (data migrations too).
        after = MigrationLoader(connection, ignore_no_migrations=True)
        forward = sorted(
            f"{a}.{n}" for a, n in after.graph.nodes if (a, n) not in after.applied_migrations
        )
        if forward:
            call_command("migrate", interactive=False, verbosity=0, database=alias)
        files = _replace_media(staging)
    return RestoreResult(
        path=archive,
        database=connection.vendor,
        source_database=manifest["database"],
        created_at=manifest.get("created_at", ""),
        kamp_version=manifest.get("kamp_version", ""),
        tables=tables,
        files=files,
        migrated_forward=forward,
        seconds=time.monotonic() - started,
    )
