"""Money on the shared pages (homes, alerts) reaches only those who may see an account's
economics: the owning KAM, directors and admins — never a team member (kam-domain.md §5)."""

import datetime
from decimal import Decimal

import pytest

from kamp.core.alerts import collect
from kamp.customers.models import Customer
from tests.factories import SalesLineFactory


@pytest.fixture
def losing_account(account):
    """Ana's key account selling at a loss every month of the last eight."""
    today = datetime.date.today().replace(day=15)
    for months_back in range(1, 9):
        year, month = divmod(today.year * 12 + today.month - 1 - months_back, 12)
        SalesLineFactory(
            customer=account,
            date=datetime.date(year, month + 1, 15),
            net_amount=Decimal("100"),
            cost=Decimal("300"),
        )
    return account


def _economics(alerts):
    return [a for a in alerts if a.area == "economics"]


def test_unprofitable_alert_reaches_the_owner_not_the_team_member(losing_account, ana, member):
    customers = Customer.objects.filter(pk=losing_account.pk)
    assert _economics(collect(customers, user=ana)), "the owning KAM is warned"
    assert not _economics(collect(customers, user=member))


def test_profit_badge_on_the_owners_home_only(client_for, losing_account, ana, member):
    owner_page = client_for(ana).get("/").content.decode()
    member_page = client_for(member).get("/").content.decode()
    assert losing_account.name in owner_page and losing_account.name in member_page
    assert "Profit after KAM" in owner_page
    assert "Profit after KAM" not in member_page
