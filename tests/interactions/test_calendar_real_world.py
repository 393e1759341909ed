"""Calendars as Outlook, Google, Apple, Thunderbird and Windows Calendar write them (the files in
``calendars/``, written byte for byte the way each program does: CRLF, folds inside UTF-8
characters, BOMs, UTF-16, cp1252, Windows time-zone names, events without a UID, moved and
cancelled occurrences before their series), and every calendar shipped with icalendar's own
tests: each one is imported or listed event by event with a reason — never a traceback, never
a 500."""

from __future__ import annotations

import datetime
import zoneinfo
from io import StringIO
from pathlib import Path

import icalendar
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from kamp.core.models import ImportBatch
from kamp.interactions import ics, imports
from kamp.interactions.models import Interaction

HERE = Path(__file__).parent / "calendars"
SANTIAGO = zoneinfo.ZoneInfo("America/Santiago")
NOW = datetime.datetime(2026, 6, 30, 12, 0, tzinfo=SANTIAGO)
CORPUS = Path(icalendar.__file__).parent / "tests"


def data(name: str) -> bytes:
    return (HERE / name).read_bytes()


def topics(rows) -> list[str]:
    return [r["topic"] for r in rows]


def upload(client, name: str, content: bytes):
    return client.post(
        reverse("interactions:calendar_upload"),
        {"file": SimpleUploadedFile(name, content, "text/calendar")},
    )


# --- pure parts: decoding, unfolding, the fallback key -----------------------------------------


@given(st.text(min_size=1, max_size=200), st.integers(min_value=1, max_value=80))
def test_a_fold_anywhere_even_inside_a_character_unfolds_to_the_same_text(text, width):
    text = text.replace("\r", "").replace("\n", "")
    raw = ("SUMMARY:" + text).encode()
    folded = b"\r\n ".join(raw[i : i + width] for i in range(0, len(raw), width))
    assert ics.unfold(folded) == raw
    decoded, encoding = ics.decode(b"BEGIN:VCALENDAR\r\n" + folded + b"\r\n")
    assert decoded.split("\r\n")[1] == "SUMMARY:" + text and encoding == "utf-8"
    [cal] = ics.split_calendars(decoded + "END:VCALENDAR\r\n")
    assert cal.lines[1] == "SUMMARY:" + text


def test_encodings_are_found_not_assumed():
    line = "SUMMARY:Reunión – 5 €"
    assert ics.decode(line.encode("utf-8"))[0] == line
    assert ics.decode(b"\xef\xbb\xbf" + line.encode())[0] == line  # UTF-8 BOM dropped
    assert ics.decode(line.encode("cp1252")) == (line, "cp1252")
    assert ics.decode("SUMMARY:Reunión".encode("latin-1"))[0] == "SUMMARY:Reunión"
    assert ics.decode(b"\xff\xfe" + line.encode("utf-16-le")) == (line, "utf-16-le")
    assert ics.decode(b"\xfe\xff" + line.encode("utf-16-be")) == (line, "utf-16-be")
    assert ics.decode(line.encode("utf-16-le"))[0] == line  # no BOM: seen by its zero bytes
    # A cp1252 file with one line pasted in UTF-8 keeps both right.
    mixed = "SUMMARY:Reunión".encode("cp1252") + b"\r\n" + "LOCATION:Ñuñoa".encode()
    assert ics.decode(mixed)[0].splitlines() == ["SUMMARY:Reunión", "LOCATION:Ñuñoa"]


def test_a_stray_begin_inside_an_event_does_not_swallow_the_rest_of_the_file():
    def ev(uid, extra=""):
        return (
            f"BEGIN:VEVENT\r\nUID:{uid}\r\n{extra}DTSTART:20260301T140000Z\r\n"
            f"SUMMARY:{uid}\r\nEND:VEVENT\r\n"
        )

    text = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n" + ev("a") + ev("b", "BEGIN:X-JUNK\r\n")
    text += ev("c") + "BEGIN:VEVENT\r\nUID:d\r\n" + ev("e") + "END:VCALENDAR\r\n"
    read = ics.read(text.encode(), now=NOW, tz=SANTIAGO)
    assert sorted(e.topic for e in read.events) == ["a", "c", "e"]
    assert sorted((p.uid, p.code) for p in read.problems) == [
        ("b", ics.BROKEN_EVENT),
        ("d", ics.CUT_OFF),
    ]
    assert read.blocks == read.parsed + len(read.problems) == 5


@given(
    st.lists(st.emails(), min_size=1, max_size=5, unique=True),
    st.text(max_size=40),
    st.randoms(),
)
def test_the_fallback_key_ignores_attendee_order_and_case(attendees, summary, rnd):
    start = datetime.datetime(2026, 5, 20, 11, 30, tzinfo=SANTIAGO)
    key = ics.fallback_key(start, summary, "ana@supplier.test", attendees)
    shuffled = [a.upper() for a in attendees]
    rnd.shuffle(shuffled)
    same_instant = start.astimezone(datetime.UTC)
    assert ics.fallback_key(same_instant, summary, "ANA@supplier.test", shuffled) == key
    assert ics.fallback_key(start, summary + "x", "ana@supplier.test", attendees) != key
    assert key.startswith("nouid:") and len(key) <= ics.MAX_KEY


# --- Google: a weekly series whose moved and cancelled occurrences come first ---------------


def test_google_series_with_overrides_first_logs_each_held_occurrence(ana, account, cs_people):
    plan = imports.plan_calendar(data("google_overrides_first.ics"), ana, now=NOW)
    assert not plan.errors and not plan.unreadable
    weekly = [r for r in plan.matched if r.get("series")]
    days = [r["date"] for r in weekly]
    # From the first Tuesday, 6 January — not the moved occurrence's day — to today, 30 June.
    assert days[0] == "2026-01-06" and days[-1] == "2026-06-30"
    assert "2026-01-15" in days and "2026-01-13" not in days  # moved to Thursday the 15th
    assert "2026-02-10" not in days  # EXDATE
    assert "2026-02-03" not in days  # cancelled occurrence
    assert len(weekly) == 24 == len({r["uid"] for r in weekly})
    moved = next(r for r in weekly if r["date"] == "2026-01-15")
    assert moved["topic"].endswith("(movida)")
    # The fold fell inside "ñ" (two bytes in UTF-8): unfolded as bytes, it reads right.
    assert weekly[0]["topic"] == (
        "Reunión semanal de coordinación con Constructora CS — obra Ñuñoa"
    )
    assert plan.series == [
        {
            "topic": "Reunión semanal de coordinación con Constructora CS — obra Ñuñoa",
            "occurrences": 24,
            "next": "2026-07-07",
        }
    ]
    assert {r["topic"]: r["reason"] for r in plan.unmatched}[weekly[0]["topic"]] == "cancelled"
    # The visit of 15 July has not happened: planned, not logged as held.
    assert topics(plan.planned) == ["Visita a obra"] and plan.planned[0]["customer"]
    assert "Visita a obra" not in topics(plan.matched)

    batch, made, removed = imports.save_calendar(ana, plan.matched, "google.ics")
    assert len(made) == 24 and removed == 0
    assert Interaction.objects.filter(customer=account).count() == 24
    # The 90-day analysis sees the occurrences of its window, each one.
    recent = Interaction.objects.filter(date__gte=NOW.date() - datetime.timedelta(days=90))
    assert recent.count() == 13
    again = imports.plan_calendar(data("google_overrides_first.ics"), ana, now=NOW)
    assert not again.matched and len(again.already) == 24


def test_a_series_logged_once_before_expansion_is_not_logged_twice_that_day(
    ana, account, cs_people
):
    from tests.interactions.factories import log

    old = log(account, [ana], [cs_people["jorge"]])
    old.date = datetime.date(2026, 1, 15)
    old.external_uid = "7kq3b1v0s9d2weekly@google.com"  # the bare UID, as it used to be kept
    old.save()
    plan = imports.plan_calendar(data("google_overrides_first.ics"), ana, now=NOW)
    assert [r["date"] for r in plan.already] == ["2026-01-15"]
    assert len(plan.matched) == 23 and "2026-01-15" not in [r["date"] for r in plan.matched]


def test_the_series_window_is_honoured(ana, account, cs_people):
    since = datetime.date(2026, 6, 1)
    plan = imports.plan_calendar(data("google_overrides_first.ics"), ana, now=NOW, since=since)
    assert [r["date"] for r in plan.matched] == [
        "2026-06-02",
        "2026-06-09",
        "2026-06-16",
        "2026-06-23",
        "2026-06-30",
    ]
    assert plan.series[0]["occurrences"] == 5


@pytest.mark.parametrize(
    ("start", "rule", "code"),
    [
        ("19900101T000000Z", "FREQ=MINUTELY", ics.TOO_FREQUENT),
        ("19900101T000000Z", "FREQ=DAILY;BYHOUR=9,10,11", ics.TOO_FREQUENT),
        ("00010101T000000Z", "FREQ=DAILY", ics.TOO_LONG),
    ],
)
def test_a_series_too_frequent_or_too_long_is_refused_before_it_is_walked(start, rule, code):
    content = (
        "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:x\r\n"
        f"DTSTART:{start}\r\nRRULE:{rule}\r\nSUMMARY:s\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    ).encode()
    read = ics.read(content, now=NOW, tz=SANTIAGO)
    assert not read.events and [p.code for p in read.problems] == [code]


def test_a_daily_meeting_since_1990_gives_its_last_year_only():
    content = (
        b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:x\r\nDTSTART:19900101T140000Z\r\n"
        b"RRULE:FREQ=DAILY\r\nSUMMARY:s\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    read = ics.read(content, now=NOW, tz=SANTIAGO)
    days = [e.day for e in read.events]
    # From the same day a year ago up to today, both included.
    assert days[0] == datetime.date(2025, 6, 30) and days[-1] == datetime.date(2026, 6, 30)
    assert len(days) == 366 and read.series[0].next_day == datetime.date(2026, 7, 1)


# --- Outlook: Windows time-zone names, CRLF, long UIDs, and a cancellation afterwards ---------


def test_outlook_with_windows_time_zone_names(ana, account, cs_people):
    plan = imports.plan_calendar(data("outlook_windows_tz.ics"), ana, now=NOW)
    assert topics(plan.matched) == ["Flujo de pagos Q2"]
    row = plan.matched[0]
    assert row["date"] == "2026-04-15" and row["their_names"] == ["María González"]
    assert sorted(row["our_names"]) == ["Ana KAM", "Felipe Finance"]
    assert topics(plan.planned) == ["Comité de pagos"]  # 5 August: after "now"


def test_a_cancellation_of_a_logged_meeting_is_offered_for_removal(
    client_for, ana, account, cs_people
):
    plan = imports.plan_calendar(data("outlook_windows_tz.ics"), ana, now=NOW)
    imports.save_calendar(ana, plan.matched, "outlook.ics")
    logged = Interaction.objects.get(topic="Flujo de pagos Q2")

    c = client_for(ana)
    r = upload(c, "Cancelado.ics", data("outlook_cancelled.ics"))
    assert r.status_code == 302
    page = c.get(r["Location"]).content.decode()
    assert "Logged, but since cancelled" in page and "Flujo de pagos Q2" in page
    assert Interaction.objects.filter(pk=logged.pk).exists()  # nothing removed unasked
    r = c.post(r["Location"], {"remove": ["0"]})
    assert r.status_code == 302
    assert not Interaction.objects.filter(pk=logged.pk).exists()
    from kamp.core.models import AuditEvent

    assert AuditEvent.objects.filter(action="delete", customer_id=account.pk).exists()


def test_a_cancellation_of_a_meeting_never_logged_is_listed_only(ana, account, cs_people):
    plan = imports.plan_calendar(data("outlook_cancelled.ics"), ana, now=NOW)
    assert not plan.cancelled and not plan.matched
    assert [(r["topic"], r["reason"]) for r in plan.unmatched] == [
        ("Cancelado: Flujo de pagos Q2", "cancelled")
    ]


# --- Apple / iCloud: no UID, addresses in EMAIL= ------------------------------------------


def test_apple_attendees_in_the_email_parameter_and_events_without_uid(
    tmp_path, admin, ana, account, cs_people
):
    plan = imports.plan_calendar(data("apple_no_uid.ics"), ana, now=NOW)
    assert topics(plan.matched) == ["Almuerzo con Jorge", "Jornada de planificación"]
    lunch = plan.matched[0]
    assert lunch["our_names"] == ["Ana KAM"] and lunch["their_names"] == ["Jorge Pérez"]
    assert lunch["date"] == "2026-05-20"
    assert plan.matched[1]["date"] == "2026-06-03"  # an all-day event: its day

    path = tmp_path / "Trabajo.ics"
    path.write_bytes(data("apple_no_uid.ics"))
    call_command("interactions", "import", str(path), "--as", ana.email, stdout=StringIO())
    assert Interaction.objects.count() == 2
    batches = ImportBatch.objects.count()
    # The same export again: found again by its fallback key; no new batch, nothing doubled.
    out = StringIO()
    call_command("interactions", "import", str(path), "--as", ana.email, stdout=out)
    assert Interaction.objects.count() == 2 and ImportBatch.objects.count() == batches
    assert "ALREADY" in out.getvalue() and "Nothing to log." in out.getvalue()


# --- Thunderbird: broken events are listed, the good one goes on --------------------------


def test_each_unreadable_event_is_listed_with_its_reason_and_the_rest_goes_on(
    tmp_path, admin, ana, account, cs_people
):
    plan = imports.plan_calendar(data("thunderbird_damaged.ics"), ana, now=NOW)
    assert topics(plan.matched) == ["Precios 2027 con Jorge"]
    reasons = {r["topic"]: r["reason"] for r in plan.unreadable}
    assert reasons == {
        "Dos inicios": "it has two starts (DTSTART)",
        "Sin inicio": "the event has no start (DTSTART)",
        "Inicio ilegible": "its start (DTSTART) cannot be read: 2026-03-12 16:00",
        "Cortado": "the event is cut off (the file ends before its END:VEVENT)",
    }
    assert all(r["line"] > 0 for r in plan.unreadable)

    path = tmp_path / "thunderbird.ics"
    path.write_bytes(data("thunderbird_damaged.ics"))
    out = StringIO()
    call_command("interactions", "import", str(path), "--dry-run", stdout=out)
    text = out.getvalue()
    assert "UNREADABLE" in text and "it has two starts" in text and "LOG" in text


def test_the_upload_page_lists_unreadable_events_instead_of_a_500(client_for, ana, account):
    r = upload(client_for(ana), "thunderbird.ics", data("thunderbird_damaged.ics"))
    assert r.status_code in (200, 302)
    page = client_for(ana).get(r["Location"]).content.decode() if r.status_code == 302 else ""
    page = page or r.content.decode()
    assert "could not be read" in page and "it has two starts (DTSTART)" in page


# --- encodings and shapes ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "topic"),
    [
        ("windows_calendar_utf16.ics", "Reunión de cierre de mes"),
        ("outlook2003_cp1252.ics", "Reunión de precios – 5 € menos por m²"),
    ],
)
def test_utf16_and_cp1252_calendars_are_read_unmangled(name, topic, ana, account, cs_people):
    plan = imports.plan_calendar(data(name), ana, now=NOW)
    assert topics(plan.matched) == [topic]
    imports.save_calendar(ana, plan.matched, name)
    assert Interaction.objects.get().topic == topic


def test_every_calendar_of_a_file_is_read(ana, account, cs_people):
    plan = imports.plan_calendar(data("two_calendars.ics"), ana, now=NOW)
    assert topics(plan.matched) == ["Calendario uno", "Calendario dos"]


def test_an_ical_file_is_a_calendar_and_create_people_is_refused_for_it(
    tmp_path, admin, ana, account, cs_people
):
    path = tmp_path / "export.ical"
    path.write_bytes(data("apple_no_uid.ics"))
    out = StringIO()
    call_command("import", "interactions", str(path), "--dry-run", stdout=out)
    assert "LOG" in out.getvalue() and "Almuerzo con Jorge" in out.getvalue()
    with pytest.raises(CommandError, match="--create-people is for CSV"):
        call_command("interactions", "import", str(path), "--create-people", stdout=StringIO())
    assert not Interaction.objects.exists()


def test_a_file_that_changes_nothing_leaves_no_batch(client_for, ana, account, cs_people):
    c = client_for(ana)
    r = upload(c, "Trabajo.ics", data("apple_no_uid.ics"))
    c.post(r["Location"], {"event": ["0", "1"]})
    assert Interaction.objects.count() == 2
    batches = ImportBatch.objects.count()
    r = upload(c, "Trabajo.ics", data("apple_no_uid.ics"))  # the same file again
    assert r.status_code == 200 and "Already imported" in r.content.decode()
    assert ImportBatch.objects.count() == batches
    # Ticking nothing on a review drops its batch too.
    r = upload(c, "outlook.ics", data("outlook_windows_tz.ics"))
    assert r.status_code == 302 and ImportBatch.objects.count() == batches + 1
    c.post(r["Location"], {})
    assert ImportBatch.objects.count() == batches


# --- every calendar icalendar tests itself with -------------------------------------------


def corpus_files() -> list[Path]:
    return sorted(CORPUS.rglob("*.ics"))


def test_the_icalendar_corpus_is_there():
    assert len(corpus_files()) > 100


def test_every_calendar_of_icalendars_tests_is_read_or_listed_event_by_event(
    client_for, admin, ana, account, cs_people
):
    c = client_for(admin)
    failures = []
    for path in corpus_files():
        content = path.read_bytes()
        name = str(path.relative_to(CORPUS))
        try:
            read = ics.read(content, now=NOW, tz=SANTIAGO)
            plan = imports.plan_calendar(content, admin, now=NOW)
        except Exception as exc:  # the test's point: none may escape
            failures.append(f"{name}: {exc!r}")
            continue
        # Every VEVENT block is read, or has its problem listed: none is dropped unsaid.
        unread = [p for p in read.problems if p.code in ics.PROBLEMS]
        if read.blocks != read.parsed + len(unread):
            failures.append(f"{name}: {read.blocks} events, {read.parsed} read, {len(unread)}")
        if not plan.errors and not plan.rows and not plan.unreadable:
            failures.append(f"{name}: neither events, nor reasons, nor an error")
        r = upload(c, path.name, content)
        if r.status_code not in (200, 302):
            failures.append(f"{name}: upload answered {r.status_code}")
    assert not failures, "\n".join(failures)


def test_the_review_speaks_spanish(client_for, ana, account, cs_people):
    ana.language = "es"
    ana.save()
    c = client_for(ana)
    r = c.post(
        reverse("interactions:calendar_upload"),
        {"file": SimpleUploadedFile("tb.ics", data("thunderbird_damaged.ics"), "text/calendar")},
        headers={"accept-language": "es"},
    )
    page = c.get(r["Location"], headers={"accept-language": "es"}).content.decode()
    assert "4 eventos no se pudieron leer (no se importan)" in page
    assert "tiene dos inicios (DTSTART)" in page and "línea " in page


# --- the series window on the upload page (the command's --since) ----------------------------


def daily_series(until: datetime.date) -> bytes:
    """A daily stand-up with Jorge since 2025, last held on ``until`` (in the past, so that no
    occurrence of the window is still to come whatever the hour)."""
    return (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Google Inc//Google Calendar 70.9054//EN\r\n"
        "BEGIN:VEVENT\r\nUID:standup@google.com\r\nDTSTART:20250102T150000Z\r\n"
        f"DTEND:20250102T151500Z\r\nRRULE:FREQ=DAILY;UNTIL={until:%Y%m%d}T235959Z\r\n"
        "SUMMARY:Stand-up obra\r\nORGANIZER:mailto:ana@supplier.test\r\n"
        "ATTENDEE;CN=Jorge Pérez:mailto:jorge.perez@cs.cl\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    ).encode()


def test_the_upload_page_expands_series_from_the_day_chosen(client_for, ana, account, cs_people):
    today = timezone.localdate()
    until, since = today - datetime.timedelta(days=2), today - datetime.timedelta(days=10)
    c = client_for(ana)
    r = c.post(
        reverse("interactions:calendar_upload"),
        {
            "file": SimpleUploadedFile("standup.ics", daily_series(until), "text/calendar"),
            "since": since.isoformat(),
        },
    )
    assert r.status_code == 302
    batch = ImportBatch.objects.get(kind="interactions_calendar")
    plan = imports.CalendarPlan.from_dict(batch.options["plan"])
    assert plan.since == since.isoformat()
    assert [r["date"] for r in plan.matched][0] == since.isoformat()
    assert len(plan.matched) == 9 and plan.series[0]["occurrences"] == 9
    c.post(r["Location"], {"event": [str(i) for i in range(9)]})
    assert Interaction.objects.filter(customer=account).count() == 9
    # Without a day: the last 12 months.
    r = upload(c, "standup.ics", daily_series(until))
    plan = imports.CalendarPlan.from_dict(
        ImportBatch.objects.filter(kind="interactions_calendar").latest("pk").options["plan"]
    )
    assert plan.since == (today - datetime.timedelta(days=365)).isoformat()
    # From a year ago to two days ago, both included: 364 days, 9 of them already logged.
    assert len(plan.already) == 9 and len(plan.matched) == 364 - 9


def test_a_window_starting_after_today_is_refused(client_for, ana, account, cs_people):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    r = client_for(ana).post(
        reverse("interactions:calendar_upload"),
        {
            "file": SimpleUploadedFile("x.ics", data("apple_no_uid.ics"), "text/calendar"),
            "since": tomorrow.isoformat(),
        },
    )
    assert r.status_code == 200 and "Choose a day up to today." in r.content.decode()
    assert not ImportBatch.objects.exists()


def test_a_large_calendar_read_by_the_worker_keeps_the_window(
    client_for, ana, account, cs_people, tmp_path, settings
):
    from kamp.interactions.tasks import plan_stored_calendar

    settings.MEDIA_ROOT = tmp_path
    settings.KAMP_CALENDAR_INLINE_MAX_BYTES = 10
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    today = timezone.localdate()
    since = today - datetime.timedelta(days=5)
    client_for(ana).post(
        reverse("interactions:calendar_upload"),
        {
            "file": SimpleUploadedFile(
                "standup.ics", daily_series(today - datetime.timedelta(days=1)), "text/calendar"
            ),
            "since": since.isoformat(),
        },
    )
    batch = plan_stored_calendar(ImportBatch.objects.get(kind="interactions_calendar").pk)
    plan = imports.CalendarPlan.from_dict(batch.options["plan"])
    assert plan.since == since.isoformat() and len(plan.matched) == 5


# --- calendars in another script ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("encoding", "found", "topic", "place"),
    [
        # Outlook in Russian, Greek and Japanese (cp932: Windows' Shift-JIS, a superset)
        ("cp1251", "cp1251", "Встреча по ценам с клиентом", "Москва, офис клиента"),
        ("cp1253", "cp1253", "Συνάντηση για τις τιμές", "Αθήνα, γραφείο πελάτη"),
        ("shift_jis", "cp932", "価格についての打ち合わせ", "東京本社の会議室"),
    ],
)
def test_a_calendar_in_another_script_is_read_in_its_encoding(
    encoding, found, topic, place, ana, account, cs_people
):
    content = (
        "BEGIN:VCALENDAR\r\nPRODID:-//Microsoft Corporation//Outlook 11.0 MIMEDIR//EN\r\n"
        "VERSION:2.0\r\nMETHOD:PUBLISH\r\nBEGIN:VEVENT\r\n"
        "ORGANIZER:MAILTO:ana@supplier.test\r\n"
        "ATTENDEE;ROLE=REQ-PARTICIPANT;RSVP=TRUE:MAILTO:jorge.perez@cs.cl\r\n"
        "DTSTART:20260512T130000Z\r\nDTEND:20260512T140000Z\r\n"
        f"LOCATION:{place}\r\nSUMMARY:{topic}\r\n"
        "UID:040000008200E00074C5B7101A82E00800000000B0F3C1E5D2E1DC01000000000000000010000000\r\n"
        "END:VEVENT\r\nEND:VCALENDAR\r\n"
    ).encode(encoding)
    text, read_as = ics.decode(content)
    assert read_as == found and f"SUMMARY:{topic}" in text
    plan = imports.plan_calendar(content, ana, now=NOW)
    assert topics(plan.matched) == [topic]
    imports.save_calendar(ana, plan.matched, "outlook.ics")
    assert Interaction.objects.get().topic == topic


def test_a_repetition_rule_that_cannot_be_followed_is_quoted_as_written():
    content = (
        b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:t\r\nDTSTART:20260302T120000Z\r\n"
        b"RDATE;VALUE=TIME:133000Z\r\nSUMMARY:Hora suelta\r\nEND:VEVENT\r\n"
        b"BEGIN:VEVENT\r\nUID:c\r\nDTSTART:20260302T120000Z\r\n"
        b"RRULE:RSCALE=CHINESE;FREQ=YEARLY\r\nSUMMARY:Calendario chino\r\nEND:VEVENT\r\n"
        b"END:VCALENDAR\r\n"
    )
    read = ics.read(content, now=NOW, tz=SANTIAGO)
    assert not read.events
    reasons = {p.topic: imports.problem_reason(p) for p in read.problems}
    assert reasons == {
        "Hora suelta": "its repetition rule cannot be followed: RDATE;VALUE=TIME:133000Z",
        "Calendario chino": (
            "its repetition rule cannot be followed: RRULE:RSCALE=CHINESE;FREQ=YEARLY"
        ),
    }


@pytest.mark.parametrize(
    ("language", "said"),
    [
        ("en", "This is a calendar file: import it from a customer&#x27;s Interactions tab"),
        ("es", "Este es un archivo de calendario: impórtelo desde la pestaña Interacciones"),
    ],
)
def test_a_calendar_on_the_spreadsheet_imports_page_is_sent_to_its_own_import(
    client_for, ana, account, language, said
):
    ana.language = language
    ana.save()
    r = client_for(ana).post(
        reverse("core:imports"),
        {
            "kind": "interactions",
            "file": SimpleUploadedFile("Trabajo.ical", data("apple_no_uid.ics"), "text/calendar"),
        },
        headers={"accept-language": language},
    )
    assert r.status_code == 200 and said in r.content.decode()
    assert not ImportBatch.objects.exists()


def test_extra_dates_of_a_series_rdate_are_occurrences_of_their_own(ana, account, cs_people):
    """Apple Calendar and Outlook write a date added to a series as RDATE; a meeting held on a
    few chosen days may be RDATEs alone, without a rule."""
    content = (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Apple Inc.//macOS 14.5//EN\r\n"
        "BEGIN:VTIMEZONE\r\nTZID:America/Santiago\r\nBEGIN:STANDARD\r\nDTSTART:19700405T000000\r\n"
        "TZOFFSETFROM:-0300\r\nTZOFFSETTO:-0400\r\nTZNAME:GMT-4\r\n"
        "RRULE:FREQ=YEARLY;BYMONTH=4;BYDAY=1SU\r\nEND:STANDARD\r\n"
        "BEGIN:DAYLIGHT\r\nDTSTART:19700906T000000\r\nTZOFFSETFROM:-0400\r\nTZOFFSETTO:-0300\r\n"
        "TZNAME:GMT-3\r\nRRULE:FREQ=YEARLY;BYMONTH=9;BYDAY=1SU\r\nEND:DAYLIGHT\r\nEND:VTIMEZONE\r\n"
        "BEGIN:VEVENT\r\nUID:5A1C-monthly\r\nDTSTART;TZID=America/Santiago:20260505T090000\r\n"
        "DTEND;TZID=America/Santiago:20260505T100000\r\n"
        "RRULE:FREQ=MONTHLY;COUNT=3\r\n"
        "RDATE;TZID=America/Santiago:20260522T090000,20260612T090000\r\n"
        "EXDATE;TZID=America/Santiago:20260605T090000\r\n"
        "SUMMARY:Comité mensual\r\nORGANIZER;CN=Ana:mailto:ana@supplier.test\r\n"
        "ATTENDEE;CN=Jorge Pérez;EMAIL=jorge.perez@cs.cl:urn:uuid:1B2C\r\nEND:VEVENT\r\n"
        "BEGIN:VEVENT\r\nUID:5A1C-visits\r\nDTSTART;VALUE=DATE:20260414\r\n"
        "RDATE;VALUE=DATE:20260428,20260526\r\nSUMMARY:Visitas a obra\r\n"
        "ORGANIZER;CN=Ana:mailto:ana@supplier.test\r\n"
        "ATTENDEE;CN=Jorge Pérez:mailto:jorge.perez@cs.cl\r\nEND:VEVENT\r\n"
        "END:VCALENDAR\r\n"
    ).encode()
    plan = imports.plan_calendar(content, ana, now=NOW)
    assert not plan.unreadable
    held = sorted((r["date"], r["topic"]) for r in plan.matched)
    assert held == [
        ("2026-04-14", "Visitas a obra"),
        ("2026-04-28", "Visitas a obra"),
        ("2026-05-05", "Comité mensual"),
        ("2026-05-22", "Comité mensual"),  # an extra date
        ("2026-05-26", "Visitas a obra"),
        ("2026-06-12", "Comité mensual"),  # an extra date; 5 June left out by EXDATE
    ]
    # 5 July, the rule's third, is after "now" (30 June).
    assert {s["topic"]: s["occurrences"] for s in plan.series} == {
        "Comité mensual": 3,
        "Visitas a obra": 3,
    }
    assert len({r["uid"] for r in plan.matched}) == 6  # each occurrence found again by its key


def test_an_occurrence_cancelled_after_it_was_logged_is_offered_for_removal(
    ana, account, cs_people
):
    """Google keeps a cancelled occurrence of a series as an override with STATUS:CANCELLED:
    one already logged is offered for removal, the rest of the series stays as it is."""
    plan = imports.plan_calendar(data("google_overrides_first.ics"), ana, now=NOW)
    imports.save_calendar(ana, plan.matched, "google.ics")
    assert Interaction.objects.filter(date=datetime.date(2026, 3, 3)).exists()
    # The export a month later: the occurrence of 3 March cancelled (not 3 February any more).
    later = (
        data("google_overrides_first.ics")
        .replace(b"20260203T100000", b"20260303T100000")
        .replace(b"20260203T110000", b"20260303T110000")
    )
    plan = imports.plan_calendar(later, ana, now=NOW)
    assert [(r["date"], r["customer"]) for r in plan.cancelled] == [
        ("2026-03-03", "Constructora CS")
    ]
    assert [r["date"] for r in plan.matched] == ["2026-02-03"]  # held after all: to log
    assert len(plan.already) == 23
    batch, made, removed = imports.save_calendar(
        ana, plan.matched, "google.ics", remove=plan.cancelled
    )
    assert (len(made), removed) == (1, 1)
    assert not Interaction.objects.filter(date=datetime.date(2026, 3, 3)).exists()
    assert Interaction.objects.filter(customer=account).count() == 24
