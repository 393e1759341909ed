"""/healthz: what a load balancer asks before sending people to a kamp process — no login, no
business data, 200 only when the database, its migrations, the worker and the disk are fine."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

from kamp.core import health
from kamp.core.management.commands.worker import beat
from kamp.core.models import WorkerHeartbeat

pytestmark = pytest.mark.django_db


@pytest.fixture
def worker_alive():
    beat("worker-1")


def test_healthy_answers_200_without_login(client, worker_alive):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"] == "ok"
    assert body["migrations"] == "applied"
    assert body["worker"]["status"] == "ok"
    assert 0 <= body["worker"]["heartbeat_age_seconds"] < 5
    assert body["disk"]["status"] == "ok"
    assert body["disk"]["free_bytes"] > 0
    assert response["Cache-Control"].startswith("max-age=0")


def test_body_holds_no_business_data(client, worker_alive, account):
    body = client.get("/healthz").content.decode()
    assert account.name not in body
    assert "worker-1" not in body  # not even the worker's name
    assert set(client.get("/healthz").json()) == {
        "status",
        "database",
        "migrations",
        "worker",
        "disk",
    }


def test_pending_migration_answers_503(client, worker_alive):
    # The database as it was before kamp's latest core migration.
    MigrationRecorder(connection).record_unapplied("core", "0004_worker_heartbeat")
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["migrations"] == "pending"
    assert response.json()["status"] == "error"


def test_stale_heartbeat_answers_503(client, settings):
    settings.KAMP_HEALTH_WORKER_MAX_AGE = 60
    WorkerHeartbeat.objects.create(worker_id="old", beat_at=timezone.now() - timedelta(seconds=61))
    response = client.get("/healthz")
    assert response.status_code == 503
    worker = response.json()["worker"]
    assert worker["status"] == "error"
    assert worker["heartbeat_age_seconds"] >= 61


def test_freshest_of_several_workers_counts(client, settings):
    settings.KAMP_HEALTH_WORKER_MAX_AGE = 60
    WorkerHeartbeat.objects.create(worker_id="old", beat_at=timezone.now() - timedelta(hours=3))
    beat("new")
    assert client.get("/healthz").status_code == 200


def test_no_worker_ever_answers_503(client):
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["worker"] == {
        "status": "error",
        "heartbeat_age_seconds": None,
        "max_age_seconds": 120.0,
    }


def test_low_disk_answers_503(client, settings, worker_alive):
    free = client.get("/healthz").json()["disk"]["free_bytes"]
    settings.KAMP_HEALTH_MIN_FREE_BYTES = free * 10
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["disk"]["status"] == "error"


def test_unreachable_database_answers_503(client, monkeypatch, worker_alive):
    monkeypatch.setattr(health, "database_reachable", lambda: False)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "error"
    assert response.json()["migrations"] == "unknown"


def test_constant_queries(client, worker_alive, django_assert_max_num_queries):
    with django_assert_max_num_queries(4):
        client.get("/healthz")


def test_only_get(client, worker_alive):
    assert client.post("/healthz").status_code == 405


def test_beat_keeps_one_row_per_worker():
    beat("worker-x")
    first = WorkerHeartbeat.objects.get(worker_id="worker-x").beat_at
    assert timezone.now() - first < timedelta(seconds=5)
    beat("worker-x")
    assert WorkerHeartbeat.objects.get(worker_id="worker-x").beat_at >= first
    assert WorkerHeartbeat.objects.count() == 1


def test_worker_command_starts_the_heartbeat(monkeypatch):
    from django_tasks_db.management.commands.db_worker import Command as DbWorker

    from kamp.core.management.commands import worker

    started = SimpleNamespace(ids=[])

    class FakeHeartbeat:
        def __init__(self, worker_id, interval):
            started.ids.append((worker_id, interval))
            self.stopped = SimpleNamespace(set=lambda: started.ids.append("stopped"))

        def start(self):
            pass

    monkeypatch.setattr(worker, "Heartbeat", FakeHeartbeat)
    monkeypatch.setattr(DbWorker, "handle", lambda self, *a, **o: None)
    worker.Command().handle(worker_id="w-7")
    assert started.ids == [("w-7", 15.0), "stopped"]
