"""The Interactions tab of an account answers in a fixed number of queries whatever the size of
its log, reuses the analysis the process holds while the account is unchanged, and shows the same
figures as the summary card (issue 19)."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kamp.core.choices import Function
from kamp.customers.models import CustomerStatus
from kamp.interactions import actions, summary
from tests.factories import ContactFactory, CustomerFactory, UserFactory

from .factories import log

pytestmark = pytest.mark.django_db


def _account(owner, n: int):
    """A key account with ``n`` interactions between its KAM, a colleague and ``n`` contacts,
    spread over two years (the tab's quarterly history)."""
    customer = CustomerFactory(status=CustomerStatus.KEY_ACCOUNT, owner=owner)
    contacts = [ContactFactory(customer=customer) for _ in range(n)]
    colleague = UserFactory(function=Function.FINANCE)
    for i in range(n):
        log(customer, [owner, colleague], [contacts[i]], days_ago=3 + i * 11)
    return customer


def _tab(c, customer):
    url = reverse("interactions:customer_tab", args=[customer.pk])
    with CaptureQueriesContext(connection) as ctx:
        response = c.get(url)
    assert response.status_code == 200
    return [q["sql"] for q in ctx.captured_queries], response.content.decode()


@pytest.mark.parametrize("who", ["director", "ana"])
def test_tab_queries_do_not_grow_with_the_log(request, client_for, ana, who):
    user = request.getfixturevalue(who)
    small, large = _account(ana, 3), _account(ana, 60)
    c = client_for(user)
    _tab(c, CustomerFactory(owner=ana))  # settings, content types
    # The first view of each account (nothing of it held by the process), then a warm one.
    (first_small, _b), (first_large, body) = _tab(c, small), _tab(c, large)
    assert len(first_large) == len(first_small), first_large
    (warm_small, _b), (warm_large, _b) = _tab(c, small), _tab(c, large)
    assert len(warm_large) == len(warm_small), warm_large
    assert len(warm_small) < len(first_small)  # the analysis is held, not recomputed
    # A page of the log, not the whole of it.
    assert len(set(re.findall(r"<td>(Meeting \d+)", body))) == 20


def _diamond(body: str) -> str:
    found = re.search(r'data-figure="diamond_index">(?:<strong[^>]*>)?(\d+) %', body)
    assert found, body
    return found.group(1)


def _card_and_tab(c, customer) -> tuple[str, str]:
    card = c.get(reverse("customers:detail", args=[customer.pk])).content.decode()
    tab = c.get(reverse("interactions:customer_tab", args=[customer.pk])).content.decode()
    return _diamond(card), _diamond(tab)


def test_the_tab_follows_every_write_and_agrees_with_the_card(client_for, ana):
    customer = CustomerFactory(status=CustomerStatus.KEY_ACCOUNT, owner=ana)
    buyer = ContactFactory(customer=customer, function=Function.PURCHASING)
    tech = ContactFactory(customer=customer, function=Function.ENGINEERING)
    engineer = UserFactory(function=Function.ENGINEERING)
    c = client_for(ana)
    first = log(customer, [ana], [buyer])
    assert _card_and_tab(c, customer) == ("0", "0")
    second = log(customer, [engineer], [tech], days_ago=1)
    assert _card_and_tab(c, customer) == ("50", "50")
    actions.do_update_interaction(
        ana, first, our_people=[engineer], their_contacts=[tech], topic="Wider"
    )
    assert _card_and_tab(c, customer) == ("100", "100")
    # The tab first, then the card, with nothing held: still one figure.
    summary._HELD.clear()
    summary._HELD_ACCOUNTS.clear()
    card, tab = _card_and_tab(c, customer)
    assert card == tab == "100"
    actions.do_delete_interaction(ana, second)
    actions.do_delete_interaction(ana, first)
    assert _card_and_tab(c, customer) == ("0", "0")
