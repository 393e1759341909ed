"""Ids printed into markup (form values, element ids, links) are never grouped like the numbers
shown to people: with ``USE_THOUSAND_SEPARATOR`` a plain ``{{ contact.pk }}`` renders contact
1234567 as ``1,234,567`` (``1.234.567`` in Spanish), so a form posts an id that does not exist
and an htmx target (``#contact-1,234,567``) matches nothing — the save "never answers"."""

import re

import pytest
from django.conf import settings
from django.urls import reverse

from kamp.core.choices import Function
from tests.factories import ContactFactory

BIG = 1_234_567
GROUPED = re.compile(r'="[^"]*\d[,.]\d{3}\b[^"]*"')  # an attribute holding a grouped number


@pytest.fixture(params=["en", "es"])
def ana_client(request, client_for, ana):
    client = client_for(ana)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = request.param
    return client


def test_the_suite_numbers_ids_past_a_thousand(account):
    # tests/conftest.py starts every sequence high, so every test meets grouped-looking ids.
    assert account.pk > 1_000_000


def test_ids_in_the_interactions_tab_and_the_dmu_map(ana_client, account, ana):
    contact = ContactFactory(
        pk=BIG, customer=account, name="Jorge Pérez", function=Function.PURCHASING
    )
    tab = ana_client.get(reverse("interactions:customer_tab", args=[account.pk])).content.decode()
    assert f'name="their_contacts" value="{BIG}"' in tab
    assert f'name="our_people" value="{ana.pk}"' in tab
    assert not GROUPED.findall(tab)
    dmu = ana_client.get(reverse("interactions:dmu", args=[account.pk])).content.decode()
    assert f'id="contact-{contact.pk}"' in dmu
    assert not GROUPED.findall(dmu)


@pytest.mark.parametrize(
    "url", ["core:audit", "programme:alerts", "customers:list", "selection:portfolio"]
)
def test_filter_menus_offer_raw_ids(client_for, director, account, other_account, url):
    # The people in the filter menus are offered by id; every id here is past a million.
    html = client_for(director).get(reverse(url)).content.decode()
    assert f'value="{account.owner_id}"' in html
    assert not GROUPED.findall(html)


@pytest.mark.django_db(transaction=True)
def test_ids_stay_past_a_million_after_a_flush():
    from django.core.management import call_command

    from tests.factories import CustomerFactory

    call_command("flush", interactive=False, verbosity=0)  # what ``kamp demo --reset`` runs
    assert CustomerFactory().pk >= 1_000_001


def test_ids_in_the_scoring_grid(client_for, director, account):
    html = client_for(director).get(reverse("selection:grid")).content.decode()
    assert f'id="cell-{account.pk}-' in html
    assert f'"customer": "{account.pk}"' in html
    assert not GROUPED.findall(html)
