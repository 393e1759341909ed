"""A page view reads the settings and the exchange rates once, however many of its parts need
them (kamp.core.request_memo); a write request and code outside a request read them fresh."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kamp.core.models import SiteSettings
from kamp.core.request_memo import RequestMemoMiddleware, memo

pytestmark = pytest.mark.django_db


def _reads(queries, table: str) -> int:
    return sum(
        1 for q in queries if q["sql"].startswith("SELECT") and f'FROM "{table}"' in q["sql"]
    )


def test_an_account_page_reads_each_settings_row_and_the_rates_once(client_for, ana, account):
    client = client_for(ana)
    url = reverse("customers:detail", args=[account.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    for table in ("core_sitesettings", "economics_economicssettings", "economics_exchangerate"):
        assert _reads(ctx.captured_queries, table) <= 1, table


def _run(method: str) -> int:
    calls = []

    def view(request):
        memo("k", lambda: calls.append(1))
        memo("k", lambda: calls.append(1))
        return None

    RequestMemoMiddleware(view)(getattr(RequestFactory(), method)("/"))
    return len(calls)


def test_only_a_read_request_keeps_what_it_read():
    assert _run("get") == 1
    assert _run("head") == 1
    assert _run("post") == 2  # a write may change what it read: read again


def test_outside_a_request_every_read_is_fresh():
    first = SiteSettings.load()
    SiteSettings.objects.filter(pk=first.pk).update(company_name="Otra S.A.")
    assert SiteSettings.load().company_name == "Otra S.A."


def test_an_account_page_computes_its_p_and_l_and_reads_its_relationship_once(
    client_for, ana, account
):
    """The summary's economics card, its at-a-glance sales, its stage suggestion's share of
    wallet and its relationship card ask for the same figures: one computation each."""
    client = client_for(ana)
    url = reverse("customers:detail", args=[account.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    # One P&L computation reads the category spend once (both windows in the one query).
    assert _reads(ctx.captured_queries, "economics_categoryspend") == 1
    assert _reads(ctx.captured_queries, "relationships_assessment") == 1


def test_the_same_few_ids_are_computed_once_per_page_view_in_any_order():
    from kamp.core.request_memo import FEW_IDS, memo_for_ids

    calls: list[list[int]] = []

    def compute(ids):
        calls.append(sorted(ids))
        return {i: i * 2 for i in ids}

    def view(request):
        assert memo_for_ids("doubles", [3, 1, 2], compute) == {1: 2, 2: 4, 3: 6}
        assert memo_for_ids("doubles", (2, 3, 1), compute) == {1: 2, 2: 4, 3: 6}
        memo_for_ids("doubles", [1], compute)  # other ids: computed
        many = list(range(FEW_IDS + 1))
        memo_for_ids("doubles", many, compute)
        memo_for_ids("doubles", many, compute)  # too many to keep: computed again
        return None

    RequestMemoMiddleware(view)(RequestFactory().get("/"))
    assert calls[:2] == [[1, 2, 3], [1]] and len(calls) == 4
    memo_for_ids("doubles", [1, 2, 3], compute)  # outside a page view: computed
    assert len(calls) == 5


def test_a_scope_keeps_reads_for_its_stretch_only():
    from kamp.core.request_memo import scope

    calls = []
    with scope():
        memo("k", lambda: calls.append(1))
        memo("k", lambda: calls.append(1))
        with scope():  # nested: the same memo
            memo("k", lambda: calls.append(1))
    assert calls == [1]
    memo("k", lambda: calls.append(1))
    assert calls == [1, 1]


def test_a_p_and_l_kept_for_the_page_view_is_handed_out_as_a_copy(account):
    """A caller attaches the previous period to the P&L it was given: the next caller of the
    same page view gets the computation, not that caller's changes."""
    from datetime import date
    from decimal import Decimal

    from kamp.core.request_memo import scope
    from kamp.economics import services
    from kamp.economics.pnl import Period
    from tests.factories import SalesLineFactory

    for day in (date(2025, 3, 10), date(2026, 3, 10)):  # in the window and the one before
        SalesLineFactory(customer=account, date=day, net_amount=Decimal(1000), cost=Decimal(400))
    window = Period.trailing(date(2026, 6, 15), 12)
    with scope():
        with_previous = services.portfolio_pnl(window, [account.pk])
        alone = services.compute([window], [account.pk])
    assert with_previous[account.pk].previous.net_revenue == Decimal(1000)
    assert alone[(account.pk, 0)].net_revenue == Decimal(1000)
    assert alone[(account.pk, 0)].previous is None
