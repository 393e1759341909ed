"""Things a page reads several times, read once per page view.

A page is drawn from several areas' summaries, and each of them loads the settings it needs
(the company's, the economics', the interactions'…) and the exchange rates: the account page
read the same settings row four times and the rates three times. :func:`memo` keeps what was
read for the rest of the request — only for a GET or HEAD, which writes nothing kamp shows, so
no write of the same request can be hidden behind an earlier read. Outside a request (the
worker, the command line, the tests' own calls) it computes every time, as before."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Iterator
from contextlib import contextmanager
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


#: :func:`memo_for_ids` keeps only answers about this many ids or fewer: a page about one
#: account, or the dashboard about the key accounts, asks the same thing several times; a
#: question about the whole portfolio is asked once and not worth keeping.
FEW_IDS = 1000


def memo_for_ids(name: str, ids: Iterable[int], compute: Callable[[list[int]], T]) -> T:
    """``compute(ids)``, once per page view for the same few ids (any order)."""
    ids = list(ids)
    if _current.get() is None or len(ids) > FEW_IDS:
        return compute(ids)
    return memo((name, tuple(sorted(set(ids)))), lambda: compute(ids))


@contextmanager
def scope() -> Iterator[None]:
    """The same memo for a stretch of reading outside a page view: the worker recomputing an
    account's alerts in each language reads the same settings, P&L and scoring run for each.
    Only around code that writes nothing it reads. Inside a page view's memo, that one."""
    if _current.get() is not None:
        yield
        return
    token = _current.set({})
    try:
        yield
    finally:
        _current.reset(token)


def active() -> dict[Hashable, Any] | None:
    """The current page view's memo, or None outside a GET or HEAD request."""
    return _current.get()


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
