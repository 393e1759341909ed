"""Personal API tokens: made and revoked on the Connections page, shown once and stored as a
hash, accepted as ``Authorization: Bearer`` on /api/v1/ under exactly their user's rules."""

from __future__ import annotations

import json
import logging
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from kamp.connect import actions
from kamp.connect.models import ApiToken, TokenWrite, digest
from kamp.core.models import AuditEvent
from kamp.interactions.models import Interaction
from tests.factories import ContactFactory

API = "/api/v1"


def bearer(secret: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def log_body(account, ana, contact) -> str:
    return json.dumps(
        {
            "date": timezone.localdate().isoformat(),
            "topic": "Llamada",
            "our_people": [ana.pk],
            "their_contacts": [contact.pk],
        }
    )


def test_a_token_is_shown_once_and_kept_only_as_a_hash(client_for, ana):
    c = client_for(ana)
    r = c.post(reverse("connect:token_new"), {"name": "Power BI", "scope": "read", "days": 30})
    assert r.status_code == 200
    secret = r.context["secret"]
    assert secret.startswith("kamp_") and len(secret) > 40
    assert secret in r.content.decode()
    assert r["Cache-Control"].startswith("max-age=0") or "no-cache" in r["Cache-Control"]
    token = ApiToken.objects.get()
    assert token.token_hash == digest(secret) and token.prefix == secret[:9]
    assert (token.user, token.name, token.scope) == (ana, "Power BI", "read")
    # Never again: not on the Connections page, not in the audit trail.
    home = c.get(reverse("connect:home")).content.decode()
    assert "Power BI" in home and token.prefix in home and secret not in home
    assert not any(secret in json.dumps(e.changes) + e.summary for e in AuditEvent.objects.all())


def test_the_api_accepts_a_token_with_its_users_rules(client, ana, member, account, other_account):
    _t, ana_secret = actions.do_create_token(ana, name="a", scope="read", days=5)
    _t, member_secret = actions.do_create_token(member, name="m", scope="read", days=5)
    r = client.get(f"{API}/customers/", **bearer(ana_secret))
    assert r.status_code == 200
    assert {c["name"] for c in r.json()} == {account.name, other_account.name}
    # Marta is on one account's team: her token reads that one only, as her session would.
    r = client.get(f"{API}/customers/", **bearer(member_secret))
    assert [c["name"] for c in r.json()] == [account.name]
    assert (
        client.get(f"{API}/customers/{other_account.pk}", **bearer(member_secret)).status_code
        == 404
    )
    token = ApiToken.objects.get(name="a")
    assert token.last_used_at is not None


def test_a_read_only_token_may_not_write(client, ana, account):
    contact = ContactFactory(customer=account)
    _t, secret = actions.do_create_token(ana, name="ro", scope="read", days=5)
    r = client.post(
        f"{API}/interactions/customers/{account.pk}/interactions",
        data=log_body(account, ana, contact),
        content_type="application/json",
        **bearer(secret),
    )
    assert r.status_code == 403
    assert "read-only" in r.json()["detail"]
    assert not Interaction.objects.exists()


def test_a_write_token_writes_and_the_trail_names_it(client, ana, account):
    contact = ContactFactory(customer=account)
    _t, secret = actions.do_create_token(ana, name="CRM sync", scope="write", days=5)
    r = client.post(
        f"{API}/interactions/customers/{account.pk}/interactions",
        data=log_body(account, ana, contact),
        content_type="application/json",
        **bearer(secret),
    )
    assert r.status_code == 201, r.content
    event = AuditEvent.objects.get(object_type="interactions.interaction")
    assert event.actor == ana
    assert event.token_write.token_name == "CRM sync"
    # The next request, by session, is not marked as the token's.
    c = client
    c.force_login(ana)
    r = c.post(
        f"{API}/interactions/customers/{account.pk}/interactions",
        data=log_body(account, ana, contact),
        content_type="application/json",
    )
    # (the session needs CSRF for a write: refused, so nothing more is written)
    assert TokenWrite.objects.count() == 1


def test_a_token_is_no_more_than_its_user(client, viewer, account):
    contact = ContactFactory(customer=account)
    _t, secret = actions.do_create_token(viewer, name="w", scope="write", days=5)
    r = client.post(
        f"{API}/interactions/customers/{account.pk}/interactions",
        data=log_body(account, viewer, contact),
        content_type="application/json",
        **bearer(secret),
    )
    assert r.status_code == 403
    assert not Interaction.objects.exists()


@pytest.mark.parametrize(
    "state", ["expired", "revoked", "unknown", "inactive user", "not bearer", "empty"]
)
def test_expired_revoked_or_unknown_tokens_are_refused_401(client, ana, account, state, caplog):
    token, secret = actions.do_create_token(ana, name="t", scope="write", days=5)
    if state == "expired":
        ApiToken.objects.filter(pk=token.pk).update(
            expires_at=timezone.now() - timedelta(seconds=1)
        )
    elif state == "revoked":
        actions.do_revoke_token(ana, token)
    elif state == "unknown":
        secret = secret[:-4] + "AAAA"
    elif state == "inactive user":
        ana.is_active = False
        ana.save()
    header = {"not bearer": f"Token {secret}", "empty": "Bearer "}.get(state, f"Bearer {secret}")
    with caplog.at_level(logging.DEBUG):
        r = client.get(f"{API}/customers/", HTTP_AUTHORIZATION=header)
    assert r.status_code == 401
    assert secret not in caplog.text
    # A session beside a bad token does not rescue it.
    client.force_login(ana)
    assert client.get(f"{API}/customers/", HTTP_AUTHORIZATION=header).status_code == 401


def test_only_the_owner_or_an_admin_revokes(client_for, ana, bruno, admin):
    token, secret = actions.do_create_token(ana, name="t", scope="read", days=5)
    url = reverse("connect:token_revoke", kwargs={"pk": token.pk})
    assert client_for(bruno).post(url).status_code == 404
    assert client_for(admin).post(url).status_code == 404  # not theirs on this page
    token.refresh_from_db()
    assert token.revoked_at is None
    r = client_for(admin).post(reverse("connect:admin_token_revoke", kwargs={"pk": token.pk}))
    assert r.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None and token.revoked_by == admin
    page = client_for(admin).get(reverse("connect:admin")).content.decode()
    assert "ana@supplier.test" in page or "Ana KAM" in page
    assert secret not in page


def test_the_token_form_checks_its_fields(client_for, ana):
    r = client_for(ana).post(reverse("connect:token_new"), {"name": "", "scope": "x", "days": 999})
    assert r.status_code == 200 and "secret" not in r.context
    assert not ApiToken.objects.exists()


def test_the_admin_list_keeps_its_queries_flat(
    client_for, admin, ana, bruno, django_assert_max_num_queries
):
    for user in (ana, bruno, admin):
        for i in range(3):
            actions.do_create_token(user, name=f"t{i}", scope="read", days=5)
    c = client_for(admin)
    # One query per list on the page (tokens, webhooks and their last delivery, calendar feeds,
    # calendar connections, the mail dropbox and its mail waiting), whatever their lengths.
    with django_assert_max_num_queries(11):
        assert c.get(reverse("connect:admin")).status_code == 200
    with CaptureQueriesContext(connection) as few:
        c.get(reverse("connect:admin"))
    for user in (ana, bruno, admin):
        for i in range(3, 9):
            actions.do_create_token(user, name=f"t{i}", scope="read", days=5)
    with CaptureQueriesContext(connection) as many:
        c.get(reverse("connect:admin"))
    assert len(many.captured_queries) == len(few.captured_queries)


def test_the_connections_page_counts_each_tokens_changes(client, client_for, ana, account):
    contact = ContactFactory(customer=account)
    _t, secret = actions.do_create_token(ana, name="CRM sync", scope="write", days=5)
    for _ in range(2):
        client.post(
            f"{API}/interactions/customers/{account.pk}/interactions",
            data=log_body(account, ana, contact),
            content_type="application/json",
            **bearer(secret),
        )
    [token] = client_for(ana).get(reverse("connect:home")).context["tokens"]
    assert token.write_count == 2
