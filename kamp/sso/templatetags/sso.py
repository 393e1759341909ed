"""``{% sso_login as sso %}`` on the login page: whether the single sign-on button shows and
whether the password form is open to everyone."""

from django import template

from kamp.sso import conf

register = template.Library()


@register.simple_tag
def sso_login() -> dict[str, bool]:
    return {"enabled": conf.enabled(), "password_on": conf.password_login_on()}


@register.filter
def may_set_password(user) -> bool:
    """Whether the menu offers "Change password": not while password login is off, but to
    the break-glass administrators."""
    return conf.may_use_password(getattr(user, "email", ""))
