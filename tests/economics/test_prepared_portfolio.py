"""The whale curve and programme P&L after a change: the worker recomputes the stored portfolios
(one pending task however many views and writes ask for it); meanwhile the page shows the last
figures, said to be updating with their time, in the reader's language, in constant queries."""

import datetime
from decimal import Decimal as D

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from kamp.customers.models import CustomerStatus
from kamp.economics import portfolio
from kamp.economics.models import PortfolioSnapshot
from tests.factories import ContactFactory, CustomerFactory, SalesLineFactory

pytestmark = pytest.mark.django_db

URL = reverse("economics:portfolio") + "?period=2025"
TASK = "kamp.economics.tasks.refresh_portfolios"


def run_worker() -> None:
    """The real worker (``db_worker --batch``) runs the pending tasks. It closes connections it
    thinks unusable between tasks, which the test's own transaction would look like: kept."""
    from unittest import mock

    from django_tasks_db.management.commands import db_worker

    with mock.patch.object(db_worker, "close_old_connections", lambda: None):
        call_command("db_worker", batch=True, no_startup_delay=True, verbosity=0)


def pending() -> int:
    return DBTaskResult.objects.filter(status=TaskResultStatus.READY, task_path=TASK).count()


@pytest.fixture
def large(settings, monkeypatch):
    """A portfolio above the inline size (made small here) and a real task queue."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    monkeypatch.setattr(portfolio, "INLINE_CUSTOMERS", 0)
    c = CustomerFactory(status=CustomerStatus.KEY_ACCOUNT)
    SalesLineFactory(
        customer=c, date=datetime.date(2025, 3, 1), net_amount=D(1000), cost=D(0), currency="CLP"
    )
    return c


def sell(customer, amount):
    SalesLineFactory(
        customer=customer,
        date=datetime.date(2025, 4, 1),
        net_amount=D(amount),
        cost=D(0),
        currency="CLP",
    )
    cache.clear()  # another web process: only the database is shared


def view(client, **headers) -> tuple[str, int]:
    with CaptureQueriesContext(connection) as ctx:
        html = client.get(URL, headers=headers).content.decode()
    return html, len(ctx.captured_queries)


def test_three_stale_views_make_one_task_then_the_new_figures(large, client_for, director):
    client = client_for(director)
    assert "CLP\u00a01,000" in view(client)[0]
    assert PortfolioSnapshot.objects.count() == 1
    sell(large, 500)
    counts = []
    for _ in range(3):
        html, n = view(client)
        assert "being updated" in html and "CLP\u00a01,000" in html
        counts.append(n)
    assert pending() == 1  # was one task per view
    assert counts[1] == counts[2] and counts[0] <= 15
    run_worker()
    assert pending() == 0
    cache.clear()
    html, n = view(client)
    assert "being updated" not in html and "CLP\u00a01,500" in html
    assert n <= counts[0]


def test_a_change_asks_the_worker_once_per_transaction(
    large, settings, client_for, director, django_capture_on_commit_callbacks
):
    from kamp.core import audit

    settings.KAMP_PREPARE_AFTER_CHANGES = True
    view(client_for(director))
    with django_capture_on_commit_callbacks(execute=True):
        for i in range(3):  # an import or an action may write several audit events
            audit.record(director, "update", summary=f"change {i}")
    assert pending() == 1
    with django_capture_on_commit_callbacks(execute=True):
        audit.record(director, "update", summary="one more")
    assert pending() == 1  # the pending task absorbs it
    sell(large, 500)
    run_worker()
    html, _n = view(client_for(director))  # the first view after the change: already prepared
    assert "being updated" not in html and "CLP\u00a01,500" in html


def test_updating_is_said_in_spanish(large, client_for, director):
    director.language = "es"
    director.save()
    client = client_for(director)
    view(client, **{"accept-language": "es"})
    sell(large, 500)
    html, _n = view(client, **{"accept-language": "es"})
    assert "Estas cifras se calcularon el" in html and "se están actualizando" in html


def test_a_kams_working_day_leaves_the_stored_portfolio_current(large, client_for, director):
    """Logging an interaction or adding a plan objective changes nothing a P&L reads: the
    stored whale curve stays current (no recompute for the worker); a change to what it reads
    (a sale here, a category spend) makes it stale."""
    from kamp.economics import services
    from kamp.economics.actions import do_set_category_spend
    from kamp.interactions.actions import do_log_interaction
    from kamp.plans.actions import do_add_item, do_create_plan

    client = client_for(director)
    view(client)
    before = services.data_version()
    do_log_interaction(
        director,
        large,
        our_people=[director],
        their_contacts=[ContactFactory(customer=large)],
        date=datetime.date(2025, 5, 2),
        kind="call",
        topic="Seguimiento",
    )
    plan = do_create_plan(director, large, "2025")
    do_add_item(director, plan, "objectives", title="Crecer en la línea Andes")
    assert services.data_version() == before
    cache.clear()
    assert "being updated" not in view(client)[0]

    do_set_category_spend(director, large, "2025", D("1234567"), currency="CLP")
    assert services.data_version() != before
