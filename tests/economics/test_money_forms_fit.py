"""Every form that takes an amount keeps it exactly or refuses it with a message beside the
field: a number its column cannot hold (1e30), and one the column holds but SQLite, keeping 15
significant digits, would read back changed. No form answers 500, none stores a rounded figure."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import connection

from kamp.economics.models import ActivityType, ExchangeRate, Investment
from kamp.plans.models import Objective, WhitespaceCell
from tests.plans.factories import PlanFactory

TOO_LARGE = "1e30"
# Eighteen digits: an 18,4 or 18,2 column keeps them, SQLite (15 digits) would not.
EIGHTEEN = {4: "99999999999999.9999", 2: "9999999999999999.99", 8: "9999999999999999.99999999"}


def _stored(model, field: str) -> list[Decimal]:
    return list(model.objects.values_list(field, flat=True))


def _case(name, url, data, model, field, places):
    return pytest.param(url, data, model, field, places, id=name)


def _cases():
    today = datetime.date.today().isoformat()
    return [
        _case(
            "investment form",
            "/economics/customer/{account}/",
            {"form": "investment", "inv-kind": "people", "inv-amount": "{v}", "inv-date": today},
            Investment,
            "amount",
            4,
        ),
        _case(
            "programme investment form",
            "/economics/investments/",
            {"kind": "people", "amount": "{v}", "date": today, "allocation": "equal"},
            Investment,
            "amount",
            4,
        ),
        _case(
            "exchange rate form",
            "/economics/settings/",
            {"form": "rate", "r-currency": "USD", "r-period": "2025", "r-rate": "{v}"},
            ExchangeRate,
            "rate",
            8,
        ),
        _case(
            "activity type form",
            "/economics/settings/",
            {
                "form": "activity",
                "a-name": "Visit",
                "a-driver": "event",
                "a-rate": "{v}",
                "a-currency": "CLP",
                "a-active": "on",
            },
            ActivityType,
            "rate",
            4,
        ),
        _case(
            "objective form",
            "/plans/{plan}/objectives/add/",
            {
                "new-objectives-title": "Grow",
                "new-objectives-measure": "CLP",
                "new-objectives-target": "{v}",
                "new-objectives-is_financial": "on",
            },
            Objective,
            "target",
            2,
        ),
        _case(
            "whitespace form",
            "/plans/{plan}/whitespace/add/",
            {
                "new-whitespace-buying_unit": "Mining",
                "new-whitespace-offering": "Consulting",
                "new-whitespace-status": "open",
                "new-whitespace-potential": "{v}",
            },
            WhitespaceCell,
            "potential",
            2,
        ),
    ]


@pytest.mark.parametrize("kind", ["too large", "eighteen digits"])
@pytest.mark.parametrize(("url", "data", "model", "field", "places"), _cases())
def test_a_money_form_keeps_the_amount_exactly_or_refuses_it(
    client_for, director, account, url, data, model, field, places, kind
):
    plan = PlanFactory(customer=account)
    value = TOO_LARGE if kind == "too large" else EIGHTEEN[places]
    before = _stored(model, field)
    response = client_for(director).post(
        url.format(account=account.pk, plan=plan.pk),
        {k: v.format(v=value) for k, v in data.items()},
    )
    assert response.status_code < 500
    new = [a for a in _stored(model, field) if a not in before]
    if kind == "too large" or connection.vendor == "sqlite":
        assert new == [], f"{value} stored as {new}"
        assert response.status_code in (200, 400, 422), response.status_code  # the form, with why
    else:
        assert new in ([], [Decimal(value)]), new
