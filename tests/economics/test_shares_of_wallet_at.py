"""An account's share of wallet now and a year ago (its summary's relationship card) computed in
one pass equals the figure each day gives on its own — also when a leap day moves the year-ago
window so the two overlap."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from kamp.economics.actions import do_set_category_spend
from kamp.economics.services import share_of_wallet_by_customer, shares_of_wallet_at
from tests.factories import CustomerFactory, SalesLineFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "as_of",
    [
        datetime.date(2025, 7, 15),
        datetime.date(2024, 12, 31),  # a year of 365 days earlier is 2024-01-01: windows overlap
        datetime.date(2025, 1, 1),
    ],
)
def test_now_and_a_year_ago_in_one_pass_equal_each_alone(director, as_of):
    account = CustomerFactory(currency="CLP")
    other = CustomerFactory(currency="CLP")
    for year in (2022, 2023, 2024, 2025):
        do_set_category_spend(director, account, str(year), Decimal(100_000), currency="CLP")
        for month in (1, 6, 12):
            SalesLineFactory(
                customer=account,
                date=datetime.date(year, month, 10),
                net_amount=Decimal(1000 * month + year % 10),
                cost=0,
                currency="CLP",
            )
    SalesLineFactory(customer=other, date=datetime.date(2024, 6, 1), currency="CLP")
    days = [as_of, as_of - datetime.timedelta(days=365)]
    ids = [account.pk, other.pk]
    together = shares_of_wallet_at(days, ids)
    alone = [share_of_wallet_by_customer(d, ids) for d in days]
    assert together == alone
    assert together[0][account.pk] is not None and together[1][account.pk] is not None
