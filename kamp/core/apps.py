from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "kamp.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from django.db.models import ForeignKey, IntegerField

        from . import sqlite_decimals
        from .lookups import AnyOf

        sqlite_decimals.install()
        # ``field__any=ids`` (kamp.core.lookups): ids as one array on PostgreSQL.
        IntegerField.register_lookup(AnyOf)
        ForeignKey.register_lookup(AnyOf)
        # django-prometheus makes its request metrics on the first request, without a lock: two
        # threads each building a request handler at once (threaded servers, test clients)
        # would both register them, and one request would fail with DuplicateTimeseries. Made
        # here, once, before any request.
        from django_prometheus.middleware import Metrics

        Metrics.get_instance()
