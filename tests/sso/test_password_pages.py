"""The password pages with password login off (single sign-on for everyone but the break-glass
administrators): a reset link is mailed only to a break-glass administrator, a link mailed
before the switch sets no one else's password, the password change under one's name is refused
to others — each time a page that says to sign in with single sign-on. With password login on,
everyone resets and changes their password as before."""

from __future__ import annotations

import logging
import re

import pytest
from django.test import Client
from django.urls import reverse

from tests.sso.test_password_login import PASSWORD, off

pytestmark = pytest.mark.django_db
NEW = "a-new-secret-42"
SAID = "Password login is off"


def ask_reset(email: str, mailoutbox) -> str | None:
    """Ask the reset form for ``email``; the link mailed, if any."""
    before = len(mailoutbox)
    answer = Client().post(reverse("password_reset"), {"email": email})
    assert answer.status_code == 302 and answer["Location"] == reverse("password_reset_done")
    if len(mailoutbox) == before:
        return None
    found = re.search(r"https?://[^/\s]+(/password/reset/\S+/)", mailoutbox[-1].body)
    assert found, mailoutbox[-1].body
    return found.group(1)


def follow_link(link: str, password: str = NEW):
    client = Client()
    page = client.get(link, follow=True)
    if page.status_code != 200 or "Choose a new password" not in page.content.decode():
        return page
    return client.post(
        page.redirect_chain[-1][0], {"new_password1": password, "new_password2": password}
    )


def test_password_off_mails_a_link_only_to_the_break_glass_admin(settings, admin, ana, mailoutbox):
    off(settings)
    page = Client().get(reverse("password_reset")).content.decode()
    assert SAID in page and 'href="/sso/start/"' in page and 'id="id_email"' in page
    # Ana gets the same "sent" page, and no mail.
    assert ask_reset(ana.email, mailoutbox) is None
    link = ask_reset(admin.email, mailoutbox)
    assert link is not None
    answer = follow_link(link)
    assert answer.status_code == 302 and answer["Location"] == reverse("password_reset_complete")
    admin.refresh_from_db()
    assert admin.check_password(NEW)


def test_a_link_mailed_before_the_switch_sets_no_password(settings, ana, mailoutbox, caplog):
    settings.KAMP_PASSWORD_LOGIN = "on"
    link = ask_reset(ana.email, mailoutbox)
    assert link is not None
    off(settings)
    caplog.set_level(logging.DEBUG)
    answer = follow_link(link)
    assert answer.status_code == 403 and SAID in answer.content.decode()
    token = link.rstrip("/").rsplit("/", 1)[-1]
    assert token not in caplog.text  # the refusal's log line leaves the link out
    ana.refresh_from_db()
    assert ana.check_password(PASSWORD) and not ana.check_password(NEW)
    # Back on, the same link still works (it was never used).
    settings.KAMP_PASSWORD_LOGIN = "on"
    assert follow_link(link).status_code == 302


def test_password_off_refuses_the_change_under_ones_name_but_to_break_glass(
    settings, admin, ana, client_for
):
    off(settings)
    client = client_for(ana)
    assert 'href="/password/"' not in client.get(reverse("home"), follow=True).content.decode()
    page = client.get(reverse("password_change"))
    assert page.status_code == 403 and SAID in page.content.decode()
    page = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": NEW, "new_password2": NEW},
    )
    assert page.status_code == 403
    ana.refresh_from_db()
    assert not ana.check_password(NEW)

    client = client_for(admin)
    assert 'href="/password/"' in client.get(reverse("home"), follow=True).content.decode()
    page = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": NEW, "new_password2": NEW},
    )
    assert page.status_code == 302
    admin.refresh_from_db()
    assert admin.check_password(NEW)


def test_password_on_everyone_resets_and_changes_as_before(settings, ana, client_for, mailoutbox):
    settings.KAMP_OIDC_ISSUER, settings.KAMP_OIDC_CLIENT_ID = "http://127.0.0.1:9", "kamp"
    settings.KAMP_PASSWORD_LOGIN = "on"
    assert SAID not in Client().get(reverse("password_reset")).content.decode()
    link = ask_reset(ana.email, mailoutbox)
    assert link is not None and follow_link(link).status_code == 302
    ana.refresh_from_db()
    assert ana.check_password(NEW)
    client = client_for(ana)
    assert 'href="/password/"' in client.get(reverse("home"), follow=True).content.decode()
    page = client.post(
        reverse("password_change"),
        {"old_password": NEW, "new_password1": "another-one-77", "new_password2": "another-one-77"},
    )
    assert page.status_code == 302


def test_the_spanish_page(settings, ana, client_for):
    off(settings)
    client = client_for(ana)
    client.cookies["django_language"] = "es"
    page = client.get(reverse("password_change")).content.decode()
    assert "El ingreso con contraseña está desactivado" in page
