"""Security: the Content-Security-Policy (no inline scripts anywhere), secure cookies outside
development, login throttling (django-axes) and the admin kept for admins."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import override_settings
from django.urls import reverse

import kamp

TEMPLATES = sorted(Path(kamp.__file__).parent.glob("**/templates/**/*.html"))


def test_csp_header_forbids_inline_scripts(client_for, ana, account):
    r = client_for(ana).get(reverse("customers:detail", args=[account.pk]))
    csp = r["Content-Security-Policy"]
    script_src = re.search(r"script-src ([^;]*)", csp).group(1)
    assert script_src.strip() == "'self'"
    assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: str(p).split("kamp/")[-1])
def test_no_inline_script_or_handler_in_templates(path):
    text = path.read_text()
    for tag in re.findall(r"<script\b[^>]*>", text):
        assert "src=" in tag, f"inline <script> in {path}: the CSP would block it"
    assert not re.search(r"\son[a-z]+\s*=\s*[\"']", text), f"inline event handler in {path}"
    assert "javascript:" not in text


def test_pages_only_load_local_assets(client_for, ana, account):
    text = client_for(ana).get(reverse("customers:detail", args=[account.pk])).content.decode()
    for url in re.findall(r'(?:src|href)="([^"]+)"', text):
        assert not url.startswith(("http://", "https://", "//")), url


def test_security_headers(client_for, ana):
    r = client_for(ana).get(reverse("home"))
    assert r["X-Frame-Options"] == "DENY"
    assert r["X-Content-Type-Options"] == "nosniff"
    assert r["Referrer-Policy"] == "same-origin"


def test_cookies_are_secure_outside_development(monkeypatch):
    import importlib

    import kamp.settings as kamp_settings

    monkeypatch.delenv("KAMP_TESTING", raising=False)
    monkeypatch.delenv("KAMP_DEBUG", raising=False)
    monkeypatch.delenv("KAMP_SECURE_COOKIES", raising=False)
    monkeypatch.setenv("KAMP_BEHIND_PROXY", "1")
    try:
        fresh = importlib.reload(kamp_settings)
        assert fresh.SESSION_COOKIE_SECURE and fresh.CSRF_COOKIE_SECURE
        assert fresh.SESSION_COOKIE_HTTPONLY and fresh.AXES_ENABLED
        assert fresh.SECURE_PROXY_SSL_HEADER == ("HTTP_X_FORWARDED_PROTO", "https")
        monkeypatch.setenv("KAMP_SECURE_COOKIES", "0")
        assert not importlib.reload(kamp_settings).SESSION_COOKIE_SECURE
    finally:
        monkeypatch.setenv("KAMP_TESTING", "1")
        monkeypatch.delenv("KAMP_BEHIND_PROXY", raising=False)
        monkeypatch.delenv("KAMP_SECURE_COOKIES", raising=False)
        importlib.reload(kamp_settings)


@pytest.mark.django_db
@override_settings(AXES_ENABLED=True, AXES_FAILURE_LIMIT=3)
def test_login_is_throttled_after_failures(client, ana):
    from axes.utils import reset

    reset()
    url = reverse("login")
    for _ in range(3):
        r = client.post(url, {"username": ana.email, "password": "wrong"}, REMOTE_ADDR="10.0.0.9")
    assert r.status_code == 429
    # Even the right password is refused while locked out.
    r = client.post(url, {"username": ana.email, "password": "pw-kamp-123"}, REMOTE_ADDR="10.0.0.9")
    assert r.status_code == 429 and "Too many failed attempts" in r.content.decode()
    reset()


@pytest.mark.django_db
def test_login_with_the_right_password_and_a_clear_error_otherwise(client, ana):
    r = client.post(reverse("login"), {"username": ana.email, "password": "nope"})
    assert "That e-mail and password do not match" in r.content.decode()
    r = client.post(reverse("login"), {"username": ana.email, "password": "pw-kamp-123"})
    assert r.status_code == 302 and r["Location"] == reverse("home")


@pytest.mark.django_db
def test_csrf_is_enforced():
    from django.test import Client

    from tests.factories import UserFactory

    user = UserFactory(role="director")
    c = Client(enforce_csrf_checks=True)
    c.force_login(user)
    r = c.post(
        reverse("core:settings"), {"company_name": "X", "size_class": "sme", "base_currency": "CLP"}
    )
    assert r.status_code == 403


@pytest.mark.django_db
def test_rows_in_the_file_counts_the_invalid_rows_skipped(tmp_path, admin, client_for):
    from kamp.core.imports import ImportOptions, run_import
    from kamp.core.models import ImportBatch
    from tests.core.import_helpers import write_csv

    path = write_csv(
        tmp_path / "c.csv",
        [
            ["RUT", "Nombre"],
            ["76.123.456-0", "Good"],
            ["76.123.456-1", "Bad check digit"],
            ["96.790.240-3", "Good too"],
        ],
    )
    batch = run_import("customers", path, user=admin, options=ImportOptions(skip_invalid=True))
    batch = ImportBatch.objects.get(pk=batch.pk)
    assert (batch.status, batch.created_count, batch.invalid_count) == ("done", 2, 1)
    assert batch.total_rows == 3
    page = client_for(admin).get(reverse("core:import_batch", args=[batch.pk])).content.decode()
    assert re.search(r'<span class="kpi">3</span><span class="kpi-label">rows in the file', page)


# Documents that never reach a browser under kamp's CSP: an e-mail (mail clients need inline
# styles) and the PDF's source (WeasyPrint reads its <style>).
NOT_SERVED_AS_PAGES = {"programme/digest_email.html", "reports/plan_onepager.html"}
PAGE_TEMPLATES = [
    p for p in TEMPLATES if str(p).split("/templates/")[-1] not in NOT_SERVED_AS_PAGES
]


def test_the_exempt_templates_exist():
    assert len(TEMPLATES) - len(PAGE_TEMPLATES) == len(NOT_SERVED_AS_PAGES)


@pytest.mark.parametrize("path", PAGE_TEMPLATES, ids=lambda p: str(p).split("kamp/")[-1])
def test_no_inline_style_in_templates(path):
    text = path.read_text()
    assert not re.search(r"\sstyle\s*=", text), f"style attribute in {path}: use a kamp.css class"
    assert "<style" not in text, f"<style> in {path}: the CSP would block it"


def test_csp_header_forbids_inline_styles(client_for, ana, account):
    r = client_for(ana).get(reverse("customers:detail", args=[account.pk]))
    csp = r["Content-Security-Policy"]
    assert "'unsafe-inline'" not in csp
    style_src = re.search(r"style-src ([^;]*)", csp).group(1).split()
    assert style_src[0] == "'self'" and all(s.startswith("'sha256-") for s in style_src[1:])
    # Style attributes: only the exact values Plotly writes for bold/italic chart text.
    attr = re.search(r"style-src-attr ([^;]*)", csp).group(1).split()
    assert attr[0] == "'unsafe-hashes'" and all(s.startswith("'sha256-") for s in attr[1:])


def _fresh_settings(monkeypatch, **env):
    import importlib

    import kamp.settings as kamp_settings

    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return importlib.reload(kamp_settings)


@pytest.fixture
def reload_settings(monkeypatch):
    import importlib

    import kamp.settings as kamp_settings

    yield lambda **env: _fresh_settings(monkeypatch, **env)
    for name in ("KAMP_BEHIND_PROXY", "KAMP_HSTS_SECONDS", "KAMP_SESSION_IDLE_MINUTES"):
        monkeypatch.delenv(name, raising=False)
    importlib.reload(kamp_settings)


def test_hsts_behind_the_tls_proxy_only(reload_settings):
    assert reload_settings().SECURE_HSTS_SECONDS == 0
    fresh = reload_settings(KAMP_BEHIND_PROXY="1")
    assert fresh.SECURE_HSTS_SECONDS == 365 * 24 * 3600
    assert not getattr(fresh, "SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
    assert reload_settings(KAMP_HSTS_SECONDS="0").SECURE_HSTS_SECONDS == 0


@pytest.mark.django_db
def test_hsts_header_on_https_responses(client, ana):
    with override_settings(
        SECURE_HSTS_SECONDS=31536000,
        SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https"),
    ):
        r = client.get(reverse("login"), HTTP_X_FORWARDED_PROTO="https")
        assert r["Strict-Transport-Security"] == "max-age=31536000"
        # Plain http (no proxy saying https): no HSTS, which browsers would ignore anyway.
        assert "Strict-Transport-Security" not in client.get(reverse("login"))


def test_sessions_end_when_idle(reload_settings):
    fresh = reload_settings()
    assert fresh.SESSION_COOKIE_AGE == 10 * 3600 and fresh.KAMP_SESSION_RENEW_SECONDS == 60
    assert reload_settings(KAMP_SESSION_IDLE_MINUTES="30").SESSION_COOKIE_AGE == 1800
    # A short idle limit is renewed often enough to hold: every tenth of it.
    assert reload_settings(KAMP_SESSION_IDLE_MINUTES="1").KAMP_SESSION_RENEW_SECONDS == 6


@pytest.mark.django_db
def test_requests_renew_the_session_and_an_idle_one_ends(client, ana):
    import datetime

    from django.contrib.sessions.models import Session
    from django.utils import timezone

    client.force_login(ana)
    key = client.session.session_key
    Session.objects.filter(pk=key).update(
        expire_date=timezone.now() + datetime.timedelta(minutes=1)
    )
    r = client.get(reverse("home"))
    assert r.status_code == 200
    renewed = Session.objects.get(pk=key).expire_date
    assert renewed > timezone.now() + datetime.timedelta(
        seconds=r.wsgi_request.session.get_expiry_age() - 60
    )
    assert r.cookies[settings.SESSION_COOKIE_NAME]["max-age"] == settings.SESSION_COOKIE_AGE
    # The next page within the minute reads the session and writes nothing: no write
    # transaction on a page view, the expiry already ten hours away.
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        r = client.get(reverse("home"))
    assert r.status_code == 200 and settings.SESSION_COOKIE_NAME not in r.cookies
    writes = [
        q["sql"] for q in queries.captured_queries if q["sql"].startswith(("UPDATE", "INSERT"))
    ]
    assert not [sql for sql in writes if "django_session" in sql]
    assert Session.objects.get(pk=key).expire_date == renewed
    # A minute later, the next request renews it again.
    session = client.session
    session["_kamp_renewed"] -= settings.KAMP_SESSION_RENEW_SECONDS
    session.save()
    r = client.get(reverse("home"))
    assert Session.objects.get(pk=key).expire_date > renewed
    assert r.cookies[settings.SESSION_COOKIE_NAME]["max-age"] == settings.SESSION_COOKIE_AGE
    # Idle past the limit: the session is gone and the next page asks to log in.
    Session.objects.filter(pk=key).update(
        expire_date=timezone.now() - datetime.timedelta(seconds=1)
    )
    r = client.get(reverse("home"))
    assert r.status_code == 302 and r["Location"].startswith(reverse("login"))


# --- Passwords: every person changes their own; a forgotten one is reset by e-mail ----------
@pytest.mark.django_db
def test_anyone_changes_their_own_password(client_for, viewer):
    from kamp.core.models import AuditEvent

    c = client_for(viewer)
    home = c.get(reverse("home")).content.decode()
    assert reverse("password_change") in home  # in the menu under the name
    page = c.get(reverse("password_change"))
    assert page.status_code == 200 and "Change your password" in page.content.decode()
    r = c.post(
        reverse("password_change"),
        {
            "old_password": "wrong",
            "new_password1": "a-new-secret-42",
            "new_password2": "a-new-secret-42",
        },
    )
    assert r.status_code == 200 and 'class="error"' in r.content.decode()
    viewer.refresh_from_db()
    assert viewer.check_password("pw-kamp-123")
    r = c.post(
        reverse("password_change"),
        {
            "old_password": "pw-kamp-123",
            "new_password1": "a-new-secret-42",
            "new_password2": "a-new-secret-42",
        },
    )
    assert r.status_code == 302 and r["Location"] == reverse("password_change_done")
    viewer.refresh_from_db()
    assert viewer.check_password("a-new-secret-42")
    assert c.get(reverse("home")).status_code == 200  # still logged in here
    event = AuditEvent.objects.get(object_type="core.user", object_id=str(viewer.pk))
    assert event.actor == viewer and event.summary == "Password changed"
    assert "a-new-secret-42" not in str(event.__dict__)


@pytest.mark.django_db
def test_a_forgotten_password_is_reset_through_the_emailed_link(client, ana, settings, mailoutbox):
    from kamp.core.models import AuditEvent

    settings.KAMP_BASE_URL = "https://kamp.example.com"
    login_page = client.get(reverse("login")).content.decode()
    assert reverse("password_reset") in login_page
    assert client.get(reverse("password_reset")).status_code == 200
    # The link points at KAMP_BASE_URL whatever Host the request named.
    r = client.post(reverse("password_reset"), {"email": ana.email.upper()}, HTTP_HOST="localhost")
    assert r.status_code == 302 and r["Location"] == reverse("password_reset_done")
    assert len(mailoutbox) == 1 and mailoutbox[0].to == [ana.email]
    body = mailoutbox[0].body
    link = re.search(r"https://kamp\.example\.com(/password/reset/\S+/)", body)
    assert link, body
    r = client.get(link.group(1), follow=True)
    assert "Choose a new password" in r.content.decode()
    r = client.post(
        r.redirect_chain[-1][0],
        {"new_password1": "a-new-secret-42", "new_password2": "a-new-secret-42"},
    )
    assert r.status_code == 302 and r["Location"] == reverse("password_reset_complete")
    ana.refresh_from_db()
    assert ana.check_password("a-new-secret-42")
    assert AuditEvent.objects.filter(object_type="core.user", object_id=str(ana.pk)).exists()
    # The link works once.
    again = client.get(link.group(1), follow=True).content.decode()
    assert "This link no longer works" in again


@pytest.mark.django_db
def test_a_reset_for_an_unknown_email_says_the_same_and_sends_nothing(client, mailoutbox):
    r = client.post(reverse("password_reset"), {"email": "nobody@example.com"}, follow=True)
    assert "If an account uses that e-mail" in r.content.decode()
    assert mailoutbox == []


@pytest.mark.django_db
def test_password_pages_speak_spanish(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "es"
    page = client.get(reverse("password_reset")).content.decode()
    assert "¿Olvidó su contraseña?" in page and "Enviar el enlace" in page


@pytest.mark.django_db
def test_reset_emails_to_one_person_are_spaced_out(client, ana, mailoutbox):
    import datetime

    from kamp.core.actions import RESET_SUMMARY
    from kamp.core.models import AuditEvent

    done = reverse("password_reset_done")
    for _ in range(3):
        r = client.post(reverse("password_reset"), {"email": ana.email})
        assert r.status_code == 302 and r["Location"] == done  # the same answer every time
    assert len(mailoutbox) == 1
    sent = AuditEvent.objects.get(object_id=str(ana.pk), summary=RESET_SUMMARY)
    sent.at -= datetime.timedelta(minutes=6)
    sent.save(update_fields=["at"])
    client.post(reverse("password_reset"), {"email": ana.email})
    assert len(mailoutbox) == 2
