"""Browser tests of the foundation: searching and opening a customer, editing a contact, the
language switch, a viewer refused an edit — with screenshots of each page in both languages."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from kamp.customers.models import CustomerStatus
from tests.factories import ContactFactory, CustomerFactory, SalesLineFactory


@pytest.fixture
def portfolio(account, other_account, ana):
    CustomerFactory(
        name="Agrícola Maule Sur",
        industry="Agroindustria",
        region="Maule",
        tax_id="77.115.640-6",
        owner=ana,
    )
    CustomerFactory(
        name="Viña Valle Central",
        industry="Agroindustria",
        region="O'Higgins",
        status=CustomerStatus.KEY_ACCOUNT,
        owner=ana,
    )
    boss = ContactFactory(
        customer=account,
        name="María González",
        title="CFO",
        function="finance",
        dmu_roles=["decider"],
        attitude="supporter",
        influence=5,
        email="maria.gonzalez@cs.cl",
    )
    ContactFactory(
        customer=account,
        name="Jorge Pérez",
        title="Gerente de Compras",
        function="purchasing",
        dmu_roles=["buyer"],
        reports_to=boss,
        email="jorge.perez@cs.cl",
    )
    for months_ago, amount in [(1, 12_500_000), (13, 9_800_000), (25, 4_100_000)]:
        d = date.today().replace(day=1)
        year, month = d.year, d.month - months_ago
        while month <= 0:
            year, month = year - 1, month + 12
        SalesLineFactory(
            customer=account,
            date=date(year, month, 10),
            currency="CLP",
            net_amount=Decimal(amount),
            cost=Decimal(amount * 0.62),
            document_number=f"F-{months_ago}",
            line_number="1",
            product="Asesoría financiera",
        )
    return account


def test_search_and_open_a_customer(page, live_server, login, ana, portfolio, shot):
    login(ana)
    page.goto(live_server.url + "/customers/")
    expect(page.get_by_role("heading", name="Customers")).to_be_visible()
    shot("foundation-customer-list-en")
    page.get_by_label("Search customers").fill("maule")
    # HTMX replaces the results without a reload, and the URL follows the search.
    expect(page.get_by_role("link", name="Constructora CS")).to_have_count(0)
    expect(page.get_by_role("link", name="Agrícola Maule Sur")).to_be_visible()
    expect(page).to_have_url(re.compile(r"q=maule"))
    page.get_by_role("link", name="Agrícola Maule Sur").click()
    expect(page.get_by_role("heading", name=re.compile("Agrícola Maule Sur"))).to_be_visible()
    page.goto(live_server.url + f"/customers/{portfolio.pk}/")
    expect(page.get_by_text("Sales by year")).to_be_visible()
    shot("foundation-customer-summary-en")


def test_edit_a_contact(page, live_server, login, member, portfolio, shot):
    login(member)
    page.goto(live_server.url + f"/customers/{portfolio.pk}/people/")
    shot("foundation-people-en")
    page.get_by_role("link", name="Edit Jorge Pérez").click()
    page.locator("#id_influence").fill("9")
    page.get_by_role("button", name="Save").click()
    # The error is beside the field and what was typed is kept.
    expect(page.get_by_text("less than or equal to 5")).to_be_visible()
    expect(page.get_by_label("Title")).to_have_value("Gerente de Compras")
    shot("foundation-contact-error-en")
    page.locator("#id_influence").fill("4")
    page.get_by_label("Attitude toward us").select_option("champion")
    page.get_by_label("Influencer").check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Changes saved.")).to_be_visible()
    row = page.get_by_role("row", name=re.compile("Jorge Pérez"))
    expect(row).to_contain_text("Champion")
    expect(row).to_contain_text("Influencer, Buyer")
    page.get_by_role("link", name="History").click()
    expect(page.get_by_text("Marta Logistics").first).to_be_visible()
    shot("foundation-history-en")


def test_switch_to_spanish_and_back(page, live_server, login, ana, portfolio, shot):
    login(ana)
    page.goto(live_server.url + f"/customers/{portfolio.pk}/")
    page.get_by_role("button", name="ES").click()
    expect(
        page.get_by_role("banner").get_by_role("link", name="Clientes", exact=True)
    ).to_be_visible()
    expect(page.get_by_text("Ventas por año")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "es")
    text = page.locator("main").inner_text()
    assert "CLP\u00a012.500.000" in text or "CLP 12.500.000" in text
    shot("foundation-customer-summary-es")
    for name, path in [
        ("home", "/"),
        ("customer-list", "/customers/"),
        ("people", f"/customers/{portfolio.pk}/people/"),
        ("history", f"/customers/{portfolio.pk}/history/"),
        ("sales", f"/customers/{portfolio.pk}/sales/"),
        ("customer-form", f"/customers/{portfolio.pk}/edit/"),
        ("contact-form", f"/customers/{portfolio.pk}/people/new/"),
    ]:
        page.goto(live_server.url + path)
        expect(page.locator("html")).to_have_attribute("lang", "es")
        shot(f"foundation-{name}-es")
    page.get_by_role("button", name="EN").click()
    expect(
        page.get_by_role("banner").get_by_role("link", name="Customers", exact=True)
    ).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "en")


def test_viewer_is_refused_an_edit(page, live_server, login, viewer, portfolio, shot):
    login(viewer)
    page.goto(live_server.url + f"/customers/{portfolio.pk}/")
    expect(page.get_by_role("heading", name=re.compile("Constructora CS"))).to_be_visible()
    expect(page.get_by_role("link", name="Edit", exact=True)).to_have_count(0)
    expect(page.get_by_text("Sales by year")).to_have_count(0)  # no money for viewers
    response = page.goto(live_server.url + f"/customers/{portfolio.pk}/edit/")
    assert response is not None and response.status == 403
    shot("foundation-viewer-refused-en")


def test_director_pages(page, live_server, login, director, portfolio, shot):
    login(director)
    for name, path in [
        ("home", "/"),
        ("audit", "/audit/"),
        ("settings", "/settings/"),
        ("sales", f"/customers/{portfolio.pk}/sales/"),
        ("customer-form", f"/customers/{portfolio.pk}/edit/"),
        ("customer-delete", f"/customers/{portfolio.pk}/delete/"),
        ("new-customer", "/customers/new/"),
    ]:
        response = page.goto(live_server.url + path)
        assert response is not None and response.status == 200, path
        shot(f"foundation-director-{name}-en")
    page.goto(live_server.url + f"/customers/{portfolio.pk}/edit/")
    page.get_by_label("Parent company").fill("Viña")
    expect(page.locator("#parent-options option")).to_have_count(1)
