"""Webhooks: kamp's events, signed and delivered to the receivers directors register.

An event becomes one :class:`WebhookDelivery` per active endpoint that wants it, made after the
change commits (``transaction.on_commit``: a rolled-back change sends nothing). The worker
POSTs its JSON body with::

    X-Kamp-Event:      customer.created
    X-Kamp-Delivery:   <the event's id, the same on every retry>
    X-Kamp-Timestamp:  <Unix seconds>
    X-Kamp-Signature:  sha256=<hex HMAC-SHA256 of "<timestamp>.<body>" with the endpoint's secret>

A 2xx answer delivers it; anything else (an error status, a refused connection, no answer
within ``KAMP_WEBHOOK_TIMEOUT`` seconds) is retried after 1, 2, 4, 8… minutes up to
``KAMP_WEBHOOK_MAX_ATTEMPTS``. After ``KAMP_WEBHOOK_DISABLE_AFTER`` failed attempts in a row the
endpoint is disabled and the programme's alerts say so.

Payloads carry what a member of the programme may read: a customer's identity, never amounts,
unless the endpoint is marked *finance*."""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import http.client
import json
import logging
import secrets
import socket
import threading
import time
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from . import crypto, netguard
from .models import (
    DeliveryAttempt,
    DeliveryStatus,
    EmittedEvent,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEvent,
)

logger = logging.getLogger(__name__)

USER_AGENT = "kamp-webhooks/1"
# Only the status line matters; a receiver answering a novel is not read past this.
MAX_RESPONSE_BYTES = 64 * 1024


def timeout() -> float:
    return float(getattr(settings, "KAMP_WEBHOOK_TIMEOUT", 10))


def max_attempts() -> int:
    return int(getattr(settings, "KAMP_WEBHOOK_MAX_ATTEMPTS", 8))


def disable_after() -> int:
    return int(getattr(settings, "KAMP_WEBHOOK_DISABLE_AFTER", 10))


def backoff(attempts: int) -> timedelta:
    """The pause after the ``attempts``-th failed try: 1, 2, 4… minutes, at most a day."""
    base = float(getattr(settings, "KAMP_WEBHOOK_BACKOFF_SECONDS", 60))
    return timedelta(seconds=min(base * 2 ** max(attempts - 1, 0), 86400))


def new_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


def seal(secret: str) -> str:
    """A signing secret as stored: encrypted (a leaked database or backup cannot forge
    kamp's deliveries)."""
    return crypto.encrypt({"secret": secret})


def signing_secret(endpoint: WebhookEndpoint) -> str:
    """The endpoint's secret to sign with (``crypto.Unreadable`` if the secret key changed)."""
    return str(crypto.decrypt(endpoint.secret)["secret"])


def sign(secret: str, timestamp: str, body: bytes) -> str:
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def verify(secret: str, timestamp: str, body: bytes, signature: str, tolerance: int = 300) -> bool:
    """What a receiver does (docs/api.md shows the same in a few lines): the signature matches
    and the timestamp is recent (a replayed old request is refused)."""
    try:
        if abs(time.time() - int(timestamp)) > tolerance:
            return False
    except ValueError:
        return False
    return hmac.compare_digest(sign(secret, timestamp, body), signature)


# --- making events ----------------------------------------------------------------------------
@dataclass(frozen=True)
class Event:
    kind: str
    data: dict[str, Any]
    # Added only to endpoints marked finance.
    money: dict[str, Any] | None = None


def _endpoints_for(kind: str) -> list[WebhookEndpoint]:
    # Few endpoints: filtered in Python, so the JSON list needs no database-specific lookup.
    return [e for e in WebhookEndpoint.objects.filter(active=True) if kind in (e.events or [])]


def queue(event: Event) -> list[WebhookDelivery]:
    """One delivery per endpoint that wants ``event`` (``tasks.send`` hands them to the worker)."""
    endpoints = _endpoints_for(event.kind)
    if not endpoints:
        return []
    event_id = str(uuid.uuid4())
    made = []
    for endpoint in endpoints:
        data = dict(event.data)
        if endpoint.finance and event.money:
            data.update(event.money)
        body = json.dumps(
            {
                "id": event_id,
                "event": event.kind,
                "created_at": timezone.now().isoformat(),
                "data": data,
            },
            ensure_ascii=False,
            sort_keys=True,
            default=str,
        )
        made.append(
            WebhookDelivery.objects.create(
                endpoint=endpoint,
                event=event.kind,
                event_id=event_id,
                body=body,
                next_attempt_at=timezone.now(),
            )
        )
    return made


# --- delivering -------------------------------------------------------------------------------
def _post(url: str, headers: dict[str, str], body: bytes) -> int:
    """POST and return the status code. No redirects followed (a signed body is for the address
    registered). Each socket operation waits at most the timeout, and the whole exchange too: a
    receiver dribbling its answer a byte at a time is cut when the time is up."""
    parts = urlsplit(url)
    # Connects only to an address just checked (netguard): not this machine nor a private
    # network, unless the operator allows it.
    cls = netguard.connection_class(parts.scheme)
    limit = timeout()
    conn = cls(parts.hostname or "", parts.port, timeout=limit)
    expired = threading.Event()

    def cut() -> None:
        expired.set()
        if conn.sock is not None:
            with contextlib.suppress(OSError):
                conn.sock.shutdown(socket.SHUT_RDWR)

    watchdog = threading.Timer(limit, cut)
    watchdog.daemon = True
    watchdog.start()
    try:
        path = parts.path or "/"
        if parts.query:
            path += "?" + parts.query
        conn.request("POST", path, body=body, headers=headers)
        response = conn.getresponse()
        response.read(MAX_RESPONSE_BYTES)
        if expired.is_set():
            raise TimeoutError
        return response.status
    except (OSError, http.client.HTTPException):
        if expired.is_set():
            raise TimeoutError from None
        raise
    finally:
        watchdog.cancel()
        conn.close()


def attempt(delivery_id: int) -> WebhookDelivery | None:
    """Try one delivery once and record the attempt: delivered, waiting for its next try
    (``next_attempt_at``) or given up."""
    with transaction.atomic():
        delivery = (
            WebhookDelivery.objects.select_for_update()
            .select_related("endpoint")
            .filter(pk=delivery_id, status=DeliveryStatus.PENDING)
            .first()
        )
        if delivery is None:
            return None
        if not delivery.endpoint.active:
            return delivery
        # Claimed: a second worker picking the same delivery waits for the next slot.
        delivery.attempts += 1
        delivery.next_attempt_at = timezone.now() + backoff(delivery.attempts)
        delivery.save(update_fields=["attempts", "next_attempt_at"])
    endpoint = delivery.endpoint
    body = delivery.body.encode()
    started = time.monotonic()
    try:
        secret = signing_secret(endpoint)
        url = endpoint.full_address()
    except (crypto.Unreadable, KeyError, TypeError):
        return _record(
            delivery,
            None,
            "the signing secret or the address can no longer be read (the server's secret key "
            "changed): "
            "delete this webhook and register it again",
            0,
        )
    timestamp = str(int(time.time()))
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "X-Kamp-Event": delivery.event,
        "X-Kamp-Delivery": delivery.event_id,
        "X-Kamp-Timestamp": timestamp,
        "X-Kamp-Signature": sign(secret, timestamp, body),
    }
    code: int | None = None
    error = ""
    try:
        code = _post(url, headers, body)
        if not 200 <= code < 300:
            error = f"HTTP {code}"
    except TimeoutError:
        error = f"no answer within {timeout():g} s"
    except (netguard.Blocked, netguard.Unresolvable) as exc:
        error = str(exc)[:300]
    except (OSError, http.client.HTTPException, ValueError) as exc:
        error = (type(exc).__name__ + ": " + str(exc))[:300]
    elapsed = int((time.monotonic() - started) * 1000)
    return _record(delivery, code, without_secret(error, url), elapsed)


def without_secret(text: str, url: str) -> str:
    """``text`` (an error kept in the delivery log) without the address's secret parts: its
    path beyond the first segment and its query, should an HTTP library have quoted them."""
    parts = urlsplit(url)
    hidden = [url, parts.path.partition("/")[2].partition("/")[2], parts.query, parts.fragment]
    for secret in sorted((h for h in hidden if len(h) >= 4), key=len, reverse=True):
        text = text.replace(secret, "…")
    return text


@transaction.atomic
def _record(delivery: WebhookDelivery, code: int | None, error: str, elapsed: int):
    DeliveryAttempt.objects.create(
        delivery=delivery, status_code=code, error=error, duration_ms=elapsed
    )
    delivery.last_status_code = code
    delivery.last_error = error
    endpoint = WebhookEndpoint.objects.select_for_update().get(pk=delivery.endpoint_id)
    if not error:
        delivery.status = DeliveryStatus.DELIVERED
        delivery.delivered_at = timezone.now()
        delivery.next_attempt_at = None
        endpoint.consecutive_failures = 0
        endpoint.save(update_fields=["consecutive_failures"])
    else:
        if delivery.attempts >= max_attempts():
            delivery.status = DeliveryStatus.FAILED
            delivery.next_attempt_at = None
        WebhookEndpoint.objects.filter(pk=endpoint.pk).update(
            consecutive_failures=F("consecutive_failures") + 1
        )
        endpoint.refresh_from_db(fields=["consecutive_failures"])
        if endpoint.active and endpoint.consecutive_failures >= disable_after():
            endpoint.active = False
            endpoint.disabled_at = timezone.now()
            endpoint.save(update_fields=["active", "disabled_at"])
            logger.warning(
                "webhook %s disabled after %s failed deliveries in a row",
                endpoint.pk,
                endpoint.consecutive_failures,
            )
    delivery.save(
        update_fields=[
            "status",
            "delivered_at",
            "next_attempt_at",
            "last_status_code",
            "last_error",
        ]
    )
    return delivery


def remember(key: str) -> bool:
    """True the first time ``key`` is seen (an event found by looking is sent once)."""
    _obj, created = EmittedEvent.objects.get_or_create(key=key[:200])
    return created


def wanted(kind: str) -> bool:
    return bool(_endpoints_for(kind))


ALL_EVENTS = [e.value for e in WebhookEvent]
