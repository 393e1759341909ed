"""The programme's profit-after-KAM check on the director's home: computed once while nothing a
P&L reads has changed, recomputed as soon as something has (a sale here)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kamp.customers.models import CustomerStatus
from kamp.programme import sources
from tests.factories import CustomerFactory, SalesLineFactory

pytestmark = pytest.mark.django_db

AS_OF = datetime.date(2026, 7, 15)  # the last complete quarter: 2026-Q2


def test_the_profit_check_is_reused_until_a_p_and_l_input_changes():
    account = CustomerFactory(status=CustomerStatus.KEY_ACCOUNT, currency="USD")
    SalesLineFactory(
        customer=account,
        date=datetime.date(2026, 5, 3),
        net_amount=Decimal(1000),
        cost=0,
        currency="USD",
    )
    first = sources.profit_after_kam([account.pk], AS_OF)
    assert first[account.pk][-1] == ("2026-Q2", 1000.0)
    with CaptureQueriesContext(connection) as again:
        assert sources.profit_after_kam([account.pk], AS_OF) == first
    assert len(again.captured_queries) == 1  # the data version alone

    SalesLineFactory(
        customer=account,
        date=datetime.date(2026, 6, 9),
        net_amount=Decimal(500),
        cost=0,
        currency="USD",
    )
    assert sources.profit_after_kam([account.pk], AS_OF)[account.pk][-1] == ("2026-Q2", 1500.0)
