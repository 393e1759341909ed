"""The provider's sign-in (start and callback), the refusal page, and a logout that also ends
the provider's session when it offers one (``end_session_endpoint``).

Whatever the provider or a hostile link sends to the callback — an error, a token for another
client, expired or badly signed, another attempt's state or nonce — the person gets a page
saying why, in their language, never an error 500; no token, code or secret is logged."""

from __future__ import annotations

import logging
import re
from urllib.parse import urlencode

import requests
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import SuspiciousOperation
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext_lazy as _
from mozilla_django_oidc.views import (
    OIDCAuthenticationCallbackView,
    OIDCAuthenticationRequestView,
)

from kamp.sso import conf
from kamp.sso.actions import record_sso_login
from kamp.sso.backends import oidc_setting
from kamp.sso.claims import Refused

log = logging.getLogger(__name__)

# reason → (HTTP status, what the person reads)
REASONS: dict[str, tuple[int, object]] = {
    "unknown": (
        403,
        _(
            "There is no kamp account for this e-mail address. Ask a kamp administrator to "
            "create one for you."
        ),
    ),
    "unverified": (
        403,
        _(
            "Your sign-in provider has not verified your e-mail address, so kamp cannot tell "
            "who you are. Verify it with your provider and try again."
        ),
    ),
    "no_email": (
        403,
        _("Your sign-in provider did not send an e-mail address. Ask your administrator."),
    ),
    "no_role": (
        403,
        _("Your sign-in provider gives you no role in kamp. Ask your administrator for access."),
    ),
    "inactive": (403, _("Your kamp account is deactivated. Ask a kamp administrator.")),
    "ambiguous": (
        403,
        _("More than one kamp account has this e-mail address. Ask a kamp administrator."),
    ),
    "audience": (403, _("The sign-in answer was meant for another application.")),
    "expired": (403, _("The sign-in answer has expired. Please sign in again.")),
    "signature": (403, _("The signature of the sign-in answer is not valid.")),
    "issuer": (403, _("The sign-in answer does not come from the configured provider.")),
    "nonce": (403, _("The sign-in answer does not belong to this sign-in attempt.")),
    "token": (403, _("The sign-in answer could not be verified.")),
    "state": (
        400,
        _("This sign-in attempt has expired or was not started here. Please sign in again."),
    ),
    "provider_error": (403, _("The sign-in provider did not sign you in.")),
    "provider_refused": (403, _("The sign-in provider refused to complete the sign-in.")),
    "unavailable": (
        503,
        _("The sign-in provider cannot be reached right now. Please try again later."),
    ),
}
_ERROR_CODE = re.compile(r"^[a-z_]{1,64}$")


def refused(request: HttpRequest, reason: str, provider_error: str = "") -> HttpResponse:
    status, message = REASONS.get(reason, REASONS["token"])
    log.warning("single sign-on refused: %s", reason)
    return render(
        request,
        "sso/refused.html",
        {
            "reason": reason,
            "message": message,
            "provider_error": provider_error if _ERROR_CODE.match(provider_error) else "",
        },
        status=status,
    )


def _not_configured() -> HttpResponse | None:
    """Without a provider both pages send to the login page (a stale bookmark lands there)."""
    return None if conf.enabled() else HttpResponseRedirect(reverse("login"))


@method_decorator(login_not_required, name="dispatch")
class StartView(OIDCAuthenticationRequestView):
    """``/sso/start/``: off to the provider with a fresh state, nonce and PKCE challenge."""

    get_settings = staticmethod(oidc_setting)

    def __init__(self, **kwargs) -> None:
        # The library reads the provider here; kamp reads it per request (see get).
        super(OIDCAuthenticationRequestView, self).__init__(**kwargs)

    def get(self, request):
        if off := _not_configured():
            return off
        try:
            provider = conf.provider()
        except conf.ProviderUnavailable:
            return refused(request, "unavailable")
        self.OIDC_OP_AUTH_ENDPOINT = provider.authorization_endpoint
        self.OIDC_RP_CLIENT_ID = provider.client_id
        return super().get(request)


@method_decorator(login_not_required, name="dispatch")
class CallbackView(OIDCAuthenticationCallbackView):
    """``/sso/callback/``: the provider sends the person back here with a code (or an
    error); the code is exchanged (with the PKCE verifier), the ID token checked, the person
    found, and logged in."""

    get_settings = staticmethod(oidc_setting)

    def get(self, request):
        if off := _not_configured():
            return off
        try:
            return super().get(request)
        except Refused as exc:
            return refused(request, exc.reason)
        except conf.ProviderUnavailable:
            return refused(request, "unavailable")
        except requests.HTTPError as exc:
            status = exc.response.status_code if exc.response is not None else "?"
            log.warning("single sign-on: the provider answered %s", status)
            return refused(request, "provider_refused")
        except requests.RequestException as exc:
            log.warning("single sign-on: the provider cannot be reached (%s)", type(exc).__name__)
            return refused(request, "unavailable")
        except SuspiciousOperation:
            return refused(request, "state")
        except (ValueError, KeyError, TypeError) as exc:
            # A token answer that is not JSON, or JSON of another shape.
            log.warning("single sign-on: unreadable answer (%s)", type(exc).__name__)
            return refused(request, "token")

    def login_failure(self):
        error = self.request.GET.get("error", "")
        if error:
            return refused(self.request, "provider_error", error)
        return refused(self.request, "state")

    def login_success(self):
        response = super().login_success()
        record_sso_login(self.user, conf.provider().issuer)
        return response


class LogoutView(auth_views.LogoutView):
    """kamp's logout; after a single sign-on login it also ends the provider's session (a
    page that sends the browser on to the provider's ``end_session_endpoint``)."""

    def post(self, request, *args, **kwargs):
        id_token = request.session.get("oidc_id_token")
        response = super().post(request, *args, **kwargs)
        if not id_token or not conf.enabled():
            return response
        try:
            provider = conf.provider()
        except conf.ProviderUnavailable:
            return response
        if not provider.end_session_endpoint:
            return response
        query = urlencode(
            {
                "id_token_hint": id_token,
                "client_id": provider.client_id,
                "post_logout_redirect_uri": request.build_absolute_uri(reverse("login")),
            }
        )
        separator = "&" if "?" in provider.end_session_endpoint else "?"
        # A page that goes on to the provider, not a redirect: the logout is a form, and the
        # pages' Content-Security-Policy (form-action 'self') stops a form's redirect to
        # another site.
        return render(
            request,
            "sso/logged_out.html",
            {"end_session_url": f"{provider.end_session_endpoint}{separator}{query}"},
        )
