from django.contrib.auth.middleware import LoginRequiredMiddleware as _DjangoLoginRequired
from django.http import JsonResponse
from django.utils.translation import gettext as _


class LoginRequiredMiddleware(_DjangoLoginRequired):
    """Nothing of kamp without logging in (views opt out with ``login_not_required``: the login
    page and the private customer links). The API answers 401 in JSON instead of redirecting."""

    def handle_no_permission(self, request, view_func):
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": _("Log in first.")}, status=401)
        return super().handle_no_permission(request, view_func)
