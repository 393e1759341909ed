"""The team area's alerts (kam-domain.md §8): a KAM with more key accounts than they can carry,
a key account whose KAM changed twice in two years, a profile that is only the salesperson hat,
a key account with no executive sponsor, a key account without a KAM. An account's signs roll up
into one alert (cause "team": who looks after it); a KAM's into one alert about that KAM.
Constant number of queries."""

from __future__ import annotations

from datetime import date

from django.db.models import Count
from django.urls import reverse
from django.utils.translation import gettext as _

from kamp.core.alerts import Alert
from kamp.core.models import User
from kamp.customers.models import Customer, CustomerStatus

from . import hats
from .models import AccountTeamMember, TeamRole
from .ownership import changes_by_customer
from .profiles import MAX_ACCOUNTS_PER_KAM, latest_assessments

CAUSE = "team"
KAM_CAUSE = "kam"


def _key_accounts(customers) -> list[tuple[int, str, int | None]]:
    return list(
        customers.filter(status=CustomerStatus.KEY_ACCOUNT).values_list("id", "name", "owner_id")
    )


def alerts(customers, as_of: date) -> list[Alert]:
    key = _key_accounts(customers)
    if not key:
        return []
    ids = [c[0] for c in key]
    found: list[Alert] = []
    sponsored = set(
        AccountTeamMember.objects.filter(customer_id__in=ids, role=TeamRole.SPONSOR).values_list(
            "customer_id", flat=True
        )
    )
    changes = changes_by_customer(ids)
    title = _("Who looks after the account")
    owner_ids = {c[2] for c in key if c[2]}
    owners = {
        u.pk: u
        for u in User.objects.filter(pk__in=owner_ids).only(
            "id", "name", "email", "role", "is_active"
        )
    }
    for cid, name, owner in key:
        kam = owners.get(owner) if owner else None
        if kam is None or not kam.is_active:
            found.append(
                Alert(
                    area="team",
                    kind="no_kam",
                    severity="danger",
                    customer_id=cid,
                    customer_name=name,
                    message=_(
                        "No KAM: nobody owns this key account, so nobody answers for its plan, "
                        "its people or its results."
                    )
                    if kam is None
                    else _(
                        "No KAM: %(kam)s owns this key account but can no longer sign in; "
                        "hand it over to an active KAM."
                    )
                    % {"kam": kam},
                    url=reverse("team:customer", args=[cid]),
                    cause=CAUSE,
                    cause_title=title,
                )
            )
        if cid not in sponsored:
            found.append(
                Alert(
                    area="team",
                    kind="no_sponsor",
                    severity="warning",
                    customer_id=cid,
                    customer_name=name,
                    message=_(
                        "No executive sponsor: nobody from top management is assigned to this key account."
                    ),
                    url=reverse("team:customer", args=[cid]),
                    cause=CAUSE,
                    cause_title=title,
                )
            )
        handovers = [ch.on for ch in changes.get(cid, []) if ch.is_handover]
        if hats.turnover_flag(handovers, as_of):
            n = sum(1 for d in handovers if (as_of - d).days <= 730)
            found.append(
                Alert(
                    area="team",
                    kind="kam_turnover",
                    severity="danger",
                    customer_id=cid,
                    customer_name=name,
                    message=_(
                        "The KAM changed %(n)s times in the last two years: the relationship restarts with each change."
                    )
                    % {"n": n},
                    url=reverse("team:customer", args=[cid]),
                    data={"changes": n},
                    cause=CAUSE,
                    cause_title=title,
                )
            )
    return found + _kam_alerts(key, owners)


def programme_alerts(customers, as_of: date) -> list[Alert]:
    """The alerts about a KAM (no customer): what the stored alerts recompute after a change."""
    key = _key_accounts(customers)
    owner_ids = {c[2] for c in key if c[2]}
    owners = {
        u.pk: u
        for u in User.objects.filter(pk__in=owner_ids).only(
            "id", "name", "email", "role", "is_active"
        )
    }
    return _kam_alerts(key, owners)


def _kam_alerts(key: list[tuple[int, str, int | None]], owners: dict[int, User]) -> list[Alert]:
    found: list[Alert] = []
    owner_ids = {c[2] for c in key if c[2]}
    loads = dict(
        Customer.objects.filter(owner_id__in=owner_ids, status=CustomerStatus.KEY_ACCOUNT)
        .values("owner_id")
        .annotate(n=Count("id"))
        .values_list("owner_id", "n")
    )
    latest = latest_assessments(owner_ids)
    kam_title = _("What a KAM can carry")
    for uid in sorted(owner_ids):
        kam = owners.get(uid)
        if kam is None:
            continue
        theirs = [c[0] for c in key if c[2] == uid]
        if loads.get(uid, 0) > MAX_ACCOUNTS_PER_KAM:
            found.append(
                Alert(
                    area="team",
                    kind="kam_overloaded",
                    severity="warning",
                    subject=f"kam-{uid}",
                    message=_(
                        "%(kam)s owns %(n)s key accounts; one KAM can carry about %(max)s well."
                    )
                    % {"kam": kam, "n": loads[uid], "max": MAX_ACCOUNTS_PER_KAM},
                    url=reverse("team:kam", args=[uid]),
                    data={"kam_id": uid, "accounts": loads[uid], "customer_ids": theirs},
                    cause=KAM_CAUSE,
                    cause_title=kam_title,
                )
            )
        a = latest.get(uid, {})
        chosen = a.get("director") or a.get("self")
        if chosen and hats.is_salesperson_only(chosen.levels):
            found.append(
                Alert(
                    area="team",
                    kind="salesperson_only",
                    severity="warning",
                    subject=f"kam-{uid}",
                    message=_(
                        "%(kam)s's profile is only the salesperson hat: key accounts also need a conductor, a strategist and an innovator."
                    )
                    % {"kam": kam},
                    url=reverse("team:kam", args=[uid]),
                    data={"kam_id": uid, "customer_ids": theirs},
                    cause=KAM_CAUSE,
                    cause_title=kam_title,
                )
            )
    return found
