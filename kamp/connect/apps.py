from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConnectConfig(AppConfig):
    name = "kamp.connect"
    label = "connect"
    verbose_name = _("Connections")

    def ready(self) -> None:
        from . import signals

        signals.connect()
