"""System checks (``kamp check``, and at every start): single sign-on settings that cannot work
are said before anyone tries to log in."""

from __future__ import annotations

from django.core.checks import Error, Warning, register

from kamp.sso import conf


@register()
def sso_settings(app_configs=None, **kwargs):
    messages: list = [
        Error(problem, hint="See docs/connections.md, Single sign-on.", id="kamp.sso.E001")
        for problem in conf.configuration_errors()
    ]
    off = not conf.password_login_on()
    if off and not conf.break_glass_users():
        messages.append(
            Warning(
                "KAMP_PASSWORD_LOGIN=off and no KAMP_BREAK_GLASS_USERS: nobody can log in "
                "while the single sign-on provider is down.",
                hint="Name one or two administrators in KAMP_BREAK_GLASS_USERS.",
                id="kamp.sso.W001",
            )
        )
    return messages
