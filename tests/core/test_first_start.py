"""A first start says what it is doing, keeps every file under KAMP_HOME, and is documented
without placeholders."""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

import pytest
from django.core.management import call_command

from kamp.core.management.commands import serve

ROOT = Path(__file__).resolve().parents[2]


def _plain_static(settings, tmp_path):
    settings.STATIC_ROOT = tmp_path / "static"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.mark.django_db
def test_serve_says_what_it_prepares_before_serving(settings, tmp_path):
    _plain_static(settings, tmp_path)
    settings.KAMP_HOME = tmp_path
    out = io.StringIO()
    call_command("serve", "--dry-run", stdout=out, stderr=io.StringIO())
    lines = out.getvalue().splitlines()
    steps = [
        "Compiling the translations…",
        f"Collecting static files into {tmp_path / 'static'}…",
    ]
    assert lines[: len(steps)] == steps
    assert lines[len(steps)].startswith("kamp serving on http://")


@pytest.mark.django_db
def test_gunicorns_control_socket_lives_under_kamp_home(settings, tmp_path):
    _plain_static(settings, tmp_path)
    settings.KAMP_HOME = tmp_path
    out = io.StringIO()
    call_command("serve", "--dry-run", stdout=out, stderr=io.StringIO())
    command = out.getvalue().splitlines()[-1]
    assert f"--control-socket {tmp_path / 'run' / 'gunicorn.ctl'}" in command
    assert (tmp_path / "run").is_dir()


def test_a_kamp_home_too_long_for_a_socket_has_none(settings, tmp_path):
    settings.KAMP_HOME = tmp_path / ("x" * serve.MAX_SOCKET_PATH)
    assert serve.control_socket_args() == ["--no-control-socket"]


def test_gunicorn_knows_the_control_socket_options():
    """The installed gunicorn has the control socket (and so is given its place)."""
    assert {"--control-socket", "--no-control-socket"} <= serve._gunicorn_flags()


def test_a_gunicorn_without_a_control_socket_is_given_no_option(settings, tmp_path, monkeypatch):
    settings.KAMP_HOME = tmp_path
    monkeypatch.setattr(serve, "_gunicorn_flags", lambda: {"--bind", "--workers"})
    assert serve.control_socket_args() == []


@pytest.mark.django_db
def test_demo_says_what_it_prepares(monkeypatch):
    from kamp.core import demo

    monkeypatch.setattr(demo, "load", lambda log: None)
    monkeypatch.setattr(demo, "demo_exists", lambda: False)
    out = io.StringIO()
    call_command("demo", "--no-serve", stdout=out, stderr=io.StringIO())
    text = out.getvalue()
    assert "Compiling the translations…" in text
    assert "Loading the demo data (up to half a minute)…" in text


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_demo_takes_an_address():
    # --no-print-directory: under `make test` this make is a sub-make, which would otherwise
    # print "Leaving directory" after the command.
    out = subprocess.run(
        ["make", "--no-print-directory", "-n", "demo", "BIND=0.0.0.0:8080"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    ).stdout
    assert out.strip().splitlines()[-1].endswith("kamp demo --bind 0.0.0.0:8080")


def test_readme_has_no_placeholder_and_explains_the_language():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "<this repository>" not in readme
    assert "## Language" in readme
    assert "wins over the browser" in readme


def test_gunicorn_started_as_kamp_starts_it_writes_nothing_in_the_home_folder(settings, tmp_path):
    """The real thing: gunicorn with kamp's options, HOME and KAMP_HOME in a fresh folder each;
    its control socket appears under KAMP_HOME, and the home folder stays empty (without the
    option gunicorn creates ~/.gunicorn/)."""
    import os
    import sys
    import time

    home, kamp_home = tmp_path / "home", tmp_path / "kamp"
    home.mkdir()
    kamp_home.mkdir()
    settings.KAMP_HOME = kamp_home
    socket = kamp_home / "run" / "gunicorn.ctl"
    env = {
        **os.environ,
        "HOME": str(home),
        "KAMP_HOME": str(kamp_home),
        "DJANGO_SETTINGS_MODULE": "kamp.settings",
    }
    argv = [sys.executable, "-m", "gunicorn", "kamp.wsgi:application"]
    argv += ["--bind", "127.0.0.1:0", "--workers", "1", *serve.control_socket_args()]
    proc = subprocess.Popen(
        argv, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        deadline = time.monotonic() + 60
        while not socket.exists() and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.2)
        assert socket.exists(), "gunicorn opened its control socket under KAMP_HOME"
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    assert list(home.iterdir()) == []
