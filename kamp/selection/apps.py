from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SelectionConfig(AppConfig):
    name = "kamp.selection"
    label = "selection"
    verbose_name = _("Selection")

    def ready(self) -> None:
        # Registers the ``assessments`` import kind with the engine even where
        # settings.KAMP_IMPORT_MODULES does not list kamp.selection.imports.
        from . import imports  # noqa: F401
