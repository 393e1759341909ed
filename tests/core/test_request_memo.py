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
