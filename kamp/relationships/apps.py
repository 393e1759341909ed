import contextlib

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RelationshipsConfig(AppConfig):
    name = "kamp.relationships"
    label = "relationships"
    verbose_name = _("Relationships")

    def ready(self) -> None:
        # Registers the `relationship` import kind with the core import engine (the engine
        # also loads settings.KAMP_IMPORT_MODULES; registering here needs no settings change).
        # The import engine is optional for this area.
        with contextlib.suppress(ImportError):
            from . import imports  # noqa: F401
