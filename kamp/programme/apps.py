from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _dashboard(request):
    # Imported when called: the views need every app's models, which ready() may precede.
    from .views import dashboard

    return dashboard(request)


class ProgrammeConfig(AppConfig):
    name = "kamp.programme"
    label = "programme"
    verbose_name = _("Programme")

    def ready(self) -> None:
        from kamp.core.registry import provide

        # A director's home is the programme's dashboard (kamp.customers.home asks for it).
        provide("programme_dashboard", _dashboard)
        # Pages read the alerts the worker stored (kamp.core.alerts.current), kept in step by
        # every write that can change one.
        from . import alert_store

        provide("alerts_stored", alert_store.stored_alerts)
        alert_store.connect()
