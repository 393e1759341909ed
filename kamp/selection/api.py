"""The selection API under /api/v1/selection/: the same engine and actions as the pages."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Schema
from ninja.errors import HttpError

from kamp.core.versioning import VersionConflict
from kamp.customers.access import (
    can_see_economics,
    customers_visible_to,
    get_customer_for_user,
)
from kamp.customers.identity import customer_ref, customer_refs

from . import actions, derived, engine, scoring
from .access import can_manage_selection, can_score
from .explain import reason_label, reason_sentence
from .models import Decision, SelectionModel

router = Router(tags=["selection"])


def _order(run: engine.Run) -> list[scoring.Result]:
    """Ranked customers first (by rank), then the other scored ones (best total first), then
    the incomplete ones (by name)."""
    ranked = sorted((r for r in run.results if r.rank is not None), key=lambda r: r.rank or 0)
    others = sorted((r for r in run.results if r.complete and r.rank is None), key=scoring.rank_key)
    incomplete = sorted(
        (r for r in run.results if not r.complete), key=lambda r: (r.name, str(r.id))
    )
    return ranked + others + incomplete


def result_dict(
    run: engine.Run, r: scoring.Result, labels: dict | None = None, ref: dict | None = None
) -> dict:
    info = run.customers[r.id]
    return {
        # the customer's identity (id, tax id, external id, name), as everywhere; "id" and
        # "name" beside it as before
        "customer": ref if ref is not None else customer_refs([r.id])[r.id],
        "id": r.id,
        "name": info.name,
        "status": info.status,
        "attractiveness": r.attractiveness,
        "position": r.position,
        "co_investment": r.co_investment,
        "quadrant": r.quadrant,
        "complete": r.complete,
        "missing": list(r.missing),
        "recommended": r.recommended,
        "rank": r.rank,
        "reason_code": r.reason,
        "reason_label": reason_label(r),
        "reason": reason_sentence(r, run.pure, labels),
    }


def results_payload(run: engine.Run, visible: set[int] | None = None) -> dict:
    """The shape ``kamp select --json`` prints and ``GET /results`` returns."""
    labels = {f.key: f.label for f in run.factors}
    results = [r for r in _order(run) if visible is None or r.id in visible]
    refs = customer_refs(r.id for r in results)
    return {
        "model": run.model.name,
        "cap": run.cap,
        "split": run.pure.split_value,
        "co_investment_min": run.pure.floor_value,
        "as_of": run.as_of.isoformat(),
        "results": [result_dict(run, r, labels, refs[r.id]) for r in results],
        "recommended": [refs[i] for i in run.recommended if visible is None or i in visible],
    }


class FactorOut(Schema):
    key: str
    label_en: str
    label_es: str
    dimension: str
    weight: float
    direction: str
    source: str
    metric: str


class ModelOut(Schema):
    id: int
    name: str
    is_active: bool
    scale_min: float
    scale_max: float
    split: float
    co_investment_min: float
    cap: int
    factors: list[FactorOut]


def _model_out(m: SelectionModel) -> dict:
    return {
        "id": m.pk,
        "name": m.name,
        "is_active": m.is_active,
        "scale_min": m.scale_min,
        "scale_max": m.scale_max,
        "split": m.split_value,
        "co_investment_min": m.floor_value,
        "cap": m.effective_cap(),
        "factors": list(m.factors.all()),
    }


@router.get("/models", response=list[ModelOut])
def list_models(request: HttpRequest):
    engine.ensure_default_model()
    return [_model_out(m) for m in SelectionModel.objects.prefetch_related("factors")]


@router.post("/models/{model_id}/activate", response=ModelOut)
def activate_model(request: HttpRequest, model_id: int):
    if not can_manage_selection(request.user):
        raise HttpError(403, "Only directors and administrators change the selection model.")
    model = get_object_or_404(SelectionModel, pk=model_id)
    return _model_out(actions.do_activate_model(request.user, model))


def _visible(request) -> set[int]:
    return set(customers_visible_to(request.user).values_list("id", flat=True))


def _run(model: str | None):
    try:
        return engine.run(engine.get_model(model), with_robustness=True)
    except SelectionModel.DoesNotExist:
        raise HttpError(404, "No such selection model.")


@router.get("/results")
def results(request: HttpRequest, model: str | None = None):
    """Every customer the caller may read, scored: scores, quadrant, recommendation and why."""
    return results_payload(_run(model), _visible(request))


@router.get("/robustness")
def robustness(request: HttpRequest, model: str | None = None):
    """Each weight moved ±20%: who enters or leaves the recommended set; who is robust."""
    run = _run(model)
    visible = _visible(request)

    rob = run.robustness
    refs = customer_refs(
        {*run.recommended, *rob.robust, *(i for v in rob.variations for i in (*v.entered, *v.left))}
    )

    def codes(ids):
        # each customer as everywhere: {"id", "tax_id", "external_id", "name"}
        return [refs[i] for i in ids if i in visible]

    return {
        "model": run.model.name,
        "recommended": codes(run.recommended),
        "robust": codes(rob.robust),
        "variations": [
            {
                "factor": v.factor,
                "change": v.change,
                "entered": codes(v.entered),
                "left": codes(v.left),
            }
            for v in rob.variations
        ],
    }


@router.get("/customers/{customer_id}")
def customer(request: HttpRequest, customer_id: int):
    c = get_customer_for_user(request.user, customer_id)
    run = engine.run(with_robustness=False)
    r = run.by_id[c.pk]
    inputs = run.inputs.get(c.pk, {})
    detail = engine.customer_detail(c.pk, run.factors)
    # Raw figures derived from money only for who may see the account's economics.
    money = can_see_economics(request.user, c)
    hidden = (
        set()
        if money
        else {f.key for f in run.factors if (f.metric or f.key) in derived.MONEY_METRICS}
    )
    return {
        **result_dict(run, r, {f.key: f.label for f in run.factors}, customer_ref(c)),
        "factors": [
            {
                "key": k,
                "score": v[0] if v else None,
                "spread": v[1] if v else None,
                "assessors": [
                    {"assessor": str(a.assessor), "score": a.score, "date": a.date.isoformat()}
                    for a in detail.get(k, [])
                ],
                "raw": v[3] if v and k not in hidden else None,
            }
            for k in [f.key for f in run.factors] + [scoring.CO_INVESTMENT]
            for v in [inputs.get(k)]
        ],
        "decisions": [
            {
                "kind": d.kind,
                "rationale": d.rationale,
                "decided_on": d.decided_on.isoformat(),
                "decided_by": str(d.decided_by) if d.decided_by else None,
                "from_status": d.from_status,
                "to_status": d.to_status,
            }
            for d in Decision.objects.filter(customer=c).select_related("decided_by")
        ],
    }


class ScoreIn(Schema):
    factor: str
    score: float | None = None
    date: dt.date | None = None
    # The version of the score the caller read (0: none yet); a newer one answers 409.
    version: int | None = None


@router.post("/customers/{customer_id}/scores")
def score(request: HttpRequest, customer_id: int, payload: ScoreIn):
    """Records the caller's score of a factor (``score`` null removes it)."""
    c = get_customer_for_user(request.user, customer_id)
    if not can_score(request.user, c):
        raise HttpError(403, "You may not score this customer.")
    try:
        a = actions.do_score(
            request.user,
            c,
            payload.factor,
            payload.score,
            model=engine.ensure_default_model(),
            on=payload.date,
            version=payload.version,
        )
    except ValidationError as exc:
        raise HttpError(422, " ".join(exc.messages))
    except VersionConflict as exc:
        now = exc.current
        raise HttpError(
            409,
            "Someone else changed this score since you read it: it is now "
            f"{'none' if now is None else f'{now.score:g} (version {now.version})'}.",
        )
    return {
        "factor": payload.factor,
        "score": a.score if a else None,
        "date": a.date.isoformat() if a else None,
        "version": a.version if a else 0,
    }


class DecisionIn(Schema):
    kind: str
    rationale: str
    decided_on: dt.date | None = None


@router.post("/customers/{customer_id}/decision")
def decision(request: HttpRequest, customer_id: int, payload: DecisionIn):
    """Make a key account (``make``) or revoke it (``revoke``), with a rationale."""
    c = get_customer_for_user(request.user, customer_id)
    if not can_manage_selection(request.user):
        raise HttpError(403, "Only directors and administrators decide key accounts.")
    try:
        outcome = actions.do_decide(
            request.user, c, payload.kind, payload.rationale, decided_on=payload.decided_on
        )
    except ValidationError as exc:
        raise HttpError(422, " ".join(exc.messages))
    except PermissionDenied:
        raise HttpError(403, "Forbidden")
    d = outcome.decision
    return {
        "kind": d.kind,
        "status": d.to_status,
        "decided_on": d.decided_on.isoformat(),
        "warnings": outcome.warnings,
    }


class SnapshotIn(Schema):
    label: str = ""


@router.post("/snapshots")
def snapshot(request: HttpRequest, payload: SnapshotIn):
    if not can_manage_selection(request.user):
        raise HttpError(403, "Only directors and administrators save snapshots.")
    s = actions.do_save_snapshot(request.user, payload.label)
    return {"id": s.pk, "taken_on": s.taken_on.isoformat(), "points": s.points.count()}


def _ledger_payload(c) -> dict:
    from . import ledger

    return {
        "customer": customer_ref(c),
        **ledger.as_json(ledger.compute(c.pk), ledger.stored(c.pk)),
    }


@router.get("/customers/{customer_id}/reciprocity")
def reciprocity(request: HttpRequest, customer_id: int):
    """The customer's reciprocity ledger: the score and every item of evidence with its weight,
    its age factor and its points; the override and its reason."""
    return _ledger_payload(get_customer_for_user(request.user, customer_id))


class EvidenceIn(Schema):
    kind: str
    happened_on: dt.date
    note: str
    strength: float = 1.0


@router.post("/customers/{customer_id}/reciprocity/evidence")
def reciprocity_evidence(request: HttpRequest, customer_id: int, payload: EvidenceIn):
    from .reciprocity_actions import add_evidence

    c = get_customer_for_user(request.user, customer_id)
    if not can_score(request.user, c):
        raise HttpError(403, "You may not record evidence for this customer.")
    try:
        e = add_evidence(
            request.user, c, payload.kind, payload.happened_on, payload.note, payload.strength
        )
    except ValidationError as exc:
        raise HttpError(422, " ".join(exc.messages))
    return {"id": e.pk, **_ledger_payload(c)}


@router.delete("/customers/{customer_id}/reciprocity/evidence/{evidence_id}")
def reciprocity_evidence_delete(request: HttpRequest, customer_id: int, evidence_id: int):
    from .models import ReciprocityEvidence
    from .reciprocity_actions import remove_evidence

    c = get_customer_for_user(request.user, customer_id)
    if not can_score(request.user, c):
        raise HttpError(403, "You may not remove evidence of this customer.")
    e = get_object_or_404(ReciprocityEvidence, pk=evidence_id, customer=c)
    remove_evidence(request.user, e)
    return _ledger_payload(c)


class OverrideIn(Schema):
    score: float | None = None
    reason: str = ""


@router.put("/customers/{customer_id}/reciprocity/override")
def reciprocity_override(request: HttpRequest, customer_id: int, payload: OverrideIn):
    """A typed score used instead of the computed one, with its reason; ``score`` null removes
    it."""
    from .reciprocity_actions import set_override

    c = get_customer_for_user(request.user, customer_id)
    if not can_manage_selection(request.user):
        raise HttpError(403, "Only directors and administrators override the reciprocity score.")
    try:
        set_override(request.user, c, payload.score, payload.reason)
    except ValidationError as exc:
        raise HttpError(422, " ".join(exc.messages))
    return _ledger_payload(c)


@router.get("/customers/{customer_id}/lookbacks")
def lookbacks(request: HttpRequest, customer_id: int, as_of: dt.date | None = None):
    """The 12- and 24-month look-backs of each decision that made the customer a key account,
    beside its matched non-key customers; money figures are null to who may not see them."""
    from . import lookbacks as lbs

    c = get_customer_for_user(request.user, customer_id)
    money = can_see_economics(request.user, c)
    return {
        "customer": customer_ref(c),
        "decisions": [lbs.as_json(lb, money) for lb in lbs.for_customer(c, as_of)],
    }
