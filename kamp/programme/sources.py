"""What the programme reads from the other business areas, behind one small adapter per figure.

Each function takes customer ids (and a date) and returns ``{customer_id: value}`` — or ``None``
when the area that owns the data is not installed or has no such function yet, so that a tile or
a check can say "not available" instead of failing. Every function runs a constant number of
queries whatever the number of customers.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import date, timedelta
from importlib import import_module

from kamp.customers.models import Contact

log = logging.getLogger(__name__)

CORE_DMU_ROLES = ("user", "influencer", "buyer", "decider", "gatekeeper")


def _get(dotted: str):
    module_name, _, attr = dotted.rpartition(".")
    try:
        return getattr(import_module(module_name), attr)
    except (ImportError, AttributeError):
        return None


def _model(label: str):
    from django.apps import apps

    try:
        return apps.get_model(label)
    except (LookupError, ValueError):
        return None


def dmu_coverage(ids) -> dict[int, dict]:
    """Share of the five core DMU roles held by at least one active contact (foundation data)."""
    roles: dict[int, set] = defaultdict(set)
    counts: dict[int, int] = defaultdict(int)
    for cid, dmu in Contact.objects.filter(customer_id__in=list(ids), active=True).values_list(
        "customer_id", "dmu_roles"
    ):
        counts[cid] += 1
        roles[cid].update(r for r in (dmu or []) if r in CORE_DMU_ROLES)
    return {
        cid: {"covered": len(roles[cid]), "of": len(CORE_DMU_ROLES), "contacts": counts[cid],
              "share": len(roles[cid]) / len(CORE_DMU_ROLES)}
        for cid in ids
    }


def quadrants(ids) -> dict[int, str] | None:
    return None


def stages(ids) -> dict[int, str] | None:
    return None


def relationship_types(ids) -> dict[int, str] | None:
    return None


def interaction_forms(ids, as_of: date) -> dict[int, dict] | None:
    return None


def sponsor_meetings(ids, sponsors: dict[int, list[int]], as_of: date, days: int = 92) -> dict[int, int] | None:
    return None


def functions_engaged(ids, as_of: date, days: int = 365) -> dict[int, list[str]] | None:
    return None


def profit_after_kam(ids, as_of: date) -> dict[int, list[tuple[str, float]]] | None:
    return None


def sales_by_year(ids, as_of: date) -> dict[int, dict[int, float]] | None:
    return None


def rqi_series(ids) -> dict[int, list[tuple[date, float]]] | None:
    return None


def perception_gaps(ids) -> dict[int, bool] | None:
    return None


def share_of_wallet(ids, as_of: date) -> dict[int, list[tuple[object, float]]] | None:
    return None


def survey_constructs(ids) -> dict[int, list[dict]] | None:
    return None


def initiatives(ids) -> dict[int, list[dict]] | None:
    return None


def plan_completeness(ids, as_of: date) -> dict[int, dict] | None:
    return None


def overdue_actions(ids, as_of: date, owner=None) -> list[dict] | None:
    return None


def stale_plans(ids, as_of: date) -> list[dict] | None:
    return None


def matrix_points(ids) -> list[dict] | None:
    return None


def key_account_since(ids) -> dict[int, date] | None:
    return None


def _days_ago(as_of: date, days: int) -> date:
    return as_of - timedelta(days=days)


def whale_curve(ids, as_of: date) -> list[dict] | None:
    """[{"id", "name", "profit", "cumulative"}] ranked by profit, highest first (economics)."""
    return None
