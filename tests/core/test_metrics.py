"""/metrics: Prometheus' page, only for the scraper holding KAMP_METRICS_TOKEN; it carries
django-prometheus' request metrics and the task queue's length and oldest age."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

pytestmark = pytest.mark.django_db

TOKEN = "s3cret-scrape-token"


@pytest.fixture
def token(settings):
    settings.KAMP_METRICS_TOKEN = TOKEN
    return TOKEN


def scrape(client, token=TOKEN):
    return client.get("/metrics", headers={"Authorization": f"Bearer {token}"})


def gauge(text: str, name: str) -> float:
    match = re.search(rf"^{name} (\S+)$", text, re.M)
    assert match, f"{name} not in the metrics"
    return float(match.group(1))


def queue(age: timedelta, status=TaskResultStatus.READY, run_after=None):
    row = DBTaskResult.objects.create(
        status=status,
        args_kwargs={"args": [], "kwargs": {}},
        task_path="kamp.core.tasks.run_import",
        backend_name="default",
        queue_name="default",
        run_after=run_after or timezone.now() - age,
    )
    # enqueued_at is auto_now_add: set it back afterwards.
    DBTaskResult.objects.filter(pk=row.pk).update(enqueued_at=timezone.now() - age)


def test_without_token_setting_there_is_no_metrics_page(client, settings, admin):
    settings.KAMP_METRICS_TOKEN = ""
    assert scrape(client, "").status_code == 404
    assert client.get("/metrics").status_code == 404
    client.force_login(admin)  # not even for an administrator
    assert client.get("/metrics").status_code == 404


@pytest.mark.parametrize(
    "header", [None, "Bearer wrong", f"Basic {TOKEN}", TOKEN, f"Bearer {TOKEN}x", "Bearer "]
)
def test_wrong_or_missing_token_is_refused(client, token, header):
    headers = {"Authorization": header} if header is not None else {}
    response = client.get("/metrics", headers=headers)
    assert response.status_code == 404
    assert b"kamp_task_queue_length" not in response.content


def test_token_opens_the_metrics(client, token):
    response = scrape(client)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    text = response.content.decode()
    # django-prometheus' own request metrics are there.
    assert "django_http_requests_total_by_method_total" in text
    assert gauge(text, "kamp_task_queue_length") == 0
    assert gauge(text, "kamp_task_queue_oldest_age_seconds") == 0


def test_queue_gauges_count_waiting_tasks_and_the_oldest_age(client, token):
    queue(timedelta(minutes=10))
    queue(timedelta(minutes=1))
    # Neither is waiting: one done, one not due before tomorrow.
    queue(timedelta(hours=5), status=TaskResultStatus.SUCCESSFUL)
    queue(timedelta(hours=6), run_after=timezone.now() + timedelta(days=1))
    text = scrape(client).content.decode()
    assert gauge(text, "kamp_task_queue_length") == 2
    assert 600 <= gauge(text, "kamp_task_queue_oldest_age_seconds") < 660


def test_metrics_take_no_post(client, token):
    response = client.post("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 405
