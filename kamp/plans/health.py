"""Gathers the facts the pure completeness module needs, for one plan or many in bulk (a
constant number of queries, whatever the number of plans)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from django.db.models import Count, F, Max, Q
from django.db.models.functions import Length
from django.utils import timezone

from . import completeness as pure
from .models import OPEN_STATUSES, AccountPlan, Objective, PlanAction, Review

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


@dataclass(frozen=True)
class PlanHealth:
    plan_id: int
    customer_id: int
    period: str
    last_updated: date
    days_since_update: int
    freshness: str  # fresh | aging | stale
    completeness: pure.Completeness
    overdue_actions: int
    open_actions: int
    execution: pure.Execution
    objectives_off_track: int = 0

    @property
    def stale(self) -> bool:
        return self.freshness == "stale"

    @property
    def percent(self) -> int:
        return self.completeness.percent

    @property
    def freshness_label(self) -> str:
        from .labels import FRESHNESS_LABELS

        return str(FRESHNESS_LABELS[self.freshness])

    @property
    def up_to_date(self) -> bool:
        return self.execution.up_to_date

    @property
    def execution_label(self) -> str:
        from .labels import EXECUTION_LABELS

        return str(EXECUTION_LABELS[self.execution.status])

    @property
    def execution_problems(self) -> list[str]:
        """What keeps the plan from being up to date, in words (every surface shows these)."""
        from .labels import execution_problems

        return execution_problems(self.execution)

    @property
    def missing(self) -> list[tuple[str, StrOrPromise, StrOrPromise]]:
        from .labels import missing_explained

        return missing_explained(self.completeness)


def _annotated(qs, today: date):
    return qs.annotate(
        business_len=Length("business_and_goals"),
        strategy_len=Length("strategy"),
        n_objectives=Count("objectives", distinct=True),
        n_objectives_target=Count(
            "objectives", filter=Q(objectives__target__isnull=False), distinct=True
        ),
        n_whitespace=Count("whitespace", distinct=True),
        n_initiatives=Count("initiatives", distinct=True),
        n_risks=Count("risks", distinct=True),
        n_risks_mitigated=Count("risks", filter=~Q(risks__mitigation=""), distinct=True),
        # pure.objective_off_track, counted in the same query: target date passed, measured
        # value short of the target (tests/plans/test_health.py holds the two together).
        n_objectives_off_track=Count(
            "objectives",
            filter=Q(
                objectives__due__lt=today,
                objectives__target__isnull=False,
                objectives__current__isnull=False,
                objectives__current__lt=F("objectives__target"),
                # A bound objective's stored value is not its value: read live below.
                objectives__metric="",
            ),
            distinct=True,
        ),
        # Bound objectives that could be off track: their live value is read only for these.
        n_bound_due=Count(
            "objectives",
            filter=Q(objectives__due__lt=today, objectives__target__isnull=False)
            & ~Q(objectives__metric=""),
            distinct=True,
        ),
    )


def health_for(
    plans: Iterable[AccountPlan] | None = None,
    plan_ids: Iterable[int] | None = None,
    today: date | None = None,
    live: bool = True,
) -> dict[int, PlanHealth]:
    """Health of each plan by id: a constant number of queries for any number of plans. An
    objective bound to a figure (``Objective.metric``) is off track by its live value, the one
    the plan shows (``kamp.plans.live``); ``live=False`` leaves those out (the figures module
    asks for completeness only, which does not look at values)."""
    today = today or timezone.localdate()
    ids = list(plan_ids) if plan_ids is not None else [p.pk for p in plans or []]
    if not ids:
        return {}
    rows = _annotated(AccountPlan.objects.filter(pk__in=ids), today).values(
        "pk",
        "customer_id",
        "period",
        "last_updated_at",
        "business_len",
        "strategy_len",
        "n_objectives",
        "n_objectives_target",
        "n_whitespace",
        "n_initiatives",
        "n_risks",
        "n_risks_mitigated",
        "n_objectives_off_track",
        "n_bound_due",
    )
    actions = {
        r["plan_id"]: r
        for r in PlanAction.objects.filter(plan_id__in=ids)
        .values("plan_id")
        .annotate(
            open=Count("id", filter=Q(status__in=OPEN_STATUSES)),
            ready=Count(
                "id", filter=Q(status__in=OPEN_STATUSES, owner__isnull=False, due__isnull=False)
            ),
            overdue=Count("id", filter=Q(status__in=OPEN_STATUSES, due__lt=today)),
        )
    }
    reviews = dict(
        Review.objects.filter(plan_id__in=ids)
        .values("plan_id")
        .annotate(last=Max("date"))
        .values_list("plan_id", "last")
    )
    rows = list(rows)
    bound_plans = [r["pk"] for r in rows if r["n_bound_due"]]
    off_live = _live_off_track(bound_plans, today) if live and bound_plans else {}
    result = {}
    for r in rows:
        a: Mapping[str, Any] = actions.get(r["pk"], {})
        facts = pure.PlanFacts(
            business_text_len=r["business_len"] or 0,
            strategy_text_len=r["strategy_len"] or 0,
            objectives=r["n_objectives"],
            objectives_with_target=r["n_objectives_target"],
            open_actions=a.get("open", 0),
            open_actions_with_owner_and_due=a.get("ready", 0),
            whitespace_cells=r["n_whitespace"],
            initiatives=r["n_initiatives"],
            risks=r["n_risks"],
            risks_with_mitigation=r["n_risks_mitigated"],
            last_review=reviews.get(r["pk"]),
        )
        last = timezone.localdate(r["last_updated_at"])
        off_track = r["n_objectives_off_track"] + off_live.get(r["pk"], 0)
        result[r["pk"]] = PlanHealth(
            plan_id=r["pk"],
            customer_id=r["customer_id"],
            period=r["period"],
            last_updated=last,
            days_since_update=pure.days_since(last, today),
            freshness=pure.freshness(last, today),
            completeness=pure.completeness(facts, today),
            overdue_actions=a.get("overdue", 0),
            open_actions=a.get("open", 0),
            execution=pure.execution(a.get("overdue", 0), off_track, last, today),
            objectives_off_track=off_track,
        )
    return result


def _live_off_track(plan_ids: list[int], today: date) -> dict[int, int]:
    """``{plan id: bound objectives off track}``: past their date, with a target, and a live
    value short of it (the same test as ``pure.objective_off_track``); an unknown value (no
    estimate, no counted round) is not judged, as an empty typed value is not."""
    bound = list(
        Objective.objects.filter(plan_id__in=plan_ids, due__lt=today, target__isnull=False)
        .exclude(metric="")
        .values("id", "plan_id", "metric", "target", "due", customer_id=F("plan__customer_id"))
    )
    if not bound:
        return {}
    from .live import live_values

    values = live_values(bound, today)
    out: dict[int, int] = {}
    for o in bound:
        value = values.get(o["id"])
        if pure.objective_off_track(o["target"], value, o["due"], today):
            out[o["plan_id"]] = out.get(o["plan_id"], 0) + 1
    return out


def current_plans(customer_ids: Iterable[int]) -> dict[int, int]:
    """Each customer's current plan id: this year's if it exists, else its latest period."""
    this_year = str(timezone.localdate().year)
    best: dict[int, tuple[bool, str, int]] = {}
    for pk, cid, period in AccountPlan.objects.filter(
        customer_id__in=list(customer_ids)
    ).values_list("pk", "customer_id", "period"):
        # Prefer this year's plan (any part of it), then the latest period.
        key = (period[:4] == this_year, period, pk)
        if cid not in best or key > best[cid]:
            best[cid] = key
    return {cid: key[2] for cid, key in best.items()}
