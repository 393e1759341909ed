"""Hostile sign-in answers: an ID token for another application, expired, badly signed, from
another issuer, for another attempt (nonce, state) — each refused with a page that says why,
in Spanish or English, never an error 500, nobody logged in. The tokens are real: issued by
the test provider, or signed with the very key it publishes."""

from urllib.parse import parse_qs, urlsplit

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from kamp.sso.backends import OIDCBackend
from kamp.sso.claims import Refused
from tests.sso import oidc_server
from tests.sso.conftest import CALLBACK

pytestmark = pytest.mark.django_db


def verify(token: str, nonce: str = "the-nonce") -> dict:
    backend = OIDCBackend()
    backend._load()
    return backend.verify_token(token, nonce=nonce)


def refusal(token: str, nonce: str = "the-nonce") -> str:
    with pytest.raises(Refused) as caught:
        verify(token, nonce)
    return caught.value.reason


def test_a_token_the_provider_issued_to_kamp_is_accepted(sso):
    token = sso.provider.id_token_for(
        oidc_server.CLIENT_ID, oidc_server.CLIENT_SECRET, CALLBACK, "ana"
    )
    assert verify(token)["sub"] == "ana"


def test_a_token_the_provider_issued_to_another_application_is_refused(sso):
    token = sso.provider.id_token_for(
        oidc_server.OTHER_CLIENT_ID, "another-secret-of-another-app",
        "http://127.0.0.1/another-app/callback", "ana",
    )  # fmt: skip
    assert refusal(token) == "audience"


def test_hostile_tokens_signed_with_the_providers_key(sso):
    p = sso.provider
    assert verify(p.sign(p.claims()))["sub"] == "ana"
    assert refusal(p.sign(p.claims(aud="another-app"))) == "audience"
    # Several audiences: kamp must be the authorised party.
    assert refusal(p.sign(p.claims(aud=["kamp-test", "x"], azp="x"))) == "audience"
    assert verify(p.sign(p.claims(aud=["kamp-test", "x"], azp="kamp-test")))["sub"] == "ana"
    assert refusal(p.sign(p.claims(exp=p.claims()["iat"] - 3600))) == "expired"
    assert refusal(p.sign(p.claims(iss="http://127.0.0.1:1"))) == "issuer"
    assert refusal(p.sign(p.claims()), nonce="another-attempt") == "nonce"
    assert refusal(p.sign(p.claims(nonce=None))) == "nonce"
    assert refusal(p.sign(p.claims(exp=None))) == "token"  # no expiry at all


def test_badly_signed_tokens_are_refused(sso):
    p = sso.provider
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    # Another key under the provider's key id; a key id the provider does not publish.
    assert refusal(p.sign(p.claims(), key=stranger)) == "signature"
    assert refusal(p.sign(p.claims(), key=stranger, kid="not-the-providers")) == "signature"
    # Signed with the client secret (HS256): no key of the provider's signs so.
    hs = p.sign(p.claims(), key=oidc_server.CLIENT_SECRET, alg="HS256")
    assert refusal(hs) == "signature"
    header, payload, _sig = p.sign(p.claims()).split(".")
    assert refusal(f"{header}.{payload}.") == "signature"
    assert refusal("not.a.token") == "token"


# --- through the callback: the page the person sees --------------------------------------
def started(client) -> str:
    """Start a sign-in at kamp; the state it keeps for the callback."""
    answer = client.get("/sso/start/")
    return parse_qs(urlsplit(answer["Location"]).query)["state"][0]


def callback_with(client, monkeypatch, id_token, **params):
    """The callback as if the provider's token endpoint had answered ``id_token``."""
    monkeypatch.setattr(
        OIDCBackend, "get_token", lambda self, payload: {"id_token": id_token, "access_token": "a"}
    )
    return client.get("/sso/callback/", query_params={"code": "c0de", **params})


@pytest.mark.parametrize(
    ("over", "status", "message"),
    [
        ({"aud": "another-app"}, 403, b"meant for another application"),
        ({"exp": 1_000_000_000, "iat": 999_999_000}, 403, b"has expired"),
        ({"nonce": "another-attempt"}, 403, b"does not belong to this sign-in attempt"),
        ({"iss": "http://127.0.0.1:1"}, 403, b"does not come from the configured provider"),
    ],
)
def test_the_callback_refuses_hostile_tokens_with_a_page(
    client, sso, ana, monkeypatch, over, status, message
):
    p = sso.provider
    state = started(client)
    nonce = client.session["oidc_states"][state]["nonce"]
    answer = callback_with(
        client, monkeypatch, p.sign(p.claims(**{"nonce": nonce, **over})), state=state
    )
    assert answer.status_code == status and message in answer.content
    assert b"Sign-in refused" in answer.content
    assert "_auth_user_id" not in client.session


def test_a_bad_signature_at_the_callback_in_spanish(client, sso, ana, monkeypatch):
    p = sso.provider
    client.cookies["django_language"] = "es"
    state = started(client)
    nonce = client.session["oidc_states"][state]["nonce"]
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    token = p.sign(p.claims(nonce=nonce), key=stranger)
    answer = callback_with(client, monkeypatch, token, state=state)
    assert answer.status_code == 403
    text = answer.content.decode()
    assert "Inicio de sesión rechazado" in text and "La firma de la respuesta" in text


def test_a_state_kamp_did_not_give_is_refused(client, sso, ana, monkeypatch):
    p = sso.provider
    started(client)
    answer = callback_with(client, monkeypatch, p.sign(p.claims()), state="forged-state")
    assert answer.status_code == 400 and b"was not started here" in answer.content
    # Without any sign-in started in this browser either.
    fresh = client.__class__()
    answer = callback_with(fresh, monkeypatch, p.sign(p.claims()), state="forged-state")
    assert answer.status_code == 400 and b"was not started here" in answer.content


def test_a_state_is_used_once(client, sso, ana, monkeypatch):
    p = sso.provider
    state = started(client)
    nonce = client.session["oidc_states"][state]["nonce"]
    token = p.sign(p.claims(nonce=nonce, sub="ana"))
    monkeypatch.setattr(
        OIDCBackend, "get_userinfo", lambda self, a, i, payload: {**payload, **oidc_server.ACCOUNTS["ana"]}
    )  # fmt: skip
    assert callback_with(client, monkeypatch, token, state=state).status_code == 302
    client.logout()
    answer = callback_with(client, monkeypatch, token, state=state)
    assert answer.status_code == 400


def test_the_providers_error_is_shown_plainly(client, sso):
    state = started(client)
    answer = client.get("/sso/callback/", query_params={"error": "access_denied", "state": state})
    assert answer.status_code == 403 and b"access_denied" in answer.content
    # Text that is not an error code is not repeated on the page.
    answer = client.get("/sso/callback/", query_params={"error": "<script>x</script>"})
    assert answer.status_code == 403 and b"<script>x" not in answer.content


def test_the_token_endpoint_refusing_the_code_is_a_page(client, sso):
    # A code the provider never issued: its token endpoint answers 400 (invalid_grant).
    state = started(client)
    answer = client.get("/sso/callback/", query_params={"code": "made-up", "state": state})
    assert answer.status_code == 403 and b"refused to complete the sign-in" in answer.content


def test_a_provider_that_cannot_be_reached(client, settings, sso):
    sso(KAMP_OIDC_ISSUER="http://127.0.0.1:9")  # nothing listens there
    answer = client.get("/sso/start/")
    assert answer.status_code == 503 and b"cannot be reached" in answer.content
    answer = client.get("/sso/callback/", query_params={"code": "c", "state": "s"})
    assert answer.status_code in (400, 503)


def test_unconfigured_single_sign_on_sends_to_the_login_page(client, settings):
    settings.KAMP_OIDC_ISSUER = ""
    for answer in (
        client.get("/sso/start/"),
        client.get("/sso/callback/", query_params={"code": "c", "state": "s"}),
    ):
        assert answer.status_code == 302 and answer["Location"] == "/login/"
    assert "oidc_states" not in client.session
