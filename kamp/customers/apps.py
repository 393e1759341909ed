from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _economics_visible_ids(viewer, ids) -> set[int]:
    """Which of these customers' economics ``viewer`` may see (one query, ids only): for the
    audit trail and the alerts' values at stake, which hide the amounts of the others."""
    from .access import customers_with_economics_for, sees_every_customers_economics
    from .models import Customer

    ids = list(ids)
    if not ids:
        return set()
    if sees_every_customers_economics(viewer):
        return set(ids)  # a director's inbox: thousands of ids, nothing to look up
    qs = customers_with_economics_for(viewer, Customer.objects.filter(pk__in=ids))
    return set(qs.values_list("pk", flat=True))


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
