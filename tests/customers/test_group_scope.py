"""A group account's Interactions and People tabs show the whole group by default — every
company's interactions and people, with the company shown — and "This company only" shows the
group account's own; a company that is not a group account has no switch."""

import pytest

from kamp.customers import actions
from tests.factories import ContactFactory
from tests.interactions.factories import InteractionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def group(director, ana):
    holding = actions.do_create_customer(
        director, name="Grupo Andes Holding", owner=ana, is_group_account=True
    )
    retail = actions.do_create_customer(director, name="Andes Retail", parent=holding)
    ContactFactory(customer=holding, name="Hilda Holding", influence=5)
    ContactFactory(customer=retail, name="Rita Retail", influence=4)
    InteractionFactory(customer=retail, topic="Renovación del contrato de tiendas")
    InteractionFactory(customer=holding, topic="Reunión con el directorio")
    return holding, retail


def test_people_tab_of_a_group_account_shows_the_whole_group_by_default(group, client_for, ana):
    holding, retail = group
    c = client_for(ana)
    text = c.get(f"/customers/{holding.pk}/people/").content.decode()
    assert "Whole group" in text and "This company only" in text
    assert "Rita Retail" in text and "Andes Retail" in text and "Hilda Holding" in text
    own = c.get(f"/customers/{holding.pk}/people/?scope=company").content.decode()
    assert "Hilda Holding" in own and "Rita Retail" not in own
    assert 'aria-current="page">This company only' in own.replace("\n", "")


def test_interactions_tab_of_a_group_account_rolls_up(group, client_for, ana):
    holding, retail = group
    c = client_for(ana)
    text = c.get(f"/interactions/customer/{holding.pk}/").content.decode()
    assert "Interaction form of the group" in text
    assert "Renovación del contrato de tiendas" in text and "Andes Retail" in text
    own = c.get(f"/interactions/customer/{holding.pk}/?scope=company").content.decode()
    assert "Interaction form of the group" not in own
    assert "Reunión con el directorio" in own
    assert "Renovación del contrato de tiendas" not in own


def test_a_company_has_no_switch(group, client_for, ana):
    retail = group[1]
    c = client_for(ana)
    for url in (f"/customers/{retail.pk}/people/", f"/interactions/customer/{retail.pk}/"):
        text = c.get(url).content.decode()
        assert "Whole group" not in text and "Interaction form of the group" not in text


def test_the_switch_in_spanish(group, client_for, ana):
    c = client_for(ana)
    c.cookies["django_language"] = "es"
    text = c.get(f"/customers/{group[0].pk}/people/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "Todo el grupo" in text and "Solo esta empresa" in text and "Whole group" not in text
