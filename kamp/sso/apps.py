from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SSOConfig(AppConfig):
    name = "kamp.sso"
    label = "sso"
    verbose_name = _("Single sign-on")

    def ready(self) -> None:
        from . import checks  # noqa: F401  (registers the system check)
