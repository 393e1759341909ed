"""The plan's foundations in a real browser: the journey and buying process typed in Spanish on
a phone, with who decides picked from the DMU map, then read in English on a laptop."""

import pytest
from playwright.sync_api import expect

from kamp.plans import actions
from kamp.plans.models import BuyingStep
from tests.factories import ContactFactory
from tests.plans.factories import PlanFactory


def go(page, url):
    page.goto(url, wait_until="domcontentloaded", timeout=30_000)


def fits(page):
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"] + 1, width


@pytest.fixture
def cs_plan(account):
    ContactFactory(customer=account, name="Andrés Silva", dmu_roles=["decider"])
    return PlanFactory(customer=account)


def test_type_the_foundations_in_spanish_on_a_phone(page, live_server, login, ana, cs_plan, shot):
    page.set_viewport_size({"width": 390, "height": 844})
    login(ana, "es")
    go(page, f"{live_server.url}/plans/customer/{cs_plan.customer_id}/")
    page.get_by_role("button", name="Editar el recorrido y el proceso de compra").click()
    page.get_by_label("Etapa 1").fill("Licitación")
    page.get_by_label("Puntos de contacto").first.fill("Portal de compras")
    page.get_by_label("Puntos de dolor").first.fill("Cuatro rondas de preguntas")
    page.get_by_label("Paso 1").fill("Aprobación del directorio")
    page.locator("[data-buying-row]").first.get_by_label("Andrés Silva").check()
    fits(page)
    shot("plan-foundations-edit-es-390")
    page.get_by_role("button", name="Guardar").click()
    expect(page.get_by_text("Recorrido y proceso de compra guardados.")).to_be_visible()
    section = page.locator("#sec-foundations")
    expect(section).to_contain_text("Cuatro rondas de preguntas")
    expect(section).to_contain_text("Quién decide: Andrés Silva")
    assert BuyingStep.objects.get().deciders.get().name == "Andrés Silva"
    fits(page)
    section.scroll_into_view_if_needed()
    shot("plan-foundations-es-390")


def test_read_in_english_on_a_laptop(page, live_server, login, ana, cs_plan, shot):
    contact = cs_plan.customer.contacts.get()
    actions.set_foundations(
        ana,
        cs_plan,
        journey=[{"name": "Tender", "touchpoints": "Portal", "pain_points": "Slow answers"}],
        buying=[{"name": "Board approval", "deciders": [contact.pk], "dated": "2026-04-01"}],
    )
    page.set_viewport_size({"width": 1366, "height": 900})
    login(ana)
    go(page, f"{live_server.url}/plans/customer/{cs_plan.customer_id}/")
    section = page.locator("#sec-foundations")
    expect(section.get_by_role("heading")).to_have_text(
        "Foundations: the customer's journey and buying process"
    )
    expect(section.locator("[data-step]")).to_contain_text("Who decides: Andrés Silva")
    fits(page)
    section.scroll_into_view_if_needed()
    shot("plan-foundations-en-1366")
