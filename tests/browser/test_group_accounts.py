"""Group accounts in a real browser: the Group tab of a holding (its companies, the roll-up of
their sales, the group's interaction form and people) in English and Spanish, on a laptop and a
phone, and the link from a subsidiary's page to its group account."""

import datetime
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from kamp.core.models import SiteSettings
from kamp.customers import actions
from tests.factories import ContactFactory, SalesLineFactory


@pytest.fixture
def group(db, director, ana, bruno):
    site = SiteSettings.load()
    site.base_currency = "CLP"
    site.save()
    holding = actions.do_create_customer(
        director, name="Grupo Andes Holding", owner=ana, is_group_account=True, currency="CLP"
    )
    retail = actions.do_create_customer(
        director, name="Andes Retail S.A.", parent=holding, owner=bruno, currency="CLP"
    )
    logistics = actions.do_create_customer(
        director, name="Andes Logística SpA", parent=holding, owner=bruno, currency="CLP"
    )
    last_month = datetime.date.today().replace(day=1) - datetime.timedelta(days=1)
    for customer, amount in (
        (holding, 12_000_000),
        (retail, 240_000_000),
        (logistics, 150_000_000),
    ):
        SalesLineFactory(
            customer=customer,
            date=last_month,
            net_amount=Decimal(amount),
            cost=Decimal(amount) * Decimal("0.6"),
            currency="CLP",
        )
    ContactFactory(
        customer=retail, name="Rosa Fuentes", title="Gerente de compras", dmu_roles=["buyer"]
    )
    ContactFactory(customer=logistics, name="Tomás Rojas", title="CFO", dmu_roles=["decider"])
    return holding, retail, logistics


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_group_tab_rolls_up_the_companies(login, live_server, shot, group, ana, language):
    holding, retail, logistics = group
    page = login(ana, language)
    page.set_viewport_size({"width": 1366, "height": 900})
    # From a subsidiary, the link to its group account.
    page.goto(f"{live_server.url}/customers/{retail.pk}/")
    page.locator("p.group-link a", has_text="Grupo Andes Holding").click()
    expect(page.locator("h1")).to_contain_text("Grupo Andes Holding")
    tab = "Group" if language == "en" else "Grupo"
    expect(page.get_by_role("link", name=tab, exact=True)).to_have_attribute("aria-current", "page")
    body = page.locator("section.tab-body")
    expect(body).to_contain_text("Andes Retail S.A.")
    expect(body).to_contain_text("Andes Logística SpA")
    expect(body).to_contain_text("Rosa Fuentes")
    expect(body).to_contain_text("Tomás Rojas")
    # The group's net revenue: 12 + 240 + 150 million, in the reader's format.
    total = "402,000,000" if language == "en" else "402.000.000"
    expect(body.locator("tfoot")).to_contain_text(total)
    if language == "es":
        expect(body).to_contain_text("Empresas del grupo")
        expect(body).not_to_contain_text("Companies of the group")
    shot(f"group-account-laptop-{language}")
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    # Nothing wider than the phone: the tables scroll inside their own box.
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1
    shot(f"group-account-phone-{language}")
    page.set_viewport_size({"width": 1366, "height": 900})


def test_a_viewer_sees_the_group_without_money(login, live_server, group, viewer):
    holding = group[0]
    page = login(viewer)
    page.goto(f"{live_server.url}/customers/{holding.pk}/group/")
    body = page.locator("section.tab-body")
    expect(body).to_contain_text("Andes Retail S.A.")
    expect(body).not_to_contain_text("402,000,000")
    expect(body).not_to_contain_text("Net revenue")


def test_the_demo_group_of_grupo_andes_in_spanish(login, live_server, shot, db):
    from kamp.core import demo
    from kamp.core.models import User
    from kamp.customers.models import Customer

    demo.load(log=lambda *_: None, modules=[])
    holding = Customer.objects.get(name="Grupo Andes Holding")
    director = User.objects.filter(role="director").first()
    page = login(director, "es")
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(f"{live_server.url}/customers/{holding.pk}/group/")
    body = page.locator("section.tab-body")
    expect(body).to_contain_text("Andes Retail S.A.")
    expect(body).to_contain_text("Andes Logística SpA")
    expect(body.locator("tfoot")).to_contain_text("CLP")
    shot("group-account-demo-laptop-es")
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    shot("group-account-demo-phone-es")
