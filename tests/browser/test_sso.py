"""Single sign-on in Chromium against a real OpenID provider (the certified ``oidc-provider``
under node, tests/sso/oidc_server.py): the whole authorization-code flow with PKCE, typed on
the provider's own login page — who gets in, who is refused, the role from the claim, the
logout that ends the provider's session too, and the password kept for break-glass admins.

Skips with one line without node or the provider's packages (npm ci --prefix
tests/sso/provider), unless KAMP_REQUIRE_OIDC=1."""

from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect

from kamp.core.models import User
from tests.sso import oidc_server

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(scope="module")
def oidc(live_server):
    provider = oidc_server.start(
        [f"{live_server.url}/sso/callback/"], [f"{live_server.url}/login/"]
    )
    yield provider
    provider.stop()


@pytest.fixture
def sso(oidc, settings, page):
    page.set_default_timeout(30_000)
    oidc.configure(settings)
    return lambda **extra: oidc.configure(settings, **extra)


def provider_login(page, login: str) -> None:
    """On the provider's own page (devInteractions: any password)."""
    expect(page.locator("input[name=login]")).to_be_visible()
    page.locator("input[name=login]").fill(login)
    page.locator("input[name=password]").fill("any password")
    page.get_by_role("button", name="Sign-in").click()


def test_a_user_signs_in_and_out_through_the_provider(page, live_server, oidc, sso, ana, shot):
    asked = []
    page.on("request", lambda r: asked.append(r.url) if r.url.startswith(oidc.issuer) else None)
    page.goto(live_server.url + "/customers/")
    shot("sso-login-page")
    page.get_by_role("button", name="Log in with single sign-on").click()
    provider_login(page, "ana")
    # Back at kamp, logged in as Ana, on the page she asked for.
    expect(page).to_have_url(f"{live_server.url}/customers/")
    expect(page.locator("details.dropdown summary").last).to_have_text("Ana")
    authorize = parse_qs(urlsplit(next(u for u in asked if "/auth?" in u)).query)
    assert authorize["code_challenge_method"] == ["S256"]
    assert authorize["response_type"] == ["code"] and authorize["client_id"] == ["kamp-test"]

    # Logging out of kamp ends the provider's session: the provider asks to confirm.
    page.locator("details.dropdown summary").last.click()
    page.get_by_role("button", name="Log out").click()
    page.get_by_role("button", name="Yes, sign me out").click()
    expect(page).to_have_url(f"{live_server.url}/login/")
    # The next sign-in asks for the login again: nobody is still signed in at the provider.
    page.get_by_role("button", name="Log in with single sign-on").click()
    expect(page.locator("input[name=login]")).to_be_visible()


def test_an_unknown_person_is_refused(page, live_server, sso, ana, shot):
    page.goto(live_server.url + "/login/")
    page.get_by_role("button", name="Log in with single sign-on").click()
    provider_login(page, "stranger")
    expect(page.get_by_role("heading", name="Sign-in refused")).to_be_visible()
    expect(page.get_by_text("There is no kamp account for this e-mail address")).to_be_visible()
    shot("sso-refused")
    assert not User.objects.filter(email="stranger@supplier.test").exists()


def test_an_unknown_person_is_provisioned_with_the_default_role(page, live_server, sso):
    sso(KAMP_OIDC_PROVISION_ROLE="viewer")
    page.goto(live_server.url + "/login/")
    page.get_by_role("button", name="Log in with single sign-on").click()
    provider_login(page, "stranger")
    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.locator("details.dropdown summary").last).to_have_text("Sam")
    assert User.objects.get(email="stranger@supplier.test").role == "viewer"


def test_the_role_comes_from_the_claim(page, live_server, sso, viewer):
    sso(KAMP_OIDC_ROLE_CLAIM="kamp_role", KAMP_OIDC_ROLE_MAP="kamp-directors=director")
    page.goto(live_server.url + "/login/")
    page.get_by_role("button", name="Log in with single sign-on").click()
    provider_login(page, "viewer-promoted")
    expect(page).to_have_url(f"{live_server.url}/")
    viewer.refresh_from_db()
    assert viewer.role == "director"


def test_password_off_leaves_the_break_glass_admin(page, live_server, sso, admin, ana, shot):
    sso(KAMP_PASSWORD_LOGIN="off", KAMP_BREAK_GLASS_USERS="admin@supplier.test")
    page.goto(live_server.url + "/login/")
    expect(page.get_by_role("button", name="Log in with single sign-on")).to_be_visible()
    expect(page.get_by_label("Password")).to_have_count(0)
    shot("sso-password-off")
    page.get_by_role("link", name="Emergency administrator login").click()
    page.get_by_label("E-mail").fill("ana@supplier.test")
    page.get_by_label("Password").fill("pw-kamp-123")
    page.get_by_role("button", name="Log in", exact=True).click()
    expect(page.get_by_text("That e-mail and password do not match")).to_be_visible()
    page.get_by_label("E-mail").fill("admin@supplier.test")
    page.get_by_label("Password").fill("pw-kamp-123")
    page.get_by_role("button", name="Log in", exact=True).click()
    expect(page).to_have_url(f"{live_server.url}/")


@pytest.mark.parametrize(("width", "height"), [(390, 844), (1366, 768)])
def test_the_login_page_fits(page, live_server, sso, shot, width, height):
    sso(KAMP_PASSWORD_LOGIN="off", KAMP_BREAK_GLASS_USERS="admin@supplier.test")
    page.set_viewport_size({"width": width, "height": height})
    page.goto(live_server.url + "/login/?break_glass=1")
    button = page.get_by_role("button", name="Log in with single sign-on")
    expect(button).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    shot(f"sso-login-{width}")


def test_a_refusal_in_spanish_on_a_phone(page, live_server, sso, shot):
    page.set_viewport_size({"width": 390, "height": 844})
    page.context.add_cookies([{"name": "django_language", "value": "es", "url": live_server.url}])
    page.goto(live_server.url + "/login/")
    page.get_by_role("button", name="Ingresar con inicio de sesión único").click()
    provider_login(page, "unverified")
    expect(page.get_by_role("heading", name="Inicio de sesión rechazado")).to_be_visible()
    expect(page.get_by_text("no ha verificado su dirección de correo")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shot("sso-refused-390-es")
