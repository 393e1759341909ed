"""``kamp serve`` does not serve code ahead of its database: pending migrations stop it with the
way out, unless ``--migrate`` applies them first."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder

from kamp.core.management.commands import serve

pytestmark = pytest.mark.django_db


@pytest.fixture
def behind():
    """The database as it was before kamp's latest core migration."""
    MigrationRecorder(connection).record_unapplied("core", "0004_worker_heartbeat")


@pytest.fixture
def commands(monkeypatch):
    """The commands serve calls (migrate, collectstatic), recorded instead of run."""
    called: list[str] = []
    monkeypatch.setattr(serve, "call_command", lambda name, **kw: called.append(name))
    return called


def test_refuses_pending_migrations_naming_the_way_out(behind, commands):
    out = io.StringIO()
    with pytest.raises(CommandError) as refused:
        call_command("serve", "--dry-run", stdout=out, stderr=io.StringIO())
    assert "kamp migrate" in str(refused.value)
    assert "kamp serve --migrate" in str(refused.value)
    # Stopped before preparing anything, and no server command printed.
    assert commands == []
    assert "gunicorn" not in out.getvalue()


def test_migrate_option_applies_them_then_serves(behind, commands):
    out = io.StringIO()
    call_command("serve", "--dry-run", "--migrate", stdout=out, stderr=io.StringIO())
    assert commands == ["migrate", "collectstatic"]
    assert "gunicorn kamp.wsgi:application" in out.getvalue()


def test_migrated_database_serves_without_migrating(commands):
    out = io.StringIO()
    call_command("serve", "--dry-run", "--migrate", stdout=out, stderr=io.StringIO())
    assert commands == ["collectstatic"]
    assert "gunicorn kamp.wsgi:application" in out.getvalue()
