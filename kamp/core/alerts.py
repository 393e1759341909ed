"""Alerts: what needs attention, raised by each business area and gathered in one inbox.

Each app that raises alerts has ``alerts.py`` (found by name, ``kamp.core.registry.discover``)
with a function ``alerts(customers: QuerySet[Customer], as_of: date) -> list[Alert]`` that
computes them for the given (already access-filtered) customers with a constant number of
queries. It may also define ``visible_to(user, alerts)`` (keep what that person may read; an
alert about a customer is held back only from who may not see that customer or its money, so
that a reader who sees every account and its money reads the stored alerts about customers
whole — the dashboard counts them in the database, ``kamp.programme.alert_store.head``),
``value_at_stake(customer_ids, as_of) -> {id: Decimal}`` (what an account is worth, to rank by)
and ``programme_alerts(customers, as_of)``: only its alerts without a customer (the cap, a
KAM's load, a webhook turned off), which ``alerts`` returns too. An area that raises any alert
without a customer must provide it: the stored alerts recompute those over the whole programme
after a change to one account, with this hook alone (a test holds every area to it).

An alert says why a director should act: its **cause** (one per account: the area's signs of
one problem roll up into one alert that lists them), a **severity** and the **value at stake**
(the account's last 12 months of sales in the base currency). Lists are ranked by severity ×
value at stake. Alerts about the programme as a whole (the cap on key accounts) carry no
customer and appear once, on the programme, never on an account.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from importlib import import_module
from types import ModuleType
from typing import Any

from django.conf import settings
from django.utils.translation import ngettext

from . import registry

logger = logging.getLogger(__name__)

#: How much more a severity weighs than the next one down when ranking (× value at stake).
SEVERITY_WEIGHT = {"danger": 3, "warning": 2, "info": 1}

#: Accounts the checks run for: key accounts and candidates. A former key account, or a
#: customer nobody selected, raises nothing (a DMU gap there is nobody's job).
SCOPED_STATUSES = ("key_account", "candidate")


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
    kind: str  # stable machine key of the sign, e.g. "single_threaded"
    severity: str  # "danger" | "warning" | "info"
    message: str  # one translated sentence that says why
    customer_id: int | None = None
    customer_name: str = ""
    url: str = ""  # where to look (the inputs one click away)
    # Distinguishes two alerts of the same cause without a customer (which KAM).
    subject: str = ""
    data: dict = field(default_factory=dict, compare=False, hash=False)
    # The problem a director acts on (stable key, e.g. "coverage"); an area's signs of one
    # cause on one account become one alert. Empty: the kind is the cause.
    cause: str = ""
    cause_title: str = ""  # the cause in the reader's language ("Who we know there")
    # The account's last 12 months of sales (base currency); for a programme alert, those of
    # the accounts it concerns. ``None``: unknown.
    value_at_stake: Decimal | None = field(default=None, compare=False)
    # The value may be shown to the reader (money rule); ranking uses it only then.
    value_visible: bool = field(default=False, compare=False)
    # The messages of every sign rolled up into this alert, most severe first, and their kinds.
    signs: tuple[str, ...] = field(default=(), compare=False)
    sign_kinds: tuple[str, ...] = field(default=(), compare=False)

    @property
    def cause_key(self) -> str:
        return self.cause or self.kind

    @property
    def key(self) -> str:
        """Stable identity (the cause, not its signs), used to remember a dismissal."""
        return f"{self.area}:{self.cause_key}:{self.customer_id or '-'}:{self.subject}"

    @property
    def programme_wide(self) -> bool:
        """About the whole programme (no account, no KAM): shown once, on the programme."""
        return self.customer_id is None and self.data.get("kam_id") is None

    @property
    def weight(self) -> int:
        return SEVERITY_WEIGHT.get(self.severity, 0)

    @property
    def score(self) -> Decimal:
        """Severity × value at stake (the value only when the reader may see it)."""
        value = self.value_at_stake if self.value_visible and self.value_at_stake else Decimal(0)
        return self.weight * value

    @property
    def kinds(self) -> frozenset[str]:
        """The kinds of sign behind this alert (a dismissal covers these, not one added later)."""
        return frozenset(self.sign_kinds or (self.kind,))

    @property
    def more_signs(self) -> tuple[str, ...]:
        return self.signs[1:]


def alert_modules() -> list[ModuleType]:
    """Every app's ``alerts`` module, in INSTALLED_APPS order (tests replace this)."""
    return registry.discover("alerts")


def roll_up(found: Iterable[Alert]) -> list[Alert]:
    """One alert per cause per account (per KAM for alerts about a KAM): the most severe sign
    speaks, the others are listed under it and counted in its message."""
    groups: dict[tuple, list[Alert]] = {}
    for a in found:
        groups.setdefault((a.area, a.cause_key, a.customer_id, a.subject), []).append(a)
    out = []
    for signs in groups.values():
        signs.sort(key=lambda a: -a.weight)
        top = signs[0]
        messages = tuple(str(s.message) for s in signs)
        message = str(top.message)
        if len(signs) > 1:
            more = len(signs) - 1
            message += " " + ngettext("(and %(n)d more sign)", "(and %(n)d more signs)", more) % {
                "n": more
            }
        data = {}
        for s in reversed(signs):
            data.update(s.data)
        values = [s.value_at_stake for s in signs if s.value_at_stake is not None]
        out.append(
            replace(
                top,
                message=message,
                signs=messages,
                sign_kinds=tuple(sorted({s.kind for s in signs})),
                data=data,
                value_at_stake=max(values) if values else None,
            )
        )
    return out


def rank(found: Iterable[Alert]) -> list[Alert]:
    """Severity × value at stake, highest first; then severity, then the account's name."""
    return sorted(
        found, key=lambda a: (-a.score, -a.weight, a.customer_name, a.cause_key, a.subject)
    )


def _values(modules: list[ModuleType], found: list[Alert], as_of: date) -> dict[int, Decimal]:
    ids: set[int] = set()
    for a in found:
        if a.customer_id:
            ids.add(a.customer_id)
        ids.update(a.data.get("customer_ids", ()))
    values: dict[int, Decimal] = {}
    if not ids:
        return values
    for module in modules:
        provider = getattr(module, "value_at_stake", None)
        if not callable(provider):
            continue
        try:
            values.update(provider(sorted(ids), as_of))
        except Exception:
            if settings.DEBUG:
                raise
            logger.exception("value at stake of %s failed", module.__name__)
    return values


def collect(
    customers, as_of: date | None = None, user=None, programme: bool = False
) -> list[Alert]:
    """Every area's alerts for ``customers`` (key accounts and candidates among them), one per
    cause per account, ranked by severity × value at stake. An area that fails is logged and
    skipped, so one broken area never takes a page down with it (with KAMP_DEBUG on, the error
    is raised instead).

    Alerts about the whole programme are kept only with ``programme`` (the programme's inbox
    and dashboard): an account's page or a member's home never repeats them. With ``user``, an
    area that defines ``visible_to(user, alerts)`` keeps only what that person may see
    (economics alerts speak of money), and the value at stake is shown only to whoever may see
    the money of every account it sums."""
    found, _failed = compute(customers, as_of, user=user, programme=programme)
    return rank(priced_for(user, found))


def compute(
    customers,
    as_of: date | None = None,
    user=None,
    programme: bool = True,
    modules: list[ModuleType] | None = None,
    programme_only: bool = False,
    accounts_only: bool = False,
) -> tuple[list[Alert], set[str]]:
    """The alerts of ``modules`` (every area's by default) for the key accounts and candidates
    among ``customers``, rolled up and with their value at stake (not yet judged visible:
    :func:`priced_for`), and the names of the areas that failed (``kamp.programme.alert_store``
    keeps what those had stored rather than wiping it). With ``programme_only``, only the
    alerts without a customer (an area's ``programme_alerts`` when it has one); with
    ``accounts_only``, only the alerts about an account (an area's ``alerts`` may add the
    programme's own, e.g. the cap: dropped before their value at stake — the sum over every
    key account — is computed for nothing)."""
    as_of = as_of or date.today()
    customers = customers.filter(status__in=SCOPED_STATUSES)
    every = alert_modules()
    modules = every if modules is None else modules
    found: list[Alert] = []
    failed: set[str] = set()
    for module in modules:
        provider = getattr(module, "alerts", None)
        if not callable(provider):
            continue
        if programme_only:
            provider = getattr(module, "programme_alerts", None)
            if not callable(provider):
                continue  # the area raises no alert without a customer
        try:
            raised = list(provider(customers, as_of))
            if programme_only:
                raised = [a for a in raised if a.customer_id is None]
            visible_to = getattr(module, "visible_to", None) if user is not None else None
            if callable(visible_to):
                raised = visible_to(user, raised)
            found.extend(raised)
        except Exception:
            if settings.DEBUG:
                raise
            logger.exception("alerts of %s failed", module.__name__)
            failed.add(area_of(module))
    if not programme:
        found = [a for a in found if not a.programme_wide]
    if accounts_only:
        found = [a for a in found if a.customer_id is not None]
    found = roll_up(found)
    values = _values(every, found, as_of)
    priced = []
    for a in found:
        ids = alert_customer_ids(a)
        known = [values[i] for i in ids if i in values]
        value = sum(known, Decimal(0)) if known else a.value_at_stake
        priced.append(replace(a, value_at_stake=value))
    return priced, failed


def area_of(module: ModuleType) -> str:
    """The area an ``alerts`` module speaks for: its ``AREA``, else its app's label
    (``kamp.team.alerts`` → team)."""
    named = getattr(module, "AREA", None)
    if isinstance(named, str) and named:
        return named
    parts = module.__name__.split(".")
    return parts[-2] if len(parts) > 1 else parts[0]


def alert_customer_ids(a: Alert) -> list[int]:
    """The accounts whose money an alert's value at stake sums."""
    return [a.customer_id] if a.customer_id else list(a.data.get("customer_ids", ()))


def priced_for(user, found: list[Alert]) -> list[Alert]:
    """``found`` with ``value_visible`` set for ``user``: the value at stake is shown (and
    ranks) only when the reader may see the money of every account it sums."""
    ids = {i for a in found for i in alert_customer_ids(a)}
    allowed = _money_visible(user, dict.fromkeys(ids, Decimal(0)))
    out = []
    for a in found:
        ids_a = alert_customer_ids(a)
        visible = a.value_at_stake is not None and bool(ids_a) and all(i in allowed for i in ids_a)
        out.append(replace(a, value_visible=visible) if visible != a.value_visible else a)
    return out


def current(
    customers, as_of: date | None = None, user=None, programme: bool = False
) -> list[Alert]:
    """What :func:`collect` says, read from the alerts the worker stored when the area that
    stores them is installed (``alerts_stored`` hook, ``kamp.programme.alert_store``), else
    computed now. The pages call this."""
    stored = registry.hook("alerts_stored")
    if stored is not None:
        return stored(customers, as_of=as_of, user=user, programme=programme)
    return collect(customers, as_of, user=user, programme=programme)


def _money_visible(user, values: dict[int, Decimal]) -> set[int]:
    if user is None or not values:
        return set()
    visible = registry.hook("economics_visible_ids")
    if visible is None:
        return set()
    return set(visible(user, list(values)))
