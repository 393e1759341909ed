from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "kamp.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from . import sqlite_decimals

        sqlite_decimals.install()
