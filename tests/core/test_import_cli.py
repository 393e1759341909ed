"""``kamp import``: the command in-process (reports, exit codes) and as a real process (exit
status, a kill half-way leaves the database as before)."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from kamp.core.models import ImportBatch
from kamp.customers.models import Customer
from kamp.economics.models import SalesLine

from .import_helpers import write_csv

KAMP = str(Path(sys.executable).with_name("kamp"))


def kamp(*args, expect_error=False):
    out, err = StringIO(), StringIO()
    try:
        call_command("import", *args, "--no-progress", stdout=out, stderr=err)
    except CommandError as exc:
        if not expect_error:
            raise
        return exc.returncode, out.getvalue() + str(exc)
    assert not expect_error, out.getvalue()
    return 0, out.getvalue()


@pytest.fixture
def customers_csv(tmp_path):
    return write_csv(
        tmp_path / "clientes.csv",
        [
            ["RUT", "Razón social", "Región"],
            ["76.123.456-0", "Constructora CS", "RM"],
            ["96.790.240-3", "Minera Norte", "II"],
        ],
        delimiter=";",
        encoding="cp1252",
    )


@pytest.mark.django_db
def test_import_list_revert(customers_csv, admin):
    code, out = kamp("customers", str(customers_csv), "--user", admin.email)
    assert code == 0
    assert "cp1252" in out and "RUT → tax_id" in out and "2 created" in out
    batch = ImportBatch.objects.get()
    assert batch.created_by == admin
    code, out = kamp("list")
    assert f"#{batch.pk}" in out and "clientes.csv" in out
    code, out = kamp("revert", str(batch.pk))
    assert "2 rows removed" in out and Customer.objects.count() == 0
    code, out = kamp("revert", str(batch.pk), expect_error=True)
    assert code == 1


@pytest.mark.django_db
def test_bad_rows_exit_non_zero_with_a_report(tmp_path):
    path = write_csv(
        tmp_path / "c.csv", [["RUT", "Nombre"], ["76.123.456-1", "Bad"], ["76.123.456-0", "Good"]]
    )
    code, out = kamp("customers", str(path), expect_error=True)
    assert code == 1 and "line 2, column “RUT”" in out and "check digit" in out
    assert Customer.objects.count() == 0
    code, out = kamp("customers", str(path), "--skip-invalid")
    assert code == 0 and "1 created" in out and "1 skipped" in out


@pytest.mark.django_db
def test_dry_run_map_and_decimal(tmp_path, account):
    # In CLF (four decimals): 1.234 is a possible amount either way.
    path = write_csv(
        tmp_path / "v.csv",
        [["Cliente", "Fecha", "Total", "Moneda"], ["76.123.456-0", "01-01-2026", "1.234", "CLF"]],
    )
    code, out = kamp("sales", str(path), "--dry-run", "--map", "Total=net_amount")
    assert code == 0 and "Dry run" in out and not SalesLine.objects.exists()
    assert not ImportBatch.objects.exists()  # a dry run leaves no history
    code, out = kamp("sales", str(path), "--map", "Total=net_amount", "--decimal", ".")
    assert code == 0 and str(SalesLine.objects.get().net_amount) == "1.2340"
    code, out = kamp("sales", str(path), "--map", "Total=net_amount", expect_error=True)
    assert code == 1 and "already imported" in out
    code, out = kamp("sales", str(path), "--map", "Total=net_amount", "--force")
    assert code == 0 and SalesLine.objects.count() == 2


@pytest.mark.django_db
def test_usage_errors_exit_2(tmp_path, customers_csv):
    assert kamp("widgets", str(customers_csv), expect_error=True)[0] == 2
    assert kamp("customers", str(tmp_path / "missing.csv"), expect_error=True)[0] == 2
    assert kamp("customers", expect_error=True)[0] == 2
    assert kamp("customers", str(customers_csv), "--map", "nonsense", expect_error=True)[0] == 2
    assert kamp("customers", str(customers_csv), "--user", "x@y.z", expect_error=True)[0] == 2
    assert kamp("revert", "abc", expect_error=True)[0] == 2


@pytest.mark.django_db
def test_fields_lists_the_accepted_headers():
    code, out = kamp("fields", "sales")
    assert "net_amount (required)" in out and "monto neto" in out


# --- a real process -----------------------------------------------------------------------------
@pytest.fixture(scope="module")
def kamp_home(tmp_path_factory):
    """A throw-away kamp installation (SQLite) for commands run as separate processes."""
    home = tmp_path_factory.mktemp("kamp-home")
    env = {**os.environ, "KAMP_HOME": str(home), "DJANGO_SETTINGS_MODULE": "kamp.settings"}
    env.pop("KAMP_TESTING", None)
    env.pop("KAMP_DATABASE_URL", None)
    subprocess.run([KAMP, "migrate", "-v0"], env=env, check=True, capture_output=True)
    customers = write_csv(home / "c.csv", [["RUT", "Nombre"], ["76.123.456-0", "CS"]])
    subprocess.run(
        [KAMP, "import", "customers", str(customers)], env=env, check=True, capture_output=True
    )
    return home, env


def test_exit_status_of_the_real_command(kamp_home, tmp_path):
    home, env = kamp_home
    bad = write_csv(tmp_path / "bad.csv", [["Cliente", "Fecha", "Monto"], ["CS", "nope", "1"]])
    r = subprocess.run([KAMP, "import", "sales", str(bad)], env=env, capture_output=True, text=True)
    assert r.returncode == 1 and "line 2" in r.stdout


def test_a_killed_import_leaves_the_database_as_before(kamp_home, tmp_path):
    home, env = kamp_home
    n = 150_000
    path = tmp_path / "big.csv"
    with open(path, "w", encoding="utf-8") as f:
        f.write("RUT;Fecha;Documento;Línea;Monto neto\n")
        for i in range(n):
            f.write(f"76.123.456-0;01-02-2026;D{i};1;1.234,{i % 100:02d}\n")
    db = home / "kamp.sqlite3"
    before = sqlite3.connect(db).execute("select count(*) from economics_salesline").fetchone()[0]
    proc = subprocess.Popen(
        [KAMP, "import", "sales", str(path), "--no-progress"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    progress_dir = home / "media" / "imports" / "progress"
    deadline = time.monotonic() + 120
    killed = False
    while time.monotonic() < deadline and proc.poll() is None:
        files = list(progress_dir.glob("*.txt")) if progress_dir.exists() else []
        # The side file appears once the write transaction has published progress.
        if files and any(int(p.read_text() or 0) > 0 for p in files if p.read_text().strip()):
            proc.send_signal(signal.SIGKILL)
            killed = True
            break
        time.sleep(0.05)
    proc.wait()
    assert killed, "the import finished before it could be killed"
    conn = sqlite3.connect(db)
    assert conn.execute("pragma integrity_check").fetchone()[0] == "ok"
    assert conn.execute("select count(*) from economics_salesline").fetchone()[0] == before
    status = conn.execute("select status from core_importbatch order by id desc").fetchone()[0]
    assert status == "running"  # killed outright: nothing could update the batch...
    # ...but the next look at the imports sees that its process is gone, and says so.
    listed = subprocess.run(
        [KAMP, "import", "list"], env=env, check=True, capture_output=True, text=True
    ).stdout
    assert "failed" in listed.splitlines()[0]
    status, message = conn.execute(
        "select status, message from core_importbatch order by id desc"
    ).fetchone()
    assert status == "failed" and "nothing was written" in message
    assert conn.execute("select count(*) from economics_salesline").fetchone()[0] == before
