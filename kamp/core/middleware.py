from django.conf import settings
from django.contrib.auth.middleware import LoginRequiredMiddleware as _DjangoLoginRequired
from django.http import JsonResponse
from django.utils import translation
from django.utils.translation import gettext as _


class LoginRequiredMiddleware(_DjangoLoginRequired):
    """Nothing of kamp without logging in (views opt out with ``login_not_required``: the login
    page and the private customer links). The API answers 401 in JSON instead of redirecting."""

    def handle_no_permission(self, request, view_func):
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": _("Log in first.")}, status=401)
        return super().handle_no_permission(request, view_func)


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
