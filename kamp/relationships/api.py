"""Relationships under /api/v1/relationships/: types, assessments, rounds and results, stages,
the portfolio. Same access rules and actions as the pages."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpRequest
from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError

from kamp.customers.access import get_customer_for_user
from kamp.customers.identity import CustomerRef, customer_ref

from . import access, actions, results
from .models import Stage

router = Router(tags=["relationships"])


class AssessmentOut(Schema):
    id: int
    customer: CustomerRef
    customer_id: int
    date: dt.date
    ro: float
    ro_source: str
    ds: float
    db: float
    relative_power: float
    type: str
    systems_linked: bool
    functional_pairs: int | None
    ds_sales_share: int | None
    ds_replaceability: int | None
    ds_switching: int | None
    db_category_share: int | None
    db_alternatives: int | None
    db_switching: int | None
    db_supply_risk: int | None
    note: str


class AssessmentIn(Schema):
    date: dt.date | None = None
    ro: float | None = Field(None, ge=1, le=7)
    ro_source: str = "assessed"
    ds: float | None = Field(None, ge=1, le=7)
    db: float | None = Field(None, ge=1, le=7)
    ds_sales_share: int | None = Field(None, ge=1, le=7)
    ds_replaceability: int | None = Field(None, ge=1, le=7)
    ds_switching: int | None = Field(None, ge=1, le=7)
    db_category_share: int | None = Field(None, ge=1, le=7)
    db_alternatives: int | None = Field(None, ge=1, le=7)
    db_switching: int | None = Field(None, ge=1, le=7)
    db_supply_risk: int | None = Field(None, ge=1, le=7)
    systems_linked: bool = False
    functional_pairs: int | None = Field(None, ge=0, le=50)
    note: str = Field("", max_length=4000)


class RoundOut(Schema):
    id: int
    customer: CustomerRef
    customer_id: int
    opened_on: dt.date
    closes_on: dt.date
    is_open: bool
    team_answered: int
    customer_answered: int
    team_rqi: float | None
    customer_rqi: float | None
    max_gap: float | None
    gap_flagged: bool
    standing: str = Field(
        description="counted (closed, enough answers per side), provisional (still open: its "
        "figures move with each answer) or too_few (closed under the minimum answers)"
    )

    @staticmethod
    def resolve_standing(obj) -> str:
        return results.standing(obj)


class ConstructRow(Schema):
    key: str
    ours: float | None
    theirs: float | None
    gap: float | None
    flagged: bool
    alpha: float | None = Field(description="None when not defined or not enough answers")
    alpha_n: int | None = Field(description="complete answer sheets alpha rests on")


class SideOut(Schema):
    invited: int
    answered: int
    identifying: bool


class RoundResultOut(Schema):
    round: RoundOut
    team: SideOut
    customer: SideOut
    counted: bool
    min_team_answers: int
    min_customer_answers: int
    alpha_min_answers: int
    constructs: list[ConstructRow]


class StageOut(Schema):
    suggested: str
    reasons: list[list]
    disintegrating: bool
    current: str | None
    current_reason: str
    current_date: dt.date | None


class StageIn(Schema):
    stage: str
    reason: str = Field("", max_length=1000)


class RelationshipOut(Schema):
    customer: CustomerRef
    customer_id: int
    assessment: AssessmentOut | None
    latest_round: RoundOut | None
    stage: StageOut


class RelationshipPortfolioRow(Schema):
    """Named apart from the economics portfolio's row: OpenAPI keeps one schema per name."""

    customer: CustomerRef
    customer_id: int
    name: str
    type: str | None
    ro: float | None
    ds: float | None
    db: float | None
    relative_power: float | None
    team_rqi: float | None
    customer_rqi: float | None
    team_answered: int | None
    customer_answered: int | None
    max_gap: float | None
    gap_flagged: bool
    stage: str | None


def _stage(customer) -> dict:
    s = results.suggest_stage(customer)
    current = results.latest_stages([customer.pk]).get(customer.pk)
    return {
        "suggested": s.stage,
        "reasons": [[c, p] for c, p in s.reasons],
        "disintegrating": s.disintegrating,
        "current": current.stage if current else None,
        "current_reason": current.reason if current else "",
        "current_date": current.date if current else None,
    }


def _errors(exc: DjangoValidationError):
    detail = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
    raise HttpError(422, "; ".join(f"{k}: {' '.join(v)}" for k, v in detail.items()))


@router.get("/customers/{customer_id}", response=RelationshipOut)
def relationship(request: HttpRequest, customer_id: int):
    """An account's relationship: latest assessment and type, latest counted round, stage."""
    customer = get_customer_for_user(request.user, customer_id)
    rounds = results.latest_scored_rounds([customer.pk]).get(customer.pk, [])
    return {
        "customer": customer_ref(customer),
        "customer_id": customer.pk,
        "assessment": results.latest_assessments([customer.pk]).get(customer.pk),
        "latest_round": rounds[0] if rounds else None,
        "stage": _stage(customer),
    }


@router.get("/customers/{customer_id}/assessments", response=list[AssessmentOut])
def list_assessments(request: HttpRequest, customer_id: int):
    customer = get_customer_for_user(request.user, customer_id)
    return customer.relationship_assessments.select_related("customer").order_by("date", "id")


@router.post("/customers/{customer_id}/assessments", response={201: AssessmentOut})
def create_assessment(request: HttpRequest, customer_id: int, payload: AssessmentIn):
    """Assess dependence and orientation; the type is computed (§3)."""
    customer = get_customer_for_user(request.user, customer_id, write=True)
    try:
        a = actions.do_assess(request.user, customer, **payload.dict())
    except DjangoValidationError as exc:
        _errors(exc)
    return Status(201, a)


@router.get("/customers/{customer_id}/rounds", response=list[RoundOut])
def list_rounds(request: HttpRequest, customer_id: int):
    customer = get_customer_for_user(request.user, customer_id)
    return customer.survey_rounds.select_related("customer").order_by("-opened_on", "-id")


@router.get("/rounds/{round_id}", response=RoundResultOut)
def round_results(request: HttpRequest, round_id: int):
    """A round's results per construct and side, with the gap and Cronbach's alpha."""
    rnd = access.get_round_for_user(request.user, round_id)
    r = results.round_result(rnd)
    return {
        "round": rnd,
        "team": {
            "invited": r.team.invited,
            "answered": r.team.answered,
            "identifying": r.team.identifying,
        },
        "customer": {
            "invited": r.customer.invited,
            "answered": r.customer.answered,
            "identifying": r.customer.identifying,
        },
        "counted": r.counted,
        "min_team_answers": r.rules.min_team,
        "min_customer_answers": r.rules.min_customer,
        "alpha_min_answers": r.alpha_min,
        "constructs": [
            {
                "key": row["key"],
                "ours": row["ours"],
                "theirs": row["theirs"],
                "gap": row["gap"],
                "flagged": row["flagged"],
                "alpha": row["alpha"],
                "alpha_n": row["alpha_n"],
            }
            for row in r.rows
        ],
    }


@router.post("/rounds/{round_id}/remind", response={200: dict})
def remind(request: HttpRequest, round_id: int):
    rnd = access.get_round_for_user(request.user, round_id, write=True)
    return {"reminded": actions.do_remind(request.user, rnd)}


@router.get("/customers/{customer_id}/stage", response=StageOut)
def get_stage(request: HttpRequest, customer_id: int):
    return _stage(get_customer_for_user(request.user, customer_id))


@router.post("/customers/{customer_id}/stage", response={201: StageOut})
def set_stage(request: HttpRequest, customer_id: int, payload: StageIn):
    """Accept the suggested stage, or override it with a reason."""
    customer = get_customer_for_user(request.user, customer_id, write=True)
    if payload.stage not in Stage.values:
        raise HttpError(422, f"stage must be one of {', '.join(Stage.values)}")
    try:
        actions.do_set_stage(request.user, customer, stage=payload.stage, reason=payload.reason)
    except DjangoValidationError as exc:
        _errors(exc)
    return Status(201, _stage(customer))


@router.get("/portfolio", response=list[RelationshipPortfolioRow])
def portfolio(request: HttpRequest):
    """Every key account the user may see, with type, RQI, gap and stage."""
    from .views.portfolio import portfolio_rows

    out = []
    for row in portfolio_rows(request.user):
        a, r, s = row["assessment"], row["round"], row["stage"]
        out.append(
            {
                "customer": customer_ref(row["customer"]),
                "customer_id": row["customer"].pk,
                "name": row["customer"].name,
                "type": a.type if a else None,
                "ro": a.ro if a else None,
                "ds": a.ds if a else None,
                "db": a.db if a else None,
                "relative_power": a.relative_power if a else None,
                "team_rqi": r.team_rqi if r else None,
                "customer_rqi": r.customer_rqi if r else None,
                "team_answered": r.team_answered if r else None,
                "customer_answered": r.customer_answered if r else None,
                "max_gap": r.max_gap if r else None,
                "gap_flagged": row["gap_flagged"],
                "stage": s.stage if s else None,
            }
        )
    return out
