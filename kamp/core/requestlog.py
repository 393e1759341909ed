"""A request id on every request and its log lines, and log lines as JSON objects
(``KAMP_LOG_FORMAT=json``) for a log collector: one object per line with ``time``, ``level``,
``logger``, ``message`` and ``request_id``. The request itself is at hand for the rare code that
must know whose request a write comes from (:func:`current_user_id`)."""

from __future__ import annotations

import json
import logging
import re
import uuid
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

request_id_var: ContextVar[str] = ContextVar("kamp_request_id", default="")
request_var: ContextVar[Any] = ContextVar("kamp_request", default=None)

# What a proxy's id may look like (a UUID, a hex or base64-like token): anything else — too
# long, spaces, quotes, control characters — would let a client write into the log, so a new id
# is made instead.
SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9._:+/=-]{1,128}")
HEADER = "X-Request-ID"


class RequestIdMiddleware:
    """Takes the request id a proxy sent in ``X-Request-ID`` when it is sane, else makes one;
    logs of the request carry it and the response returns it in ``X-Request-ID``."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        given = request.headers.get(HEADER, "")
        request_id = given if SANE_REQUEST_ID.fullmatch(given) else uuid.uuid4().hex
        request.request_id = request_id
        token = request_id_var.set(request_id)
        request_token = request_var.set(request)
        try:
            response = self.get_response(request)
        finally:
            request_var.reset(request_token)
            request_id_var.reset(token)
        response[HEADER] = request_id
        return response


def current_user_id() -> int | None:
    """The id of the person whose request is running (None outside a request — the worker, a
    command — or for a visitor not logged in). Read when asked, not when the request started:
    the API's token authentication sets the user inside the view."""
    request = request_var.get()
    user = getattr(request, "user", None) if request is not None else None
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return user.pk


class RequestIdFilter(logging.Filter):
    """Gives every record a ``request_id`` ("" outside a request: the worker, commands)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "request_id", None):
            # Django logs a 4xx/5xx answer after the middleware has returned, with the request
            # attached to the record: its id is read there.
            request = getattr(record, "request", None)
            record.request_id = getattr(request, "request_id", "") or request_id_var.get()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line; a traceback goes inside it (``exc_info``) so that a
    multi-line error stays one record for the collector."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", "") or request_id_var.get(),
        }
        status = getattr(record, "status_code", None)
        if isinstance(status, int):
            entry["status_code"] = status
        if record.exc_info:
            entry["exc_info"] = self.formatException(record.exc_info)
        elif record.exc_text:
            entry["exc_info"] = record.exc_text
        return json.dumps(entry, ensure_ascii=False, default=str)
