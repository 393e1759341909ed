"""Login lockout (django-axes): whom a failed attempt counts against.

A lockout is keyed on the person *and* the address the attempt came from (settings:
``AXES_LOCKOUT_PARAMETERS``), so a stranger typing wrong passwords locks out only their own
address, not the real user. The address is the client's, read from the trusted proxy's
``X-Forwarded-For`` when ``KAMP_BEHIND_PROXY`` is on (django-ipware, configured in settings).
See docs/security.md.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest


def normalise_username(value: object) -> str:
    """The identity an attempt counts against: the e-mail as kamp stores it (accounts are
    created lower-case), so ``Ana@…`` and ``ANA@…`` share one count of attempts."""
    return str(value or "").strip().lower()


def axes_username(request: HttpRequest, credentials: dict[str, Any] | None = None) -> str:
    """``AXES_USERNAME_CALLABLE``: the posted e-mail, normalised."""
    from django.conf import settings

    field = settings.AXES_USERNAME_FORM_FIELD
    if credentials:
        return normalise_username(credentials.get(field))
    data = getattr(request, "data", None) or request.POST
    return normalise_username(data.get(field))
