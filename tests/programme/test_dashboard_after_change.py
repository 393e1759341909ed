"""Right after a change on a large portfolio, the director's dashboard and a KAM's home show the
selection run the matrix shows — the previous one, the dashboard saying it is being updated —
instead of rescoring every customer in the view (seconds at 100,000 customers), and answer in a
number of queries that does not grow with the portfolio."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kamp.customers.models import CustomerStatus
from kamp.programme import alert_store
from kamp.selection import actions, engine
from tests.factories import CustomerFactory
from tests.selection.factories import HIGH, LOW, score

pytestmark = pytest.mark.django_db

UPDATING = "Updating: the data have changed since these scores were computed"


@pytest.fixture
def large(settings, monkeypatch):
    """A portfolio above the size rescored in a view (made small here), a real task queue (the
    worker is not running: what a view shows before it gets to the task); the process starts
    without any run in memory."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.KAMP_PREPARE_AFTER_CHANGES = True
    monkeypatch.setattr(engine, "INLINE_CUSTOMERS", 0)
    monkeypatch.setattr(alert_store, "INLINE_PROGRAMME", 0)
    engine.forget()
    yield
    engine.forget()


@pytest.fixture
def computes(monkeypatch):
    """How many times the portfolio is rescored (the real function, counted)."""
    calls = []
    real = engine.compute

    def counting(*args, **kwargs):
        import traceback

        calls.append("".join(traceback.format_stack(limit=25)))  # who rescored, if one did
        return real(*args, **kwargs)

    monkeypatch.setattr(engine, "compute", counting)
    return calls


def _grow(n: int, director, ana) -> None:
    for i in range(n):
        key = CustomerFactory(status=CustomerStatus.KEY_ACCOUNT, owner=ana)
        score(key, director, HIGH, 6)
        score(CustomerFactory(owner=ana), director, LOW if i % 2 else HIGH, 3)


def _change(director) -> None:
    target = CustomerFactory(status=CustomerStatus.CANDIDATE)
    actions.do_score(director, target, "strategic_value", 7, model=engine.ensure_default_model())


@pytest.mark.parametrize("who, url", [("director", "home"), ("ana", "home")])
def test_the_first_view_after_a_change_shows_the_previous_run(
    request, who, url, large, computes, client_for, director, ana
):
    _grow(3, director, ana)
    client = client_for(request.getfixturevalue(who))
    client.get(reverse(url))  # the very first run of the model: computed once, and stored
    assert len(computes) == 1

    _change(director)
    with CaptureQueriesContext(connection) as small:
        body = client.get(reverse(url)).content.decode()
    assert len(computes) == 1, computes[-1]  # nothing rescored in the view
    if who == "director":
        assert UPDATING in body

    _grow(9, director, ana)
    client.get(reverse(url))  # the new accounts' own first view (their alerts, their forms)
    _change(director)
    with CaptureQueriesContext(connection) as big:
        body = client.get(reverse(url)).content.decode()
    assert len(computes) == 1
    assert len(big) == len(small), [q["sql"] for q in big.captured_queries]


def test_the_dashboard_reads_the_run_once_per_view(large, client_for, director, ana):
    _grow(3, director, ana)
    client = client_for(director)
    client.get(reverse("home"))
    calls = []
    real = engine.fingerprint

    def counting(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    engine.fingerprint = counting
    try:
        assert client.get(reverse("home")).status_code == 200
    finally:
        engine.fingerprint = real
    # The thumbnail, the checks and the KAM profiles share the run: its fingerprint (aggregates
    # over every customer) taken once.
    assert len(calls) == 1
