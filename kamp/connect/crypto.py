"""Credentials kept encrypted at rest: Fernet (AES-128-CBC + HMAC-SHA256, from ``cryptography``)
with a key derived by HKDF-SHA256 from Django's SECRET_KEY. Keys made from SECRET_KEY_FALLBACKS
still read what they encrypted, so the secret key can be rotated; a value that no key opens
raises :class:`Unreadable` (the connection then asks to be set up again)."""

from __future__ import annotations

import base64
import json
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

INFO = b"kamp.connect credentials v1"


class Unreadable(Exception):
    """Encrypted with a key kamp no longer has (SECRET_KEY changed without a fallback)."""


def _key(secret: str) -> bytes:
    raw = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=INFO).derive(secret.encode())
    return base64.urlsafe_b64encode(raw)


def _fernet() -> MultiFernet:
    secrets = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return MultiFernet([Fernet(_key(s)) for s in secrets])


def encrypt(value: dict[str, Any]) -> str:
    return _fernet().encrypt(json.dumps(value).encode()).decode()


def decrypt(token: str) -> dict[str, Any]:
    try:
        return json.loads(_fernet().decrypt(token.encode()))
    except (InvalidToken, ValueError) as exc:
        raise Unreadable from exc
