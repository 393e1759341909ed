"""Bids in a real browser: from a lost bid to a key account — a KAM records the lost tender with
its debrief, seeds the candidate from it and finds the people in the DMU; in English and
Spanish, on a laptop and a phone; the programme's bids page."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from kamp.core.models import SiteSettings
from kamp.customers import actions as customer_actions
from kamp.customers.models import Contact, CustomerStatus
from kamp.pipeline.models import Bid
from kamp.relationships.models import Foundations

WORDS = {
    "en": {
        "tab": "Bids",
        "sections": "Customer sections",
        "new": "New bid",
        "title": "Title",
        "stage": "Stage",
        "lost": "Lost",
        "price": "Price",
        "save": "Save",
        "seed": "From lost bid to key account: seed the candidate",
        "done": "seeded from the debrief",
        "people": "People",
        "programme": "Bids and opportunities",
    },
    "es": {
        "tab": "Licitaciones",
        "sections": "Secciones del cliente",
        "new": "Nueva licitación",
        "title": "Título",
        "stage": "Etapa",
        "lost": "Perdida",
        "price": "Precio",
        "save": "Guardar",
        "seed": "De licitación perdida a cuenta clave: crear el candidato",
        "done": "creado a partir del análisis",
        "people": "Personas",
        "programme": "Licitaciones y oportunidades",
    },
}


@pytest.fixture
def prospect(db, ana):
    site = SiteSettings.load()
    site.base_currency = "CLP"
    site.save()
    return customer_actions.do_create_customer(ana, name="Constructora CS", currency="CLP")


def fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


@pytest.mark.parametrize("language", ["en", "es"])
def test_from_lost_bid_to_key_account(login, live_server, shot, prospect, ana, language):
    w = WORDS[language]
    page = login(ana, language)
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(f"{live_server.url}/customers/{prospect.pk}/")
    page.get_by_role("navigation", name=w["sections"]).get_by_role("link", name=w["tab"]).click()
    page.get_by_role("link", name=w["new"]).click()
    page.locator("input[name=title]").fill("Licitación de asesoría 2023")
    page.locator("select[name=stage]").select_option("lost")
    page.locator("input[name=value]").fill("180000000")
    page.get_by_label(w["price"]).check()
    page.locator("textarea[name=learnt_needs]").fill("Asesoría financiera continua de obras.")
    page.locator("textarea[name=learnt_buying]").fill("Compras arma la terna; decide el gerente.")
    page.locator("textarea[name=learnt_culture]").fill("Ingenieros que confían en quien conocen.")
    page.locator("textarea[name=learnt_people]").fill(
        "María González; Gerenta de Finanzas; decisor\nJorge Pérez; Jefe de Compras; comprador"
    )
    page.get_by_role("button", name=w["save"]).click()
    debrief = page.locator("article.debrief")
    expect(debrief).to_contain_text("Licitación de asesoría 2023")
    expect(debrief).to_contain_text(w["lost"])
    expect(debrief).to_contain_text("180.000.000" if language == "es" else "180,000,000")
    shot(f"pipeline_tab_{language}_1366")
    page.get_by_role("button", name=w["seed"]).click()
    expect(page.locator("body")).to_contain_text(w["done"])
    prospect.refresh_from_db()
    assert prospect.status == CustomerStatus.CANDIDATE
    assert Foundations.objects.filter(customer=prospect).count() == 1
    assert Bid.objects.get(customer=prospect).seeded_on is not None
    page.get_by_role("link", name=w["people"], exact=True).click()
    expect(page.locator("body")).to_contain_text("María González")
    assert Contact.objects.get(customer=prospect, name="Jorge Pérez").dmu_roles == ["buyer"]
    # On a phone the tab and the programme page fit the width.
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/pipeline/customer/{prospect.pk}/")
    expect(page.locator("article.debrief")).to_be_visible()
    assert fits(page)
    shot(f"pipeline_tab_{language}_390")
    page.goto(f"{live_server.url}/pipeline/")
    expect(page.locator("h1")).to_have_text(w["programme"])
    assert fits(page)
    shot(f"pipeline_programme_{language}_390")


def test_follow_a_departed_champion_in_spanish(login, live_server, shot, account, ana):
    """A champion left the key account: from its Bids tab the KAM follows her to the new
    company, which becomes a candidate with her as a contact, linked to her history."""
    import datetime

    from kamp.customers.models import Attitude, Customer

    Contact.objects.create(
        customer=account,
        name="Paula Muñoz",
        title="Jefa de Abastecimiento",
        attitude=Attitude.CHAMPION,
        active=False,
        left_on=datetime.date(2026, 10, 1),
    )
    page = login(ana, "es")
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(f"{live_server.url}/customers/{account.pk}/")
    page.get_by_role("navigation", name="Secciones del cliente").get_by_role(
        "link", name="Licitaciones"
    ).click()
    champions = page.locator("#champions")
    expect(champions).to_contain_text("Paula Muñoz")
    champions.get_by_role("button", name="Seguirlo a su nueva empresa").click()
    expect(page.locator("h3")).to_have_text("Seguir a Paula Muñoz a su nueva empresa")
    page.get_by_label("O el nombre de la nueva empresa").fill("Minera Andina")
    page.get_by_label("Su cargo allí").fill("Gerenta de Compras")
    page.get_by_role("button", name="Seguirlo", exact=True).click()
    expect(page.locator("body")).to_contain_text("Paula Muñoz ahora es contacto en Minera Andina")
    expect(page.locator("#champions")).to_contain_text(
        "Paula Muñoz era promotor (champion) en Constructora CS"
    )
    shot("pipeline_follow_es_1366")
    new = Customer.objects.get(name="Minera Andina")
    assert new.status == CustomerStatus.CANDIDATE
    assert Contact.objects.filter(customer=new, name="Paula Muñoz", active=True).exists()
    page.get_by_role("link", name="Personas", exact=True).click()
    expect(page.locator("body")).to_contain_text("Paula Muñoz")
    # The old account no longer offers to follow her: it says where she went.
    page.goto(f"{live_server.url}/pipeline/customer/{account.pk}/")
    expect(page.locator("#champions")).to_contain_text("Se siguió a Paula Muñoz a Minera Andina")
