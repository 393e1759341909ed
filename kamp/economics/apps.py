from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EconomicsConfig(AppConfig):
    name = "kamp.economics"
    label = "economics"
    verbose_name = _("Economics")

    def ready(self) -> None:
        from . import sales_months  # noqa: F401  (connects the signals that keep it in step)
