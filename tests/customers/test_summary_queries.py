"""The Summary tab of an account answers in a fixed number of queries, whatever the size of the
account: its contacts, interactions, plan items and months of sales (issue 19)."""

import datetime
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from kamp.customers.models import CustomerStatus
from kamp.plans.models import PlanAction
from tests.factories import ContactFactory, CustomerFactory, SalesLineFactory, UserFactory
from tests.interactions.factories import log
from tests.plans.factories import ActionFactory, ObjectiveFactory, PlanFactory, RiskFactory

pytestmark = pytest.mark.django_db


def _account(owner, n: int):
    """A key account with ``n`` contacts, interactions, plan objectives, actions and risks, and
    ``n`` months of sales (profitable, so that both raise the same kinds of alert)."""
    customer = CustomerFactory(status=CustomerStatus.KEY_ACCOUNT, owner=owner)
    contacts = [ContactFactory(customer=customer) for _ in range(n)]
    colleague = UserFactory()
    for i in range(n):
        log(customer, [owner, colleague], [contacts[i]], days_ago=3 + i)
    plan = PlanFactory(customer=customer, period=str(timezone.localdate().year))
    for _ in range(n):
        ObjectiveFactory(plan=plan)
        ActionFactory(plan=plan, owner=owner)
        RiskFactory(plan=plan)
    first = timezone.localdate().replace(day=1)
    for i in range(n):
        month = first
        for _ in range(i + 1):
            month = (month - datetime.timedelta(days=1)).replace(day=1)
        SalesLineFactory(
            customer=customer,
            date=month.replace(day=10),
            net_amount=Decimal(1000 + i),
            cost=Decimal(400),
        )
    return customer


def _queries(c, customer) -> list[str]:
    with CaptureQueriesContext(connection) as ctx:
        response = c.get(reverse("customers:detail", args=[customer.pk]))
    assert response.status_code == 200
    return [q["sql"] for q in ctx.captured_queries]


@pytest.mark.parametrize("who", ["director", "ana"])
def test_summary_queries_do_not_grow_with_the_account(request, client_for, ana, who):
    user = request.getfixturevalue(who)
    small, large = _account(ana, 3), _account(ana, 30)
    assert PlanAction.objects.filter(plan__customer=large).count() == 30
    c = client_for(user)
    c.get(reverse("customers:detail", args=[CustomerFactory(owner=ana).pk]))  # settings, types
    # The first view of each account (nothing of it held by the process), then a warm one.
    first_small, first_large = _queries(c, small), _queries(c, large)
    assert len(first_large) == len(first_small), first_large
    warm_small, warm_large = _queries(c, small), _queries(c, large)
    assert len(warm_large) == len(warm_small), warm_large
    # The warm view reuses the analysis of the interactions the process holds.
    assert len(warm_small) <= len(first_small)
    body = c.get(reverse("customers:detail", args=[large.pk])).content.decode()
    assert "Sales by year" in body and "Key account selection" in body


def _pairs_shown(c, customer) -> int:
    body = c.get(reverse("customers:detail", args=[customer.pk])).content.decode()
    found = re.search(r"Functional pairs</dt><dd>(\d+)</dd>", body)
    assert found, body
    return int(found.group(1))


def test_interactions_card_follows_every_write(client_for, ana):
    """The analysis the process keeps for the card is recomputed when the account's
    interactions change — logged, edited (who took part), deleted — and equals the analysis
    computed from scratch."""
    from kamp.core.choices import Function
    from kamp.interactions import actions, analysis

    customer = _account(ana, 0)
    buyer = ContactFactory(customer=customer, function=Function.PURCHASING)
    tech = ContactFactory(customer=customer, function=Function.ENGINEERING)
    engineer = UserFactory(function=Function.ENGINEERING)
    c = client_for(ana)

    def expected() -> int:
        return len(analysis.analyse_many([customer.pk])[customer.pk].functional_pairs)

    first = log(customer, [ana], [buyer])
    assert _pairs_shown(c, customer) == expected()
    shown = _pairs_shown(c, customer)  # held by the process
    actions.do_update_interaction(
        ana, first, our_people=[ana, engineer], their_contacts=[buyer, tech], topic="Wider"
    )
    assert _pairs_shown(c, customer) == expected() > shown
    second = log(customer, [engineer], [tech], days_ago=1)
    assert _pairs_shown(c, customer) == expected()
    actions.do_delete_interaction(ana, first)
    actions.do_delete_interaction(ana, second)
    assert _pairs_shown(c, customer) == expected() == 0


def test_a_warm_view_reads_the_interaction_log_not_at_all(client_for, ana):
    """The interactions card and the relationship card (its stage counts functional pairs) show
    one analysis: on a warm view neither reads the log, and what it is held under is read once."""
    customer = _account(ana, 5)
    c = client_for(ana)
    _queries(c, customer)
    warm = _queries(c, customer)
    log_reads = [
        q
        for q in warm
        if "interactions_interactionperson" in q or "interactions_interactioncontact" in q
    ]
    assert log_reads == []
    held_under = [q for q in warm if 'FROM "interactions_interaction"' in q and "MAX(" in q]
    assert len(held_under) == 1, held_under
