"""Alerts: what needs attention, raised by each business area and gathered in one inbox.

Each app that raises alerts has ``alerts.py`` with a function
``alerts(customers: QuerySet[Customer], as_of: date) -> list[Alert]`` that computes them for the
given (already access-filtered) customers with a constant number of queries. The programme
dashboard collects them all (``collect``); the customer page shows those of one customer.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from importlib import import_module
from typing import Any

from django.conf import settings

logger = logging.getLogger(__name__)


def optional_hook(module_name: str, name: str) -> Callable[..., Any] | None:
    """``module_name.name`` if that area provides it, else ``None``. A module that does not
    exist (yet) is normal; an existing module that fails to import is an error and raises."""
    try:
        module = import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name and (module_name == exc.name or module_name.startswith(exc.name + ".")):
            return None
        raise
    hook = getattr(module, name, None)
    return hook if callable(hook) else None


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


def collect(customers, as_of: date | None = None, user=None) -> list[Alert]:
    """Every area's alerts for ``customers``, most severe first. An area whose module is missing
    is skipped; one that fails is logged and skipped, so one broken area never takes a page
    down with it (with KAMP_DEBUG on, the error is raised instead).

    With ``user``, an area that defines ``visible_to(user, alerts)`` keeps only what that person
    may see (economics alerts speak of money, which a team member must not read)."""
    as_of = as_of or date.today()
    found: list[Alert] = []
    for module_name in settings.KAMP_ALERT_MODULES:
        provider = optional_hook(module_name, "alerts")
        if provider is None:
            continue
        try:
            raised = list(provider(customers, as_of))
            visible_to = optional_hook(module_name, "visible_to") if user is not None else None
            if visible_to is not None:
                raised = visible_to(user, raised)
            found.extend(raised)
        except Exception:
            if settings.DEBUG:
                raise
            logger.exception("alerts of %s failed", module_name)
    order = {"danger": 0, "warning": 1, "info": 2}
    return sorted(found, key=lambda a: (order.get(a.severity, 3), a.customer_name, a.kind))
