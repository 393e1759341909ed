"""Calendar sync against a real CalDAV server: Radicale, started on 127.0.0.1 for these tests
with an htpasswd user. Events are created, moved, cancelled, repeated and deleted with the
``caldav`` client, as a calendar program would; after each sync the interaction log is read."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from kamp.connect import actions, calendars, crypto
from kamp.connect import alerts as connect_alerts
from kamp.connect.models import CalendarConnection, CalendarMode
from kamp.core.models import ImportBatch
from kamp.interactions.models import Interaction, InteractionSource
from tests.connect.radicale import radicale
from tests.factories import ContactFactory

caldav = pytest.importorskip("caldav")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with radicale(tmp_path_factory.mktemp("radicale")) as r:
        yield r


@pytest.fixture(autouse=True)
def _http_allowed(settings):
    settings.KAMP_CALENDAR_ALLOW_HTTP = True  # Radicale on 127.0.0.1 speaks plain http
    settings.KAMP_CONNECT_ALLOW_PRIVATE = True  # …on this machine, refused otherwise


_n = iter(range(10_000))


@pytest.fixture
def dav(server):
    """A fresh calendar of the Radicale user, and the caldav client's handle on it."""
    client = caldav.DAVClient(url=server.url, username=server.user, password=server.password)
    name = f"cal{next(_n)}"
    cal = client.principal().make_calendar(name=f"Work {name}", cal_id=name)
    yield cal
    cal.delete()


@pytest.fixture
def jorge(account):
    return ContactFactory(customer=account, name="Jorge Pérez", email="jorge@cs.test")


def stamp(dt: datetime) -> str:
    return dt.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def put(cal, uid: str, summary: str, start: datetime, attendees, *, extra: str = "") -> None:
    """Create or replace the event ``uid`` on the server (a PUT of a whole VCALENDAR)."""
    people = "".join(f"ATTENDEE;CN=x:mailto:{a}\r\n" for a in attendees)
    cal.save_event(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\n"
        f"UID:{uid}\r\nDTSTAMP:{stamp(timezone.now())}\r\nDTSTART:{stamp(start)}\r\n"
        f"DTEND:{stamp(start + timedelta(hours=1))}\r\nSUMMARY:{summary}\r\n"
        f"ORGANIZER:mailto:{attendees[0]}\r\n{people}{extra}END:VEVENT\r\nEND:VCALENDAR\r\n"
    )


def connect(user, server, cal, mode=CalendarMode.LOG) -> CalendarConnection:
    conn = actions.do_connect_calendar(
        user,
        name="Work calendar",
        kind="caldav",
        mode=mode,
        url=server.url,
        username=server.user,
        password=server.password,
    )
    # Only the calendar of this test (the account holds those of the others too).
    conn.calendars = [c for c in conn.calendars if c["url"].rstrip("/") == str(cal.url).rstrip("/")]
    assert conn.calendars, "the new calendar was discovered"
    conn.save()
    return conn


def log_of(account) -> list[tuple]:
    return sorted(
        (i.date, i.topic, i.source)
        for i in Interaction.objects.filter(customer=account).order_by("date")
    )


def days_ago(n: int, hour: int = 10) -> datetime:
    return (timezone.localtime() - timedelta(days=n)).replace(
        hour=hour, minute=0, second=0, microsecond=0
    )


def test_create_move_cancel_and_nothing_twice(server, dav, ana, account, jorge):
    put(dav, "m1@test", "Precios 2026", days_ago(3), [ana.email, jorge.email])
    put(dav, "dentist@test", "Dentist", days_ago(2), [ana.email])  # no customer: not logged
    conn = connect(ana, server, dav)
    assert conn.calendars[0]["name"].startswith("Work cal")

    out = calendars.sync(conn.pk)
    assert (out.error, out.logged) == ("", 1)
    assert log_of(account) == [(days_ago(3).date(), "Precios 2026", InteractionSource.CALENDAR)]
    made = Interaction.objects.get(customer=account)
    assert list(made.our_people.all()) == [ana] and list(made.their_contacts.all()) == [jorge]

    # A second sync with nothing changed logs nothing more.
    out = calendars.sync(conn.pk)
    assert (out.logged, out.updated, out.withdrawn) == (0, 0, 0)
    assert Interaction.objects.filter(customer=account).count() == 1

    # Moved two days earlier and renamed: the same interaction follows.
    put(dav, "m1@test", "Precios 2026 (nueva fecha)", days_ago(5), [ana.email, jorge.email])
    out = calendars.sync(conn.pk)
    assert out.updated == 1
    assert log_of(account) == [
        (days_ago(5).date(), "Precios 2026 (nueva fecha)", InteractionSource.CALENDAR)
    ]
    assert Interaction.objects.get(customer=account).pk == made.pk

    # Cancelled in the calendar: withdrawn from the log.
    put(
        dav,
        "m1@test",
        "Precios 2026 (nueva fecha)",
        days_ago(5),
        [ana.email, jorge.email],
        extra="STATUS:CANCELLED\r\n",
    )
    out = calendars.sync(conn.pk)
    assert out.withdrawn == 1
    assert log_of(account) == []
    conn.refresh_from_db()
    assert conn.last_success_at is not None and conn.last_error == ""


def test_a_deleted_event_withdraws_its_interaction(server, dav, ana, account, jorge):
    put(dav, "gone@test", "Visita planta", days_ago(4), [ana.email, jorge.email])
    put(dav, "stays@test", "Llamada", days_ago(6), [ana.email, jorge.email])
    conn = connect(ana, server, dav)
    calendars.sync(conn.pk)
    assert Interaction.objects.filter(customer=account).count() == 2
    dav.event_by_uid("gone@test").delete()
    out = calendars.sync(conn.pk)
    assert out.withdrawn == 1
    assert [t for _d, t, _s in log_of(account)] == ["Llamada"]


def test_moved_into_the_future_is_withdrawn_until_held(server, dav, ana, account, jorge):
    put(dav, "later@test", "Revisión", days_ago(2), [ana.email, jorge.email])
    conn = connect(ana, server, dav)
    calendars.sync(conn.pk)
    assert Interaction.objects.filter(customer=account).count() == 1
    put(dav, "later@test", "Revisión", days_ago(-3), [ana.email, jorge.email])
    out = calendars.sync(conn.pk)
    assert out.withdrawn == 1 and Interaction.objects.filter(customer=account).count() == 0


def test_a_weekly_series_is_expanded_and_logged_once(server, dav, ana, account, jorge):
    first = days_ago(7 * 5 + 1)
    put(
        dav,
        "weekly@test",
        "Seguimiento semanal",
        first,
        [ana.email, jorge.email],
        extra="RRULE:FREQ=WEEKLY;COUNT=10\r\n",
    )
    conn = connect(ana, server, dav)
    out = calendars.sync(conn.pk)
    held = [d for d, _t, _s in log_of(account)]
    assert out.logged == 6 and len(held) == 6  # weeks 0..5 have been held, 6..9 are to come
    assert held == [(first + timedelta(weeks=w)).date() for w in range(6)]
    assert calendars.sync(conn.pk).logged == 0
    assert Interaction.objects.filter(customer=account).count() == 6

    # The whole series deleted: every occurrence it logged is withdrawn.
    dav.event_by_uid("weekly@test").delete()
    out = calendars.sync(conn.pk)
    assert out.withdrawn == 6 and log_of(account) == []


def test_review_mode_waits_in_the_review_list(client_for, server, dav, ana, account, jorge):
    put(dav, "r1@test", "Negociación", days_ago(3), [ana.email, jorge.email])
    conn = connect(ana, server, dav, mode=CalendarMode.REVIEW)
    out = calendars.sync(conn.pk)
    assert (out.logged, out.waiting) == (0, 1)
    assert not Interaction.objects.exists()
    conn.refresh_from_db()
    batch = conn.review_batch
    assert batch is not None and batch.status == ImportBatch.Status.PENDING
    # A second sync keeps one review, not two.
    calendars.sync(conn.pk)
    conn.refresh_from_db()
    assert conn.review_batch_id == batch.pk
    assert ImportBatch.objects.filter(status=ImportBatch.Status.PENDING).count() == 1

    c = client_for(ana)
    page = c.get(reverse("interactions:calendar_review", args=[batch.pk]))
    assert page.status_code == 200 and "Negociación" in page.content.decode()
    c.post(reverse("interactions:calendar_review", args=[batch.pk]), {"event": ["0"]})
    assert [t for _d, t, _s in log_of(account)] == ["Negociación"]

    # Synced again: already logged, nothing waits; once cancelled, its removal is offered.
    out = calendars.sync(conn.pk)
    assert (out.waiting, out.offered) == (0, 0)
    put(
        dav,
        "r1@test",
        "Negociación",
        days_ago(3),
        [ana.email, jorge.email],
        extra="STATUS:CANCELLED\r\n",
    )
    out = calendars.sync(conn.pk)
    assert out.offered == 1 and Interaction.objects.count() == 1  # not removed without asking
    conn.refresh_from_db()
    plan = conn.review_batch.options["plan"]
    assert [r["topic"] for r in plan["cancelled"]] == ["Negociación"]
    c.post(reverse("interactions:calendar_review", args=[conn.review_batch.pk]), {"remove": ["0"]})
    assert not Interaction.objects.exists()


def test_a_wrong_password_is_refused_when_connecting(server, dav, ana):
    with pytest.raises(ValidationError) as exc:
        actions.do_connect_calendar(
            ana,
            name="x",
            kind="caldav",
            mode="log",
            url=server.url,
            username=server.user,
            password="wrong",
        )
    assert "refused" in str(exc.value)
    assert not CalendarConnection.objects.exists()


def test_the_password_is_stored_encrypted_and_never_logged(server, dav, ana, caplog, settings):
    caplog.set_level(logging.DEBUG)
    conn = connect(ana, server, dav)
    raw = CalendarConnection.objects.values_list("secret", flat=True).get(pk=conn.pk)
    assert server.password not in raw and "app-pass" not in raw
    assert crypto.decrypt(raw) == {"password": server.password}
    # After a key rotation (the old key kept as a fallback) it still opens.
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "a-new-secret-key-" + "x" * 40
    assert crypto.decrypt(raw) == {"password": server.password}
    settings.SECRET_KEY_FALLBACKS = []
    out = calendars.sync(conn.pk)
    assert "delete this connection" in out.error
    assert server.password not in caplog.text


def test_failures_show_the_error_then_stop_with_an_alert(
    server, dav, ana, account, jorge, settings, director
):
    settings.KAMP_CALENDAR_SYNC_STOP_AFTER = 3
    put(dav, "keep@test", "Almuerzo", days_ago(2), [ana.email, jorge.email])
    conn = connect(ana, server, dav)
    calendars.sync(conn.pk)
    assert Interaction.objects.count() == 1
    # The password was changed on the server's side.
    CalendarConnection.objects.filter(pk=conn.pk).update(
        secret=crypto.encrypt({"password": "changed"})
    )
    for n in (1, 2):
        out = calendars.sync(conn.pk)
        assert "refused" in out.error
        conn.refresh_from_db()
        assert (conn.consecutive_failures, conn.active) == (n, True)
        assert conn.last_sync_at is not None
    assert connect_alerts.alerts(None, None) == []
    calendars.sync(conn.pk)
    conn.refresh_from_db()
    assert not conn.active and conn.stopped_at is not None
    assert Interaction.objects.count() == 1  # nothing stored was lost
    found = connect_alerts.alerts(None, None)
    assert [a.kind for a in found] == ["calendar_stopped"]
    assert "Work calendar" in found[0].message
    # Only its owner sees it.
    assert connect_alerts.visible_to(ana, found) == found
    assert connect_alerts.visible_to(director, found) == []
    # A stopped connection is not polled, until started again.
    assert calendars.sync(conn.pk).skipped
    assert conn.pk not in calendars.due()


def test_the_cli_syncs_and_reports_json(server, dav, ana, account, jorge, capsys):
    import json

    put(dav, "cli@test", "Taller", days_ago(1), [ana.email, jorge.email])
    conn = connect(ana, server, dav)
    call_command("calendars", "sync", "--connection", str(conn.pk), "--json")
    rows = json.loads(capsys.readouterr().out)
    assert rows[0]["id"] == conn.pk and rows[0]["logged"] == 1 and rows[0]["error"] == ""
    assert server.password not in json.dumps(rows)


def test_the_worker_queues_due_connections(server, dav, ana, account, jorge, settings):
    from kamp.connect import periodic

    put(dav, "w@test", "Visita", days_ago(1), [ana.email, jorge.email])
    conn = connect(ana, server, dav)
    # What the worker's heartbeat runs; the immediate task backend of the tests runs what is
    # queued at once.
    from kamp.core.management.commands.worker import periodic_work

    periodic_work()
    conn.refresh_from_db()
    assert conn.last_success_at is not None and Interaction.objects.count() == 1
    synced = conn.last_sync_at
    periodic.every_beat()  # not due again for KAMP_CALENDAR_SYNC_MINUTES
    conn.refresh_from_db()
    assert conn.last_sync_at == synced
    CalendarConnection.objects.filter(pk=conn.pk).update(
        last_sync_at=timezone.now() - timedelta(minutes=settings.KAMP_CALENDAR_SYNC_MINUTES + 1)
    )
    periodic.every_beat()
    conn.refresh_from_db()
    assert conn.last_sync_at > synced


def test_a_huge_caldav_answer_is_refused_and_nothing_is_lost(
    server, dav, ana, account, jorge, settings
):
    put(dav, "small@test", "Almuerzo", days_ago(2), [ana.email, jorge.email])
    conn = connect(ana, server, dav)
    calendars.sync(conn.pk)
    assert Interaction.objects.count() == 1
    for n in range(30):
        put(dav, f"bulk{n}@test", "x" * 200, days_ago(3), [ana.email, jorge.email])
    settings.KAMP_CALENDAR_SYNC_MAX_BYTES = 4000
    out = calendars.sync(conn.pk)
    assert "larger than" in out.error
    assert Interaction.objects.count() == 1


class GarbageDav:
    """A "CalDAV server" answering every request with what ``body`` says, or nothing for
    ``hang`` seconds: what a broken proxy or a hostile host sends."""

    def __init__(self, body: bytes, status: int = 207, hang: float = 0.0):
        import threading
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        outer = self
        self.body, self.status, self.hang = body, status, hang

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _answer(self):
                import time as _time

                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if outer.hang:
                    _time.sleep(outer.hang)
                try:
                    self.send_response(outer.status)
                    self.send_header("Content-Type", "application/xml; charset=utf-8")
                    self.send_header("Content-Length", str(len(outer.body)))
                    self.end_headers()
                    self.wfile.write(outer.body)
                except OSError:
                    pass

            do_PROPFIND = do_REPORT = do_GET = do_OPTIONS = _answer

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/dav/"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.mark.parametrize(
    "body, status",
    [
        (b"<html>Bad gateway</html>", 502),
        (b"\x00\x01garbage\xff" * 100, 207),
        (b"<?xml version='1.0'?><d:multistatus xmlns:d='DAV:'><d:response>", 207),
    ],
)
def test_a_garbage_server_gets_a_clear_error(ana, body, status):
    bad = GarbageDav(body, status)
    try:
        with pytest.raises(ValidationError) as exc:
            actions.do_connect_calendar(
                ana, name="x", kind="caldav", mode="log", url=bad.url, username="u", password="p"
            )
        message = " ".join(exc.value.messages)
        assert "calendar server" in message or "No calendar" in message
        # The same server behind an existing connection: the sync fails with a message.
        conn = CalendarConnection.objects.create(
            user=ana,
            name="Broken",
            kind="caldav",
            server_url=bad.url,
            username="u",
            secret=crypto.encrypt({"password": "p"}),
            calendars=[{"url": bad.url, "name": "x"}],
        )
        out = calendars.sync(conn.pk)
        assert out.error and "unexpected" not in out.error
    finally:
        bad.close()


def test_a_caldav_server_that_hangs_is_given_up_on(ana, settings):
    import time as _time

    settings.KAMP_CALENDAR_SYNC_TIMEOUT = 1
    bad = GarbageDav(b"", 207, hang=5)
    try:
        conn = CalendarConnection.objects.create(
            user=ana,
            name="Slow",
            kind="caldav",
            server_url=bad.url,
            username="u",
            secret=crypto.encrypt({"password": "p"}),
            calendars=[{"url": bad.url, "name": "x"}],
        )
        started = _time.monotonic()
        out = calendars.sync(conn.pk)
        assert _time.monotonic() - started < 4
        assert "longer than 1 seconds" in out.error
    finally:
        bad.close()


def test_the_admin_sees_every_calendar_connection_and_can_remove_one(
    client_for, admin, ana, bruno, django_assert_max_num_queries
):
    for user in (ana, bruno):
        for name in ("Work", "Google"):
            CalendarConnection.objects.create(
                user=user,
                name=f"{name} of {user.name}",
                kind="feed",
                host="calendar.google.com",
                secret=crypto.encrypt(
                    {"url": "https://calendar.google.com/x/private-abc/basic.ics"}
                ),
                last_error="The calendar server refused the user name or the app password.",
                consecutive_failures=2,
                last_sync_at=timezone.now(),
            )
    c = client_for(admin)
    page = c.get(reverse("connect:admin")).content.decode()
    for user in (ana, bruno):
        assert f"Work of {user.name}" in page and f"Google of {user.name}" in page
    assert "refused the user name" in page and "private-abc" not in page
    doomed = CalendarConnection.objects.get(name=f"Work of {bruno.name}")
    c.post(reverse("connect:admin_calendar_delete", args=[doomed.pk]))
    assert not CalendarConnection.objects.filter(pk=doomed.pk).exists()
    # Ana's page shows hers only.
    mine = client_for(ana).get(reverse("connect:home")).content.decode()
    assert f"Work of {ana.name}" in mine and bruno.name not in mine


def test_a_colleague_dropping_the_meeting_does_not_withdraw_it(
    server, dav, ana, member, account, jorge
):
    client = caldav.DAVClient(url=server.url, username=server.user, password=server.password)
    theirs = client.principal().make_calendar(name="Marta", cal_id=f"marta{next(_n)}")
    try:
        people = [ana.email, member.email, jorge.email]
        put(dav, "shared@test", "Visita conjunta", days_ago(3), people)
        put(theirs, "shared@test", "Visita conjunta", days_ago(3), people)
        mine, hers = connect(ana, server, dav), connect(member, server, theirs)
        assert calendars.sync(mine.pk).logged == 1
        assert calendars.sync(hers.pk).logged == 0  # the same meeting: not twice
        theirs.event_by_uid("shared@test").delete()
        assert calendars.sync(hers.pk).withdrawn == 0
        assert Interaction.objects.filter(customer=account).count() == 1
        # Gone from the calendar of whoever logged it: withdrawn.
        dav.event_by_uid("shared@test").delete()
        assert calendars.sync(mine.pk).withdrawn == 1
    finally:
        theirs.delete()
