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
    """The options kamp passes exist in the gunicorn installed (they arrived in gunicorn 24)."""
    from gunicorn.config import KNOWN_SETTINGS

    flags = {flag for s in KNOWN_SETTINGS for flag in getattr(s, "cli", None) or []}
    assert {"--control-socket", "--no-control-socket"} <= flags


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
    out = subprocess.run(
        ["make", "-n", "demo", "BIND=0.0.0.0:8080"], cwd=ROOT, capture_output=True, text=True
    ).stdout
    assert out.strip().splitlines()[-1].endswith("kamp demo --bind 0.0.0.0:8080")


def test_readme_has_no_placeholder_and_explains_the_language():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "<this repository>" not in readme
    assert "## Language" in readme
    assert "wins over the browser" in readme
