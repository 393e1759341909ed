"""Webhook signing secrets are stored encrypted (kamp.connect.crypto, as calendar credentials
are), shown once when made, and a database left by an earlier kamp with secrets in clear has
them encrypted by the upgrade — the receiver's signatures still verify."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder
from django.urls import reverse

from kamp.connect import actions, webhooks
from kamp.connect.models import DeliveryStatus, WebhookEndpoint
from tests.connect.receiver import Receiver
from tests.core.test_upgrades import _just_before, _to_head, upgrade


@pytest.fixture(autouse=True)
def _local_allowed(settings):
    settings.KAMP_CONNECT_ALLOW_PRIVATE = True  # the receiver is on this machine


@pytest.mark.django_db
def test_the_secret_is_shown_once_stored_encrypted_and_still_signs(director, client_for):
    with Receiver() as receiver:
        client = client_for(director)
        page = client.post(
            reverse("connect:webhook_new"),
            {"name": "CRM", "url": receiver.url, "events": ["customer.created"]},
        )
        endpoint = WebhookEndpoint.objects.get()
        secret = webhooks.signing_secret(endpoint)
        assert secret.startswith("whsec_") and secret in page.content.decode()
        # Not in the database in clear; not on the webhook's page again.
        assert secret not in endpoint.secret and "whsec_" not in endpoint.secret
        assert (
            secret
            not in client.get(reverse("connect:webhook", args=[endpoint.pk])).content.decode()
        )
        assert secret not in client.get(reverse("connect:webhooks")).content.decode()

        receiver.secret = secret
        [delivery] = webhooks.queue(webhooks.Event("customer.created", {"x": 1}))
        assert webhooks.attempt(delivery.pk).status == DeliveryStatus.DELIVERED
        assert receiver.bad_signatures == 0 and len(receiver.received) == 1


@pytest.mark.django_db
def test_a_secret_no_key_opens_fails_the_delivery_with_its_reason(director, settings):
    with Receiver() as receiver:
        endpoint, _secret = actions.do_create_webhook(
            director, name="CRM", url=receiver.url, events=["customer.created"], finance=False
        )
        settings.SECRET_KEY = "another-key-" + "x" * 40  # changed without a fallback
        settings.SECRET_KEY_FALLBACKS = []
        [delivery] = webhooks.queue(webhooks.Event("customer.created", {"x": 1}))
        done = webhooks.attempt(delivery.pk)
        assert "secret key changed" in done.last_error and not receiver.received


@upgrade[0]
@upgrade[1]
def test_secrets_stored_in_clear_by_an_earlier_kamp_are_encrypted_by_the_upgrade(migrator):
    apps = _just_before("connect", "0003_webhook_secret_encrypted")
    assert ("connect", "0003_webhook_secret_encrypted") not in (
        MigrationRecorder(connection).applied_migrations()
    )
    Old = apps.get_model("connect", "WebhookEndpoint")
    clear = "whsec_" + "k" * 43
    old = Old.objects.create(
        name="CRM", url="https://crm.example/hook", events=["customer.created"], secret=clear
    )
    _to_head(migrator)

    endpoint = WebhookEndpoint.objects.get(pk=old.pk)
    assert clear not in endpoint.secret
    assert webhooks.signing_secret(endpoint) == clear
    # What a receiver checks: the signature made with the stored secret is the old one's.
    body, ts = b'{"x": 1}', "1700000000"
    assert webhooks.sign(webhooks.signing_secret(endpoint), ts, body) == webhooks.sign(
        clear, ts, body
    )
