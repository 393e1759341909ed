"""The P&L read from the database: hand-computed figures, currencies, allocation, constant
queries."""

import datetime
from decimal import Decimal as D

import pytest

from kamp.customers.models import CustomerStatus
from kamp.economics import actions, services
from kamp.economics.models import AllocationRule, InvestmentAllocation
from kamp.economics.pnl import Period
from tests.factories import CustomerFactory, SalesLineFactory

from .factories import ActivityTypeFactory, month

pytestmark = pytest.mark.django_db


def sale(customer, day, net, cost, currency="CLP"):
    return SalesLineFactory(
        customer=customer, date=day, net_amount=D(net), cost=D(cost), currency=currency
    )


@pytest.fixture
def cs(account):
    """CS, Ana's key account: Q3 2025 sales 10,000,000 (cost 6,000,000), Q2 8,000,000 (5,000,000)."""
    sale(account, datetime.date(2025, 7, 10), 4_000_000, 2_400_000)
    sale(account, datetime.date(2025, 9, 30), 6_000_000, 3_600_000)
    sale(account, datetime.date(2025, 5, 2), 8_000_000, 5_000_000)
    sale(account, datetime.date(2025, 10, 1), 999_999, 0)  # next quarter: not counted
    return account


def test_account_pnl_by_hand(cs, admin):
    visit = ActivityTypeFactory(name="Visit", driver="minute", rate=D("500"))  # CLP per minute
    report = ActivityTypeFactory(name="Monthly report", driver="event", rate=D("150000"))
    actions.do_record_activity(admin, cs, visit, month(2025, 8), D(4), D(90))  # 180,000
    actions.do_record_activity(admin, cs, report, month(2025, 9), D(1))  # 150,000
    actions.do_record_investment(
        admin, customer=cs, kind="sponsorship", amount=D(1_000_000), date=datetime.date(2025, 8, 15)
    )
    actions.do_set_category_spend(admin, cs, "2025", D(120_000_000))  # 30,000,000 a quarter
    value = services.account_pnl(cs, "2025-Q3")
    assert value.currency == "CLP"
    assert value.net_revenue == D(10_000_000)
    assert value.cost_of_goods == D(6_000_000)
    assert value.gross_margin == D(4_000_000)
    assert value.cost_to_serve == D(330_000)
    assert value.contribution == D(3_670_000)
    assert value.kam_investments == D(1_000_000)
    assert value.profit_after_kam == D(2_670_000)
    assert value.category_spend == D(30_000_000)
    assert value.share_of_wallet == D("0.3333")
    assert value.potential == D(20_000_000)
    assert str(value.previous.period) == "2025-Q2"
    assert value.previous.net_revenue == D(8_000_000)
    assert value.growth("net_revenue") == D("0.25")
    assert value.as_dict()["profit_after_kam"] == "2670000"


def test_series_and_empty_periods(cs):
    series = services.pnl_series(cs, ["2025-Q1", "2025-Q2", "2025-Q3"])
    assert [v.net_revenue for v in series] == [0, D(8_000_000), D(10_000_000)]


def test_multi_currency_with_rates(ana, admin):
    customer = CustomerFactory(owner=ana, currency="USD")
    sale(customer, datetime.date(2025, 1, 15), "100.50", "50", currency="USD")
    sale(customer, datetime.date(2025, 7, 15), "200", "100", currency="")  # the customer's: USD
    sale(customer, datetime.date(2025, 7, 20), "10000", "0", currency="CLP")
    actions.do_set_exchange_rate(admin, "USD", "2025-01", D("950"))
    actions.do_set_exchange_rate(admin, "USD", "2025-07", D("900.5"))
    value = services.account_pnl(customer, "2025")
    # 100.50 × 950 + 200 × 900.5 + 10,000 = 95,475 + 180,100 + 10,000
    assert value.net_revenue == D(285_575)
    assert value.cost_of_goods == D(50 * 950 + 100 * D("900.5"))
    assert not value.missing_rates


def test_missing_rate_is_reported(ana):
    customer = CustomerFactory(owner=ana)
    sale(customer, datetime.date(2025, 3, 1), "100", "0", currency="EUR")
    value = services.account_pnl(customer, "2025")
    assert value.net_revenue == 0
    assert value.missing_rates == {("EUR", "2025-03")}


def test_programme_investment_allocated_exactly(admin, account, other_account):
    third = CustomerFactory(status=CustomerStatus.KEY_ACCOUNT)
    CustomerFactory(status=CustomerStatus.CANDIDATE)  # not a key account: gets nothing
    sale(account, datetime.date(2025, 6, 1), 1_000, 0)
    sale(other_account, datetime.date(2025, 6, 1), 2_000, 0)
    inv = actions.do_record_investment(
        admin,
        customer=None,
        kind="sales_structure",
        amount=D(1_000_000),
        date=datetime.date(2025, 6, 30),
        allocation=AllocationRule.REVENUE,
    )
    parts = dict(
        InvestmentAllocation.objects.filter(investment=inv).values_list("customer_id", "amount")
    )
    assert parts == {account.pk: D(333_333), other_account.pk: D(666_667), third.pk: 0}
    assert sum(parts.values()) == D(1_000_000)
    inv2 = actions.do_record_investment(
        admin,
        customer=None,
        kind="technology_channels",
        amount=D(100),
        date=datetime.date(2025, 6, 30),
    )
    shares = sorted(
        InvestmentAllocation.objects.filter(investment=inv2).values_list("amount", flat=True)
    )
    assert shares == [D(33), D(33), D(34)]
    assert services.account_pnl(account, "2025-06").kam_investments == D(333_333 + 34)


def test_allocation_by_kam_time(admin, account, other_account):
    kam_visit = ActivityTypeFactory(name="KAM visit", rate=D(1), kam_time=True)
    actions.do_record_activity(admin, account, kam_visit, month(2025, 5), D(3), D(60))  # 180 min
    actions.do_record_activity(admin, other_account, kam_visit, month(2025, 5), D(1), D(60))
    inv = actions.do_record_investment(
        admin,
        customer=None,
        kind="people",
        amount=D(1000),
        date=datetime.date(2025, 6, 1),
        allocation=AllocationRule.KAM_TIME,
    )
    parts = dict(inv.allocations.values_list("customer_id", "amount"))
    assert parts == {account.pk: D(750), other_account.pk: D(250)}


def test_programme_investment_needs_key_accounts(admin):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        actions.do_record_investment(
            admin, customer=None, kind="people", amount=D(10), date=datetime.date(2025, 1, 1)
        )


def test_portfolio_queries_do_not_grow_with_customers(django_assert_max_num_queries, admin):
    customers = [CustomerFactory() for _ in range(30)]
    act = ActivityTypeFactory(name="Call", driver="event", rate=D(10))
    for c in customers:
        sale(c, datetime.date(2025, 2, 1), 100, 50)
        actions.do_record_activity(admin, c, act, month(2025, 2), D(2))
    with django_assert_max_num_queries(12):
        values = services.portfolio_pnl("2025", None)
    assert len(values) == 30
    assert all(v.contribution == D(30) for v in values.values())


def test_periods_for_alerts():
    periods = services.recent_periods("quarter", 2, datetime.date(2026, 11, 28))
    assert [str(p) for p in periods] == ["2026-Q2", "2026-Q3"]
    assert str(Period.trailing(datetime.date(2026, 11, 28), 12)) == "2025-11..2026-10"


def test_amounts_in_another_currency_are_read_only_where_there_are_some(cs, admin):
    # Most accounts trade in the base currency alone: their P&L skips the three queries that
    # read amounts in another currency month by month. One sale in dollars, in the period
    # before, brings them back, and that period's figures convert it.
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as base_only:
        value = services.account_pnl(cs, "2025-Q3")
    assert value.net_revenue == D(10_000_000) and value.previous.net_revenue == D(8_000_000)
    assert not any("SUBSTR" in q["sql"].upper() for q in base_only)

    sale(cs, datetime.date(2025, 4, 15), "100", "40", currency="USD")
    actions.do_set_exchange_rate(admin, "USD", "2025-04", D("950"))
    with CaptureQueriesContext(connection) as mixed:
        value = services.account_pnl(cs, "2025-Q3")
    assert value.net_revenue == D(10_000_000)
    assert value.previous.net_revenue == D(8_000_000 + 95_000)
    assert value.previous.cost_of_goods == D(5_000_000 + 38_000)
    assert len(mixed) == len(base_only) + 3
