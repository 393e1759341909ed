"""Things a page reads several times, read once per page view.

A page is drawn from several areas' summaries, and each of them loads the settings it needs
(the company's, the economics', the interactions'…) and the exchange rates: the account page
read the same settings row four times and the rates three times. :func:`memo` keeps what was
read for the rest of the request — only for a GET or HEAD, which writes nothing kamp shows, so
no write of the same request can be hidden behind an earlier read. Outside a request (the
worker, the command line, the tests' own calls) it computes every time, as before."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from contextvars import ContextVar
from typing import Any, TypeVar

T = TypeVar("T")

_current: ContextVar[dict[Hashable, Any] | None] = ContextVar("kamp_request_memo", default=None)


def memo(key: Hashable, compute: Callable[[], T]) -> T:
    """``compute()``, once per page view for ``key``."""
    store = _current.get()
    if store is None:
        return compute()
    if key not in store:
        store[key] = compute()
    return store[key]


class RequestMemoMiddleware:
    """Opens the memo for a GET or HEAD request and drops it when the response is made."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method not in ("GET", "HEAD"):
            return self.get_response(request)
        token = _current.set({})
        try:
            return self.get_response(request)
        finally:
            _current.reset(token)
