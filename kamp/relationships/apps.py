import contextlib

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RelationshipsConfig(AppConfig):
    name = "kamp.relationships"
    label = "relationships"
    verbose_name = _("Relationships")

    def ready(self) -> None:
        # Registers the `relationship` import kind with the core import engine now (the engine
        # would also find this module by name on first use). The engine is optional here.
        with contextlib.suppress(ImportError):
            from . import imports  # noqa: F401
