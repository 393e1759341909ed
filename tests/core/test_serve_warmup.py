"""``kamp serve`` forks warm workers: gunicorn preloads kamp and ``kamp.core.warmup`` loads the
URLconf, every template and the translations in the master, before any worker exists; and no
database connection crosses the fork."""

from __future__ import annotations

import re
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

from django.db import connections
from django.template import engines

from kamp.core.warmup import warm_up
from tests.core.processes import site_env

ROOT = Path(__file__).resolve().parents[2]
KAMP = str(Path(sys.executable).with_name("kamp"))


def _kamp_templates() -> set[str]:
    found = set()
    for folder in (ROOT / "kamp").rglob("templates"):
        found |= {p.relative_to(folder).as_posix() for p in folder.rglob("*.html")}
    return found


def test_warm_up_compiles_every_template_and_keeps_no_connection():
    report = warm_up()
    assert report["routes"] > 10
    assert report["languages"] >= 2
    assert report["templates"] >= len(_kamp_templates())
    # Compiled into the cached loader, the one every view reads through.
    held: set[str] = set()
    todo = list(engines["django"].engine.template_loaders)  # type: ignore[attr-defined]
    while todo:  # django-template-partials wraps Django's cached loader
        loader = todo.pop()
        todo += getattr(loader, "loaders", [])
        held |= {key.split("-")[0] for key in getattr(loader, "get_template_cache", {})}
    assert _kamp_templates() <= held
    # An in-memory SQLite database (the test suite's own, opened by earlier tests of this
    # worker) lives in its connection, which Django never closes; `kamp serve` runs on a file.
    assert all(
        c.connection is None
        for c in connections.all()
        if not (c.vendor == "sqlite" and c.is_in_memory_db())
    )


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_served_workers_are_forked_from_a_warmed_master(tmp_path):
    env = site_env(tmp_path, None)
    subprocess.run([KAMP, "migrate", "-v0"], cwd=ROOT, env=env, check=True, timeout=600)
    port = _free_port()
    dry = subprocess.run(
        [KAMP, "serve", "--dry-run", "--workers", "2", "--bind", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert dry.returncode == 0, dry.stderr[-4000:]
    command = dry.stdout.strip().splitlines()[-1].split()
    assert "--preload" in command
    server = subprocess.Popen(
        command,
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    log: list[str] = []
    reader = threading.Thread(target=lambda: log.extend(server.stderr), daemon=True)  # type: ignore[arg-type]
    reader.start()
    try:
        deadline = time.monotonic() + 300
        while sum("Booting worker" in line for line in log) < 2:
            assert server.poll() is None, "".join(log)[-4000:]
            assert time.monotonic() < deadline, "".join(log)[-4000:]
            time.sleep(0.2)
        text = "".join(log)
        warmed = re.search(r"kamp warmed up before forking the workers: .*templates (\d+)", text)
        assert warmed, text[-4000:]
        assert int(warmed.group(1)) >= len(_kamp_templates())
        # The warm-up ran once, in the master, before the first worker was forked.
        assert text.index("kamp warmed up") < text.index("Booting worker")
        for _ in range(4):  # both workers answer
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/login/", timeout=60) as r:
                assert r.status == 200
                assert "csrfmiddlewaretoken" in r.read().decode()
    finally:
        import os
        import signal

        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=60)
