"""The programme's alert inbox: every area's alerts (``kamp.core.alerts.current``, stored by the
worker: one per cause per
account, ranked by severity × value at stake) minus the ones dismissed or snoozed, for the
customers a person may see."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date

from django.db.models import Q
from django.utils import timezone

from kamp.core.alerts import SEVERITY_WEIGHT, Alert, current
from kamp.core.params import int_param
from kamp.customers.access import (
    customers_visible_to,
    sees_every_customer,
    sees_every_customers_economics,
)
from kamp.customers.models import Customer

from . import alert_store
from .models import AlertDismissal


def customers_for(user):
    """The customers whose alerts concern ``user``: all for directors and admins; for the others
    the accounts they own or whose team they are on."""
    qs = customers_visible_to(user)
    if user.manages_programme:
        return qs
    return qs.filter(Q(owner=user) | Q(team_members__user=user)).distinct()


def _active(as_of: date):
    return AlertDismissal.objects.filter(restored_at__isnull=True).filter(
        Q(until__isnull=True) | Q(until__gte=as_of)
    )


def active_dismissals(as_of: date) -> dict[str, AlertDismissal]:
    found: dict[str, AlertDismissal] = {}
    for d in _active(as_of).select_related("dismissed_by"):
        found.setdefault(d.key, d)
    return found


def covers(kinds: frozenset[str], dismissal: AlertDismissal) -> bool:
    """Whether ``dismissal`` sets aside an alert with these kinds of sign. A dismissal covers
    the signs it was given for: a new kind of sign on the same cause (the KAM leaves an
    account whose missing sponsor was accepted) reopens the alert."""
    return kinds <= set(dismissal.kind.split(","))


def alerts_for(
    user, as_of: date, customers=None
) -> tuple[list[Alert], list[tuple[Alert, AlertDismissal]]]:
    """(open alerts, dismissed alerts with their dismissal) for ``user``."""
    qs = customers_for(user) if customers is None else customers
    # The programme-wide alerts (the cap) are the programme's: only who manages it reads them.
    every = current(qs, as_of, user=user, programme=user.manages_programme)
    if not user.manages_programme:
        # Programme-wide alerts about a KAM (no customer) reach that KAM only.
        every = [a for a in every if a.customer_id is not None or a.data.get("kam_id") == user.pk]
    dismissed = active_dismissals(as_of)
    open_, gone = [], []
    for a in every:
        d = dismissed.get(a.key)
        if d is not None and covers(a.kinds, d):
            gone.append((a, d))
        else:
            open_.append(a)
    return open_, gone


@dataclass(frozen=True)
class Summary:
    """What the dashboard shows of ``user``'s inbox."""

    top: list[Alert]  # the most urgent open alerts, ranked as in the inbox
    open_count: int
    by_severity: list[tuple[str, int]]  # open alerts per severity, the most severe first
    dismissed_count: int


def summary_for(user, as_of: date, top: int = 8) -> Summary:
    """The head of ``user``'s inbox (:func:`alerts_for`): its first ``top`` open alerts, how
    many are open, per severity, and how many are dismissed."""
    if (
        as_of == timezone.localdate()
        and user.manages_programme
        and sees_every_customer(user)
        and sees_every_customers_economics(user)
    ):
        # Who reads every account and its money: counted and picked among the stored alerts.
        h = alert_store.head(
            user, top, active_dismissals(as_of), _active(as_of).values("key"), covers
        )
        return Summary(
            h.top, sum(h.by_severity.values()), _ordered(h.by_severity), h.dismissed_count
        )
    open_, gone = alerts_for(user, as_of)
    return Summary(open_[:top], len(open_), _ordered(Counter(a.severity for a in open_)), len(gone))


def _ordered(counts: Counter[str]) -> list[tuple[str, int]]:
    """The counts per severity, the most severe first."""
    return sorted(
        ((s, n) for s, n in counts.items() if n), key=lambda kv: -SEVERITY_WEIGHT.get(kv[0], 0)
    )


def filter_alerts(
    alerts: list[Alert],
    area: str = "",
    severity: str = "",
    owner: str = "",
    customer: str = "",
    owners: dict[int, int | None] | None = None,
) -> list[Alert]:
    out = alerts
    if area:
        out = [a for a in out if a.area == area]
    if severity:
        out = [a for a in out if a.severity == severity]
    if (customer_id := int_param(customer)) is not None:
        out = [a for a in out if a.customer_id == customer_id]
    if (uid := int_param(owner)) is not None and owners is not None:
        out = [
            a
            for a in out
            if (a.customer_id and owners.get(a.customer_id) == uid) or a.data.get("kam_id") == uid
        ]
    return out


def owners_of(alerts: list[Alert]) -> dict[int, int | None]:
    ids = {a.customer_id for a in alerts if a.customer_id}
    return dict(Customer.objects.filter(pk__in=ids).values_list("pk", "owner_id")) if ids else {}
