"""Simultaneous writers on the database the suite runs on — no 500, no "database is locked", no
duplicate, no lost write.

Each scenario runs in processes of its own (``tests/core/concurrency_scenarios.py``, the
``kamp`` command, ``kamp worker``) against a real database: a SQLite file under a throw-away
``KAMP_HOME`` when the suite runs on SQLite (its in-memory test database locks otherwise), a
fresh PostgreSQL database beside the test one when it runs on PostgreSQL
(``KAMP_TEST_DATABASE_URL``). The settings are kamp's own, not the test settings: what is
tested is what runs in production.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

ROOT = Path(__file__).resolve().parents[2]
KAMP = str(Path(sys.executable).with_name("kamp"))
TIMEOUT = 300


def _env(home: Path, database_url: str | None) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"KAMP_TESTING", "KAMP_TEST_DATABASE_URL", "DJANGO_SETTINGS_MODULE"}
    }
    env.update(
        {
            "KAMP_HOME": str(home),
            "DJANGO_SETTINGS_MODULE": "kamp.settings",
            "KAMP_ALLOWED_HOSTS": "testserver,127.0.0.1",
            "KAMP_LOG_LEVEL": "ERROR",
            "PYTHONWARNINGS": "ignore",
        }
    )
    env.pop("KAMP_DATABASE_URL", None)
    if database_url:
        env["KAMP_DATABASE_URL"] = database_url
    return env


class Site:
    """One kamp installation for a test: its data folder and database."""

    def __init__(self, home: Path, database_url: str | None) -> None:
        self.home = home
        self.env = _env(home, database_url)

    def kamp(self, *args: str) -> subprocess.Popen:
        return subprocess.Popen(
            [KAMP, *args],
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def scenario(self, *args: str) -> subprocess.Popen:
        return subprocess.Popen(
            [sys.executable, "-m", "tests.core.concurrency_scenarios", *args],
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def run(self, *args: str) -> dict:
        return _result(self.scenario(*args))


def _result(process: subprocess.Popen) -> dict:
    out, err = process.communicate(timeout=TIMEOUT)
    assert process.returncode == 0, err[-4000:]
    return json.loads(out.strip().splitlines()[-1])


def _finish(process: subprocess.Popen) -> tuple[int, str, str]:
    out, err = process.communicate(timeout=TIMEOUT)
    return process.returncode, out, err


def _pg_admin(url: str):
    import psycopg

    parts = urlsplit(url)
    return psycopg.connect(urlunsplit(parts._replace(path="/postgres")), autocommit=True)


def _with_database(url: str, name: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    """A migrated, empty kamp database, made once for the module: a SQLite file, or a
    PostgreSQL database each test copies (``CREATE DATABASE … TEMPLATE``)."""
    pg = os.environ.get("KAMP_TEST_DATABASE_URL", "")
    home = tmp_path_factory.mktemp("kamp-template")
    url = None
    if pg:
        # One template per xdist worker: two workers sharing a name would drop each other's.
        worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
        name = f"{urlsplit(pg).path.lstrip('/')}_{worker}_conc_tmpl"
        with _pg_admin(pg) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
            admin.execute(f'CREATE DATABASE "{name}"')
        url = _with_database(pg, name)
    code, _out, err = _finish(Site(home, url).kamp("migrate", "-v0"))
    assert code == 0, err[-4000:]
    yield home, pg, url
    if pg:
        with _pg_admin(pg) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def site(template, tmp_path):
    home, pg, template_url = template
    shutil.copy(home / "secret_key", tmp_path / "secret_key")
    if not pg:
        shutil.copy(home / "kamp.sqlite3", tmp_path / "kamp.sqlite3")
        yield Site(tmp_path, None)
        return
    source = urlsplit(template_url).path.lstrip("/")
    name = f"{source[:-5]}_{uuid.uuid4().hex[:8]}"
    with _pg_admin(pg) as admin:
        admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{source}"')
    try:
        yield Site(tmp_path, _with_database(pg, name))
    finally:
        with _pg_admin(pg) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_the_scenarios_run_on_the_suites_database(site):
    expected = "postgresql" if os.environ.get("KAMP_TEST_DATABASE_URL") else "sqlite"
    assert site.run("vendor") == {"vendor": expected}


def test_sqlite_transactions_take_the_write_lock_at_begin_in_wal_mode(site):
    """kamp's SQLite connection: WAL (readers never wait for a writer), a busy timeout of
    seconds (a writer waits its turn), and every transaction BEGIN IMMEDIATE — it holds the write
    lock before its first read, so it is never refused when it later writes ("database is
    locked" despite the timeout, as DEFERRED transactions are)."""
    if os.environ.get("KAMP_TEST_DATABASE_URL"):
        pytest.skip("SQLite's locking: the suite runs on PostgreSQL")
    found = site.run("sqlite_locking")
    assert found["journal_mode"] == "wal"
    assert found["busy_timeout_ms"] >= 5000
    assert found["second_writer"] == "database is locked"


def test_concurrent_saves_through_the_api_and_the_forms(site):
    """Eight people saving customers at once (half with API PATCHes, half with the edit form):
    every save answers, none is lost."""
    found = site.run("writers", "8", "10")
    assert found["errors"] == []
    assert found["statuses"] == {"200": 40, "302": 40}
    assert found["lost"] == []


def test_a_survey_answered_ten_times_at_once(site):
    """The same private link sent ten times at once (a double click, a flaky connection): one
    set of answers is stored, the other nine are told; no 500."""
    found = site.run("survey", "10")
    assert found["errors"] == []
    thanks = [r for r in found["results"] if r["thanks"]]
    assert len(thanks) == 1 and thanks[0]["status"] == 200
    others = [r for r in found["results"] if not r["thanks"]]
    assert all(r["told"] and r["status"] in (200, 400) for r in others), others
    assert found["answers"] == found["items"]
    assert found["responded"] is True


def test_the_import_button_pressed_twice_at_once_imports_once(site):
    found = site.run("double_run", "300")
    assert found["errors"] == []
    assert found["customers"] == 300
    assert found["batch"] == {"status": "done", "created": 300}
    results = found["results"]
    assert [r["status"] for r in results] == [200, 200]
    assert sorted((r["imported"], r["told"]) for r in results) == [(False, True), (True, False)]


def test_one_sales_file_imported_twice_at_once_is_written_once(site):
    """Two ``kamp import sales`` of the same file without document numbers at once: exactly one
    writes its lines; the other is told the file was already imported."""
    path = site.run("setup_sales", "2000")["file"]
    first = site.kamp("import", "sales", path, "--no-progress")
    second = site.kamp("import", "sales", path, "--no-progress")
    outcomes = sorted([_finish(first), _finish(second)], key=lambda r: r[0])
    (ok_code, ok_out, ok_err), (refused_code, _out, refused_err) = outcomes
    assert ok_code == 0, ok_err[-2000:]
    assert "Imported" in ok_out and "2000 created" in ok_out
    assert refused_code == 1, refused_err[-2000:]
    assert "already imported" in refused_err
    assert "database is locked" not in ok_err + refused_err
    state = site.run("sales_state")
    assert state["lines"] == 2000
    assert [b["status"] for b in state["batches"]].count("done") == 1


def test_one_contacts_file_imported_twice_at_once_creates_each_contact_once(site):
    """Two ``kamp import contacts`` of the same file at once: their writes take turns (SQLite's
    IMMEDIATE transaction, PostgreSQL's lock on the file) and the second finds the contacts the
    first created — it updates them; none is created twice."""
    path = site.run("setup_contacts_file", "2000")["file"]
    first = site.kamp("import", "contacts", path, "--no-progress")
    second = site.kamp("import", "contacts", path, "--no-progress")
    for code, _out, err in (_finish(first), _finish(second)):
        assert code == 0, err[-2000:]
    state = site.run("contacts_state")
    assert state["contacts"] == state["emails"] == 2000
    assert sorted(b["created_count"] for b in state["batches"]) == [0, 2000]
    assert [b["status"] for b in state["batches"]] == ["done", "done"]


def test_one_customers_file_imported_twice_at_once_creates_each_customer_once(site):
    """The same for customers, whose tax id is unique: the second import updates the customers
    the first created instead of failing on the constraint or creating them twice."""
    path = site.run("setup_customers_file", "2000")["file"]
    first = site.kamp("import", "customers", path, "--no-progress")
    second = site.kamp("import", "customers", path, "--no-progress")
    for code, _out, err in (_finish(first), _finish(second)):
        assert code == 0, err[-2000:]
    state = site.run("customers_state")
    assert state["customers"] == 2000
    assert sorted(b["created_count"] for b in state["batches"]) == [0, 2000]


def test_saves_while_the_worker_imports(site):
    """Contacts saved through the form while ``kamp worker`` writes an import of 10,000
    contacts in its own process: every save waits its turn and lands; the import completes."""
    setup = site.run("setup_worker_import", "10000")
    assert setup["background"] is True
    code, _out, err = _finish(site.kamp("worker", "--batch", "--no-startup-delay"))
    assert code == 0, err[-2000:]
    started = site.run("start_import", str(setup["batch"]))
    assert started["before"] == "validated", started
    worker = site.kamp("worker", "--batch", "--no-startup-delay")
    saves = site.scenario("contact_saves", "10", "wait")
    found = _result(saves)
    code, _out, err = _finish(worker)
    assert code == 0, err[-2000:]
    assert found["overlapped"] is True  # the saves began while the import was being written
    assert found["errors"] == []
    assert found["statuses"] == {"302": 40}
    assert found["lost"] == []
    batch = site.run("batch_state", str(setup["batch"]))
    assert batch["status"] == "done", batch
    assert batch["created"] == 10000
    assert batch["contacts"] == 10004  # the four saved and the file's
