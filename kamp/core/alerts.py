"""Alerts: what needs attention, raised by each business area and gathered in one inbox.

Each app that raises alerts has ``alerts.py`` with a function
``alerts(customers: QuerySet[Customer], as_of: date) -> list[Alert]`` that computes them for the
given (already access-filtered) customers with a constant number of queries. The programme
dashboard collects them all (``collect``); the customer page shows those of one customer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from importlib import import_module

from django.conf import settings


@dataclass(frozen=True)
class Alert:
    area: str  # the app that raised it: "selection", "interactions", "economics"…
    kind: str  # stable machine key, e.g. "single_threaded", "unprofitable_key_account"
    severity: str  # "danger" | "warning" | "info"
    message: str  # one translated sentence that says why
    customer_id: int | None = None
    customer_name: str = ""
    url: str = ""  # where to look (the inputs one click away)
    # Distinguishes two alerts of the same kind on one customer (e.g. which contact left).
    subject: str = ""
    data: dict = field(default_factory=dict, compare=False, hash=False)

    @property
    def key(self) -> str:
        """Stable identity, used to remember a dismissal."""
        return f"{self.area}:{self.kind}:{self.customer_id or '-'}:{self.subject}"


def collect(customers, as_of: date | None = None) -> list[Alert]:
    as_of = as_of or date.today()
    found: list[Alert] = []
    for module_name in settings.KAMP_ALERT_MODULES:
        try:
            module = import_module(module_name)
        except ImportError:
            continue
        provider = getattr(module, "alerts", None)
        if provider is not None:
            found.extend(provider(customers, as_of))
    order = {"danger": 0, "warning": 1, "info": 2}
    return sorted(found, key=lambda a: (order.get(a.severity, 3), a.customer_name, a.kind))
