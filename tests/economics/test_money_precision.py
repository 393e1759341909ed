"""Money that fits its column, on every way in (form, API, import), and pages that still answer
when a figure out of range is already stored."""

from __future__ import annotations

import datetime
import json
from decimal import Decimal

import pytest
from django.db import connection

from kamp.core.money import AmountError, check_amount, format_money
from kamp.economics.models import CategorySpend

BAD = [
    "1.000000000000000000000000000001",
    "1e30",
    "NaN",
    "Infinity",
    "-Infinity",
    "1.23456",
    "100000000000000",
    "abc",
]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("99999999999999.9999", Decimal("99999999999999.9999")),
        ("-1e3", Decimal("-1000")),
        ("0.0001", Decimal("0.0001")),
        ("1." + "0" * 40, Decimal("1")),
        (12, Decimal("12")),
    ],
)
def test_amounts_that_fit_an_18_4_column(value, expected):
    assert check_amount(value, 18, 4) == expected


@pytest.mark.parametrize("value", BAD)
def test_amounts_that_do_not_fit_an_18_4_column(value):
    with pytest.raises(AmountError):
        check_amount(value, 18, 4)


def _post_json(client, path, body):
    return client.post(path, json.dumps(body), content_type="application/json")


@pytest.mark.parametrize("amount", [*BAD, 1e30, 1.5e15])
def test_api_refuses_spend_that_does_not_fit(client_for, ana, account, amount):
    response = _post_json(
        client_for(ana),
        f"/api/v1/economics/customers/{account.pk}/category-spend",
        {"period": "2025", "amount": amount},
    )
    assert response.status_code == 422, response.content
    assert "amount" in json.dumps(response.json()["detail"])
    assert not CategorySpend.objects.filter(customer=account).exists()


def test_api_stores_spend_that_fits_exactly(client_for, ana, account):
    response = _post_json(
        client_for(ana),
        f"/api/v1/economics/customers/{account.pk}/category-spend",
        # CLF (Unidad de Fomento) keeps four decimals, as the column does: CLP would refuse them.
        {"period": "2025", "amount": "12345678901.2345", "currency": "CLF"},
    )
    assert response.status_code == 201, response.content
    assert response.json()["amount"] == "12345678901.2345"
    assert CategorySpend.objects.get(customer=account).amount == Decimal("12345678901.2345")


def test_api_stores_no_more_digits_than_the_database_keeps(client_for, ana, account):
    """SQLite keeps 15 significant digits: 99999999999999.9999 would read back as 1e14, so it
    is refused there; PostgreSQL stores it exactly."""
    response = _post_json(
        client_for(ana),
        f"/api/v1/economics/customers/{account.pk}/category-spend",
        {"period": "2025", "amount": "99999999999999.9999", "currency": "CLF"},
    )
    if connection.vendor == "sqlite":
        assert response.status_code == 422
        assert not CategorySpend.objects.exists()
    else:
        assert response.status_code == 201
        stored = CategorySpend.objects.get(customer=account).amount
        assert stored == Decimal("99999999999999.9999")


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/api/v1/economics/rates", {"currency": "USD", "period": "2025", "rate": "NaN"}),
        ("/api/v1/economics/rates", {"currency": "USD", "period": "2025", "rate": "1e30"}),
        (
            "/api/v1/economics/investments",
            {"kind": "people", "amount": "Infinity", "date": "2025-01-01"},
        ),
        (
            "/api/v1/economics/activity-types",
            {"name": "Visit", "driver": "unit", "rate": "1e40"},
        ),
    ],
)
def test_api_refuses_other_money_out_of_range(client_for, director, path, body):
    response = _post_json(client_for(director), path, body)
    assert response.status_code == 422, response.content


@pytest.mark.parametrize("amount", ["1e30", "NaN", "1,23456"])
def test_the_spend_form_refuses_amounts_that_do_not_fit(client_for, ana, account, amount):
    response = client_for(ana).post(
        f"/economics/customer/{account.pk}/",
        {"form": "spend", "sow-period": "2025", "sow-amount": amount, "sow-currency": "CLP"},
    )
    assert response.status_code in (200, 422)
    assert not CategorySpend.objects.filter(customer=account).exists()


def test_formatting_never_fails_on_a_huge_stored_amount():
    assert format_money(Decimal("1e30"), "CLP").replace("\u00a0", " ").startswith("CLP 1,000")
    assert format_money(Decimal("1e30"), "USD").endswith(".00")


@pytest.mark.skipif(connection.vendor != "sqlite", reason="only SQLite stores it")
def test_a_stored_out_of_range_amount_does_not_break_the_pages(client_for, ana, director, account):
    """What SQLite accepted before amounts were checked: the pages that read it still answer."""
    year = datetime.date.today().year
    CategorySpend.objects.create(
        customer=account,
        period=str(year),
        first_month=datetime.date(year, 1, 1),
        months=12,
        amount=Decimal("1e30"),
        currency="CLP",
    )
    owner, boss = client_for(ana), client_for(director)
    for client, url in [
        (owner, f"/economics/customer/{account.pk}/"),
        (owner, f"/economics/customer/{account.pk}/export.xlsx"),
        (owner, f"/api/v1/economics/customers/{account.pk}/pnl?period={year}"),
        (owner, f"/api/v1/economics/customers/{account.pk}/category-spend"),
        (boss, "/economics/portfolio/"),
        (boss, f"/api/v1/economics/portfolio?period={year}"),
        (boss, "/"),
        (owner, f"/customers/{account.pk}/"),
    ]:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)


@pytest.mark.parametrize("amount", ["1e30", "NaN", "Infinity", "1.23456", "999999999999999999"])
def test_an_import_refuses_spend_that_does_not_fit(tmp_path, admin, account, amount):
    from kamp.core.imports import run_import
    from tests.core.import_helpers import write_csv

    path = write_csv(
        tmp_path / "sow.csv",
        [["customer", "period", "amount", "currency"], [account.tax_id, "2025", amount, "CLP"]],
    )
    batch = run_import("category-spend", path, user=admin)
    assert batch.status != "done"
    assert batch.errors and "amount" in json.dumps(batch.errors, default=str).lower()
    assert not CategorySpend.objects.exists()


@pytest.mark.parametrize("potential", ["1e30", "NaN", "Infinity", "1.234", 1e30])
def test_plan_api_refuses_whitespace_money_that_does_not_fit(client_for, ana, account, potential):
    from kamp.plans.models import WhitespaceCell
    from tests.plans.factories import PlanFactory

    plan = PlanFactory(customer=account)
    response = _post_json(
        client_for(ana),
        f"/api/v1/plans/{plan.pk}/whitespace",
        {"buying_unit": "Mining", "offering": "Consulting", "potential": potential},
    )
    assert response.status_code == 422, response.content
    assert "potential" in json.dumps(response.json()["detail"])
    assert not WhitespaceCell.objects.filter(plan=plan).exists()


def test_the_spend_form_refuses_more_digits_than_sqlite_keeps(client_for, ana, account):
    response = client_for(ana).post(
        f"/economics/customer/{account.pk}/",
        {
            "form": "spend",
            "sow-period": "2025",
            "sow-amount": "99999999999999.9999",
            "sow-currency": "CLF",
        },
    )
    assert response.status_code in (200, 302, 422)
    stored = list(CategorySpend.objects.filter(customer=account).values_list("amount", flat=True))
    if connection.vendor == "sqlite":
        assert stored == []  # it would read back as 100000000000000
    else:
        assert stored == [Decimal("99999999999999.9999")]
