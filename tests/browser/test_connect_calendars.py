"""Connecting a calendar in Chromium: in Spanish a KAM connects a CalDAV calendar (a real
Radicale on 127.0.0.1) and sees its meeting logged by the first sync; in English a secret
iCalendar address (a local HTTP server). The password and the secret address never come back
to the page; the page fits a phone."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from kamp.connect.models import CalendarConnection
from kamp.interactions.models import Interaction
from tests.connect.radicale import radicale
from tests.connect.test_calendar_feed_sync import FeedServer, ics, vevent
from tests.factories import ContactFactory

caldav = pytest.importorskip("caldav")
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _patient(page, settings):
    page.set_default_timeout(30_000)
    page.set_default_navigation_timeout(60_000)
    settings.KAMP_CALENDAR_ALLOW_HTTP = True
    settings.KAMP_CONNECT_ALLOW_PRIVATE = True


@pytest.fixture
def jorge(account):
    return ContactFactory(customer=account, name="Jorge Pérez", email="jorge@cs.test")


def test_a_kam_connects_a_caldav_calendar_in_spanish(
    page, live_server, login, ana, account, jorge, shot, tmp_path
):
    with radicale(tmp_path / "radicale") as server:
        client = caldav.DAVClient(url=server.url, username=server.user, password=server.password)
        cal = client.principal().make_calendar(name="Trabajo", cal_id="trabajo")
        start = timezone.localtime() - timedelta(days=2)
        cal.save_event(
            dtstart=start,
            dtend=start + timedelta(hours=1),
            summary="Revisión de contrato",
            uid="contrato@test",
            attendee=[f"mailto:{ana.email}", f"mailto:{jorge.email}"],
        )
        login(ana, "es")
        page.goto(live_server.url + "/connect/")
        expect(page.get_by_text("No hay ningún calendario conectado.")).to_be_visible()
        page.get_by_role("button", name="Conectar un calendario").click()
        page.locator("#id_name").fill("Calendario de trabajo")
        page.get_by_label("Calendario CalDAV").check()
        page.locator("#id_url").fill(server.url + "/")
        page.get_by_label("Nombre de usuario").fill(server.user)
        page.get_by_label("Contraseña de aplicación").fill("equivocada")
        page.get_by_label("Registrar directamente las reuniones con clientes").check()
        page.get_by_role("button", name="Conectar", exact=True).click()
        # A wrong password is refused on the form, and the field comes back empty.
        expect(
            page.get_by_text("El servidor del calendario rechazó el usuario o la contraseña")
        ).to_be_visible()
        assert page.get_by_label("Contraseña de aplicación").input_value() == ""
        assert not CalendarConnection.objects.exists()

        page.get_by_label("Contraseña de aplicación").fill(server.password)
        shot("connect-calendar-form-es")
        page.get_by_role("button", name="Conectar", exact=True).click()
        expect(page.get_by_text("Calendario «Calendario de trabajo» conectado")).to_be_visible()
        page.reload()
        row = page.locator("tr", has_text="Calendario de trabajo")
        expect(row.get_by_text("sincronizado", exact=True)).to_be_visible()
        expect(row.get_by_text("registrados 1")).to_be_visible()
        assert server.password not in page.content()
        made = Interaction.objects.get(customer=account)
        assert made.topic == "Revisión de contrato" and made.date == start.date()
        shot("connect-calendars-es")
        page.set_viewport_size({"width": 390, "height": 844})
        page.reload()
        # Nothing wider than the phone but the table, which scrolls in its own box.
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 1, overflow
        shot("connect-calendars-phone-es")

        page.set_viewport_size({"width": 1366, "height": 900})
        page.get_by_role("button", name="Sincronizar ahora").click()
        expect(page.get_by_text("Sincronizando «Calendario de trabajo»")).to_be_visible()
        assert Interaction.objects.filter(customer=account).count() == 1

        page.once("dialog", lambda d: d.accept())
        page.get_by_role("button", name="Quitar").click()
        expect(page.get_by_text("No hay ningún calendario conectado.")).to_be_visible()
        assert not CalendarConnection.objects.exists()
        assert Interaction.objects.filter(customer=account).count() == 1


def test_a_kam_connects_a_secret_address_in_english(
    page, live_server, login, ana, account, jorge, shot
):
    feed = FeedServer()
    try:
        path = "/calendar/ical/ana/private-0a1b2c3d4e/basic.ics"
        feed.files[path] = (
            200,
            ics(vevent("g1@google.com", "Quarterly review", 3, [ana.email, jorge.email])),
            0.0,
        )
        login(ana, "en")
        page.goto(live_server.url + "/connect/calendars/new/")
        page.locator("#id_name").fill("Google")
        page.get_by_label("Secret iCalendar address").check()
        page.locator("#id_url").fill(feed.url + path)
        page.get_by_label("Send them to my review list first").check()
        shot("connect-calendar-feed-form-en")
        page.get_by_role("button", name="Connect", exact=True).click()
        expect(page.get_by_text("Calendar “Google” connected")).to_be_visible()
        page.reload()
        row = page.locator("tr", has_text="Google")
        expect(row.get_by_text("synced", exact=True)).to_be_visible()
        assert "private-0a1b2c3d4e" not in page.content()
        assert not Interaction.objects.exists()  # waiting for review
        row.get_by_role("link", name="Meetings waiting for your review").click()
        expect(page.get_by_text("Quarterly review")).to_be_visible()
        shot("connect-calendar-review-en")
    finally:
        feed.close()
