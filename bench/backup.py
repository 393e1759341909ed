"""Benchmark: ``kamp backup`` and ``kamp restore`` at 100,000 customers (× --scale).

The data are ``bench/pages.py``'s (the demo, 100,000 × scale customers with contacts, key accounts
with plans and interactions, 1,000,000 × scale sales lines, one account with 50,000 interactions),
built on SQLite once (``--keep DIR`` reuses them). Then, each ``kamp`` command in a process of its
own, timed from the outside:

- ``kamp backup`` of the SQLite database (archive size, rows);
- ``kamp restore`` of that archive into a freshly migrated SQLite database, and into a freshly
  migrated PostgreSQL one (the portable form: SQLite → PostgreSQL);
- ``kamp backup`` of that PostgreSQL database (``pg_dump -Fc`` and the portable form).

The reference is SQLite's own online backup of the same file (``sqlite3.Connection.backup``),
what a backup costs at the least. Prints, last,
``RESULT name=backup kamp_s=<SQLite backup> reference_s=<sqlite3 backup> ratio=<x>``.

    python bench/backup.py [--scale 1] [--pg postgres://postgres@127.0.0.1:5432/kamp_bench_backup
                           | --no-pg] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
KAMP = str(Path(sys.executable).with_name("kamp"))


def _env(home: Path, url: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"KAMP_TESTING", "KAMP_DATABASE_URL"}}
    env.update(KAMP_HOME=str(home), DJANGO_SETTINGS_MODULE="kamp.settings", KAMP_LOG_LEVEL="ERROR")
    if url:
        env["KAMP_DATABASE_URL"] = url
    return env


def kamp(home: Path, url: str | None, *args: str) -> tuple[float, str]:
    t0 = time.perf_counter()
    done = subprocess.run(
        [KAMP, *args], env=_env(home, url), cwd=ROOT, capture_output=True, text=True
    )
    seconds = time.perf_counter() - t0
    if done.returncode != 0:
        sys.exit(f"kamp {' '.join(args)} failed:\n{done.stderr[-3000:]}")
    return seconds, done.stdout


def build_child(home: Path, scale: float) -> None:
    os.environ["KAMP_HOME"] = str(home)
    os.environ.pop("KAMP_DATABASE_URL", None)
    os.environ["DJANGO_SETTINGS_MODULE"] = "kamp.settings"
    import django

    django.setup()
    from django.core.management import call_command

    from bench.pages import build

    call_command("migrate", interactive=False, verbosity=0)
    build(scale, lambda s: print(s, flush=True))


def _fresh_pg(url: str) -> None:
    import psycopg

    base, name = url.rsplit("/", 1)
    with psycopg.connect(base + "/postgres", autocommit=True) as con:
        con.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        con.execute(f'CREATE DATABASE "{name}"')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432/kamp_bench_backup")
    parser.add_argument("--no-pg", action="store_true")
    parser.add_argument("--keep", help="a folder to build the data in and reuse them from")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        build_child(Path(args.child), args.scale)
        return

    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="kamp-bench-backup-"))
    source = work / "source"
    marker = source / f"built-{args.scale}"
    if not marker.exists():
        shutil.rmtree(source, ignore_errors=True)
        source.mkdir(parents=True)
        print(f"building {100_000 * args.scale:,.0f} customers (not timed)…", flush=True)
        t0 = time.perf_counter()
        subprocess.run(
            [sys.executable, __file__, "--child", str(source), "--scale", str(args.scale)],
            cwd=ROOT,
            check=True,
        )
        marker.touch()
        print(f"built in {time.perf_counter() - t0:.0f}s", flush=True)

    db = source / "kamp.sqlite3"
    reference_copy = work / "reference.sqlite3"
    reference_copy.unlink(missing_ok=True)
    t0 = time.perf_counter()
    src, dst = sqlite3.connect(db), sqlite3.connect(reference_copy)
    src.backup(dst)
    src.close()
    dst.close()
    reference_s = time.perf_counter() - t0
    reference_copy.unlink()

    archive = work / "sqlite.tar.gz"
    backup_s, out = kamp(source, None, "backup", str(archive), "--json")
    report = json.loads(out)
    print(
        f"BACKUP db=sqlite seconds={backup_s:.1f} bytes={report['bytes']} "
        f"({report['bytes'] / 2**20:.1f} MiB; database file {db.stat().st_size / 2**20:.1f} MiB) "
        f"tables={report['tables']} rows={report['rows']} files={report['files']}",
        flush=True,
    )

    target = work / "restore-sqlite"
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir()
    kamp(target, None, "migrate", "-v0")
    restore_s, _out = kamp(target, None, "restore", str(archive))
    print(f"RESTORE from=sqlite db=sqlite seconds={restore_s:.1f}", flush=True)

    if not args.no_pg:
        _fresh_pg(args.pg)
        pg_home = work / "restore-pg"
        shutil.rmtree(pg_home, ignore_errors=True)
        pg_home.mkdir()
        kamp(pg_home, args.pg, "migrate", "-v0")
        pg_restore_s, _out = kamp(pg_home, args.pg, "restore", str(archive))
        print(f"RESTORE from=sqlite db=postgresql seconds={pg_restore_s:.1f}", flush=True)
        pg_archive = work / "pg.tar.gz"
        pg_backup_s, out = kamp(pg_home, args.pg, "backup", str(pg_archive), "--json")
        pg_report = json.loads(out)
        print(
            f"BACKUP db=postgresql seconds={pg_backup_s:.1f} bytes={pg_report['bytes']} "
            f"({pg_report['bytes'] / 2**20:.1f} MiB, with pg_dump -Fc: "
            f"{pg_report['native_copy'] is not None}) rows={pg_report['rows']}",
            flush=True,
        )
    print(
        f"RESULT name=backup kamp_s={backup_s:.2f} reference_s={reference_s:.2f} "
        f"ratio={backup_s / reference_s:.1f}"
    )


if __name__ == "__main__":
    main()
