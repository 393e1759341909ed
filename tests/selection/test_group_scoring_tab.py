"""A company of a group scored as one account says so on its Selection tab, in English and
Spanish, with a link to its group account (instead of looking unscored for no reason)."""

import pytest
from django.utils import translation

from kamp.customers import actions as customer_actions
from tests.selection.test_group_scoring import _model

pytestmark = pytest.mark.django_db


@pytest.fixture
def group(director):
    holding = customer_actions.do_create_customer(
        director, name="Grupo Andes Holding", is_group_account=True
    )
    retail = customer_actions.do_create_customer(director, name="Andes Retail", parent=holding)
    return holding, retail


def _tab(client, customer, lang="en"):
    with translation.override(lang):
        return client.get(
            f"/selection/customer/{customer.pk}/", HTTP_ACCEPT_LANGUAGE=lang
        ).content.decode()


def test_a_company_scored_with_its_group_says_so_and_links_the_group(
    group, admin, director, client_for
):
    holding, retail = group
    _model(admin, groups=True)
    c = client_for(director)
    c.cookies["django_language"] = "en"
    text = _tab(c, retail)
    assert "Scored as part of its group" in text
    assert f'href="/selection/customer/{holding.pk}/">Grupo Andes Holding</a>' in text
    assert "Scored as part of its group" not in _tab(c, holding)
    c.cookies["django_language"] = "es"
    spanish = _tab(c, retail, "es")
    assert "Se evalúa como parte de su grupo" in spanish and "Scored as part" not in spanish


def test_without_group_scoring_the_company_is_scored_on_its_own(group, admin, director, client_for):
    _model(admin, groups=False)
    assert "Scored as part of its group" not in _tab(client_for(director), group[1])
