"""Mail capture in Chromium: in Spanish the admin sets up the dropbox (a real Dovecot on
127.0.0.1), checks it now and sees its state; in English a KAM logs a waiting mail on a
customer. The password never comes back to the page; the pages fit a phone."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from kamp.interactions.models import Interaction
from kamp.mailcapture.models import CapturedMessage, Mailbox
from tests.mailcapture import dovecot as dovecot_server
from tests.mailcapture import messages as m

pytestmark = pytest.mark.django_db(transaction=True)

SECRET = "dropbox-secret-1"


@pytest.fixture(scope="module")
def dovecot():
    """A real Dovecot on 127.0.0.1 (tests/mailcapture/dovecot.py)."""
    dovecot_server.require()
    server = dovecot_server.Dovecot().start()
    yield server
    server.stop()


def _fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_the_admin_sets_up_the_dropbox_in_spanish_and_a_kam_resolves_a_mail(
    page,
    live_server,
    login,
    admin,
    ana,
    account,
    dovecot,
    settings,
    shot,
    client_for,
):
    settings.KAMP_MAIL_CA_FILE = str(dovecot.cafile)
    settings.KAMP_CONNECT_ALLOW_PRIVATE = True  # Dovecot runs on this machine
    user = dovecot.new_user()
    dovecot.append(
        user,
        m.plain(("Ana KAM", ana.email), ("Pedro Nuevo", "pedro@cs.test"), "Visita a obra"),
    )
    login(admin, "es")
    page.goto(live_server.url + "/connect/")
    expect(page.get_by_text("No hay un buzón de registro configurado.")).to_be_visible()
    page.get_by_role("link", name="Configuración del buzón de registro").click()
    page.get_by_label("Servidor").fill("127.0.0.1")
    page.get_by_label("Puerto").fill(str(dovecot.imaps_port))
    page.get_by_label("Nombre de usuario").fill(user)
    page.get_by_label("Contraseña").fill(SECRET)
    page.get_by_label("Dirección del buzón de registro").fill("registro@supplier.test")
    page.get_by_role("button", name="Guardar").click()
    expect(page.get_by_text("Buzón de registro guardado.")).to_be_visible()
    assert SECRET not in page.content()
    page.get_by_role("button", name="Revisar ahora").click()
    expect(page.locator("#mailbox-state")).to_contain_text("por resolver: 1")
    assert Mailbox.load().last_error == ""
    shot("mailcapture_mailbox_es_laptop")
    page.set_viewport_size({"width": 390, "height": 844})
    assert _fits(page)
    shot("mailcapture_mailbox_es_phone")

    # Ana, in English, finds it on Connections and logs it on her customer.
    page.context.clear_cookies()
    page.set_viewport_size({"width": 1366, "height": 900})
    login(ana)
    page.goto(live_server.url + "/connect/")
    section = page.locator("#mail-capture")
    expect(section).to_contain_text("registro@supplier.test")
    section.get_by_role("link", name="Mail to resolve").click()
    item = page.locator(".mail-item", has_text="Visita a obra")
    expect(item).to_contain_text("None of its people is a customer contact.")
    shot("mailcapture_inbox_en_laptop")
    page.set_viewport_size({"width": 390, "height": 844})
    assert _fits(page)
    shot("mailcapture_inbox_en_phone")
    item.get_by_label("Customer").select_option(label=account.name)
    item.get_by_role("button", name="Log on this customer").click()
    expect(page.get_by_text("“Visita a obra” logged on Constructora CS.")).to_be_visible()
    expect(page.get_by_text("Nothing waiting")).to_be_visible()
    i = Interaction.objects.get()
    assert (i.customer, i.topic) == (account, "Visita a obra")
    assert CapturedMessage.objects.get().interaction == i
