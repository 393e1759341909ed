"""The reciprocity ledger read from the database: the evidence kamp holds about a customer's
willingness to co-invest (its own survey answers, joint-plan actions done on time, executive-level
meetings, co-creation initiatives past the idea, and the items the KAM typed), scored by the pure
kamp.selection.reciprocity with the active selection model's weights."""

from __future__ import annotations

from datetime import date

from django.db.models import Avg
from django.utils import timezone

from . import reciprocity
from .models import ReciprocityEvidence, ReciprocityLedger, SelectionModel

SURVEY_ITEM = "commitment_2"  # "We are willing to invest time and resources…" (customer side)


def _typed(customer_id: int) -> list[reciprocity.Evidence]:
    return [
        reciprocity.Evidence(e.kind, e.happened_on, e.strength, e.note, f"evidence:{e.pk}")
        for e in ReciprocityEvidence.objects.filter(customer_id=customer_id)
    ]


def _survey(customer_id: int) -> list[reciprocity.Evidence]:
    try:
        from kamp.relationships.models import Answer, Side
    except ImportError:  # pragma: no cover - the area is optional
        return []
    rows = (
        Answer.objects.filter(
            respondent__round__customer_id=customer_id,
            respondent__side=Side.CUSTOMER,
            item__key=SURVEY_ITEM,
        )
        .values("respondent__round_id", "respondent__round__opened_on")
        .annotate(mean=Avg("value"))
        .order_by("respondent__round__opened_on")
    )
    return [
        reciprocity.Evidence(
            reciprocity.SURVEY,
            r["respondent__round__opened_on"],
            reciprocity.survey_strength(float(r["mean"])),
            "",
            f"survey_round:{r['respondent__round_id']}",
        )
        for r in rows
    ]


def _plans(customer_id: int) -> list[reciprocity.Evidence]:
    try:
        from kamp.plans.models import ActionStatus, Initiative, InitiativeStage, PlanAction
    except ImportError:  # pragma: no cover
        return []
    out = []
    for a in PlanAction.objects.filter(
        plan__customer_id=customer_id,
        status=ActionStatus.DONE,
        shared_with_customer=True,
        due__isnull=False,
        completed_at__isnull=False,
    ):
        if a.completed_at is None or a.due is None:
            continue
        done = timezone.localdate(a.completed_at)  # the company's day, as ``due`` is
        if done <= a.due:
            out.append(
                reciprocity.Evidence(
                    reciprocity.ACTION_ON_TIME, done, 1.0, a.title, f"plan_action:{a.pk}"
                )
            )
    for i in Initiative.objects.filter(
        plan__customer_id=customer_id,
        stage__in=[InitiativeStage.PILOT, InitiativeStage.LAUNCHED],
    ):
        out.append(
            reciprocity.Evidence(
                reciprocity.CO_CREATION, timezone.localdate(i.created_at), 1.0, i.title, f"initiative:{i.pk}"
            )
        )
    return out


def _meetings(customer_id: int) -> list[reciprocity.Evidence]:
    try:
        from kamp.customers.models import Seniority
        from kamp.interactions.models import Interaction
    except ImportError:  # pragma: no cover
        return []
    return [
        reciprocity.Evidence(
            reciprocity.EXECUTIVE_MEETING, i.date, 1.0, i.topic, f"interaction:{i.pk}"
        )
        for i in Interaction.objects.filter(
            customer_id=customer_id, their_contacts__seniority=Seniority.EXECUTIVE
        ).distinct()
    ]


def evidence(customer_id: int) -> list[reciprocity.Evidence]:
    return _survey(customer_id) + _plans(customer_id) + _meetings(customer_id) + _typed(customer_id)


def _model() -> SelectionModel | None:
    return SelectionModel.objects.filter(is_active=True).first()


def compute(customer_id: int, as_of: date | None = None) -> reciprocity.Ledger:
    model = _model()
    weights = model.reciprocity_weights if model is not None else None
    return reciprocity.compute(evidence(customer_id), as_of or date.today(), weights)


def stored(customer_id: int) -> ReciprocityLedger | None:
    return ReciprocityLedger.objects.filter(customer_id=customer_id).first()


def effective_scores() -> dict[int, float]:
    """Every customer's reciprocity score as the selection model reads it (override first)."""
    out = {}
    for cid, score, override in ReciprocityLedger.objects.values_list(
        "customer_id", "score", "override"
    ):
        value = reciprocity.effective(score, override)
        if value is not None:
            out[cid] = value
    return out


def drop_threshold() -> float:
    model = _model()
    return model.reciprocity_drop if model is not None else 1.5


def as_json(ledger: reciprocity.Ledger, row: ReciprocityLedger | None) -> dict:
    return {
        "score": round(ledger.score, 2),
        "points": round(ledger.points, 3),
        "override": None if row is None else row.override,
        "override_reason": "" if row is None else row.override_reason,
        "effective": round(
            ledger.score if row is None or row.override is None else row.override, 2
        ),
        "stored_score": None if row is None else row.score,
        "items": [
            {
                "kind": ln.evidence.kind,
                "date": ln.evidence.on.isoformat(),
                "label": ln.evidence.label,
                "source": ln.evidence.ref,
                "strength": round(ln.evidence.strength, 3),
                "weight": ln.weight,
                "decay": round(ln.decay, 3),
                "points": round(ln.points, 3),
            }
            for ln in ledger.lines
        ],
    }
