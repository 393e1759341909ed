"""Importing interactions from a calendar, in the browser: the series window chosen on the upload
page, the review (recurring meetings with their count, planned ones, unreadable events with their
reason), ticking and saving; a meeting cancelled after it was logged, offered for removal and
removed. In Spanish and in English."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from playwright.sync_api import expect

from kamp.interactions.models import Interaction
from tests.factories import ContactFactory


def calendar(*events: str) -> bytes:
    return (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Google Inc//Google Calendar 70.9054//EN\r\n"
        + "".join(events)
        + "END:VCALENDAR\r\n"
    ).encode()


def event(uid: str, start: str, summary: str, extra: str = "") -> str:
    return (
        f"BEGIN:VEVENT\r\nUID:{uid}\r\nDTSTART:{start}\r\nSUMMARY:{summary}\r\n{extra}"
        "ORGANIZER:mailto:ana@supplier.test\r\n"
        "ATTENDEE;CN=Jorge Pérez:mailto:jorge.perez@cs.cl\r\nEND:VEVENT\r\n"
    )


def test_a_series_from_the_day_chosen_reviewed_and_logged_in_spanish(
    page, live_server, login, ana, account, shot, tmp_path
):
    ContactFactory(customer=account, name="Jorge Pérez", email="jorge.perez@cs.cl")
    today = timezone.localdate()
    since, until = today - dt.timedelta(days=6), today - dt.timedelta(days=2)
    later = today + dt.timedelta(days=20)
    path = tmp_path / "trabajo.ics"
    path.write_bytes(
        calendar(
            event(
                "standup@google.com",
                "20250102T150000Z",
                "Stand-up obra",
                f"RRULE:FREQ=DAILY;UNTIL={until:%Y%m%d}T235959Z\r\n",
            ),
            event("visita@google.com", f"{later:%Y%m%d}T150000Z", "Visita a planta"),
            "BEGIN:VEVENT\r\nUID:roto@google.com\r\nDTSTART:mañana a las 10\r\n"
            "SUMMARY:Inicio ilegible\r\nEND:VEVENT\r\n",
        )
    )
    login(ana, language="es")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(live_server.url + "/interactions/import/calendar/")
    shot("calendar-upload-es-phone")
    page.set_viewport_size({"width": 1366, "height": 900})
    page.get_by_label("Archivo de calendario (.ics)").set_input_files(str(path))
    page.get_by_label("Reuniones periódicas desde").fill(since.isoformat())
    page.get_by_role("button", name="Leer el archivo").click()

    expect(page.get_by_role("heading", name="5 eventos por registrar")).to_be_visible()
    expect(page.get_by_text("Stand-up obra: 5 ocurrencias")).to_be_visible()
    expect(page.locator("#unreadable")).to_contain_text("Inicio ilegible")
    expect(page.locator("#unreadable")).to_contain_text("su inicio (DTSTART) no se puede leer")
    planned = page.get_by_role("heading", name="Planificadas (aún no realizadas, no se registran)")
    expect(planned).to_be_visible()
    expect(page.get_by_text("Visita a planta")).to_be_visible()
    shot("calendar-review-es")
    # One occurrence left out by the person: four logged.
    page.get_by_role("checkbox").first.uncheck()
    page.get_by_role("button", name="Guardar los eventos marcados").click()
    expect(page.get_by_text("4 interacciones registradas desde el calendario.")).to_be_visible()
    logged = sorted(Interaction.objects.values_list("date", flat=True))
    assert logged == [since + dt.timedelta(days=d) for d in range(1, 5)]


def test_a_meeting_cancelled_after_it_was_logged_is_removed_in_english(
    page, live_server, login, ana, account, tmp_path
):
    ContactFactory(customer=account, name="Jorge Pérez", email="jorge.perez@cs.cl")
    day = timezone.localdate() - dt.timedelta(days=3)
    meeting = tmp_path / "meeting.ics"
    meeting.write_bytes(calendar(event("q2@outlook", f"{day:%Y%m%d}T150000Z", "Prices Q2")))
    cancelled = tmp_path / "cancelled.ics"
    cancelled.write_bytes(
        calendar(event("q2@outlook", f"{day:%Y%m%d}T150000Z", "Cancelled: Prices Q2"))
        .replace(b"VERSION:2.0\r\n", b"VERSION:2.0\r\nMETHOD:CANCEL\r\n")
        .replace(b"SUMMARY:", b"STATUS:CANCELLED\r\nSUMMARY:")
    )
    login(ana)
    page.goto(live_server.url + "/interactions/import/calendar/")
    page.get_by_label("Calendar file (.ics)").set_input_files(str(meeting))
    page.get_by_role("button", name="Read the file").click()
    page.get_by_role("button", name="Save the ticked events").click()
    expect(page.get_by_text("1 interaction logged from the calendar.")).to_be_visible()
    assert Interaction.objects.get().topic == "Prices Q2"

    page.goto(live_server.url + "/interactions/import/calendar/")
    page.get_by_label("Calendar file (.ics)").set_input_files(str(cancelled))
    page.get_by_role("button", name="Read the file").click()
    expect(page.get_by_role("heading", name="Logged, but since cancelled")).to_be_visible()
    remove = page.get_by_role("checkbox", name="Remove Cancelled: Prices Q2")
    expect(remove).not_to_be_checked()  # nothing removed unasked
    remove.check()
    page.get_by_role("button", name="Save the ticked events").click()
    expect(
        page.get_by_text(
            "0 interactions logged from the calendar. 1 cancelled meeting removed from the log."
        )
    ).to_be_visible()
    assert not Interaction.objects.exists()
