"""In a real browser, in Spanish: a group account's People and Interactions tabs open on the
whole group (every company's people and interactions, with the company shown) and the switch
"Solo esta empresa" / "Todo el grupo" narrows them to the group account's own and back, on a
laptop and a phone."""

from playwright.sync_api import expect

from tests.browser.test_group_accounts import group  # noqa: F401  (the fixture)
from tests.factories import ContactFactory
from tests.interactions.factories import InteractionFactory


def test_the_switch_in_spanish(login, live_server, shot, group, ana):  # noqa: F811
    holding, retail, logistics = group
    ContactFactory(customer=holding, name="Hernán Soto", title="Gerente general")
    InteractionFactory(customer=retail, topic="Revisión de precios de tiendas")
    InteractionFactory(customer=holding, topic="Directorio del holding")
    page = login(ana, "es")
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(f"{live_server.url}/customers/{holding.pk}/people/")
    body = page.locator("section.tab-body")
    switch = body.get_by_role("navigation", name="Qué empresas mostrar")
    expect(switch.get_by_role("button", name="Todo el grupo")).to_have_attribute(
        "aria-current", "page"
    )
    expect(body).to_contain_text("Rosa Fuentes")  # Andes Retail's
    expect(body).to_contain_text("Andes Retail S.A.")
    expect(body).to_contain_text("Hernán Soto")
    shot("group-scope-people-laptop-es")
    switch.get_by_role("button", name="Solo esta empresa").click()
    expect(page).to_have_url(f"{live_server.url}/customers/{holding.pk}/people/?scope=company")
    expect(body).to_contain_text("Hernán Soto")
    expect(body).not_to_contain_text("Rosa Fuentes")
    expect(body).not_to_contain_text("Whole group")
    # The interactions: the whole group by default, the holding's own on the switch.
    page.goto(f"{live_server.url}/interactions/customer/{holding.pk}/")
    expect(body).to_contain_text("Revisión de precios de tiendas")
    expect(body).to_contain_text("Directorio del holding")
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1
    shot("group-scope-interactions-phone-es")
    page.get_by_role("button", name="Solo esta empresa").click()
    expect(body).to_contain_text("Directorio del holding")
    expect(body).not_to_contain_text("Revisión de precios de tiendas")
    page.get_by_role("button", name="Todo el grupo").click()
    expect(body).to_contain_text("Revisión de precios de tiendas")
