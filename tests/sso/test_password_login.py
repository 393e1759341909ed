"""The login page with single sign-on: the button when it is configured (none otherwise), and
KAMP_PASSWORD_LOGIN=off leaving the password to the break-glass administrators only."""

import pytest
from django.test import Client

from kamp.core.models import User

pytestmark = pytest.mark.django_db
PASSWORD = "pw-kamp-123"  # tests/factories.py


def post_login(email: str, password: str = PASSWORD):
    client = Client()
    answer = client.post("/login/", {"username": email, "password": password})
    return client, answer


def off(settings, breakglass="admin@supplier.test"):
    settings.KAMP_OIDC_ISSUER = "http://127.0.0.1:9"  # configured; never asked by these pages
    settings.KAMP_OIDC_CLIENT_ID = "kamp"
    settings.KAMP_PASSWORD_LOGIN = "off"
    settings.KAMP_BREAK_GLASS_USERS = breakglass


def test_without_single_sign_on_the_page_is_as_before(client, settings):
    settings.KAMP_OIDC_ISSUER = ""
    page = client.get("/login/").content.decode()
    assert 'id="id_password"' in page and "single sign-on" not in page


def test_with_single_sign_on_the_button_shows_beside_the_form(client, settings):
    settings.KAMP_OIDC_ISSUER, settings.KAMP_OIDC_CLIENT_ID = "http://127.0.0.1:9", "kamp"
    page = client.get("/login/", query_params={"next": "/customers/"}).content.decode()
    assert 'href="/sso/start/?next=/customers/"' in page
    assert "Log in with single sign-on" in page and 'id="id_password"' in page


def test_password_off_shows_only_the_button_and_a_small_link(client, settings):
    off(settings)
    page = client.get("/login/").content.decode()
    assert "Log in with single sign-on" in page
    assert 'id="id_password"' not in page and 'id="break-glass"' in page
    page = client.get("/login/", query_params={"break_glass": "1"}).content.decode()
    assert 'id="id_password"' in page
    assert "Password login is only for the emergency administrators." in page


def test_password_off_refuses_everyone_but_the_break_glass_admin(settings, admin, ana):
    off(settings, breakglass=" Admin@Supplier.test , other@x.test")
    client, answer = post_login("ana@supplier.test")
    assert answer.status_code == 200 and "_auth_user_id" not in client.session
    assert "That e-mail and password do not match" in answer.content.decode()
    client, answer = post_login("admin@supplier.test")
    assert answer.status_code == 302 and client.session["_auth_user_id"] == str(admin.pk)
    # The break-glass admin's wrong password is still wrong.
    client, answer = post_login("admin@supplier.test", "wrong")
    assert "_auth_user_id" not in client.session


def test_password_login_stays_on_while_single_sign_on_is_not_configured(settings, ana):
    # Nobody could log in otherwise: the switch waits for a provider.
    settings.KAMP_OIDC_ISSUER = ""
    settings.KAMP_PASSWORD_LOGIN = "off"
    client, answer = post_login("ana@supplier.test")
    assert answer.status_code == 302


def test_password_on_logs_everyone_in(settings, ana):
    settings.KAMP_OIDC_ISSUER, settings.KAMP_OIDC_CLIENT_ID = "http://127.0.0.1:9", "kamp"
    settings.KAMP_PASSWORD_LOGIN = "on"
    client, answer = post_login("ana@supplier.test")
    assert answer.status_code == 302 and User.objects.get(pk=client.session["_auth_user_id"]) == ana


def test_the_spanish_login_page(client, settings):
    off(settings)
    client.cookies["django_language"] = "es"
    page = client.get("/login/").content.decode()
    assert "Ingresar con inicio de sesión único" in page
    assert "Ingreso del administrador de emergencia" in page


def test_settings_that_cannot_work_are_said_by_the_system_check(settings):
    from kamp.sso.checks import sso_settings

    settings.KAMP_OIDC_ISSUER, settings.KAMP_OIDC_CLIENT_ID = "http://127.0.0.1:9", "kamp"
    settings.KAMP_OIDC_PROVISION_ROLE = "boss"
    settings.KAMP_OIDC_ROLE_MAP = "a=admin,b"
    settings.KAMP_PASSWORD_LOGIN = "off"
    settings.KAMP_BREAK_GLASS_USERS = ""
    ids = sorted(m.id for m in sso_settings())
    assert ids == ["kamp.sso.E001", "kamp.sso.E001", "kamp.sso.W001"]
    # A page asked meanwhile says the provider cannot be used, not an error 500.
    answer = Client().get("/sso/start/")
    assert answer.status_code == 503
    settings.KAMP_OIDC_PROVISION_ROLE, settings.KAMP_OIDC_ROLE_MAP = "viewer", "a=admin"
    settings.KAMP_BREAK_GLASS_USERS = "admin@supplier.test"
    assert sso_settings() == []
