"""The matrix's first view after a change: the worker prepares the next scoring run (one pending
task however many views and writes ask for it); meanwhile the matrix shows the previous run,
marked as being updated, in the reader's language, in a constant number of queries."""

import pytest
from django.core.management import call_command
from django.urls import reverse
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from kamp.selection import engine
from kamp.selection.models import PreparedRun
from tests.factories import CustomerFactory

from .factories import HIGH, LOW, score

pytestmark = pytest.mark.django_db

URL = reverse("selection:portfolio")
DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def run_worker() -> None:
    """The real worker (``db_worker --batch``) runs the pending tasks. It closes connections it
    thinks unusable between tasks, which the test's own transaction would look like: kept."""
    from unittest import mock

    from django_tasks_db.management.commands import db_worker

    with mock.patch.object(db_worker, "close_old_connections", lambda: None):
        call_command("db_worker", batch=True, no_startup_delay=True, verbosity=0)


def pending() -> int:
    return DBTaskResult.objects.filter(
        status=TaskResultStatus.READY, task_path="kamp.selection.tasks.prepare_run"
    ).count()


@pytest.fixture
def large(settings, monkeypatch, director):
    """A portfolio above the inline size (made small here), a real task queue and the worker
    asked after every change, as in production."""
    settings.TASKS = DB_TASKS
    settings.KAMP_PREPARE_AFTER_CHANGES = True
    monkeypatch.setattr(engine, "INLINE_CUSTOMERS", 0)
    for i in range(6):
        score(CustomerFactory(name=f"Scored {i}"), director, HIGH if i % 2 else LOW, 6)


def test_views_while_stale_make_one_task_then_the_new_run_is_shown(
    large, client_for, director, django_assert_num_queries, django_capture_on_commit_callbacks
):
    client = client_for(director)
    html = client.get(URL).content.decode()  # the very first run: computed and stored
    assert "0 incomplete" in html and "Updating" not in html
    assert PreparedRun.objects.count() == 1 and pending() == 0

    # A change through the grid (an audited write): the worker is asked once, at the commit.
    newcomer = CustomerFactory(name="Newcomer")
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(
            reverse("selection:grid_save"),
            {"customer": newcomer.pk, "factor": "profitability", "score": "7"},
        )
    assert r.status_code == 200
    assert pending() == 1

    # Three views before the worker gets to it: the previous run, said to be updating; no new
    # task (the pending one absorbs them), and the same queries each time.
    html = client.get(URL).content.decode()
    assert "Updating: these scores were computed on" in html and "0 incomplete" in html
    with django_assert_num_queries(len_of_view(client)) as ctx:
        html = client.get(URL).content.decode()
    assert "Updating" in html and len(ctx.captured_queries) <= 30
    assert pending() == 1

    # The worker runs the task: the next view (any process) reads the prepared run.
    run_worker()
    assert pending() == 0
    done = DBTaskResult.objects.filter(status=TaskResultStatus.SUCCESSFUL)
    assert done.filter(task_path="kamp.selection.tasks.prepare_run").count() == 1
    engine.forget()  # another web process: only the database is shared
    html = client.get(URL).content.decode()
    assert "Updating" not in html and "1 incomplete" in html


def len_of_view(client) -> int:
    """The number of queries of one more stale view (measured, then asserted equal again)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        client.get(URL)
    return len(ctx.captured_queries)


def test_many_changes_before_the_worker_make_one_task(
    large, client_for, director, django_capture_on_commit_callbacks
):
    client = client_for(director)
    client.get(URL)
    targets = [CustomerFactory(name=f"New {i}") for i in range(4)]
    for c in targets:
        with django_capture_on_commit_callbacks(execute=True):
            client.post(
                reverse("selection:grid_save"),
                {"customer": c.pk, "factor": "profitability", "score": "5"},
            )
        client.get(URL)
    assert pending() == 1
    run_worker()
    # A task that finds the run already prepared for these data does nothing.
    from kamp.selection.tasks import prepare_run

    assert prepare_run.call() is False


def test_updating_is_said_in_spanish(large, client_for, director):
    director.language = "es"
    director.save()
    client = client_for(director)
    client.get(URL, headers={"accept-language": "es"})
    score(CustomerFactory(name="Nuevo"), director, {"profitability": 5})
    html = client.get(URL, headers={"accept-language": "es"}).content.decode()
    assert "Actualizando: estos puntajes se calcularon el" in html
    assert "Updating" not in html


def test_small_portfolio_is_scored_in_the_request(settings, client_for, director):
    settings.TASKS = DB_TASKS
    settings.KAMP_PREPARE_AFTER_CHANGES = True
    score(CustomerFactory(name="Only"), director, HIGH, 6)
    client = client_for(director)
    client.get(URL)
    score(CustomerFactory(name="Second"), director, {"profitability": 5})
    html = client.get(URL).content.decode()
    assert "Updating" not in html and "1 incomplete" in html
    assert pending() == 0 and PreparedRun.objects.count() == 0
