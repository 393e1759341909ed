import re

from playwright.sync_api import expect

from tests.conftest import PASSWORD


def test_login_and_open_a_customer(page, live_server, account, ana, shot):
    page.goto(live_server.url + "/")
    expect(page).to_have_url(re.compile(r"/login/"))
    page.get_by_label("E-mail").fill(ana.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="My accounts")).to_be_visible()
    page.get_by_role("link", name="Customers", exact=True).click()
    page.get_by_role("link", name="Constructora CS").click()
    expect(page.get_by_role("heading", name=re.compile("Constructora CS"))).to_be_visible()
    shot("customer-summary")
