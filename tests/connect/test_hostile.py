"""Hostile servers and what never reaches the log: a CalDAV server whose XML names a local file
as an entity (XXE) gets nothing of the file into kamp; a webhook's signing secret appears in no
log line, whether its deliveries succeed, fail or turn the endpoint off."""

from __future__ import annotations

import logging

import pytest

from kamp.connect import actions, calendars, webhooks
from kamp.connect.models import CalendarConnection
from tests.connect.receiver import Receiver
from tests.connect.test_calendar_sync import GarbageDav


@pytest.fixture(autouse=True)
def _local(settings):
    settings.KAMP_CALENDAR_ALLOW_HTTP = True
    settings.KAMP_CONNECT_ALLOW_PRIVATE = True  # the hostile servers run on this machine


def test_a_caldav_answer_naming_a_local_file_gets_nothing_of_it(ana, tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    secret_file = tmp_path / "secret.txt"
    secret_file.write_text("TOP-SECRET-0xC0FFEE")
    body = f"""<?xml version="1.0"?>
<!DOCTYPE d:multistatus [<!ENTITY xxe SYSTEM "file://{secret_file}">]>
<d:multistatus xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav">
 <d:response><d:href>/dav/</d:href><d:propstat><d:prop>
  <d:displayname>Work &xxe;</d:displayname>
  <d:current-user-principal><d:href>/dav/</d:href></d:current-user-principal>
  <c:calendar-home-set><d:href>/dav/</d:href></c:calendar-home-set>
  <d:resourcetype><d:collection/><c:calendar/></d:resourcetype>
 </d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response>
</d:multistatus>""".encode()
    bad = GarbageDav(body, 207)
    try:
        conn = actions.do_connect_calendar(
            ana, name="x", kind="caldav", mode="log", url=bad.url, username="u", password="p"
        )
        # The calendar was read from that XML (its name included), the file was not.
        assert [c["url"] for c in conn.calendars] == [bad.url]
        assert "TOP-SECRET" not in str(conn.calendars)
        out = calendars.sync(conn.pk)
        assert "TOP-SECRET" not in out.error
        assert "TOP-SECRET" not in str(list(CalendarConnection.objects.values()))
        assert "TOP-SECRET" not in caplog.text
    finally:
        bad.close()


def test_a_webhook_secret_is_never_logged(director, settings, caplog):
    caplog.set_level(logging.DEBUG)
    settings.KAMP_WEBHOOK_DISABLE_AFTER = 2
    settings.KAMP_WEBHOOK_TIMEOUT = 1
    with Receiver() as receiver:
        endpoint, secret = actions.do_create_webhook(
            director, name="CRM", url=receiver.url, events=["customer.created"], finance=False
        )
        receiver.secret = secret
        receiver.script = ["ok", "fail", "hang"]
        receiver.hang_seconds = 3
        for n in range(3):
            [delivery] = webhooks.queue(webhooks.Event("customer.created", {"n": n}))
            webhooks.attempt(delivery.pk)
        endpoint.refresh_from_db()
        assert not endpoint.active and len(receiver.received) == 3
    assert "disabled" in caplog.text  # the log did speak
    assert secret not in caplog.text and secret[6:] not in caplog.text
