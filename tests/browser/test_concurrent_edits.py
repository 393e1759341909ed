"""Two real browsers on the same record — a contact, a plan's objective, a score in the selection
grid: the second save is told that someone changed it, sees both versions and chooses; nothing
is silently overwritten. (The customer's form: test_customers_conflict.py.)"""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from playwright.sync_api import expect

from kamp.customers.models import Contact
from kamp.plans.models import Objective
from kamp.selection import engine
from kamp.selection.models import Assessment
from tests.factories import ContactFactory
from tests.plans.factories import ObjectiveFactory, PlanFactory


@pytest.fixture
def two_browsers(browser, live_server, client_for):
    """``open(user, language)`` → a page in a browser context of its own (its own cookies, as on
    two people's laptops)."""
    contexts = []

    def open_as(user, language="en"):
        context = browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 900})
        context.set_default_timeout(20_000)
        context.set_default_navigation_timeout(60_000)
        session = client_for(user).cookies[settings.SESSION_COOKIE_NAME].value
        context.add_cookies(
            [
                {"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url},
                {"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url},
            ]
        )
        contexts.append(context)
        return context.new_page()

    yield open_as
    for context in contexts:
        context.close()


def test_two_people_edit_the_same_contact(live_server, two_browsers, account, ana, member):
    contact = ContactFactory(customer=account, name="Marta Fuentes", title="CFO")
    url = f"{live_server.url}/customers/{account.pk}/people/{contact.pk}/edit/"
    first, second = two_browsers(ana), two_browsers(member, "es")
    first.goto(url)
    second.goto(url)  # both forms open on the same version

    first.get_by_label("Title").fill("Chief financial officer")
    first.get_by_role("button", name="Save").click()
    expect(first.get_by_text("Changes saved.")).to_be_visible()

    second.get_by_label("Cargo").fill("Gerente de finanzas")
    second.get_by_role("button", name="Guardar").click()
    conflict = second.locator("section.conflict")
    expect(conflict).to_be_visible()
    expect(conflict).to_contain_text("Otra persona cambió esto desde que usted lo abrió")
    expect(conflict.locator("td.theirs").first).to_have_text("Chief financial officer")
    expect(conflict.locator("td.yours").first).to_have_text("Gerente de finanzas")
    expect(second.get_by_label("Cargo")).to_have_value("Gerente de finanzas")  # kept for him
    assert Contact.objects.get(pk=contact.pk).title == "Chief financial officer"

    # He chooses the other's version: reloading starts from it, and nothing of his is saved.
    second.goto(url)
    expect(second.get_by_label("Cargo")).to_have_value("Chief financial officer")
    assert Contact.objects.get(pk=contact.pk).version == 2


def test_two_people_edit_the_same_objective(live_server, two_browsers, account, ana, member):
    plan = PlanFactory(customer=account)
    objective = ObjectiveFactory(plan=plan, title="Share of advisory spend", measure="%")
    url = f"{live_server.url}/plans/customer/{account.pk}/"
    first, second = two_browsers(ana), two_browsers(member)
    for page in (first, second):  # both open the inline edit form of the same objective
        page.goto(url)
        page.locator("#sec-objectives").get_by_role(
            "link", name="Edit “Share of advisory spend”"
        ).click()
        expect(page.locator("#sec-objectives form.edit-form")).to_be_visible()

    first.locator("#sec-objectives form.edit-form").get_by_label("Measure").fill("percent")
    first.locator("#sec-objectives form.edit-form").get_by_role("button", name="Save").click()
    expect(first.locator("#sec-objectives")).to_contain_text("percent")
    expect(first.locator("#sec-objectives form.edit-form")).to_have_count(0)

    form = second.locator("#sec-objectives form.edit-form")
    form.get_by_label("Measure").fill("points")
    form.get_by_label(re.compile(r"^Objective")).fill("Advisory share")
    form.get_by_role("button", name="Save").click()
    conflict = second.locator("#sec-objectives section.conflict")
    expect(conflict).to_be_visible()
    expect(conflict).to_contain_text("Someone else changed this since you opened it")
    expect(conflict.locator("tr", has_text="Measure").locator("td.theirs")).to_have_text("percent")
    expect(conflict.locator("tr", has_text="Measure").locator("td.yours")).to_have_text("points")
    saved = Objective.objects.get(pk=objective.pk)
    assert (saved.title, saved.measure) == ("Share of advisory spend", "percent")

    # He keeps his: saving the re-shown form again writes it over the current version.
    second.locator("#sec-objectives form.edit-form").get_by_role("button", name="Save").click()
    expect(second.locator("#sec-objectives form.edit-form")).to_have_count(0)
    expect(second.locator("#sec-objectives")).to_contain_text("Advisory share")
    saved = Objective.objects.get(pk=objective.pk)
    assert (saved.title, saved.measure, saved.version) == ("Advisory share", "points", 3)


def test_one_score_edited_on_two_devices(live_server, two_browsers, account, director):
    """A score belongs to its assessor: the same person, the grid open on a laptop and a phone."""
    engine.forget()
    laptop, phone = two_browsers(director), two_browsers(director, "es")
    for page in (laptop, phone):
        page.goto(live_server.url + "/selection/grid/")
    cell = f"#cell-{account.pk}-profitability"

    laptop.get_by_label("Constructora CS · Profitability").fill("8")
    laptop.keyboard.press("Tab")
    expect(laptop.locator(f"{cell} .cell-info")).to_contain_text("mean 8")

    phone.get_by_label("Constructora CS · Rentabilidad").fill("3")
    phone.keyboard.press("Tab")
    refused = phone.locator(f"{cell} .cell-info.err")
    expect(refused).to_contain_text("8")  # theirs, shown with his own
    expect(refused).to_contain_text("3")
    expect(phone.get_by_label("Constructora CS · Rentabilidad")).to_have_value("8")
    assert Assessment.objects.get(customer=account, factor="profitability").score == 8

    # He keeps his: typing it again saves it over the score now shown.
    phone.get_by_label("Constructora CS · Rentabilidad").fill("3")
    phone.keyboard.press("Tab")
    expect(phone.locator(f"{cell} .cell-info")).to_contain_text("3")
    expect(phone.locator(f"{cell} .cell-info.err")).to_have_count(0)
    score = Assessment.objects.get(customer=account, factor="profitability")
    assert (score.score, score.version) == (3, 2)


def test_two_people_edit_the_same_interaction(live_server, two_browsers, account, ana, member):
    from kamp.interactions.models import Interaction
    from tests.interactions.factories import log

    jorge = ContactFactory(customer=account, name="Jorge Pérez")
    interaction = log(account, [ana], [jorge], topic="Quarterly review")
    url = f"{live_server.url}/interactions/customer/{account.pk}/{interaction.pk}/edit/"
    first, second = two_browsers(ana), two_browsers(member, "es")
    first.goto(url)
    second.goto(url)

    first.get_by_label("Topic").fill("Quarterly review with the CFO")
    first.get_by_role("button", name="Save").click()
    expect(first.get_by_text("Changes saved.")).to_be_visible()

    second.get_by_label("Tema").fill("Revisión de la licitación")
    second.get_by_role("button", name="Guardar").click()
    conflict = second.locator("section.conflict")
    expect(conflict).to_be_visible()
    expect(conflict).to_contain_text("Otra persona cambió esto desde que usted lo abrió")
    expect(conflict.locator("td.theirs").first).to_have_text("Quarterly review with the CFO")
    expect(conflict.locator("td.yours").first).to_have_text("Revisión de la licitación")
    assert Interaction.objects.get(pk=interaction.pk).topic == "Quarterly review with the CFO"

    # He keeps his: saving again over the version he has now seen.
    second.get_by_role("button", name="Guardar").click()
    expect(second.get_by_text("Cambios guardados.")).to_be_visible()
    assert Interaction.objects.get(pk=interaction.pk).topic == "Revisión de la licitación"
