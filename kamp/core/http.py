"""Typing help for views: every kamp page requires a login (``LoginRequiredMiddleware``) and
runs behind django-htmx's middleware, so a view's request has a real ``User`` and ``htmx``.

    def my_view(request: AuthenticatedHttpRequest) -> HttpResponse: ...
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest

if TYPE_CHECKING:
    from django_htmx.middleware import HtmxDetails

    from kamp.core.models import User


class AuthenticatedHttpRequest(HttpRequest):
    user: User  # type: ignore[assignment]
    htmx: HtmxDetails


def id_urls(url_name: str):
    """``reverse(url_name, args=[pk])`` for many ids at the cost of one: the URL reversed once
    with a marker, each id put in its place. A large programme's dashboard links every key
    account several times (2,000 links for 500 accounts), and reverse() each was a fifth of
    its time. Only for URLs whose one argument is an integer id."""
    from django.urls import reverse

    from kamp.core.request_memo import memo

    marker = "2147483647"
    # Once per page view: the dashboard's checks ask for the same pattern hundreds of times.
    pattern = memo(("id_urls", url_name), lambda: reverse(url_name, args=[int(marker)]))
    return lambda pk: pattern.replace(marker, str(int(pk)))
