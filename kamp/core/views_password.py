"""Every person changes their own password (the menu under their name) or, having forgotten it,
resets it through a link sent by e-mail. Django's views, in kamp's layout, audited."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.forms import PasswordResetForm
from django.http import HttpResponse, HttpResponseRedirect
from django.utils import translation
from django.utils.decorators import method_decorator

from kamp.core.actions import do_request_password_reset, do_set_password


class PasswordChangeView(auth_views.PasswordChangeView):
    def form_valid(self, form) -> HttpResponse:
        do_set_password(self.request.user, form, how="changed")  # type: ignore[arg-type]
        # The other sessions of this person end; this one stays logged in.
        update_session_auth_hash(self.request, form.user)
        return HttpResponseRedirect(self.get_success_url())


class ThrottledPasswordResetForm(PasswordResetForm):
    """Mails a person at most once per ``RESET_EMAIL_INTERVAL``; the page answers the same."""

    def get_users(self, email):
        return (user for user in super().get_users(email) if do_request_password_reset(user))

    def send_mail(self, subject_template_name, email_template_name, context, *args, **kwargs):
        # In the language the person chose in kamp; else the page's, where they asked.
        language = getattr(context.get("user"), "language", "") or translation.get_language()
        with translation.override(language):
            super().send_mail(subject_template_name, email_template_name, context, *args, **kwargs)


# The mark is read from ``dispatch``; set again so that no override can lose it.
@method_decorator(login_not_required, name="dispatch")
class PasswordResetView(auth_views.PasswordResetView):
    """The link in the e-mail points at KAMP_BASE_URL, not at whatever Host the request named."""

    form_class = ThrottledPasswordResetForm

    def form_valid(self, form) -> HttpResponse:
        base = urlsplit(settings.KAMP_BASE_URL)
        form.save(
            domain_override=base.netloc,
            use_https=base.scheme == "https",
            token_generator=self.token_generator,
            from_email=self.from_email,
            email_template_name=self.email_template_name,
            subject_template_name=self.subject_template_name,
            request=self.request,
            html_email_template_name=self.html_email_template_name,
            extra_email_context=self.extra_email_context,
        )
        return HttpResponseRedirect(self.get_success_url())


@method_decorator(login_not_required, name="dispatch")
class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    def form_valid(self, form) -> HttpResponse:
        do_set_password(None, form, how="reset")
        del self.request.session[auth_views.INTERNAL_RESET_SESSION_TOKEN]
        return HttpResponseRedirect(self.get_success_url())
