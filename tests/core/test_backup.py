"""``kamp backup`` and ``kamp restore`` on real installations: the ``kamp`` command in processes of
its own against SQLite files under throw-away ``KAMP_HOME`` folders and PostgreSQL databases of
their own (``kamp_backup_*``). Every table and every stored file is compared after each trip
(``tests/core/backup_probe.py`` reads them through the ORM).

The PostgreSQL tests need a PostgreSQL server (Debian ``postgresql``): ``KAMP_TEST_DATABASE_URL``'s,
else 127.0.0.1:5432 as user postgres; they skip when there is none.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
import tarfile
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

from tests.core.processes import site_env

ROOT = Path(__file__).resolve().parents[2]
KAMP = str(Path(sys.executable).with_name("kamp"))
TIMEOUT = 600
DEFAULT_PG = "postgres://postgres@127.0.0.1:5432/postgres"


class Site:
    """One kamp installation: its data folder and database (a SQLite file when ``url`` is None)."""

    def __init__(self, home: Path, url: str | None = None) -> None:
        self.home = home
        self.url = url
        home.mkdir(parents=True, exist_ok=True)
        self.env = site_env(home, url)

    def start(self, *args: str) -> subprocess.Popen:
        return subprocess.Popen(
            [KAMP, *args],
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def kamp(self, *args: str) -> tuple[int, str, str]:
        process = self.start(*args)
        out, err = process.communicate(timeout=TIMEOUT)
        return process.returncode, out, err

    def ok(self, *args: str) -> str:
        code, out, err = self.kamp(*args)
        assert code == 0, err[-4000:]
        return out

    def probe_process(self, *args: str) -> subprocess.Popen:
        return subprocess.Popen(
            [sys.executable, "-m", "tests.core.backup_probe", *args],
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def probe(self, *args: str) -> dict:
        return _result(self.probe_process(*args))

    def media(self) -> dict[str, str]:
        root = self.home / "media"
        return {
            p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*"))
            if p.is_file()
        }


def _result(process: subprocess.Popen) -> dict:
    out, err = process.communicate(timeout=TIMEOUT)
    assert process.returncode == 0, err[-4000:]
    return json.loads(out.strip().splitlines()[-1])


# --- PostgreSQL -------------------------------------------------------------------------------------


def _pg_server() -> str | None:
    import psycopg

    url = os.environ.get("KAMP_TEST_DATABASE_URL") or DEFAULT_PG
    try:
        with _pg_admin(url):
            return url
    except psycopg.OperationalError:
        return None


def _pg_admin(url: str):
    import psycopg

    parts = urlsplit(url)
    return psycopg.connect(
        urlunsplit(parts._replace(path="/postgres")), autocommit=True, connect_timeout=5
    )


@pytest.fixture(scope="module")
def pg():
    """Makes empty PostgreSQL databases named kamp_backup_*; drops them at the end."""
    url = _pg_server()
    if url is None:
        pytest.skip("no PostgreSQL server on 127.0.0.1:5432 (or KAMP_TEST_DATABASE_URL)")
    made: list[str] = []

    def database() -> str:
        name = f"kamp_backup_{uuid.uuid4().hex[:10]}"
        with _pg_admin(url) as admin:
            admin.execute(f'CREATE DATABASE "{name}"')
        made.append(name)
        return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))

    yield database
    with _pg_admin(url) as admin:
        for name in made:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# --- installations ------------------------------------------------------------------------------------

FILES = {
    "imports/2025/ventas.csv": b"RUT;Fecha;Monto neto\n76.123.456-0;15-01-2025;1000\n",
    "imports/cartera ñandú.xlsx": bytes(range(256)) * 40,
    "attachments/informe.pdf": b"%PDF-1.4\n" + os.urandom(5000),
}


@pytest.fixture(scope="module")
def installations(tmp_path_factory):
    """The source (the demo's data and some uploaded files) and an empty migrated database,
    both SQLite, made once for the module; each test works on copies."""
    source = Site(tmp_path_factory.mktemp("source"))
    source.ok("demo", "--no-serve")
    for rel, data in FILES.items():
        path = source.home / "media" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    empty = Site(tmp_path_factory.mktemp("empty"))
    empty.ok("migrate", "-v0")
    archive = tmp_path_factory.mktemp("archives") / "source.tar.gz"
    source.ok("backup", str(archive))
    return source, empty, archive, source.probe("digest")


def _copy(site: Site, home: Path) -> Site:
    shutil.copytree(site.home, home)
    return Site(home)


def _fresh(installations, home: Path) -> Site:
    return _copy(installations[1], home)


def _members(archive: Path) -> dict[str, bytes]:
    with tarfile.open(archive) as tar:
        return {m.name: tar.extractfile(m).read() for m in tar if m.isfile()}  # type: ignore[union-attr]


def _write(archive: Path, members: dict[str, bytes]) -> None:
    with tarfile.open(archive, "w:gz") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))


# --- round trips ----------------------------------------------------------------------------------------


def test_round_trip_on_sqlite(installations, tmp_path):
    source, _empty, archive, expected = installations
    members = _members(archive)
    manifest = json.loads(members["manifest.json"])
    assert manifest["database"] == "sqlite"
    assert manifest["kamp_version"]
    assert "0001_initial" in manifest["migrations"]["core"]
    assert "database/kamp.sqlite3" in members
    assert {f"media/{rel}" for rel in FILES} <= set(members)
    # every member but the manifest has its checksum
    assert set(manifest["sha256"]) == set(members) - {"manifest.json"}
    for name, data in members.items():
        if name != "manifest.json":
            assert manifest["sha256"][name] == hashlib.sha256(data).hexdigest()

    target = _fresh(installations, tmp_path / "target")
    out = target.ok("restore", str(archive))
    rows = sum(t["rows"] for t in manifest["tables"])
    assert f"Restored {len(manifest['tables'])} tables ({rows} rows)" in out
    assert f"and {len(source.media())} file(s)" in out
    assert target.probe("digest") == expected
    assert target.media() == source.media()
    assert set(FILES) <= set(target.media())


def test_restore_reports_what_it_restored_as_json(installations, tmp_path):
    _source, _empty, archive, expected = installations
    target = _fresh(installations, tmp_path / "target")
    report = json.loads(target.ok("restore", str(archive), "--json"))
    assert report["source_database"] == report["database"] == "sqlite"
    assert report["rows_per_table"]["customers.customer"] == expected["customers.customer"][0]
    assert report["files"] == len(FILES)
    assert report["tables"] == len(report["rows_per_table"])


def test_round_trip_on_postgresql_and_back_to_sqlite(installations, pg, tmp_path):
    """SQLite → PostgreSQL (the portable form), PostgreSQL → PostgreSQL, PostgreSQL → SQLite:
    every table and every file the same at each step."""
    source, _empty, archive, expected = installations
    first = Site(tmp_path / "pg1", pg())
    first.ok("restore", str(archive))
    assert first.probe("digest") == expected
    assert first.media() == source.media()

    pg_archive = tmp_path / "pg.tar.gz"
    report = json.loads(first.ok("backup", str(pg_archive), "--json"))
    assert report["database"] == "postgresql"
    members = _members(pg_archive)
    assert json.loads(members["manifest.json"])["database"] == "postgresql"
    if shutil.which("pg_restore"):
        # the native copy (pg_dump -Fc) is a dump pg_restore reads
        assert report["native_copy"] == "database/kamp.pgdump"
        listing = subprocess.run(
            ["pg_restore", "--list"],
            input=members["database/kamp.pgdump"],
            capture_output=True,
            check=True,
        ).stdout.decode()
        assert "TABLE DATA public customers_customer" in listing

    second = Site(tmp_path / "pg2", pg())
    second.ok("restore", str(pg_archive))
    assert second.probe("digest") == expected
    assert second.media() == source.media()

    back = _fresh(installations, tmp_path / "back")
    back.ok("restore", str(pg_archive))
    assert back.probe("digest") == expected
    assert back.media() == source.media()


def _newest_create_only_migration() -> tuple[str, str, set[str]]:
    """A migration of kamp's that nothing depends on and that only creates tables: the archive
    of a kamp one release older is this archive without it (and its tables)."""
    from django.db.migrations.loader import MigrationLoader
    from django.db.migrations.operations import CreateModel

    loader = MigrationLoader(None, ignore_no_migrations=True)
    for app, name in sorted(loader.graph.leaf_nodes(), reverse=True):
        migration = loader.graph.nodes[(app, name)]
        ops = migration.operations
        if app in {"core", "customers"} or not ops:
            continue
        if (
            all(isinstance(op, CreateModel) for op in ops)
            and not loader.graph.node_map[(app, name)].children
            and loader.get_migration(app, name).__module__.startswith("kamp.")
        ):
            return app, name, {f"{app}.{op.name.lower()}" for op in ops}
    pytest.skip("no migration of kamp's that only creates tables and that nothing follows")


def test_an_older_archive_is_migrated_forward(installations, tmp_path):
    _source, _empty, archive, expected = installations
    app, name, created = _newest_create_only_migration()
    members = _members(archive)
    manifest = json.loads(members["manifest.json"])
    manifest["migrations"][app].remove(name)
    if not manifest["migrations"][app]:
        del manifest["migrations"][app]
    dropped = {
        t["member"]
        for t in manifest["tables"]
        if t["model"] in created or any(t["model"].startswith(f"{c}_") for c in created)
    }
    manifest["tables"] = [t for t in manifest["tables"] if t["member"] not in dropped]
    for member in dropped:
        del manifest["sha256"][member]
    older = tmp_path / "older.tar.gz"
    _write(
        older,
        {
            **{k: v for k, v in members.items() if k not in dropped},
            "manifest.json": json.dumps(manifest).encode(),
        },
    )

    target = _fresh(installations, tmp_path / "target")
    out = target.ok("restore", str(older))
    assert f"Migrated forward: 1 migration(s) ({app}.{name})" in out
    found = target.probe("digest")
    new = {k for k in found if k in created or any(k.startswith(f"{c}_") for c in created)}
    assert {k: v for k, v in found.items() if k not in new} == {
        k: v for k, v in expected.items() if k not in new
    }
    assert all(found[label][0] == 0 for label in created)  # made by the migration, empty


# --- refusals ---------------------------------------------------------------------------------------------


def _refused(site: Site, archive: Path, *args: str) -> str:
    before = (site.probe("digest"), site.media())
    code, _out, err = site.kamp("restore", str(archive), *args)
    assert code != 0
    assert "Traceback" not in err, err[-3000:]
    assert (site.probe("digest"), site.media()) == before  # nothing written
    return err


def test_damaged_or_newer_archives_are_refused_and_nothing_is_written(installations, tmp_path):
    source, _empty, archive, _expected = installations
    # the target holds other data and --force is given: only the checks stand in the way
    target = _copy(source, tmp_path / "target")
    target.ok("import", "customers", str(_customers_file(tmp_path)), "--no-progress")
    (target.home / "media" / "kept.txt").write_text("mine")
    members = _members(archive)

    truncated = tmp_path / "truncated.tar.gz"
    data = archive.read_bytes()
    truncated.write_bytes(data[: len(data) // 2])
    err = _refused(target, truncated, "--force")
    assert "damaged or truncated" in err and "nothing was restored" in err

    cut = tmp_path / "no-manifest.tar.gz"  # a tar cut between members: no manifest at the end
    _write(cut, {k: v for k, v in members.items() if k != "manifest.json"})
    assert "no manifest" in _refused(target, cut, "--force")

    tampered = tmp_path / "tampered.tar.gz"
    name = next(n for n in members if n.endswith("customers.customer.jsonl"))
    changed = bytearray(members[name])
    changed[-10] ^= 0x01
    _write(tampered, {**members, name: bytes(changed)})
    err = _refused(target, tampered, "--force")
    assert "checksum mismatch" in err and name in err

    newer = tmp_path / "newer.tar.gz"
    manifest = json.loads(members["manifest.json"])
    manifest["kamp_version"] = "99.0.0"
    manifest["migrations"]["core"].append("9999_from_the_future")
    _write(newer, {**members, "manifest.json": json.dumps(manifest).encode()})
    err = _refused(target, newer, "--force")
    assert "newer kamp" in err and "core.9999_from_the_future" in err


def _customers_file(tmp_path: Path) -> Path:
    path = tmp_path / "clientes.csv"
    path.write_text("RUT;Razón social\n96.790.240-3;Minera Norte de Prueba\n", encoding="utf-8")
    return path


def test_a_database_holding_data_is_replaced_only_with_force(installations, tmp_path):
    source, _empty, archive, expected = installations
    target = _copy(source, tmp_path / "target")
    target.ok("import", "customers", str(_customers_file(tmp_path)), "--no-progress")
    (target.home / "media" / "kept.txt").write_text("mine")
    err = _refused(target, archive)
    assert "already holds data" in err and "--force" in err and "customers.customer" in err

    target.ok("restore", str(archive), "--force")
    assert target.probe("digest") == expected
    assert target.media() == source.media()  # the files are the archive's, no more


# --- a backup while kamp writes ----------------------------------------------------------------------------


@pytest.fixture
def live(installations, request, tmp_path):
    """A copy of the source on the suite's database kind, for writers to work on."""
    _source, _empty, archive, _expected = installations
    if os.environ.get("KAMP_TEST_DATABASE_URL"):
        site = Site(tmp_path / "live", request.getfixturevalue("pg")())
        site.ok("restore", str(archive))
        return site
    return _copy(installations[0], tmp_path / "live")


def test_a_backup_taken_during_imports_and_edits_restores_a_consistent_state(
    installations, live, tmp_path
):
    """Sales imports (5,000 lines each, one transaction) and rounds of edits renaming every
    customer (one transaction each) run while two backups are taken: each backup restores
    to a state where every import is whole or absent and every customer shows the same round."""
    writer = live.probe_process("writer", "300")
    time.sleep(4)
    archives = []
    for i in range(2):
        path = tmp_path / f"during-{i}.tar.gz"
        live.ok("backup", str(path))
        archives.append(path)
    assert writer.poll() is None, "the writers stopped before the backups ended"
    (live.home / "stop-writer").touch()
    written = _result(writer)
    assert written["errors"] == []
    assert written["imports"] > 2 and written["edits"] > 2

    for i, path in enumerate(archives):
        target = _fresh(installations, tmp_path / f"restored-{i}")
        target.ok("restore", str(path))
        state = target.probe("consistency")
        assert state["broken"] == []
        assert state["done"] >= 1
        assert len(state["rounds"]) == 1 and state["rounds"] != [""], state["rounds"]


# --- retention ------------------------------------------------------------------------------------------


def test_backup_into_a_folder_keeps_the_newest(installations, tmp_path):
    source, *_rest = installations
    site = _copy(source, tmp_path / "site")
    folder = tmp_path / "backups"
    folder.mkdir()
    for day in ("20261201", "20261202", "20261203"):
        (folder / f"kamp-backup-{day}-020000.tar.gz").write_bytes(b"old")
    (folder / "notes.txt").write_text("not a backup")
    report = json.loads(site.ok("backup", str(folder), "--keep", "2", "--json"))
    new = Path(report["file"])
    assert new.parent == folder and new.name.startswith("kamp-backup-")
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        ["kamp-backup-20261203-020000.tar.gz", new.name, "notes.txt"]
    )
