"""Builds KAM profiles in bulk: latest hat assessments, portfolio, tenure, fit against needs.

A constant number of queries for any number of KAMs and accounts (the director's dashboard and
the KAM list use it)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from typing import TYPE_CHECKING, NamedTuple

from django.conf import settings
from django.db.models import Count
from django.db.models.functions import TruncDate
from django.utils import timezone

from kamp.customers.models import Customer, CustomerStatus

from . import hats
from .models import HAT_FIELDS, HatAssessment
from .ownership import Change, changes_by_customer, owner_since

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

    from kamp.core.models import User

MAX_ACCOUNTS_PER_KAM = getattr(settings, "KAMP_MAX_ACCOUNTS_PER_KAM", 4)


class KeyAccount(NamedTuple):
    """A key account as a profile lists it: what its pages and the API show of the customer.
    Plain values, not a model instance: a large programme's dashboard lists 500 of them on
    every view."""

    pk: int
    name: str
    tax_id: str
    external_id: str

    def __str__(self) -> str:
        return self.name


@dataclass
class AccountFit:
    customer: KeyAccount
    quadrant: str | None
    stage: str | None
    needs: dict[str, int]
    since: date | None
    tenure_days: int | None
    changes: list[Change]
    handovers_2y: int
    turnover_flag: bool
    # Display labels, filled in by the KAM profile view.
    quadrant_label: StrOrPromise | None = None
    stage_label: StrOrPromise | None = None


@dataclass
class Profile:
    """A KAM's hats, accounts and fit. Read once built: the figures derived from the accounts
    are computed on first use and kept (the dashboard reads each several times per KAM)."""

    kam: User
    self_assessment: HatAssessment | None = None
    director_assessment: HatAssessment | None = None
    accounts: list[AccountFit] = field(default_factory=list)
    other_accounts: int = 0

    @cached_property
    def levels(self) -> dict[str, int] | None:
        return hats.blend(
            self.self_assessment.levels if self.self_assessment else None,
            self.director_assessment.levels if self.director_assessment else None,
        )

    @property
    def key_accounts(self) -> int:
        return len(self.accounts)

    @property
    def overloaded(self) -> bool:
        return self.key_accounts > MAX_ACCOUNTS_PER_KAM

    @cached_property
    def needs(self) -> dict[str, int] | None:
        return hats.combined_need(a.needs for a in self.accounts)

    @cached_property
    def gap(self) -> dict[str, int]:
        return hats.fit_gap(self.levels, self.needs)

    @cached_property
    def gap_total(self) -> int:
        return hats.gap_total(self.gap)

    @property
    def salesperson_only(self) -> bool:
        return hats.is_salesperson_only(self.levels)

    @property
    def perception_gaps(self) -> list[str]:
        return hats.perception_gaps(
            self.self_assessment.levels if self.self_assessment else None,
            self.director_assessment.levels if self.director_assessment else None,
        )

    @cached_property
    def turnover_accounts(self) -> list[AccountFit]:
        return [a for a in self.accounts if a.turnover_flag]

    @property
    def unassessed(self) -> bool:
        return self.levels is None


def latest_assessments(kam_ids) -> dict[int, dict[str, HatAssessment]]:
    latest: dict[int, dict[str, HatAssessment]] = defaultdict(dict)
    # Ordered newest first: the first seen per (kam, source) is the latest.
    for a in HatAssessment.objects.filter(kam_id__in=list(kam_ids)).select_related("assessor"):
        latest[a.kam_id].setdefault(a.source, a)
    return latest


def build_profiles(kams, as_of: date | None = None) -> list[Profile]:
    """One profile per KAM in ``kams`` (a list of users)."""
    from kamp.programme import sources

    as_of = as_of or timezone.localdate()
    kams = list(kams)
    ids = [k.pk for k in kams]
    latest = latest_assessments(ids)
    # The key accounts one by one; the others only counted (a KAM may own thousands). The day
    # each was created is the day in the site's zone, as ``timezone.localdate`` gives it (the
    # database turns the moment into the day: no datetimes to read).
    key = list(
        Customer.objects.filter(owner_id__in=ids, status=CustomerStatus.KEY_ACCOUNT)
        .order_by()
        .values_list(
            "id",
            "name",
            "tax_id",
            "external_id",
            "owner_id",
            TruncDate("created_at", tzinfo=timezone.get_current_timezone()),
        )
    )
    others = dict(
        Customer.objects.filter(owner_id__in=ids)
        .exclude(status=CustomerStatus.KEY_ACCOUNT)
        .order_by()
        .values("owner_id")
        .annotate(n=Count("id"))
        .values_list("owner_id", "n")
    )
    key_ids = [c[0] for c in key]
    quadrants = sources.quadrants(key_ids) or {}
    stages = sources.stages(key_ids) or {}
    changes = changes_by_customer(key_ids)
    names = {k.pk: str(k) for k in kams}
    # A need depends only on (quadrant, stage): computed once per pair, not once per account.
    needs_for: dict[tuple[str | None, str | None], dict[str, int]] = {}
    profiles = {
        k.pk: Profile(
            kam=k,
            self_assessment=latest[k.pk].get("self"),
            director_assessment=latest[k.pk].get("director"),
        )
        for k in kams
    }
    for owner_id, n in others.items():
        profiles[owner_id].other_accounts += n
    for pk, name, tax_id, external_id, owner_id, created_on in sorted(
        key, key=lambda c: (c[1], c[0])
    ):
        chs = changes.get(pk, [])
        since = owner_since(chs, names[owner_id], created_on)
        handover_dates = [ch.on for ch in chs if ch.is_handover]
        quadrant, stage = quadrants.get(pk), stages.get(pk)
        if (quadrant, stage) not in needs_for:
            needs_for[quadrant, stage] = hats.required_profile(quadrant, stage)
        profiles[owner_id].accounts.append(
            AccountFit(
                customer=KeyAccount(pk, name, tax_id, external_id),
                quadrant=quadrant,
                stage=stage,
                needs=needs_for[quadrant, stage],
                since=since,
                tenure_days=hats.tenure_days(since, as_of),
                changes=chs,
                handovers_2y=sum(1 for d in handover_dates if (as_of - d).days <= 730),
                turnover_flag=hats.turnover_flag(handover_dates, as_of),
            )
        )
    return [profiles[k.pk] for k in kams]


def levels_dict(assessment: HatAssessment | None) -> dict[str, int] | None:
    return {h: getattr(assessment, h) for h in HAT_FIELDS} if assessment else None
