from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _economics_visible_ids(viewer, ids) -> set[int]:
    """Which of these customers' economics ``viewer`` may see (one query): for the audit trail,
    which hides the amounts of the others."""
    from .access import can_see_economics
    from .models import Customer

    return {c.pk for c in Customer.objects.filter(pk__in=ids) if can_see_economics(viewer, c)}


class CustomersConfig(AppConfig):
    name = "kamp.customers"
    label = "customers"
    verbose_name = _("Customers")

    def ready(self) -> None:
        from kamp.core.registry import provide, registry

        from . import signals  # noqa: F401
        from .models import Customer, DMURole

        # What core shows of customers without importing this app (kamp.core.registry).
        registry["list_labels"]["dmu_roles"] = dict(DMURole.choices)
        provide("customer_by_id", lambda pk: Customer.objects.filter(pk=pk).first())
        provide("economics_visible_ids", _economics_visible_ids)
