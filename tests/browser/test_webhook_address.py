"""The webhooks list in Spanish and English (Chromium), on a phone and a laptop: each webhook's
address shown masked (scheme, host, first path segment), its secret parts nowhere on the page,
the page no wider than the screen."""

import pytest
from playwright.sync_api import expect

from kamp.connect import webhooks
from kamp.connect.models import WebhookEndpoint

pytestmark = pytest.mark.django_db(transaction=True)

SLACK = "https://hooks.slack.com/services/T0SECRET1/B0SECRET2/XXXXsecretXXXXsecretXXXX"
ZAPIER = "https://hooks.zapier.com/hooks/catch/1234567/abcSECRETdef/?token=tok3nSECRET"
SECRETS = ("T0SECRET1", "B0SECRET2", "XXXXsecret", "abcSECRETdef", "tok3nSECRET")


@pytest.fixture
def endpoints(director):
    made = []
    for name, url, events in [
        ("Slack ventas", SLACK, ["customer.created", "interaction.logged"]),
        ("Zapier CRM", ZAPIER, ["alert.raised"]),
    ]:
        e = WebhookEndpoint(
            name=name,
            events=events,
            secret=webhooks.seal(webhooks.new_secret()),
            created_by=director,
        )
        e.set_address(url)
        e.save()
        made.append(e)
    return made


@pytest.mark.parametrize(("language", "heading"), [("es", "Webhooks"), ("en", "Webhooks")])
def test_the_webhooks_list_shows_addresses_masked(
    page, live_server, login, director, endpoints, shot, language, heading
):
    page.set_default_timeout(30_000)
    login(director, language)
    for width, label in [(1366, "laptop"), (390, "phone")]:
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(live_server.url + "/connect/webhooks/")
        expect(page.get_by_role("heading", name=heading, level=1)).to_be_visible()
        expect(page.get_by_text("https://hooks.slack.com/services/…")).to_be_visible()
        expect(page.get_by_text("https://hooks.zapier.com/hooks/…")).to_be_visible()
        html = page.content()
        assert not [s for s in SECRETS if s in html]
        address = "Dirección" if language == "es" else "Address"
        expect(page.get_by_role("columnheader", name=address)).to_be_visible()
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 1, (width, overflow)
        shot(f"connect-webhooks-masked-{language}-{label}")
    # The webhook's own page: masked too, and its edit form holds no address to copy.
    page.set_viewport_size({"width": 1366, "height": 900})
    page.get_by_role("link", name="Slack ventas").click()
    expect(page.get_by_text("https://hooks.slack.com/services/…")).to_be_visible()
    assert page.locator("input[name=url]").input_value() == ""
    assert not [s for s in SECRETS if s in page.content()]
    shot(f"connect-webhook-masked-{language}")
