"""A webhook's address is a secret too (Slack, Teams and Zapier put theirs in the path or the
query): kept encrypted, shown masked after it is registered — on the webhooks list, the
webhook's page, the admin's Connections page, the audit trail, the delivery log, the logs and
the CLI — delivered to in full, kept when the endpoint is edited without typing a new one; an
earlier kamp's addresses in clear (and its audit entries) are encrypted and masked by the
upgrade."""

from __future__ import annotations

import logging

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder
from django.urls import reverse

from kamp.connect import actions, crypto, webhooks
from kamp.connect.models import WebhookEndpoint, masked_address
from kamp.core.models import AuditEvent
from kamp.customers import actions as customer_actions
from tests.connect.receiver import Receiver
from tests.core.test_upgrades import _just_before, _to_head, upgrade

SECRET_PATH = "T0SECRET1/B0SECRET2/XXXXsecretXXXX"
TOKEN = "tok3n-s3cr3t-value"


@pytest.fixture(autouse=True)
def _local_allowed(settings):
    settings.KAMP_CONNECT_ALLOW_PRIVATE = True  # the receiver is on this machine


def _secret_parts_in(text: str) -> list[str]:
    return [s for s in ("T0SECRET1", "B0SECRET2", "XXXXsecretXXXX", TOKEN) if s in text]


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        (
            "https://hooks.slack.com/services/T000/B000/XXXXXXXX",
            "https://hooks.slack.com/services/…",
        ),
        ("https://crm.example/hook?token=abc123", "https://crm.example/hook?…"),
        ("https://crm.example/hook", "https://crm.example/hook"),
        ("https://crm.example/hook/", "https://crm.example/hook"),
        ("https://crm.example", "https://crm.example"),
        ("http://10.2.3.4:8443/in/abc?x=1#y", "http://10.2.3.4:8443/in/…"),
        ("https://[2001:db8::1]:8443/a/b", "https://[2001:db8::1]:8443/a/…"),
        (
            "https://acme.webhook.office.com/webhookb2/abc@def/IncomingWebhook/123/456",
            "https://acme.webhook.office.com/webhookb2/…",
        ),
        ("https://hooks.zapier.com/hooks/catch/123/abc/", "https://hooks.zapier.com/hooks/…"),
    ],
)
def test_the_address_as_shown(url, shown):
    assert masked_address(url) == shown
    assert masked_address(shown) == shown  # masking the masked changes nothing


@pytest.mark.django_db
def test_the_address_is_shown_masked_everywhere_and_delivered_to_in_full(
    director, admin, ana, client_for, django_capture_on_commit_callbacks, caplog, capsys
):
    caplog.set_level(logging.DEBUG)
    with Receiver() as receiver:
        full = f"{receiver.url}/{SECRET_PATH}?token={TOKEN}"
        client = client_for(director)
        made = client.post(
            reverse("connect:webhook_new"),
            {"name": "Slack", "url": full, "events": ["customer.created"]},
        )
        assert made.status_code == 200
        endpoint = WebhookEndpoint.objects.get()
        receiver.secret = webhooks.signing_secret(endpoint)

        # Stored encrypted; the column shown holds the masked form only.
        assert endpoint.url == masked_address(full) == f"{receiver.url.rsplit('/', 1)[0]}/…"
        assert not _secret_parts_in(endpoint.url + endpoint.address)
        assert endpoint.full_address() == full
        with connection.cursor() as cursor:
            cursor.execute("SELECT * FROM connect_webhookendpoint")
            assert not _secret_parts_in(repr(cursor.fetchall()))

        # Delivered to the whole address, path and query.
        with django_capture_on_commit_callbacks(execute=True):
            customer_actions.do_create_customer(
                ana, name="Viña Sur", tax_id="76.543.210-3", country="CL"
            )
        [got] = receiver.received
        assert got["path"] == f"/hooks/kamp/{SECRET_PATH}?token={TOKEN}"
        assert receiver.bad_signatures == 0

        # A delivery that fails: its log says why, without the address.
        receiver.default = "fail"
        with django_capture_on_commit_callbacks(execute=True):
            customer_actions.do_create_customer(
                ana, name="Viña Norte", tax_id="96.543.210-8", country="CL"
            )

        pages = {
            "list": client.get(reverse("connect:webhooks")),
            "detail": client.get(reverse("connect:webhook", args=[endpoint.pk])),
            "admin connections": client_for(admin).get(reverse("connect:admin")),
            "audit": client.get(reverse("core:audit")),
            "admin audit": client_for(admin).get("/admin/core/auditevent/"),
        }
        for name, page in pages.items():
            assert page.status_code == 200, name
            html = page.content.decode()
            assert not _secret_parts_in(html), name
        assert endpoint.url in pages["list"].content.decode()
        assert "500 (" in pages["detail"].content.decode()  # the failed delivery, logged
        # The form to edit it does not hold it either (no value to copy from the page).
        assert 'name="url"' in pages["detail"].content.decode()

    audit = AuditEvent.objects.filter(object_type="connect.webhookendpoint")
    assert audit.exists()
    assert not _secret_parts_in(repr(list(audit.values())))
    assert not _secret_parts_in(caplog.text)
    call_command("webhooks", "list")
    assert not _secret_parts_in(capsys.readouterr().out)


@pytest.mark.django_db
def test_editing_keeps_the_address_unless_a_new_one_is_typed(director, client_for):
    with Receiver() as receiver:
        full = f"{receiver.url}/{SECRET_PATH}"
        endpoint, _secret = actions.do_create_webhook(
            director, name="Slack", url=full, events=["customer.created"], finance=False
        )
        client = client_for(director)
        form = {"name": "Slack ventas", "url": "", "events": ["customer.created"], "active": "on"}
        r = client.post(reverse("connect:webhook", args=[endpoint.pk]), form)
        assert r.status_code == 302
        endpoint.refresh_from_db()
        assert endpoint.name == "Slack ventas" and endpoint.full_address() == full

        # A new address that looks the same masked: kept, the change audited, not the address.
        other = f"{receiver.url}/OTHERsecret/XXXXsecretXXXX"
        r = client.post(reverse("connect:webhook", args=[endpoint.pk]), {**form, "url": other})
        assert r.status_code == 302
        endpoint.refresh_from_db()
        assert endpoint.full_address() == other
        last = AuditEvent.objects.filter(object_type="connect.webhookendpoint").latest("pk")
        assert [c["field"] for c in last.changes] == ["url"]
        assert "OTHERsecret" not in repr(last.changes) and not _secret_parts_in(repr(last.changes))

        # A bad new address is refused beside the field; the stored one stays.
        r = client.post(reverse("connect:webhook", args=[endpoint.pk]), {**form, "url": "ftp://x"})
        assert r.status_code == 200
        endpoint.refresh_from_db()
        assert endpoint.full_address() == other


def test_an_error_that_quotes_the_address_is_kept_without_its_secret_parts():
    url = f"https://hooks.slack.com/services/{SECRET_PATH}?token={TOKEN}"
    error = (
        f"InvalidURL: URL can't contain control characters. '/services/{SECRET_PATH}?token={TOKEN}'"
    )
    kept = webhooks.without_secret(error, url)
    assert not _secret_parts_in(kept) and kept.startswith("InvalidURL")
    assert not _secret_parts_in(webhooks.without_secret(f"failed: {url}", url))


@upgrade[0]
@upgrade[1]
def test_addresses_stored_in_clear_by_an_earlier_kamp_are_encrypted_by_the_upgrade(migrator):
    apps = _just_before("connect", "0004_webhook_address_encrypted")
    assert ("connect", "0004_webhook_address_encrypted") not in (
        MigrationRecorder(connection).applied_migrations()
    )
    Old = apps.get_model("connect", "WebhookEndpoint")
    OldAudit = apps.get_model("core", "AuditEvent")
    full = f"https://hooks.slack.com/services/{SECRET_PATH}?token={TOKEN}"
    old = Old.objects.create(
        name="Slack",
        url=full,
        events=["customer.created"],
        secret=crypto.encrypt({"secret": "whsec_" + "k" * 43}),
    )
    OldAudit.objects.create(
        action="create",
        object_type="connect.webhookendpoint",
        object_id=str(old.pk),
        object_repr="Slack",
        changes=[
            {"field": "name", "old": None, "new": "Slack"},
            {"field": "url", "old": None, "new": full},
        ],
    )
    _to_head(migrator)

    endpoint = WebhookEndpoint.objects.get(pk=old.pk)
    assert endpoint.url == "https://hooks.slack.com/services/…"
    assert endpoint.full_address() == full
    assert not _secret_parts_in(endpoint.url + endpoint.address)
    [event] = AuditEvent.objects.filter(object_type="connect.webhookendpoint")
    assert event.changes == [
        {"field": "name", "old": None, "new": "Slack"},
        {"field": "url", "old": None, "new": "https://hooks.slack.com/services/…"},
    ]
