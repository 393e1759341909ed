"""The authorization-code flow with PKCE against the real provider, with Django's test client
on kamp's side and plain HTTP through the provider's own login form (the browser version is
tests/browser/test_sso.py): who gets in, who is refused and why, what is recorded."""

import html
import re
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from kamp.core.models import AuditEvent, User
from tests.sso.conftest import CALLBACK

pytestmark = pytest.mark.django_db


def sign_in(client, oidc, login: str):
    """kamp's start → the provider (as ``login``) → kamp's callback; kamp's last answer."""
    start = client.get("/sso/start/")
    assert start.status_code == 302, start.content[:300]
    url = start["Location"]
    query = parse_qs(urlsplit(url).query)
    # PKCE: the challenge (S256) goes out; the provider refuses a request without one.
    assert query["code_challenge_method"] == ["S256"] and len(query["code_challenge"][0]) == 43
    assert query["redirect_uri"] == [CALLBACK]
    back = oidc.authorize(url, login, CALLBACK)
    parts = urlsplit(back)
    return client.get(parts.path, query_params=parse_qs(parts.query))


def logged_in_as(client) -> User | None:
    answer = client.get("/")
    return answer.wsgi_request.user if answer.status_code == 200 else None


def test_an_existing_user_signs_in_by_verified_email_any_case(client, sso, ana):
    answer = sign_in(client, sso.provider, "ana")  # the provider says Ana@Supplier.TEST
    assert answer.status_code == 302 and answer["Location"] == "/"
    assert logged_in_as(client) == ana
    entry = AuditEvent.objects.filter(actor=ana, object_id=str(ana.pk)).latest("at")
    assert entry.summary == f"Logged in through {sso.provider.issuer}"
    # Only the ID token is kept (the hint for the provider's logout), never the access token.
    assert "oidc_id_token" in client.session and "oidc_access_token" not in client.session


def test_an_unknown_person_is_refused_with_a_clear_page(client, sso, ana):
    answer = sign_in(client, sso.provider, "stranger")
    assert answer.status_code == 403
    assert b"There is no kamp account for this e-mail address" in answer.content
    assert logged_in_as(client) is None
    assert not User.objects.filter(email="stranger@supplier.test").exists()


def test_an_unverified_email_is_refused_even_when_it_names_a_user(client, sso, ana):
    answer = sign_in(client, sso.provider, "unverified")  # ana@supplier.test, not verified
    assert answer.status_code == 403
    assert b"has not verified your e-mail address" in answer.content
    assert logged_in_as(client) is None


def test_an_unknown_person_is_provisioned_with_the_default_role(client, sso):
    sso(KAMP_OIDC_PROVISION_ROLE="member")
    answer = sign_in(client, sso.provider, "stranger")
    assert answer.status_code == 302
    user = User.objects.get(email="stranger@supplier.test")
    assert (user.role, user.name, user.has_usable_password()) == ("member", "Sam Stranger", False)
    assert logged_in_as(client) == user
    created = AuditEvent.objects.get(action="create", object_id=str(user.pk))
    assert created.summary == (
        f"Account created at the first sign-in through {sso.provider.issuer} as Account team member"
    )


def test_the_role_claim_sets_the_role_at_each_login(client, sso, viewer):
    sso(KAMP_OIDC_ROLE_CLAIM="kamp_role", KAMP_OIDC_ROLE_MAP="kamp-directors=director,staff=viewer")
    assert sign_in(client, sso.provider, "viewer-promoted").status_code == 302
    viewer.refresh_from_db()
    assert viewer.role == "director" and not viewer.is_staff
    change = AuditEvent.objects.get(action="update", object_id=str(viewer.pk))
    assert change.changes == [{"field": "role", "old": "viewer", "new": "director"}]


def test_a_provisioned_person_takes_the_role_of_the_claim(client, sso):
    sso(
        KAMP_OIDC_PROVISION_ROLE="viewer",
        KAMP_OIDC_ROLE_CLAIM="kamp_role",
        KAMP_OIDC_ROLE_MAP="kamp-kams=kam",
    )
    assert sign_in(client, sso.provider, "newbie-kam").status_code == 302
    assert User.objects.get(email="newbie@supplier.test").role == "kam"


def test_a_role_claim_that_maps_to_nothing_refuses(client, sso, ana):
    sso(KAMP_OIDC_ROLE_CLAIM="kamp_role", KAMP_OIDC_ROLE_MAP="kamp-admins=admin")
    answer = sign_in(client, sso.provider, "ana")  # Ana has no kamp_role at the provider
    assert answer.status_code == 403 and b"gives you no role in kamp" in answer.content
    ana.refresh_from_db()
    assert ana.role == "kam"


def test_a_deactivated_account_is_refused(client, sso, ana):
    ana.is_active = False
    ana.save()
    answer = sign_in(client, sso.provider, "ana")
    assert answer.status_code == 403 and b"deactivated" in answer.content


def test_logout_ends_the_provider_session_too(client, sso, ana):
    sign_in(client, sso.provider, "ana")
    id_token = client.session["oidc_id_token"]
    answer = client.post("/logout/")
    assert logged_in_as(client) is None
    # A page that goes on to the provider (a form's redirect elsewhere would break the CSP).
    assert answer.status_code == 200
    found = re.search(r'<meta http-equiv="refresh" content="0; url=([^"]+)">', answer.text)
    location = urlsplit(html.unescape(found.group(1)))
    assert f"{location.scheme}://{location.netloc}{location.path}" == (
        f"{sso.provider.issuer}/session/end"
    )
    query = parse_qs(location.query)
    assert query["id_token_hint"] == [id_token]
    assert query["post_logout_redirect_uri"] == ["http://testserver/login/"]
    # The provider accepts the hint (a hint it cannot validate answers 400).
    ending = requests.get(html.unescape(found.group(1)), timeout=10)
    assert ending.status_code == 200 and "id_token_hint" not in ending.text


def test_a_password_login_logs_out_as_before(client, sso, ana):
    client.force_login(ana)
    answer = client.post("/logout/")
    assert answer.status_code == 302 and answer["Location"] == "/login/"


def test_the_secret_and_tokens_never_reach_the_log(client, sso, ana, caplog):
    caplog.set_level("DEBUG")
    sign_in(client, sso.provider, "ana")
    id_token = client.session["oidc_id_token"]
    sign_in(client, sso.provider, "stranger")
    text = caplog.text
    assert "kamp-test-client-secret" not in text and id_token not in text


def test_with_the_login_lockout_on(client, sso, ana, settings):
    # django-axes sits before both backends in production (off in the test settings).
    settings.AXES_ENABLED = True
    assert sign_in(client, sso.provider, "stranger").status_code == 403
    answer = sign_in(client, sso.provider, "ana")
    assert answer.status_code == 302 and logged_in_as(client) == ana
