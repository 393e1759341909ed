from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EconomicsConfig(AppConfig):
    name = "kamp.economics"
    label = "economics"
    verbose_name = _("Economics")

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from kamp.core.models import AuditEvent

        from . import sales_months  # noqa: F401  (connects the signals that keep it in step)
        from .tasks import after_change

        # Every change writes an audit event: the worker then refreshes the stored portfolios.
        post_save.connect(after_change, sender=AuditEvent, dispatch_uid="economics-prepare")
