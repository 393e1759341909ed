"""Single sign-on's configuration: the KAMP_OIDC_* settings (read from the environment in
kamp/settings.py) and the provider's endpoints, from its discovery document
(``<issuer>/.well-known/openid-configuration``) unless given one by one.

Read at each use, never at import: the tests start a provider on a port of their own and
change the settings; a provider unreachable at start does not stop kamp from starting.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Any

import requests
from django.conf import settings

from kamp.sso.claims import ROLES, Refused, parse_role_map

DISCOVERY_TTL = 3600  # seconds a discovery document is kept
TIMEOUT = 10  # seconds for any request to the provider
MAX_DOCUMENT = 256 * 1024  # bytes: a discovery document larger than this is refused

_discovered: dict[str, tuple[float, dict[str, Any]]] = {}
_lock = threading.Lock()


def enabled() -> bool:
    """Single sign-on is on when an issuer and a client id are set."""
    return bool(_setting("KAMP_OIDC_ISSUER") and _setting("KAMP_OIDC_CLIENT_ID"))


def password_login_on() -> bool:
    """KAMP_PASSWORD_LOGIN=off turns the password form off, except for break-glass users. It
    stays on while single sign-on is not configured: nobody could log in otherwise."""
    value = str(_setting("KAMP_PASSWORD_LOGIN") or "on").strip().lower()
    return value not in {"off", "0", "false", "no"} or not enabled()


def break_glass_users() -> set[str]:
    return {
        e.strip().lower()
        for e in str(_setting("KAMP_BREAK_GLASS_USERS") or "").replace(";", ",").split(",")
        if e.strip()
    }


def may_use_password(email: object) -> bool:
    """Whether ``email`` may log in with a password now."""
    return password_login_on() or str(email or "").strip().lower() in break_glass_users()


def _setting(name: str) -> Any:
    return getattr(settings, name, "")


@dataclass(frozen=True)
class Provider:
    issuer: str
    client_id: str
    client_secret: str
    scopes: str
    authorization_endpoint: str
    token_endpoint: str
    userinfo_endpoint: str
    jwks_uri: str
    end_session_endpoint: str
    sign_algo: str
    verified_claim: str
    provision_role: str
    role_claim: str
    role_map: dict[str, str]


class ProviderUnavailable(Exception):
    """The provider's discovery document could not be read (down, not JSON, another issuer)."""


def provider() -> Provider:
    """The configured provider, endpoints discovered when not set. Raises ProviderUnavailable."""
    issuer = str(_setting("KAMP_OIDC_ISSUER")).strip().rstrip("/")
    explicit = {
        "authorization_endpoint": _setting("KAMP_OIDC_AUTHORIZATION_ENDPOINT"),
        "token_endpoint": _setting("KAMP_OIDC_TOKEN_ENDPOINT"),
        "userinfo_endpoint": _setting("KAMP_OIDC_USERINFO_ENDPOINT"),
        "jwks_uri": _setting("KAMP_OIDC_JWKS_URI"),
        "end_session_endpoint": _setting("KAMP_OIDC_END_SESSION_ENDPOINT"),
    }
    needed = ("authorization_endpoint", "token_endpoint", "userinfo_endpoint", "jwks_uri")
    found: dict[str, Any] = {}
    if not all(explicit[k] for k in needed):
        found = discover(issuer)
    endpoints = {k: str(explicit[k] or found.get(k) or "") for k in explicit}
    missing = [k for k in needed if not endpoints[k]]
    if missing:
        raise ProviderUnavailable(f"the provider names no {', '.join(missing)}")
    problems = configuration_errors()
    if problems:
        # Said at start by the system check (kamp/sso/checks.py); a page must not answer 500.
        raise ProviderUnavailable("; ".join(problems))
    return Provider(
        issuer=str(found.get("issuer") or issuer),
        client_id=str(_setting("KAMP_OIDC_CLIENT_ID")),
        client_secret=str(_setting("KAMP_OIDC_CLIENT_SECRET") or ""),
        scopes=str(_setting("KAMP_OIDC_SCOPES") or "openid email profile"),
        sign_algo=str(_setting("KAMP_OIDC_SIGN_ALGO") or "RS256"),
        verified_claim=str(_setting("KAMP_OIDC_VERIFIED_CLAIM") or "email_verified"),
        provision_role=str(_setting("KAMP_OIDC_PROVISION_ROLE") or "").strip().lower(),
        role_claim=str(_setting("KAMP_OIDC_ROLE_CLAIM") or "").strip(),
        role_map=parse_role_map(str(_setting("KAMP_OIDC_ROLE_MAP") or "")),
        **endpoints,
    )


def configuration_errors() -> list[str]:
    """What is wrong with the KAMP_OIDC_* settings (empty: nothing)."""
    problems = []
    provision = str(_setting("KAMP_OIDC_PROVISION_ROLE") or "").strip().lower()
    if provision and provision not in ROLES:
        problems.append(
            f"KAMP_OIDC_PROVISION_ROLE: “{provision}” is not a role of kamp ({', '.join(ROLES)})"
        )
    try:
        parse_role_map(str(_setting("KAMP_OIDC_ROLE_MAP") or ""))
    except ValueError as exc:
        problems.append(str(exc))
    return problems


def discover(issuer: str) -> dict[str, Any]:
    """The provider's discovery document, kept for an hour. Its ``issuer`` must be the one
    configured (OpenID Connect Discovery 1.0, section 4.3)."""
    now = time.monotonic()
    with _lock:
        cached = _discovered.get(issuer)
        if cached and now - cached[0] < DISCOVERY_TTL:
            return cached[1]
    url = f"{issuer}/.well-known/openid-configuration"
    try:
        response = requests.get(url, timeout=TIMEOUT, stream=True)
        response.raise_for_status()
        body = response.raw.read(MAX_DOCUMENT + 1, decode_content=True)
        if len(body) > MAX_DOCUMENT:
            raise ValueError("discovery document too large")
        import json

        document = json.loads(body)
    except (requests.RequestException, ValueError) as exc:
        raise ProviderUnavailable(f"{url}: {type(exc).__name__}") from exc
    if not isinstance(document, dict) or str(document.get("issuer", "")).rstrip("/") != issuer:
        raise ProviderUnavailable(f"{url}: not the discovery document of {issuer}")
    with _lock:
        _discovered[issuer] = (now, document)
    return document


def forget_discovery() -> None:
    """Drop the kept documents (tests; a provider that moved its endpoints)."""
    with _lock:
        _discovered.clear()


__all__ = ["Provider", "ProviderUnavailable", "Refused", "enabled", "provider"]
