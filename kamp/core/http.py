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
