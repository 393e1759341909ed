from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SelectionConfig(AppConfig):
    name = "kamp.selection"
    label = "selection"
    verbose_name = _("Selection")

    def ready(self) -> None:
        # Registers the ``assessments`` import kind with the engine at start-up (the engine
        # would also find this module by name on first use).
        from django.db.models.signals import post_save

        from kamp.core import deletions
        from kamp.core.models import AuditEvent
        from kamp.customers.models import Customer

        from . import imports  # noqa: F401
        from .models import Assessment
        from .tasks import after_change, mark_reciprocity_stale

        # The scoring run's fingerprint sees rows deleted by these counts (engine._fingerprint).
        deletions.track(Customer, Assessment)
        # Every change writes an audit event: the worker then prepares the next scoring run.
        post_save.connect(after_change, sender=AuditEvent, dispatch_uid="selection-prepare")
        post_save.connect(
            mark_reciprocity_stale, sender=AuditEvent, dispatch_uid="selection-reciprocity-stale"
        )
