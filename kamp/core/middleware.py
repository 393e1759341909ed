import time

from django.conf import settings
from django.contrib.auth.middleware import LoginRequiredMiddleware as _DjangoLoginRequired
from django.http import JsonResponse
from django.utils import translation
from django.utils.translation import gettext as _


class LoginRequiredMiddleware(_DjangoLoginRequired):
    """Nothing of kamp without logging in (views opt out with ``login_not_required``: the login
    page and the private customer links). The API answers 401 in JSON instead of redirecting."""

    def process_view(self, request, view_func, view_args, view_kwargs):
        # An API request that brings its own credentials (a personal API token): the API's
        # authentication decides, and answers 401 itself when they are no good.
        if request.path.startswith("/api/") and request.META.get("HTTP_AUTHORIZATION"):
            return None
        return super().process_view(request, view_func, view_args, view_kwargs)

    def handle_no_permission(self, request, view_func):
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": _("Log in first.")}, status=401)
        return super().handle_no_permission(request, view_func)


class SessionRenewalMiddleware:
    """Keep a session alive while it is used: its expiry (``KAMP_SESSION_IDLE_MINUTES`` after the
    last request) moves forward at most once a minute, not on every request. Saving it on every
    request made each page view a write transaction — the one write of a read-only page, and a
    commit to flush for the database under a team's load — to move an expiry ten hours away by
    a few seconds. The idle limit holds to within that minute."""

    KEY = "_kamp_renewed"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is None or session.session_key is None or session.is_empty():
            return response  # no session (the login page), or one just flushed (logout)
        now = int(time.time())
        if now - int(session.get(self.KEY, 0)) >= settings.KAMP_SESSION_RENEW_SECONDS:
            session[self.KEY] = now  # modified: saved with a new expiry, the cookie re-sent
        return response


class UserLanguageMiddleware:
    """A logged-in person's saved language (``User.language``, set by the language switcher)
    wins over the browser's preference, on every device they log in from; the cookie follows."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        language = getattr(user, "language", "") if getattr(user, "is_authenticated", False) else ""
        if language and language != getattr(request, "LANGUAGE_CODE", None):
            translation.activate(language)
            request.LANGUAGE_CODE = language
        response = self.get_response(request)
        cookie = settings.LANGUAGE_COOKIE_NAME
        if language and request.COOKIES.get(cookie) != language and cookie not in response.cookies:
            response.set_cookie(
                cookie,
                language,
                max_age=settings.LANGUAGE_COOKIE_AGE,
                path=settings.LANGUAGE_COOKIE_PATH,
                samesite=settings.LANGUAGE_COOKIE_SAMESITE,
                secure=settings.LANGUAGE_COOKIE_SECURE,
                httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
            )
        return response


class MalformedInputMiddleware:
    """Bad input answers 400 with a message, never 500, on both databases.

    - A NUL character in the path, a query or form value, or anywhere in a JSON body: PostgreSQL
      cannot store or even compare such text (psycopg raises on it), so no view can use it.
    - A number too large for the database (SQLite raises ``OverflowError`` on an id past 2**63)
      or a date pushed out of range, and ``BadRequest`` raised by a view (``year_param``): the
      message goes back to the person, in JSON under /api/.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if _has_nul(request):
            return _bad_request(request, _("The request contains a NUL character (\\0)."))
        return self.get_response(request)

    def process_exception(self, request, exception):
        from django.core.exceptions import BadRequest

        if isinstance(exception, OverflowError):
            return _bad_request(request, _("A number or date is out of range."))
        if isinstance(exception, BadRequest):
            return _bad_request(request, str(exception) or _("Bad request."))
        return None


def _bad_request(request, message: str):
    from django.http import HttpResponseBadRequest

    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message}, status=400)
    return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")


def _contains_nul(value) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_contains_nul(k) or _contains_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_contains_nul(v) for v in value)
    return False


def _has_nul(request) -> bool:
    if "\x00" in request.path or "\x00" in request.META.get("QUERY_STRING", ""):
        return True
    if any(_contains_nul(k) or _contains_nul(v) for k, vs in request.GET.lists() for v in [*vs]):
        return True
    content_type = request.content_type or ""
    if request.method in ("POST", "PUT", "PATCH", "DELETE"):
        if content_type == "application/json" or content_type.endswith("+json"):
            import json

            try:
                body = request.body
            except Exception:  # noqa: BLE001 - too large or unreadable: the view answers it
                return False
            if b"\x00" in body:
                return True
            if b"\\u0000" not in body:
                return False
            try:
                return _contains_nul(json.loads(body))
            except ValueError:
                return False  # not JSON: the view says so
        if content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
            try:
                return any(
                    _contains_nul(k) or _contains_nul(v)
                    for k, vs in request.POST.lists()
                    for v in vs
                )
            except Exception:  # noqa: BLE001 - a malformed body: Django's own handling answers
                return False
    return False
