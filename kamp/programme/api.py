"""The programme under /api/v1/programme/: health checks, benefits, alerts, readiness, KAMs."""

from __future__ import annotations

from datetime import date

from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Router, Schema
from ninja.errors import HttpError

from kamp.customers.access import customers_visible_to
from kamp.customers.identity import customer_ref, customer_refs
from kamp.team.access import can_manage_programme, get_kam_for_user
from kamp.team.profiles import build_profiles

from . import actions, inbox, service
from .models import ReadinessAssessment

router = Router(tags=["programme"])


def _director(request):
    if not can_manage_programme(request.user):
        raise HttpError(403, "Not allowed.")


@router.get("/health")
def health(request, as_of: date | None = None):
    """The four challenge checks, as ``kamp programme --json`` prints them."""
    _director(request)
    as_of = as_of or timezone.localdate()
    return health_payload(as_of, customers_visible_to(request.user))


#: The checks' figures that list customers (the others list KAMs, or count).
CUSTOMER_FIGURES = ("turnover_accounts", "rqi_falling", "perception_gaps")


def health_payload(as_of: date, qs=None) -> dict:
    """The checks as JSON, each account behind them with its identity (``customer``: id, tax
    id, external id, name) beside the ``id`` and ``name`` it always had; a figure that lists
    customers lists them by the same identity."""
    checks = [c.as_json() for c in service.programme_checks(as_of, qs)]
    refs = customer_refs(
        [a["id"] for c in checks for a in c["accounts"]]
        + [pk for c in checks for key in CUSTOMER_FIGURES for pk in c["figures"].get(key, [])]
    )
    for c in checks:
        c["accounts"] = [{"customer": refs[a["id"]], **a} for a in c["accounts"]]
        c["figures"] = {  # a copy: the check's own figures keep their ids
            key: [refs[pk] for pk in value] if key in CUSTOMER_FIGURES else value
            for key, value in c["figures"].items()
        }
    return {"as_of": as_of.isoformat(), "checks": checks}


@router.get("/benefits")
def benefits(request):
    user = request.user
    if user.manages_programme:
        qs = customers_visible_to(user)
    elif user.is_kam:
        qs = customers_visible_to(user).filter(owner=user)
    else:
        raise HttpError(403, "Not allowed.")
    report = service.benefits_report(qs)
    refs = customer_refs(a["id"] for a in report["accounts"])
    return {
        "programme": report["programme"],
        "accounts": [
            {
                "customer": refs[a["id"]],
                "id": a["id"],
                "name": a["name"],
                "key_since": a["since"].isoformat() if a["since"] else None,
                "benefits": {k: (m.as_dict() if m else None) for k, m in a["benefits"].items()},
                "before_after": _before_after(a["before_after"]),
            }
            for a in report["accounts"]
        ],
        "controls": report["controls"],
    }


def _before_after(ba: dict | None) -> dict | None:
    """The before/after comparison of one key account (None: no date it became key)."""
    if ba is None:
        return None
    return {
        "months": ba["months"],
        "before_from": ba["before_from"].isoformat() if ba["before_from"] else None,
        "after_to": ba["after_to"].isoformat() if ba["after_to"] else None,
        "measures": {k: c.as_dict() for k, c in ba["measures"].items()},
    }


@router.get("/alerts")
def alerts(request, area: str = "", severity: str = ""):
    _director(request)
    open_alerts, dismissed = inbox.alerts_for(request.user, timezone.localdate())
    shown = inbox.filter_alerts(open_alerts, area=area, severity=severity)
    refs = customer_refs(a.customer_id for a in shown if a.customer_id)
    return {
        "open": [
            {
                "key": a.key,
                "area": a.area,
                "kind": a.kind,
                "severity": a.severity,
                "cause": a.cause_key,
                "cause_title": str(a.cause_title),
                "message": str(a.message),
                "signs": list(a.signs),
                # Ranked by severity × this; null to whoever may not see the money.
                "value_at_stake": str(a.value_at_stake)
                if a.value_visible and a.value_at_stake is not None
                else None,
                # the identity as everywhere (null for an alert about no one customer); the
                # name it used to give is customer_name
                "customer": refs.get(a.customer_id) if a.customer_id else None,
                "customer_id": a.customer_id,
                "customer_name": a.customer_name,
                "url": a.url,
            }
            for a in shown
        ],
        "dismissed": [
            {
                "key": a.key,
                "reason": d.reason,
                "by": str(d.dismissed_by or ""),
                "at": d.dismissed_at.isoformat(),
            }
            for a, d in dismissed
        ],
    }


class DismissIn(Schema):
    key: str
    reason: str
    until: date | None = None


@router.post("/alerts/dismiss")
def dismiss(request, payload: DismissIn):
    _director(request)
    if not payload.reason.strip():
        raise HttpError(422, "A reason is required.")
    if payload.until is not None and payload.until <= timezone.localdate():
        raise HttpError(422, "A snooze ends on a day after today.")
    open_alerts, _d = inbox.alerts_for(request.user, timezone.localdate())
    match = next((a for a in open_alerts if a.key == payload.key), None)
    if match is None:
        raise HttpError(404, "No such open alert.")
    d = actions.do_dismiss_alert(request.user, match, payload.reason.strip(), until=payload.until)
    return {"id": d.pk, "key": d.key}


@router.get("/readiness")
def readiness(request):
    _director(request)
    return [
        {
            "id": t.pk,
            "taken_on": t.taken_on.isoformat(),
            "overall": t.overall,
            "level": t.level,
            "scores": t.scores,
            "next_steps": t.steps,
        }
        for t in ReadinessAssessment.objects.all()[:50]
    ]


@router.get("/readiness/{pk}")
def readiness_take(request, pk: int):
    _director(request)
    t = get_object_or_404(ReadinessAssessment, pk=pk)
    return {
        "id": t.pk,
        "taken_on": t.taken_on.isoformat(),
        "overall": t.overall,
        "level": t.level,
        "scores": t.scores,
        "answers": t.answers,
        "next_steps": t.steps,
    }


def _profile_json(p) -> dict:
    return {
        "id": p.kam.pk,
        "name": str(p.kam),
        "key_accounts": p.key_accounts,
        "overloaded": p.overloaded,
        "levels": p.levels,
        "needs": p.needs,
        "gap": p.gap,
        "salesperson_only": p.salesperson_only,
        "self": p.self_assessment.levels if p.self_assessment else None,
        "director": p.director_assessment.levels if p.director_assessment else None,
        "accounts": [
            {
                "customer": customer_ref(a.customer),
                "id": a.customer.pk,
                "name": a.customer.name,
                "quadrant": a.quadrant,
                "stage": a.stage,
                "needs": a.needs,
                "tenure_days": a.tenure_days,
                "kam_changes_2y": a.handovers_2y,
                "turnover_flag": a.turnover_flag,
            }
            for a in p.accounts
        ],
    }


@router.get("/kams")
def kams(request):
    """KAM profiles: every KAM for directors and admins, one's own for a KAM."""
    from kamp.team.access import kams_visible_to

    if not (request.user.manages_programme or request.user.is_kam):
        raise HttpError(403, "Not allowed.")
    return [
        _profile_json(p) for p in build_profiles(kams_visible_to(request.user).order_by("name"))
    ]


@router.get("/kams/{pk}")
def kam(request, pk: int):
    return _profile_json(build_profiles([get_kam_for_user(request.user, pk)])[0])
