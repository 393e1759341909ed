"""The target interaction form on the Interactions tab in a real browser: set a mix with a named
pair in Spanish on a phone, see progress and the next pair; English on a laptop."""

from datetime import date

import pytest
from playwright.sync_api import expect

from kamp.interactions.models import TargetForm
from tests.interactions.conftest import cs_people  # noqa: F401  (the fixture)
from tests.interactions.factories import log


def go(page, url):
    page.goto(url, wait_until="domcontentloaded", timeout=30_000)


@pytest.fixture
def story(account, ana, request):
    p = request.getfixturevalue("cs_people")
    log(account, [ana], [p["jorge"]], days_ago=3)
    log(account, [p["felipe"]], [p["maria"]], days_ago=10)
    return p


def fits(page):
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"] + 1, width


def test_set_a_mix_in_spanish_on_a_phone(page, live_server, login, account, ana, story, shot):
    page.set_viewport_size({"width": 390, "height": 844})
    login(ana, "es")
    go(page, f"{live_server.url}/interactions/customer/{account.pk}/")
    section = page.locator("#target")
    expect(section.get_by_role("heading", name="Forma de interacción objetivo")).to_be_visible()
    expect(section).to_contain_text("Ninguna ronda de encuesta contabilizada")
    section.get_by_label("Forma objetivo").select_option("mix")
    section.get_by_label("Nuestra función").first.select_option("management")
    section.get_by_label("Su función").first.select_option("management")
    section.get_by_label("Por qué").fill("El socio con el gerente general")
    section.get_by_role("button", name="Guardar el objetivo").click()
    expect(page.get_by_text("Forma de interacción objetivo guardada.")).to_be_visible()
    t = TargetForm.objects.get(customer=account)
    assert (t.form, t.pairs) == ("mix", [["management", "management"]])
    section = page.locator("#target")
    expect(section.locator("[data-progress]")).to_have_text("0 de 1 pasos")
    expect(section.locator("[data-next-pair]")).to_have_text("Gerencia ↔ Gerencia")
    expect(section).to_contain_text("Andrés Silva")
    fits(page)
    section.scroll_into_view_if_needed()
    shot("interactions-target-es-390")


def test_progress_in_english_on_a_laptop(page, live_server, login, account, ana, story, shot):
    TargetForm.objects.create(
        customer=account, form="B", pairs=[["finance", "finance"]], set_on=date.today()
    )
    page.set_viewport_size({"width": 1366, "height": 900})
    login(ana)
    go(page, f"{live_server.url}/interactions/customer/{account.pk}/")
    section = page.locator("#target")
    expect(section.locator("[data-target-form='B']")).to_have_text("B · diamond")
    expect(section.locator("[data-progress]")).to_have_text("1 of 2 steps")
    # finance is met; the next pair is management, Rodrigo's function, with Andrés the decider
    expect(section.locator("[data-next-pair]")).to_have_text("Management ↔ Management")
    expect(section).to_contain_text("DMU role not met")
    fits(page)
    section.scroll_into_view_if_needed()
    shot("interactions-target-en-1366")
