"""Authentication backends: the provider's sign-in (mozilla-django-oidc's code flow, with
kamp's checks of the ID token and of the person) and the password, which KAMP_PASSWORD_LOGIN
can reserve to break-glass administrators."""

from __future__ import annotations

import hmac
import logging
from typing import Any

import jwt
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.utils import import_from_settings

from kamp.sso import conf
from kamp.sso.claims import Refused

log = logging.getLogger(__name__)

LEEWAY = 60  # seconds of clock difference allowed with the provider

# mozilla-django-oidc's settings, answered from kamp's (conf.Provider) at each use.
_FROM_PROVIDER = {
    "OIDC_OP_AUTHORIZATION_ENDPOINT": "authorization_endpoint",
    "OIDC_OP_TOKEN_ENDPOINT": "token_endpoint",
    "OIDC_OP_USER_ENDPOINT": "userinfo_endpoint",
    "OIDC_OP_JWKS_ENDPOINT": "jwks_uri",
    "OIDC_RP_CLIENT_ID": "client_id",
    "OIDC_RP_CLIENT_SECRET": "client_secret",
    "OIDC_RP_SIGN_ALGO": "sign_algo",
    "OIDC_RP_SCOPES": "scopes",
}
_FIXED: dict[str, Any] = {
    "OIDC_USE_PKCE": True,
    "OIDC_PKCE_CODE_CHALLENGE_METHOD": "S256",
    "OIDC_USE_NONCE": True,
    "OIDC_AUTHENTICATION_CALLBACK_URL": "sso:callback",
    "OIDC_TIMEOUT": conf.TIMEOUT,
    "OIDC_STORE_ID_TOKEN": True,
    "OIDC_STORE_ACCESS_TOKEN": False,
    "OIDC_ALLOW_UNSECURED_JWT": False,
    "OIDC_RP_IDP_SIGN_KEY": None,
    "OIDC_TOKEN_USE_BASIC_AUTH": False,
    "OIDC_VERIFY_SSL": True,
    "OIDC_PROXY": None,
}


def oidc_setting(attr: str, *default: Any) -> Any:
    if attr in _FROM_PROVIDER:
        return getattr(conf.provider(), _FROM_PROVIDER[attr])
    if attr in _FIXED:
        return _FIXED[attr]
    return import_from_settings(attr, *default)


class OIDCBackend(OIDCAuthenticationBackend):
    """The provider's sign-in. Answers only the callback's call (``nonce`` and
    ``code_verifier`` given); the password form never reaches it."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Nothing read here: Django builds every backend for each password login too, and
        # the provider may be unconfigured or unreachable then.
        self.UserModel = get_user_model()

    get_settings = staticmethod(oidc_setting)

    def _load(self) -> conf.Provider:
        p = conf.provider()
        self.OIDC_OP_TOKEN_ENDPOINT = p.token_endpoint
        self.OIDC_OP_USER_ENDPOINT = p.userinfo_endpoint
        self.OIDC_OP_JWKS_ENDPOINT = p.jwks_uri
        self.OIDC_RP_CLIENT_ID = p.client_id
        self.OIDC_RP_CLIENT_SECRET = p.client_secret
        self.OIDC_RP_SIGN_ALGO = p.sign_algo
        self.OIDC_RP_IDP_SIGN_KEY = None
        self.provider = p
        return p

    def authenticate(self, request, **kwargs):  # type: ignore[override]
        if request is None or "nonce" not in kwargs or "code_verifier" not in kwargs:
            return None
        if set(kwargs) - {"nonce", "code_verifier"} or not conf.enabled():
            return None
        self._load()
        return super().authenticate(request, **kwargs)

    # --- the ID token ------------------------------------------------------------------------
    def _verify_jws(self, payload, key):
        """The signature, and the claims the library leaves unchecked: audience (this client),
        issuer (the configured provider), expiry and issue time."""
        try:
            header = jwt.get_unverified_header(payload)
        except jwt.PyJWTError as exc:
            raise Refused("token", type(exc).__name__) from exc
        if header.get("alg") != self.OIDC_RP_SIGN_ALGO:
            raise Refused("token", f"algorithm {header.get('alg')!r}")
        try:
            claims = jwt.decode(
                payload,
                key,
                algorithms=[self.OIDC_RP_SIGN_ALGO],
                audience=self.OIDC_RP_CLIENT_ID,
                issuer=self.provider.issuer,
                leeway=LEEWAY,
                options={"require": ["exp", "iat", "iss", "aud", "sub"]},
            )
        except jwt.InvalidSignatureError as exc:
            raise Refused("signature") from exc
        except jwt.ExpiredSignatureError as exc:
            raise Refused("expired") from exc
        except jwt.InvalidAudienceError as exc:
            raise Refused("audience") from exc
        except jwt.InvalidIssuerError as exc:
            raise Refused("issuer") from exc
        except jwt.PyJWTError as exc:
            raise Refused("token", type(exc).__name__) from exc
        audience = claims.get("aud")
        several = isinstance(audience, list) and len(audience) > 1
        if several and claims.get("azp") != self.OIDC_RP_CLIENT_ID:
            raise Refused("audience", "azp")
        return claims

    def verify_token(self, token, **kwargs):
        if not isinstance(token, str) or not token:
            raise Refused("token", "no id_token")
        key = self.retrieve_matching_jwk(token)
        payload = self._verify_jws(token, key)
        nonce = kwargs.get("nonce")
        if not nonce or not hmac.compare_digest(str(payload.get("nonce") or ""), str(nonce)):
            raise Refused("nonce")
        return payload

    def retrieve_matching_jwk(self, token):
        try:
            return super().retrieve_matching_jwk(token)
        except jwt.PyJWTError as exc:
            raise Refused("token", type(exc).__name__) from exc
        except Exception as exc:
            if type(exc).__name__ == "SuspiciousOperation":  # no key of the provider's set
                raise Refused("signature", "unknown key") from exc
            raise

    # --- the person --------------------------------------------------------------------------
    def get_userinfo(self, access_token, id_token, payload):
        info = super().get_userinfo(access_token, id_token, payload)
        if not isinstance(info, dict) or info.get("sub") != payload.get("sub"):
            # OpenID Connect Core 5.3.2: the userinfo answer must be about the token's subject.
            raise Refused("token", "userinfo sub")
        return {**payload, **info}

    def get_or_create_user(self, access_token, id_token, payload):
        from kamp.sso.actions import do_sso_login

        claims = self.get_userinfo(access_token, id_token, payload)
        return do_sso_login(claims, self.provider)

    def store_tokens(self, access_token, id_token):
        # The ID token only, as the hint for the provider's logout; never the access token.
        if self.provider.end_session_endpoint:
            self.request.session["oidc_id_token"] = id_token

    def get_user(self, user_id):
        user = super().get_user(user_id)
        return user if user is not None and user.is_active else None


class PasswordBackend(ModelBackend):
    """Django's e-mail and password, refused (without trying the password) when password login
    is off and the e-mail is not a break-glass administrator's."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None:
            username = kwargs.get(get_user_model().USERNAME_FIELD)
        if password is not None and not conf.may_use_password(username):
            log.info("password login refused: password login is off")
            raise PermissionDenied("password login is off")
        return super().authenticate(request, username=username, password=password, **kwargs)
