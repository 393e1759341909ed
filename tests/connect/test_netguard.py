"""Addresses people type (a CalDAV server, a secret calendar address, a webhook receiver) reach
only the public internet: real servers on this machine are refused when saved and at each
connection, unless the operator allows them; a redirect from an allowed host to 127.0.0.1 is
refused too."""

from __future__ import annotations

import ipaddress
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import caldav
import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from kamp.connect import actions, calendars, netguard, webhooks
from kamp.connect.models import DeliveryStatus
from kamp.interactions.models import Interaction
from tests.connect.radicale import PASSWORD, USER, radicale
from tests.connect.receiver import Receiver
from tests.connect.test_calendar_feed_sync import FeedServer, ics, vevent
from tests.factories import ContactFactory

PRIVATE_SAID = "an address of a private network or of this server"


@pytest.fixture(autouse=True)
def _http(settings):
    settings.KAMP_CALENDAR_ALLOW_HTTP = True  # the servers here speak plain http
    settings.KAMP_CONNECT_ALLOW_PRIVATE = False
    settings.KAMP_CONNECT_ALLOWED_NETWORKS = ""


class Redirector:
    """A server on 127.0.0.2 answering every request with a redirect to ``target``."""

    def __init__(self, target: str) -> None:
        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _go(self):
                self.send_response(302)
                self.send_header("Location", target + self.path)
                self.send_header("Content-Length", "0")
                self.end_headers()

            do_GET = do_PROPFIND = do_REPORT = do_OPTIONS = _go

        self.httpd = ThreadingHTTPServer(("127.0.0.2", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.2:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("127.0.0.1", False),
        ("169.254.169.254", False),  # a cloud's metadata service
        ("10.1.2.3", False),
        ("172.16.0.9", False),
        ("192.168.1.1", False),
        ("100.64.0.1", False),  # shared address space (carrier NAT)
        ("0.0.0.0", False),
        ("::1", False),
        ("fe80::1", False),
        ("fd00::1", False),
        ("::ffff:127.0.0.1", False),  # IPv4 inside IPv6
        ("64:ff9b::a9fe:a9fe", False),  # NAT64 of 169.254.169.254
        ("224.0.0.1", False),
        ("8.8.8.8", True),
        ("2606:4700:4700::1111", True),
    ],
)
def test_which_addresses_are_public(address, public):
    assert netguard.is_public(ipaddress.ip_address(address)) is public


def test_an_allow_list_opens_only_its_networks(settings):
    settings.KAMP_CONNECT_ALLOWED_NETWORKS = "10.20.0.0/16, 192.168.5.7"
    assert netguard.permitted("10.20.3.4") and netguard.permitted("192.168.5.7")
    assert not netguard.permitted("10.21.0.1") and not netguard.permitted("127.0.0.1")
    settings.KAMP_CONNECT_ALLOW_PRIVATE = True
    assert netguard.permitted("127.0.0.1")


def test_kamps_own_public_address_is_refused(settings):
    # A public kamp must not be made to call itself through a webhook.
    settings.KAMP_BASE_URL = "https://1.1.1.1"
    assert not netguard.permitted("1.1.1.1") and netguard.permitted("8.8.8.8")


def test_a_webhook_to_this_machine_is_refused_beside_its_field(director, client_for, settings):
    with Receiver() as receiver:
        with pytest.raises(ValidationError) as exc:
            actions.do_create_webhook(
                director, name="CRM", url=receiver.url, events=["customer.created"], finance=False
            )
        assert PRIVATE_SAID in exc.value.message_dict["url"][0]
        # A name is resolved: "localhost" is 127.0.0.1.
        with pytest.raises(ValidationError):
            actions.do_create_webhook(
                director,
                name="CRM",
                url=receiver.url.replace("127.0.0.1", "localhost"),
                events=["customer.created"],
                finance=False,
            )
        page = client_for(director).post(
            reverse("connect:webhook_new"),
            {"name": "CRM", "url": receiver.url, "events": ["customer.created"]},
        )
        assert page.status_code == 200
        html = page.content.decode()
        assert PRIVATE_SAID in html and 'id="id_url"' in html

        # Allowed by the operator: saved and delivered.
        settings.KAMP_CONNECT_ALLOW_PRIVATE = True
        endpoint, secret = actions.do_create_webhook(
            director, name="CRM", url=receiver.url, events=["customer.created"], finance=False
        )
        receiver.secret = secret
        [delivery] = webhooks.queue(webhooks.Event("customer.created", {"x": 1}))
        assert webhooks.attempt(delivery.pk).status == DeliveryStatus.DELIVERED

        # The setting taken back: the next delivery is refused when it connects.
        settings.KAMP_CONNECT_ALLOW_PRIVATE = False
        [delivery] = webhooks.queue(webhooks.Event("customer.created", {"x": 2}))
        done = webhooks.attempt(delivery.pk)
        assert done.status == DeliveryStatus.PENDING and "private" in done.last_error
        assert len(receiver.received) == 1


@pytest.fixture
def feed_server():
    s = FeedServer()
    yield s
    s.close()


def test_a_feed_on_this_machine_is_refused_and_a_redirect_to_it_too(
    feed_server, ana, account, settings
):
    jorge = ContactFactory(customer=account, name="Jorge Pérez", email="jorge@cs.test")
    feed_server.files["/cal.ics"] = (
        200,
        ics(vevent("r1", "Visita", 2, [ana.email, jorge.email])),
        0.0,
    )

    def connect(url):
        return actions.do_connect_calendar(
            ana, name="Google", kind="feed", mode="log", url=url, username="", password=""
        )

    with pytest.raises(ValidationError) as exc:
        connect(feed_server.url + "/cal.ics")
    assert PRIVATE_SAID in exc.value.message_dict["url"][0]

    # 127.0.0.2 allowed (say, the company's server); it redirects to 127.0.0.1, which is not.
    redirector = Redirector(feed_server.url)
    try:
        settings.KAMP_CONNECT_ALLOWED_NETWORKS = "127.0.0.2/32"
        conn = connect(redirector.url + "/cal.ics")
        out = calendars.sync(conn.pk)
        assert PRIVATE_SAID in out.error and "127.0.0.1" in out.error
        assert feed_server.hits == 0 and not Interaction.objects.exists()

        # Allowed by the operator: the same redirect is followed and the meeting logged.
        settings.KAMP_CONNECT_ALLOW_PRIVATE = True
        assert calendars.sync(conn.pk, force=True).logged == 1
    finally:
        redirector.close()


@pytest.fixture(scope="module")
def dav_server(tmp_path_factory):
    with radicale(tmp_path_factory.mktemp("radicale-guard")) as r:
        client = caldav.DAVClient(url=r.url, username=r.user, password=r.password)
        client.principal().make_calendar(name="Work", cal_id="work")
        yield r


def test_a_caldav_server_on_this_machine_is_refused_and_a_redirect_to_it_too(
    dav_server, ana, settings
):
    def connect(url):
        return actions.do_connect_calendar(
            ana, name="Work", kind="caldav", mode="log", url=url, username=USER, password=PASSWORD
        )

    with pytest.raises(ValidationError) as exc:
        connect(dav_server.url + "/")
    assert PRIVATE_SAID in exc.value.message_dict["url"][0]

    redirector = Redirector(dav_server.url)
    try:
        settings.KAMP_CONNECT_ALLOWED_NETWORKS = "127.0.0.2/32"
        with pytest.raises(ValidationError) as exc:
            connect(redirector.url + "/")
        assert PRIVATE_SAID in str(exc.value) and "127.0.0.1" in str(exc.value)

        settings.KAMP_CONNECT_ALLOW_PRIVATE = True
        conn = connect(dav_server.url + "/")
        assert conn.calendars is not None
        # Taken back: the next sync is refused when it connects; nothing else changes.
        settings.KAMP_CONNECT_ALLOW_PRIVATE = False
        out = calendars.sync(conn.pk)
        assert PRIVATE_SAID in out.error
        conn.refresh_from_db()
        assert conn.consecutive_failures == 1 and PRIVATE_SAID in conn.last_error
    finally:
        redirector.close()


def test_the_refusal_beside_the_address_in_spanish(ana, client_for):
    with Receiver() as receiver:
        client = client_for(ana)
        client.cookies["django_language"] = "es"
        page = client.post(
            reverse("connect:calendar_new"),
            {"name": "Casa", "kind": "feed", "mode": "log", "url": receiver.url},
        )
        html = page.content.decode()
        assert page.status_code == 200 and "una dirección de una red privada" in html
        assert not ana.calendar_connections.exists()
