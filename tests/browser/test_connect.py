"""Connections in Spanish (Chromium): a KAM makes an API token, sees it once, and it works on
the API; a director registers a webhook through its form and sees its secret once."""

import re

import pytest
from playwright.sync_api import expect

from kamp.connect import webhooks
from kamp.connect.models import ApiToken, WebhookEndpoint, digest

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _patient(page):
    page.set_default_timeout(30_000)
    page.set_default_navigation_timeout(60_000)


def test_a_kam_makes_a_token_shown_once(page, live_server, login, ana, account, shot):
    login(ana, "es")
    page.goto(live_server.url + "/")
    page.locator("details.dropdown summary").click()
    page.get_by_role("link", name="Conexiones").click()
    expect(page.get_by_role("heading", name="Conexiones", level=1)).to_be_visible()
    expect(page.get_by_text("No tiene tokens de API.")).to_be_visible()
    page.get_by_role("button", name="Nuevo token").click()
    page.get_by_label("Nombre").fill("Power BI")
    page.get_by_label("Acceso").select_option("read")
    page.get_by_label("Válido por (días)").fill("30")
    shot("connect-token-form-es")
    page.get_by_role("button", name="Crear el token").click()
    expect(page.get_by_text("Cópielo ahora: kamp lo muestra solo esta vez.")).to_be_visible()
    secret = page.get_by_test_id("secret").input_value()
    assert re.fullmatch(r"kamp_[A-Za-z0-9_-]{40,}", secret)
    assert ApiToken.objects.get(user=ana).token_hash == digest(secret)
    shot("connect-token-shown-once-es")

    # It works on the API (a fresh request without the browser's cookies).
    answer = page.context.request.get(
        live_server.url + "/api/v1/customers/",
        headers={"Authorization": f"Bearer {secret}", "Cookie": ""},
    )
    assert answer.status == 200 and answer.json()[0]["name"] == account.name

    page.get_by_role("button", name="Ya lo copié").click()
    expect(page.get_by_role("cell", name="Power BI")).to_be_visible()
    expect(page.get_by_role("cell", name="Solo lectura")).to_be_visible()
    assert secret not in page.content()


def test_a_director_registers_a_webhook_in_spanish(page, live_server, login, director, shot):
    login(director, "es")
    page.goto(live_server.url + "/connect/")
    page.get_by_role("link", name="Webhooks").click()
    expect(page.get_by_text("Aún no hay webhooks.")).to_be_visible()
    page.get_by_role("button", name="Nuevo webhook").click()
    page.get_by_label("Nombre").fill("CRM")
    page.get_by_label("URL del receptor").fill("https://crm.example/hooks/kamp")
    page.get_by_label("Cliente creado").check()
    page.get_by_label("Interacción registrada").check()
    shot("connect-webhook-form-es")
    page.get_by_role("button", name="Registrar").click()
    expect(page.get_by_text("Copie ahora el secreto de firma")).to_be_visible()
    secret = page.get_by_test_id("secret").input_value()
    assert secret.startswith("whsec_")
    endpoint = WebhookEndpoint.objects.get()
    assert endpoint.events == ["customer.created", "interaction.logged"]
    assert webhooks.signing_secret(endpoint) == secret and not endpoint.finance
    assert secret not in endpoint.secret  # stored encrypted
    page.get_by_role("button", name="Ya lo copié").click()
    expect(page.get_by_role("heading", name="CRM")).to_be_visible()
    expect(page.get_by_text("Nada enviado aún")).to_be_visible()
    assert secret not in page.content()
    shot("connect-webhook-page-es")
