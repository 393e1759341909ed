from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SelectionConfig(AppConfig):
    name = "kamp.selection"
    label = "selection"
    verbose_name = _("Selection")

    def ready(self) -> None:
        # Registers the ``assessments`` import kind with the engine at start-up (the engine
        # would also find this module by name on first use).
        from . import imports  # noqa: F401
