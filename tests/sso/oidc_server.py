"""A real OpenID provider for the single sign-on tests: the certified ``oidc-provider`` npm
package under node (tests/sso/provider/provider.js), started on 127.0.0.1.

Needs node and the provider's packages (``npm ci --prefix tests/sso/provider``). Without them
the tests that use it skip with one line, unless KAMP_REQUIRE_OIDC=1 (set by .ci/run).

The provider signs with a key this module makes (a private JWK given to it), so a test can
sign a hostile token with the very key the provider publishes."""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urljoin, urlsplit

import jwt
import pytest
import requests
from cryptography.hazmat.primitives.asymmetric import rsa

PROVIDER_DIR = Path(__file__).resolve().parent / "provider"
NODE = shutil.which("node")
CLIENT_ID = "kamp-test"
CLIENT_SECRET = "kamp-test-client-secret-not-for-logs"
OTHER_CLIENT_ID = "another-app"

# Login names on the provider's (devInteractions) page → the claims it gives.
ACCOUNTS = {
    "ana": {"email": "Ana@Supplier.TEST", "email_verified": True, "name": "Ana KAM"},
    "stranger": {"email": "stranger@supplier.test", "email_verified": True, "name": "Sam Stranger"},
    "unverified": {"email": "ana@supplier.test", "email_verified": False, "name": "Not Ana"},
    "viewer-promoted": {
        "email": "viewer@supplier.test",
        "email_verified": True,
        "name": "Victor Viewer",
        "kamp_role": ["staff", "kamp-directors"],
    },
    "newbie-kam": {
        "email": "newbie@supplier.test",
        "email_verified": True,
        "name": "Nina Newbie",
        "kamp_role": "kamp-kams",
    },
    "admin": {"email": "admin@supplier.test", "email_verified": True, "name": "Admin"},
}


def missing() -> str:
    """Why the provider cannot start here ("" when it can)."""
    if not NODE:
        return "no node on PATH"
    if not (PROVIDER_DIR / "node_modules" / "oidc-provider").is_dir():
        return f"no {PROVIDER_DIR}/node_modules (npm ci --prefix tests/sso/provider)"
    return ""


def skip_without_provider() -> None:
    reason = missing()
    if not reason:
        return
    if os.environ.get("KAMP_REQUIRE_OIDC") == "1":
        pytest.fail(f"KAMP_REQUIRE_OIDC=1 but the OpenID provider cannot start: {reason}")
    pytest.skip(f"OpenID provider not available: {reason}")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _jwk(key: rsa.RSAPrivateKey, kid: str) -> dict:
    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key))
    jwk.pop("key_ops", None)  # pyjwt says "sign" only; the provider verifies with it too
    jwk.update({"kid": kid, "use": "sig", "alg": "RS256"})
    return jwk


@dataclass
class Provider:
    issuer: str
    key: rsa.RSAPrivateKey
    kid: str
    process: subprocess.Popen
    log: list[str] = field(default_factory=list)

    def sign(self, claims: dict, *, key=None, kid: str | None = None, alg="RS256") -> str:
        """An ID token as the provider would sign it (its key and key id by default)."""
        return jwt.encode(claims, key or self.key, algorithm=alg, headers={"kid": kid or self.kid})

    def claims(self, **over) -> dict:
        now = int(time.time())
        base = {
            "iss": self.issuer,
            "sub": "ana",
            "aud": CLIENT_ID,
            "iat": now,
            "exp": now + 600,
            "nonce": "the-nonce",
        }
        base.update(over)
        return {k: v for k, v in base.items() if v is not None}

    def configure(self, settings, **extra) -> None:
        """Point kamp's single sign-on at this provider (pytest-django's ``settings``)."""
        from kamp.sso import conf

        conf.forget_discovery()
        settings.KAMP_OIDC_ISSUER = self.issuer
        settings.KAMP_OIDC_CLIENT_ID = CLIENT_ID
        settings.KAMP_OIDC_CLIENT_SECRET = CLIENT_SECRET
        settings.KAMP_OIDC_PROVISION_ROLE = ""
        settings.KAMP_OIDC_ROLE_CLAIM = ""
        settings.KAMP_OIDC_ROLE_MAP = ""
        settings.KAMP_PASSWORD_LOGIN = "on"
        settings.KAMP_BREAK_GLASS_USERS = ""
        for name, value in extra.items():
            setattr(settings, name, value)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()

    def authorize(self, url: str, login: str, redirect_uri: str) -> str:
        """Follow an authorization request through the provider's own login form as
        ``login`` (any password); the address it sends the browser back to."""
        s = requests.Session()
        r = s.get(url, timeout=10)
        action = re.search(r'action="([^"]+)"', r.text)
        assert action, r.text[:500]
        r = s.post(
            urljoin(r.url, action.group(1)),
            data={"prompt": "login", "login": login, "password": "any"},
            allow_redirects=False,
            timeout=10,
        )
        for _ in range(10):
            location = r.headers.get("location", "")
            if location.startswith(redirect_uri):
                return location
            r = s.get(urljoin(r.url, location), allow_redirects=False, timeout=10)
        raise AssertionError(f"the provider did not send back to {redirect_uri}: {r.text[:500]}")

    def id_token_for(self, client_id: str, secret: str, redirect_uri: str, login: str) -> str:
        """A real ID token the provider issues to ``client_id`` for ``login``: the code flow
        with PKCE done with plain HTTP (the provider's own login form), no browser."""
        import base64
        import hashlib
        import secrets

        verifier = secrets.token_urlsafe(48)
        challenge = (
            base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
            .rstrip(b"=")
            .decode()
        )
        params = {
            "client_id": client_id,
            "response_type": "code",
            "scope": "openid email profile",
            "redirect_uri": redirect_uri,
            "state": "s" * 32,
            "nonce": "the-nonce",
            "code_challenge": challenge,
            "code_challenge_method": "S256",
        }
        location = self.authorize(f"{self.issuer}/auth?{urlencode(params)}", login, redirect_uri)
        code = parse_qs(urlsplit(location).query)["code"][0]
        token = requests.post(
            f"{self.issuer}/token",
            data={
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": redirect_uri,
                "client_id": client_id,
                "client_secret": secret,
                "code_verifier": verifier,
            },
            timeout=10,
        )
        token.raise_for_status()
        return token.json()["id_token"]


def start(redirect_uris: list[str], post_logout_redirect_uris: list[str]) -> Provider:
    skip_without_provider()
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    kid = "kamp-test-key"
    port = _free_port()
    config = {
        "port": port,
        "clients": [
            {
                "client_id": CLIENT_ID,
                "client_secret": CLIENT_SECRET,
                "redirect_uris": redirect_uris,
                "post_logout_redirect_uris": post_logout_redirect_uris,
            },
            {
                "client_id": OTHER_CLIENT_ID,
                "client_secret": "another-secret-of-another-app",
                "redirect_uris": ["http://127.0.0.1/another-app/callback"],
            },
        ],
        "jwks": {"keys": [_jwk(key, kid)]},
        "accounts": ACCOUNTS,
    }
    env = {**os.environ, "KAMP_OIDC_TEST_CONFIG": json.dumps(config)}
    process = subprocess.Popen(
        [NODE or "node", str(PROVIDER_DIR / "provider.js")],
        cwd=PROVIDER_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert process.stdout is not None
    seen: list[str] = []
    for line in process.stdout:
        if line.startswith("ready "):
            break
        seen.append(line)
    else:
        process.wait(timeout=10)
        raise RuntimeError("the OpenID provider did not start: " + "".join(seen)[-2000:])
    provider = Provider(issuer=line.split()[1], key=key, kid=kid, process=process, log=seen)
    # Keep reading what it says, so that a full pipe never stops it.
    threading.Thread(target=lambda: seen.extend(process.stdout or []), daemon=True).start()
    return provider
