"""403, 404 and 500 pages: in the app's layout, in the reader's language, with a way back; a
refused request is logged as one line, not a traceback."""

from __future__ import annotations

import logging

import pytest
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation
from django.views import defaults


def _in_layout_with_way_back(html: str) -> None:
    assert 'class="topbar"' in html  # the app's header, not Django's bare page
    assert 'href="/"' in html  # back to the home
    assert f'href="{reverse("customers:list")}"' in html


def test_404_in_layout_with_a_way_back(client_for, member):
    r = client_for(member).get("/customers/99999999/")
    assert r.status_code == 404
    html = r.content.decode()
    _in_layout_with_way_back(html)
    assert "This page does not exist" in html
    assert "Marta" in html  # the reader's own menu: still signed in, still at home


def test_404_in_spanish(client_for, member):
    c = client_for(member)
    r = c.get("/no-such-page/", HTTP_ACCEPT_LANGUAGE="es")
    assert r.status_code == 404
    html = r.content.decode()
    assert "Esta página no existe" in html and "Ir a su inicio" in html
    assert "This page does not exist" not in html


def test_403_in_layout_translated(client_for, viewer, account):
    url = reverse("customers:edit", args=[account.pk])
    r = client_for(viewer).get(url)
    assert r.status_code == 403
    html = r.content.decode()
    _in_layout_with_way_back(html)
    assert "You may not open this page" in html
    r = client_for(viewer).get(url, HTTP_ACCEPT_LANGUAGE="es")
    assert "Usted no puede abrir esta página" in r.content.decode()


def test_403_is_logged_as_one_line(client_for, viewer, account, caplog):
    url = reverse("customers:edit", args=[account.pk])
    with caplog.at_level(logging.WARNING, logger="django.request"):
        assert client_for(viewer).get(url).status_code == 403
    records = [r for r in caplog.records if r.name == "django.request"]
    assert len(records) == 1
    # Formatted by the console handler's formatter: the message alone, no traceback.
    formatted = logging.getLogger().handlers[0].format(records[0])
    assert formatted == f"Forbidden (Permission denied): {url}"
    assert "Traceback" not in formatted and records[0].exc_info is None


def test_an_error_that_is_not_a_403_keeps_its_traceback(caplog):
    from kamp.logfilters import ExpectedForbiddenFilter

    try:
        raise ValueError("boom")
    except ValueError:
        import sys

        record = logging.LogRecord(
            "django.request",
            logging.ERROR,
            __file__,
            1,
            "Internal Server Error",
            (),
            sys.exc_info(),
        )
    record.status_code = 500
    assert ExpectedForbiddenFilter().filter(record)
    assert record.exc_info is not None


@pytest.mark.django_db
def test_500_renders_without_database_or_request(django_assert_num_queries):
    """Django renders 500.html with no request and no context processors: the page must not
    need either (the database may be what failed)."""
    request = RequestFactory().get("/anything/")
    with translation.override("es"), django_assert_num_queries(0):
        r = defaults.server_error(request)
    assert r.status_code == 500
    html = r.content.decode()
    _in_layout_with_way_back(html)
    assert "Algo salió mal de nuestro lado" in html
    with translation.override("en"):
        html = defaults.server_error(request).content.decode()
    assert "Something went wrong on our side" in html


def test_500_through_the_stack_is_in_layout(client_for, member, monkeypatch):
    """A view that fails answers the styled page, in the reader's language."""
    import kamp.customers.home as home

    def boom(*args, **kwargs):
        raise RuntimeError("broken on purpose")

    monkeypatch.setattr(home, "account_badges", boom)
    c = client_for(member)
    c.raise_request_exception = False
    monkeypatch.setattr("django.conf.settings.DEBUG", False)
    r = c.get("/", HTTP_ACCEPT_LANGUAGE="es")
    assert r.status_code == 500
    html = r.content.decode()
    _in_layout_with_way_back(html)
    assert "Algo salió mal de nuestro lado" in html
