"""Login lockout (django-axes): keyed on the normalised e-mail *and* the client's address, the
address read from the trusted proxy's X-Forwarded-For behind a proxy; ``kamp unlock``."""

from __future__ import annotations

import importlib
import io

import pytest
from axes.utils import reset
from django.core.management import call_command
from django.test import Client, override_settings
from django.urls import reverse

from kamp.core.lockout import normalise_username
from kamp.core.models import AuditEvent

RIGHT = "pw-kamp-123"  # tests/factories.py UserFactory's password
LIMIT = 3
PROXY = "127.0.0.1"

# What settings.py sets when KAMP_BEHIND_PROXY is on with one proxy (checked below).
BEHIND_ONE_PROXY = {
    "AXES_IPWARE_META_PRECEDENCE_ORDER": ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"),
    "AXES_IPWARE_PROXY_COUNT": 0,
    "IPWARE_STRICT": False,
}


@pytest.fixture(autouse=True)
def axes_on(db):
    reset()
    with override_settings(AXES_ENABLED=True, AXES_FAILURE_LIMIT=LIMIT):
        yield
    reset()


def attempt(username: str, password: str, **meta) -> int:
    r = Client().post(reverse("login"), {"username": username, "password": password}, **meta)
    return r.status_code


@pytest.mark.django_db
class TestDirect:
    def test_a_stranger_locks_out_only_their_own_address(self, ana):
        for _ in range(LIMIT):
            attempt(ana.email, "wrong", REMOTE_ADDR="198.51.100.7")
        assert attempt(ana.email, RIGHT, REMOTE_ADDR="198.51.100.7") == 429
        # Ana, from her own computer, is not locked out.
        assert attempt(ana.email, RIGHT, REMOTE_ADDR="203.0.113.5") == 302

    def test_case_variants_of_the_email_share_one_count(self, ana):
        local, domain = ana.email.split("@")
        variants = [f"{local.capitalize()}@{domain}", ana.email.upper(), f" {ana.email} "]
        for variant in variants[:LIMIT]:
            attempt(variant, "wrong", REMOTE_ADDR="198.51.100.7")
        assert attempt(ana.email, RIGHT, REMOTE_ADDR="198.51.100.7") == 429

    def test_a_forwarded_for_header_is_ignored_without_a_proxy(self, ana):
        # Without KAMP_BEHIND_PROXY a client could otherwise pick a new "address" per attempt.
        for n in range(LIMIT):
            attempt(
                ana.email, "wrong", REMOTE_ADDR="198.51.100.7", HTTP_X_FORWARDED_FOR=f"10.9.9.{n}"
            )
        assert (
            attempt(ana.email, RIGHT, REMOTE_ADDR="198.51.100.7", HTTP_X_FORWARDED_FOR="10.9.9.99")
            == 429
        )


@pytest.mark.django_db
class TestBehindAProxy:
    @pytest.fixture(autouse=True)
    def behind_a_proxy(self):
        with override_settings(**BEHIND_ONE_PROXY):
            yield

    def test_the_real_user_is_not_locked_out_by_someone_else(self, ana):
        # Every request arrives from the proxy; the proxy appends the client's address.
        for _ in range(LIMIT):
            attempt(ana.email, "wrong", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.7")
        assert (
            attempt(ana.email, RIGHT, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.7") == 429
        )
        assert (
            attempt(ana.email, RIGHT, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="203.0.113.5") == 302
        )

    def test_a_client_cannot_pick_its_address_by_writing_the_header_itself(self, ana):
        for n in range(LIMIT):
            # The client sent "X-Forwarded-For: 10.9.9.n"; the proxy appended the real address.
            attempt(
                ana.email,
                "wrong",
                REMOTE_ADDR=PROXY,
                HTTP_X_FORWARDED_FOR=f"10.9.9.{n}, 198.51.100.7",
            )
        assert (
            attempt(
                ana.email, RIGHT, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="10.1.1.1, 198.51.100.7"
            )
            == 429
        )

    def test_a_client_behind_its_own_proxy_keeps_its_own_count(self, ana):
        # A corporate proxy's header in front of the real address must not fall back to the
        # proxy's REMOTE_ADDR, which every client shares.
        for _ in range(LIMIT):
            attempt(ana.email, "wrong", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.7")
        assert (
            attempt(
                ana.email, RIGHT, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="10.0.0.5, 203.0.113.5"
            )
            == 302
        )


@pytest.mark.django_db
def test_kamp_unlock_lifts_a_lockout_whatever_the_case(ana):
    for _ in range(LIMIT):
        attempt(ana.email, "wrong", REMOTE_ADDR="198.51.100.7")
    assert attempt(ana.email, RIGHT, REMOTE_ADDR="198.51.100.7") == 429
    out = io.StringIO()
    call_command("unlock", ana.email.upper(), stdout=out)
    assert f"{ana.email}: " in out.getvalue() and "unlocked" in out.getvalue()
    assert attempt(ana.email, RIGHT, REMOTE_ADDR="198.51.100.7") == 302
    assert AuditEvent.objects.filter(
        object_type="core.user", object_id=str(ana.pk), summary__startswith="Login lockout lifted"
    ).exists()
    out = io.StringIO()
    call_command("unlock", ana.email, stdout=out)
    assert "nothing to unlock" in out.getvalue()


def test_normalise_username():
    assert normalise_username("  Ana@Example.COM ") == "ana@example.com"
    assert normalise_username(None) == ""


def test_settings_read_the_client_address_only_behind_a_proxy(monkeypatch):
    import kamp.settings as kamp_settings

    try:
        monkeypatch.delenv("KAMP_BEHIND_PROXY", raising=False)
        fresh = importlib.reload(kamp_settings)
        assert fresh.AXES_IPWARE_META_PRECEDENCE_ORDER == ("REMOTE_ADDR",)
        assert fresh.AXES_LOCKOUT_PARAMETERS == [["username", "ip_address"]]
        assert fresh.AXES_USERNAME_CALLABLE == "kamp.core.lockout.axes_username"
        monkeypatch.setenv("KAMP_BEHIND_PROXY", "1")
        fresh = importlib.reload(kamp_settings)
        for name, value in BEHIND_ONE_PROXY.items():
            assert getattr(fresh, name) == value, name
        monkeypatch.setenv("KAMP_PROXIES", "2")  # a load balancer and nginx
        assert importlib.reload(kamp_settings).AXES_IPWARE_PROXY_COUNT == 1
    finally:
        monkeypatch.delenv("KAMP_BEHIND_PROXY", raising=False)
        monkeypatch.delenv("KAMP_PROXIES", raising=False)
        importlib.reload(kamp_settings)
