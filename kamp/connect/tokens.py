"""Personal API tokens on /api/v1/: ``Authorization: Bearer kamp_…``.

The API tries this first and the browser's session second (``kamp.api``). A token acts as its
user under exactly that user's rules (every operation reads ``request.user``); a read-only
token is refused any change. While a request runs under a token, each audit entry it writes is
noted with the token's name (``signals``)."""

from __future__ import annotations

import secrets
from contextvars import ContextVar
from datetime import timedelta

from django.http import HttpRequest
from django.utils import timezone
from ninja.errors import HttpError
from ninja.security import HttpBearer

from .models import ApiToken, digest

PREFIX = "kamp_"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# last_used_at is written at most this often per token: a script's burst of reads is not a
# burst of writes.
LAST_USED_GRANULARITY = timedelta(minutes=1)

#: The token of the request being served (its audit entries are noted with its name).
current_token: ContextVar[ApiToken | None] = ContextVar("kamp_api_token", default=None)


def new_secret() -> str:
    return PREFIX + secrets.token_urlsafe(32)


def find(secret: str) -> ApiToken | None:
    """The token whose secret this is, usable or not (the caller tells why it is refused)."""
    if not secret.startswith(PREFIX) or len(secret) > 200:
        return None
    return ApiToken.objects.select_related("user").filter(token_hash=digest(secret)).first()


class BearerToken(HttpBearer):
    """ninja's bearer scheme over kamp's tokens. No header: not this scheme (the session is
    tried next). A header with a bad, expired or revoked token, or one that is not
    ``Bearer <token>`` at all: 401, whatever the cookies."""

    def __call__(self, request: HttpRequest):
        value = request.headers.get(self.header)
        if not value:
            return None
        scheme, _space, token = value.strip().partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise HttpError(401, "Send the API token as 'Authorization: Bearer <token>'.")
        return self.authenticate(request, token)

    def authenticate(self, request: HttpRequest, token: str):
        found = find(token.strip())
        now = timezone.now()
        if found is None or found.revoked_at is not None or not found.user.is_active:
            raise HttpError(401, "Unknown or revoked API token.")
        if found.expires_at <= now:
            raise HttpError(401, "This API token has expired.")
        if request.method not in SAFE_METHODS and not found.can_write:
            raise HttpError(403, "This API token is read-only: it may not change anything.")
        if found.last_used_at is None or now - found.last_used_at > LAST_USED_GRANULARITY:
            ApiToken.objects.filter(pk=found.pk).update(last_used_at=now)
        request.user = found.user
        request.api_token = found  # type: ignore[attr-defined]
        current_token.set(found)
        return found.user


api_token_auth = BearerToken()
