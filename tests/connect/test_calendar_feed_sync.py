"""Calendar sync from a secret iCalendar address (Google's "secret address in iCal format",
Outlook's published calendar), served by a real HTTP server on 127.0.0.1 (``http.server`` in a
thread); and what a hostile or broken server gets: garbage, a huge answer, no answer."""

from __future__ import annotations

import threading
import time
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from kamp.connect import actions, calendars
from kamp.connect.models import CalendarConnection
from kamp.interactions.models import Interaction
from tests.factories import ContactFactory


class FeedServer:
    """Serves ``self.files[path] = (status, body, delay_seconds)``."""

    def __init__(self) -> None:
        self.files: dict[str, tuple[int, bytes, float]] = {}
        self.hits = 0
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                server.hits += 1
                status, body, delay = server.files.get(self.path, (404, b"", 0.0))
                if delay:
                    time.sleep(delay)
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "text/calendar")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except OSError:
                    pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def feed_server():
    s = FeedServer()
    yield s
    s.close()


@pytest.fixture(autouse=True)
def _http_allowed(settings):
    settings.KAMP_CALENDAR_ALLOW_HTTP = True
    settings.KAMP_CONNECT_ALLOW_PRIVATE = True  # the feed server is on this machine


@pytest.fixture
def jorge(account):
    return ContactFactory(customer=account, name="Jorge Pérez", email="jorge@cs.test")


def vevent(uid: str, summary: str, days_ago: int, people, status: str = "") -> str:
    day = timezone.localdate() - timedelta(days=days_ago)
    attendees = "".join(f"ATTENDEE:mailto:{p}\r\n" for p in people)
    extra = f"STATUS:{status}\r\n" if status else ""
    return (
        f"BEGIN:VEVENT\r\nUID:{uid}\r\nDTSTART;VALUE=DATE:{day:%Y%m%d}\r\nSUMMARY:{summary}\r\n"
        f"{attendees}{extra}END:VEVENT\r\n"
    )


def ics(*events: str) -> bytes:
    return (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Google Inc//Google Calendar 70.9054//EN\r\n"
        + "".join(events)
        + "END:VCALENDAR\r\n"
    ).encode()


def feed(user, url: str) -> CalendarConnection:
    return actions.do_connect_calendar(
        user, name="Google", kind="feed", mode="log", url=url, username="", password=""
    )


SECRET_PATH = "/calendar/ical/ana%40supplier.test/private-5f3c9a0e1d/basic.ics"


def test_a_feed_is_logged_followed_and_its_address_kept_secret(
    feed_server, client_for, ana, account, jorge, caplog
):
    feed_server.files[SECRET_PATH] = (
        200,
        ics(
            vevent("f1@google.com", "Visita obra", 4, [ana.email, jorge.email]),
            vevent("f2@google.com", "Cierre trimestre", 2, [ana.email, jorge.email]),
        ),
        0.0,
    )
    conn = feed(ana, feed_server.url + SECRET_PATH)
    assert conn.host == "127.0.0.1" and "private" not in conn.secret
    out = calendars.sync(conn.pk)
    assert (out.error, out.logged) == ("", 2)
    assert calendars.sync(conn.pk).logged == 0  # nothing twice

    # One event taken out of the feed, the other cancelled: both interactions withdrawn.
    feed_server.files[SECRET_PATH] = (
        200,
        ics(vevent("f2@google.com", "Cierre trimestre", 2, [ana.email, jorge.email], "CANCELLED")),
        0.0,
    )
    out = calendars.sync(conn.pk)
    assert out.withdrawn == 2 and not Interaction.objects.exists()

    # The address is never shown again, nor written to the log.
    page = client_for(ana).get("/connect/").content.decode()
    assert "Google" in page and "127.0.0.1" in page and "private-5f3c9a0e1d" not in page
    assert "private-5f3c9a0e1d" not in caplog.text


def test_an_empty_feed_is_a_calendar_with_no_events(feed_server, ana, account, jorge):
    feed_server.files["/a.ics"] = (
        200,
        ics(vevent("e1@x", "Reunión", 3, [ana.email, jorge.email])),
        0.0,
    )
    conn = feed(ana, feed_server.url + "/a.ics")
    calendars.sync(conn.pk)
    feed_server.files["/a.ics"] = (200, ics(), 0.0)
    out = calendars.sync(conn.pk)
    assert out.error == "" and out.withdrawn == 1


@pytest.mark.parametrize(
    "status, body, expected",
    [
        (200, b"<html><body>Sign in to Google</body></html>", "not a calendar"),
        (200, b"\x00\xff" * 500, "not a calendar"),
        (404, b"", "no longer at that address"),
        (403, b"", "refused"),
        (500, b"", "HTTP 500"),
    ],
)
def test_garbage_and_refusals_fail_clearly_and_lose_nothing(
    feed_server, ana, account, jorge, status, body, expected
):
    feed_server.files["/c.ics"] = (
        200,
        ics(vevent("k@x", "Kick-off", 3, [ana.email, jorge.email])),
        0,
    )
    conn = feed(ana, feed_server.url + "/c.ics")
    calendars.sync(conn.pk)
    assert Interaction.objects.count() == 1
    feed_server.files["/c.ics"] = (status, body, 0.0)
    out = calendars.sync(conn.pk)
    assert expected in out.error
    conn.refresh_from_db()
    assert conn.last_error == out.error and conn.consecutive_failures == 1
    assert Interaction.objects.count() == 1  # the logged meeting is still there


def test_a_huge_answer_is_refused_before_it_is_read_whole(feed_server, ana, settings):
    settings.KAMP_CALENDAR_SYNC_MAX_BYTES = 1024 * 1024
    feed_server.files["/big.ics"] = (200, b"BEGIN:VCALENDAR\r\n" + b"X" * (3 * 1024 * 1024), 0.0)
    conn = feed(ana, feed_server.url + "/big.ics")
    out = calendars.sync(conn.pk)
    assert "larger than 1 MB" in out.error


def test_a_server_that_does_not_answer_is_given_up_on(feed_server, ana, settings):
    settings.KAMP_CALENDAR_SYNC_TIMEOUT = 1
    feed_server.files["/slow.ics"] = (200, ics(), 4.0)
    conn = feed(ana, feed_server.url + "/slow.ics")
    started = time.monotonic()
    out = calendars.sync(conn.pk)
    assert time.monotonic() - started < 3.5
    assert "longer than 1 seconds" in out.error


def test_nothing_listens(ana):
    from tests.connect.radicale import free_port

    conn = feed(ana, f"http://127.0.0.1:{free_port()}/x.ics")
    out = calendars.sync(conn.pk)
    assert "could not be reached" in out.error


def test_production_takes_https_only(ana, settings):
    settings.KAMP_CALENDAR_ALLOW_HTTP = False
    with pytest.raises(ValidationError) as exc:
        feed(ana, "http://calendar.example.com/x.ics")
    assert "https://" in str(exc.value)
    with pytest.raises(ValidationError):
        feed(ana, "https://user:pw@calendar.example.com/x.ics")
    conn = feed(ana, "webcal://calendar.example.com/x.ics")
    assert conn.host == "calendar.example.com"
