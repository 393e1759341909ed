"""The director's alert inbox in Chromium: one alert per cause, ranked by severity × value at
stake, each snoozed or dismissed with a reason."""

import datetime
import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from kamp.customers.models import CustomerStatus
from kamp.programme.models import AlertDismissal
from tests.factories import CustomerFactory, SalesLineFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _patient(page):
    page.set_default_timeout(30_000)
    page.set_default_navigation_timeout(60_000)


@pytest.mark.parametrize("language", ["en", "es"])
def test_director_reads_the_ranked_inbox_and_snoozes_the_top_alert(
    page, live_server, login, director, ana, shot, language
):
    # Big SA: only a warning (no sponsor) but 5 000 000 at stake; Small SA: a danger (no KAM)
    # on 1 000. Severity × value puts Big SA first.
    big = CustomerFactory(name="Big SA", status=CustomerStatus.KEY_ACCOUNT, owner=ana)
    small = CustomerFactory(name="Small SA", status=CustomerStatus.KEY_ACCOUNT, owner=None)
    SalesLineFactory(customer=big, net_amount=Decimal("5000000"))
    SalesLineFactory(customer=small, net_amount=Decimal("1000"))
    login(director, language)
    page.goto(live_server.url + "/programme/alerts/")
    team = "Who looks after the account" if language == "en" else "Quién atiende la cuenta"
    rows = page.locator("ol.alert-ranking > li.alert", has_text=team)
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text("Big SA")
    expect(rows.nth(1)).to_contain_text("Small SA")
    expect(rows.nth(0).locator(".at-stake")).to_contain_text("5")
    # Small SA has two signs of one cause (no KAM, no sponsor): one alert listing both.
    rows.nth(1).locator("summary").click()
    expect(rows.nth(1).locator("details li")).to_have_count(2)
    shot(f"programme-alerts-ranked-{language}")

    top = rows.nth(0)
    reason = "Sponsor named at the next committee"
    top.locator("input[name=reason]").fill(reason)
    tomorrow = datetime.date.today() + datetime.timedelta(days=7)
    top.locator("input[name=until]").fill(tomorrow.isoformat())
    top.get_by_role("button").click()
    expect(rows.filter(has_text="Big SA")).to_have_count(0)
    expect(rows).to_have_count(1)
    d = AlertDismissal.objects.get()
    assert d.reason == reason and d.until == tomorrow and d.customer_id == big.pk
    page.goto(live_server.url + "/programme/alerts/history/")
    expect(page.get_by_text(reason)).to_be_visible()
    expect(page.get_by_text(re.compile("Big SA"))).to_be_visible()
