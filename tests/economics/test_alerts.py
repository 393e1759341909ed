"""Economics alerts: the unprofitable key account (N periods in a row, star quadrant excepted)
and cost to serve outgrowing revenue."""

import datetime
from decimal import Decimal as D

import pytest
from django.utils import translation

from kamp.customers.models import Customer
from kamp.economics import actions, alerts, services
from tests.factories import SalesLineFactory

from .factories import ActivityTypeFactory

pytestmark = pytest.mark.django_db
AS_OF = datetime.date(2026, 11, 28)  # last complete quarters: 2026-Q2, 2026-Q3


def _quarter_loss(customer, admin, months):
    support = ActivityTypeFactory(name="Support", driver="event", rate=D(1000))
    for m in months:
        SalesLineFactory(customer=customer, date=m, net_amount=D(1000), cost=D(500), currency="CLP")
        actions.do_record_activity(admin, customer, support, m, D(1))  # contribution −500


def test_unprofitable_two_quarters_in_a_row(admin, account, other_account):
    _quarter_loss(account, admin, [datetime.date(2026, 5, 1), datetime.date(2026, 8, 1)])
    _quarter_loss(other_account, admin, [datetime.date(2026, 8, 1)])  # one quarter only
    found = [
        a
        for a in alerts.alerts(Customer.objects.all(), AS_OF)
        if a.kind == "unprofitable_key_account"
    ]
    assert [a.customer_id for a in found] == [account.pk]
    # The quarters as people write them, in the reader's language; the link keeps the code.
    assert "(Q2 2026, Q3 2026)" in found[0].message
    assert found[0].url.endswith("?period=2026-Q3")
    with translation.override("es"):
        (spanish,) = [
            a
            for a in alerts.alerts(Customer.objects.all(), AS_OF)
            if a.kind == "unprofitable_key_account"
        ]
    assert "(T2 2026, T3 2026)" in spanish.message and "Q2" not in spanish.message


def test_star_quadrant_is_excepted(admin, account, monkeypatch):
    _quarter_loss(account, admin, [datetime.date(2026, 5, 1), datetime.date(2026, 8, 1)])
    monkeypatch.setattr(services, "star_quadrant_ids", lambda ids, as_of: {account.pk})
    assert not [
        a
        for a in alerts.alerts(Customer.objects.all(), AS_OF)
        if a.kind == "unprofitable_key_account"
    ]


def test_star_lookup_falls_back_to_no_exception(account):
    # Without scores the selection area puts nobody in the star quadrant.
    assert services.star_quadrant_ids([account.pk], AS_OF) == set()


def test_cost_to_serve_outgrowing_revenue(admin, account, django_assert_max_num_queries):
    act = ActivityTypeFactory(name="Visit", driver="event", rate=D(100))
    SalesLineFactory(
        customer=account, date=datetime.date(2025, 3, 1), net_amount=D(10_000), cost=D(0)
    )
    SalesLineFactory(
        customer=account, date=datetime.date(2026, 3, 1), net_amount=D(10_500), cost=D(0)
    )
    actions.do_record_activity(admin, account, act, datetime.date(2025, 3, 1), D(10))
    actions.do_record_activity(admin, account, act, datetime.date(2026, 3, 1), D(15))
    with django_assert_max_num_queries(40):
        found = alerts.alerts(Customer.objects.all(), AS_OF)
    kinds = {a.kind for a in found}
    assert "cost_to_serve_outgrows_revenue" in kinds


def test_visible_to_keeps_money_alerts_from_the_others(admin, ana, member, viewer, account):
    _quarter_loss(account, admin, [datetime.date(2026, 5, 1), datetime.date(2026, 8, 1)])
    found = alerts.alerts(Customer.objects.all(), AS_OF)
    assert found and all(a.data.get("economics") for a in found)
    assert alerts.visible_to(ana, found) == found
    assert alerts.visible_to(member, found) == []
    assert alerts.visible_to(viewer, found) == []
