"""Malformed input answers 4xx with a message, never 500, on SQLite and PostgreSQL: NUL
characters anywhere a person or a client can put text, numbers too large for the database,
years no date can hold."""

from __future__ import annotations

import json

import pytest

from kamp.core.params import int_param, year_param

HUGE = "9" * 30
NUL = "a\x00b"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("42", 42),
        (" 7 ", 7),
        ("", None),
        ("²", None),  # "²".isdigit() is true, int("²") fails
        ("٣", None),  # digits of other scripts: not an id anybody typed
        ("-3", None),
        (HUGE, None),
        (str(2**63), None),
        (str(2**63 - 1), 2**63 - 1),
    ],
)
def test_int_param(value, expected):
    assert int_param(value) == expected


def test_year_param():
    from django.core.exceptions import BadRequest

    assert year_param("") is None
    assert year_param("2025") == 2025
    for bad in ["0", "10000", HUGE, "²", "x"]:
        with pytest.raises(BadRequest):
            year_param(bad)


@pytest.mark.parametrize("year", ["0", "10000", HUGE, "²", "abc"])
def test_sales_of_a_year_no_date_holds_is_a_400_with_a_message(client_for, ana, account, year):
    response = client_for(ana).get(f"/customers/{account.pk}/sales/", {"year": year})
    assert response.status_code == 400
    assert "is not a year" in response.content.decode()


def test_sales_of_a_real_year(client_for, ana, account):
    assert (
        client_for(ana).get(f"/customers/{account.pk}/sales/", {"year": "2025"}).status_code == 200
    )


@pytest.mark.parametrize(
    "url",
    [
        f"/customers/?owner={HUGE}",
        "/customers/?owner=²",
        f"/audit/?actor={HUGE}",
        f"/audit/?customer={HUGE}",
        "/audit/?actor=²",
    ],
)
def test_an_id_filter_out_of_range_is_ignored(client_for, director, url):
    assert client_for(director).get(url).status_code == 200


@pytest.mark.parametrize("value", ["²", HUGE, "9" * 12, "-1"])
def test_odd_numbers_in_filters_are_ignored(client_for, director, ana, account, value):
    """Each of these read ``x.isdigit()`` then ``int(x)``: "²" passed the first and failed the
    second (500), a huge number overflowed a date or the database."""
    from tests.plans.factories import PlanFactory

    plan = PlanFactory(customer=account)
    for person, url, params in [
        (director, "/selection/", {"kam": value}),
        (director, "/programme/alerts/", {"customer": value, "owner": value}),
        (director, "/economics/settings/", {"activity": value}),
        (ana, "/plans/my-actions/", {"days": value}),
        (ana, f"/plans/{plan.pk}/share/", {"new": value}),
        (ana, f"/interactions/customer/{account.pk}/dmu/new/", {"reports_to": value}),
    ]:
        response = client_for(person).get(url, params)
        # 404 only for an id that is a number but names nothing (an activity type)
        assert response.status_code in (200, 404), (url, params, response.status_code)


def test_an_overflow_in_a_view_is_a_400_with_a_message():
    """Any OverflowError a view still raises (a number too large for SQLite, a date past 9999)
    is a refusal with a message, in JSON under /api/, not a server error."""
    from django.test import RequestFactory

    from kamp.core.middleware import MalformedInputMiddleware

    middleware = MalformedInputMiddleware(lambda request: None)
    page = middleware.process_exception(RequestFactory().get("/audit/"), OverflowError())
    assert page.status_code == 400 and "out of range" in page.content.decode()
    api = middleware.process_exception(RequestFactory().get("/api/v1/plans/"), OverflowError())
    assert api.status_code == 400 and "out of range" in json.loads(api.content)["detail"]
    assert middleware.process_exception(RequestFactory().get("/"), KeyError()) is None


@pytest.mark.parametrize(
    "url",
    [
        "/customers/",
        "/audit/",
        "/economics/portfolio/",
        "/selection/",
        "/plans/",
        "/relationships/",
        "/programme/alerts/",
        "/interactions/risks/",
        "/api/v1/customers/",
        "/api/v1/selection/customers",
        "/api/v1/plans/",
    ],
)
@pytest.mark.parametrize("param", ["q", "status", "owner", "industry", "sort"])
def test_a_nul_in_a_search_or_filter_is_a_400_with_a_message(client_for, director, url, param):
    response = client_for(director).get(url, {param: NUL})
    assert response.status_code == 400
    assert "NUL" in response.content.decode()
    if url.startswith("/api/"):
        assert "NUL" in response.json()["detail"]


def test_a_nul_in_a_patched_text_field_is_a_400(client_for, ana, account):
    response = client_for(ana).patch(
        f"/api/v1/customers/{account.pk}",
        json.dumps({"industry": NUL}),
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "NUL" in response.json()["detail"]
    account.refresh_from_db()
    assert "\x00" not in account.industry


def test_a_nul_in_a_form_is_a_400(client_for, ana, account):
    response = client_for(ana).post(f"/customers/{account.pk}/edit/", {"name": NUL})
    assert response.status_code == 400
    account.refresh_from_db()
    assert account.name == "Constructora CS"


def test_a_nul_in_a_joint_plan_link_is_a_400_for_anyone(anonymous):
    response = anonymous.get("/plans/joint/abc%00def/")
    assert response.status_code == 400


def test_a_nul_written_as_an_escape_in_json_is_found(client_for, ana, account):
    body = '{"industry": "x\\u0000y"}'
    response = client_for(ana).patch(
        f"/api/v1/customers/{account.pk}", body, content_type="application/json"
    )
    assert response.status_code == 400


def test_text_that_merely_looks_like_an_escape_is_kept(client_for, ana, account):
    """A backslash followed by u0000 (written ``\\\\u0000`` in JSON) is ordinary text."""
    body = json.dumps({"industry": "path \\u0000"})
    response = client_for(ana).patch(
        f"/api/v1/customers/{account.pk}", body, content_type="application/json"
    )
    assert response.status_code == 200, response.content
