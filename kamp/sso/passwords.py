"""The password pages when password login is off (KAMP_PASSWORD_LOGIN=off, single sign-on for
everyone but the break-glass administrators): a password set through them would be one more
way in for a person who must sign in with the provider — and the day password login comes back
on, a forgotten reset link would be a working password. So, while it is off:

- the reset form e-mails a link only to a break-glass administrator (anyone else gets the same
  "sent" page, so the form tells no one who is one);
- a reset link, even one mailed before the switch, sets no password but a break-glass
  administrator's;
- the password change under one's name is refused to everyone else;

each refusal a page that says to sign in with single sign-on. With password login on, kamp's
own views (kamp.core.views_password) answer unchanged."""

from __future__ import annotations

import logging

from django.contrib.auth.decorators import login_not_required
from django.shortcuts import render
from django.utils.decorators import method_decorator

from kamp.core import views_password
from kamp.sso import conf

log = logging.getLogger(__name__)


def _password_off(request, status: int = 403):
    response = render(request, "sso/password_off.html", {"sso_on": conf.enabled()}, status=status)
    # Django logs every 4xx with its path, and a reset link's path holds its token (still good
    # the day password login is back on): refused without that line.
    response._has_been_logged = True  # type: ignore[attr-defined]
    log.info("password page refused: password login is off")
    return response


class BreakGlassResetForm(views_password.ThrottledPasswordResetForm):
    def get_users(self, email):
        return (u for u in super().get_users(email) if conf.may_use_password(u.email))


class PasswordChangeView(views_password.PasswordChangeView):
    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not conf.may_use_password(request.user.email):
            return _password_off(request)
        return super().dispatch(request, *args, **kwargs)


@method_decorator(login_not_required, name="dispatch")
class PasswordResetView(views_password.PasswordResetView):
    def get_form_class(self):
        return (
            views_password.ThrottledPasswordResetForm
            if conf.password_login_on()
            else (BreakGlassResetForm)
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["password_off"] = not conf.password_login_on()
        return context

    def get_template_names(self):
        if conf.password_login_on():
            return super().get_template_names()
        return ["sso/password_reset_form.html"]


@method_decorator(login_not_required, name="dispatch")
class PasswordResetConfirmView(views_password.PasswordResetConfirmView):
    def dispatch(self, *args, **kwargs):
        user = self.get_user(kwargs["uidb64"])
        if user is not None and not conf.may_use_password(user.email):
            return _password_off(self.request)
        return super().dispatch(*args, **kwargs)
