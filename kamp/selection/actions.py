"""Every change of the selection area: atomic, audited (kamp.core.audit)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from kamp.core import audit
from kamp.core.versioning import VersionConflict, claim
from kamp.customers.models import Customer, CustomerStatus

from . import engine, scoring
from .modelfile import ModelSpec, SpecError, check_spec, spec_of
from .models import Assessment, Decision, Factor, SelectionModel, Snapshot, SnapshotPoint

MODEL_FIELDS = [
    "name",
    "description",
    "scale_min",
    "scale_max",
    "split",
    "co_investment_min",
    "cap",
    "score_groups",
    "reciprocity_weights",
    "reciprocity_drop",
    "is_active",
]


def _factor_repr(spec: ModelSpec) -> list[str]:
    return [f"{f.key}: {f.dimension} {f.weight:g} {f.direction} {f.source}" for f in spec.factors]


@transaction.atomic
def do_save_model(
    acting_user,
    spec: ModelSpec,
    model: SelectionModel | None = None,
    *,
    activate: bool = False,
    version=None,
) -> SelectionModel:
    """Creates or replaces a selection model from a spec (checked first: nothing is written
    when it is unusable); with ``version``, replaces it only if nobody saved it since
    (``VersionConflict``)."""
    if model is not None:
        claim(model, version)
    problems = check_spec(spec)
    clash = SelectionModel.objects.filter(name=spec.name)
    if model is not None:
        clash = clash.exclude(pk=model.pk)
    if clash.exists():
        problems.append(_("There is already a model called “%(name)s”.") % {"name": spec.name})
    if problems:
        raise SpecError(problems)
    creating = model is None
    before = (
        {}
        if model is None
        else {**audit.snapshot(model, MODEL_FIELDS), "factors": _factor_repr(spec_of(model))}
    )
    model = model or SelectionModel()
    for name in (
        "name",
        "description",
        "scale_min",
        "scale_max",
        "split",
        "co_investment_min",
        "cap",
        "score_groups",
        "reciprocity_weights",
        "reciprocity_drop",
    ):
        setattr(model, name, getattr(spec, name))
    if activate:
        SelectionModel.objects.filter(is_active=True).exclude(pk=model.pk).update(is_active=False)
        model.is_active = True
    model.save()
    model.factors.all().delete()
    Factor.objects.bulk_create(
        [
            Factor(
                model=model,
                key=f.key,
                label_en=f.label_en,
                label_es=f.label_es,
                dimension=f.dimension,
                weight=f.weight,
                direction=f.direction,
                source=f.source,
                metric=f.metric if f.source == scoring.DERIVED else "",
                mapping=f.mapping,
                thresholds=f.thresholds,
                position=i,
            )
            for i, f in enumerate(spec.factors)
        ]
    )
    after = {**audit.snapshot(model, MODEL_FIELDS), "factors": _factor_repr(spec)}
    audit.record(
        acting_user, "create" if creating else "update", model, changes=audit.diff(before, after)
    )
    return model


@transaction.atomic
def do_activate_model(acting_user, model: SelectionModel) -> SelectionModel:
    previous = SelectionModel.objects.filter(is_active=True).exclude(pk=model.pk).first()
    SelectionModel.objects.filter(is_active=True).exclude(pk=model.pk).update(is_active=False)
    model.is_active = True
    model.save(update_fields=["is_active", "updated_at"])
    audit.record(
        acting_user,
        "update",
        model,
        changes=[
            {"field": "is_active", "old": str(previous) if previous else None, "new": model.name}
        ],
        summary=audit.say(
            gettext_noop("Made “%(name)s” the active selection model."), name=model.name
        ),
    )
    return model


@transaction.atomic
def do_delete_model(acting_user, model: SelectionModel) -> None:
    if model.is_active:
        raise ValidationError(_("The active model cannot be deleted: activate another one first."))
    audit.record(acting_user, "delete", model)
    model.delete()


def check_score(value, model: SelectionModel) -> float:
    try:
        score = float(value)
    except (TypeError, ValueError):
        raise ValidationError(_("“%(value)s” is not a number.") % {"value": value})
    if not (model.scale_min <= score <= model.scale_max):
        raise ValidationError(
            _("Scores go from %(min)s to %(max)s.")
            % {"min": f"{model.scale_min:g}", "max": f"{model.scale_max:g}"}
        )
    return score


def assessable_keys(model: SelectionModel) -> list[str]:
    return [f.key for f in model.factors.all() if f.source == scoring.ASSESSED] + [
        scoring.CO_INVESTMENT
    ]


@transaction.atomic
def do_score(
    acting_user,
    customer: Customer,
    factor: str,
    score,
    *,
    model: SelectionModel,
    assessor=None,
    on: date | None = None,
    note: str = "",
    version=None,
) -> Assessment | None:
    """Records ``assessor``'s score (default: the acting user) of a customer on a factor; an
    empty score removes it. Returns the assessment (None when removed). With ``version`` (0:
    there was no score), only if the score is still the one the writer saw (``VersionConflict``
    otherwise)."""
    assessor = assessor or acting_user
    if factor not in assessable_keys(model):
        raise ValidationError(
            _("“%(factor)s” is not a factor people score in this model.") % {"factor": factor}
        )
    existing = Assessment.objects.filter(
        customer=customer, factor=factor, assessor=assessor
    ).first()
    if existing is not None:
        claim(existing, version)
    elif version not in (None, "", 0, "0"):
        raise VersionConflict(None)  # the score the writer saw was removed meanwhile
    if score in (None, ""):
        if existing:
            audit.record(
                acting_user,
                "delete",
                existing,
                customer_id=customer.pk,
                object_repr=f"{customer} · {factor}",
                changes=[{"field": factor, "old": existing.score, "new": None}],
            )
            existing.delete()
        return None
    value = check_score(score, model)
    on = on or timezone.localdate()
    old = existing.score if existing else None
    if existing:
        existing.score, existing.date, existing.note = value, on, note or existing.note
        existing.save()
        a = existing
    else:
        a = Assessment.objects.create(
            customer=customer, factor=factor, assessor=assessor, score=value, date=on, note=note
        )
    if old != value:
        audit.record(
            acting_user,
            "update" if existing else "create",
            a,
            customer_id=customer.pk,
            object_repr=f"{customer} · {factor} · {assessor}",
            changes=[{"field": factor, "old": old, "new": value}],
        )
    return a


@dataclass
class DecisionOutcome:
    decision: Decision
    warnings: list[str]


def _decision_warnings(customer: Customer, run: engine.Run, making: bool) -> list[str]:
    from .alerts import MAX_PER_KAM

    warnings: list[str] = []
    if not making:
        return warnings
    result = run.by_id.get(customer.pk)
    # Accounts, not legal entities: a group scored as one counts once (docs/groups.md).
    keys = set(run.key_account_ids) | {run.account_of.get(customer.pk, customer.pk)}
    if len(keys) > run.cap:
        warnings.append(
            _("There are now %(n)s key accounts, beyond the cap of %(cap)s.")
            % {"n": len(keys), "cap": run.cap}
        )
    if result is None or result.quadrant != scoring.STRATEGIC:
        warnings.append(_("%(name)s is not in the strategic quadrant.") % {"name": customer.name})
    if customer.owner_id:
        owned = sum(
            1
            for c in run.customers.values()
            if c.owner_id == customer.owner_id
            and (c.status == CustomerStatus.KEY_ACCOUNT or c.id == customer.pk)
        )
        if owned > MAX_PER_KAM:
            warnings.append(
                _("%(kam)s now owns %(n)s key accounts (more than %(max)s is hard to manage well).")
                % {"kam": customer.owner, "n": owned, "max": MAX_PER_KAM}
            )
    return warnings


@transaction.atomic
def do_decide(
    acting_user, customer: Customer, kind: str, rationale: str, *, decided_on: date | None = None
) -> DecisionOutcome:
    """Makes a customer a key account (``make``) or revokes it (``revoke``), with a required
    rationale, recording the decision, the matrix's view at the time, and the audit row."""
    rationale = (rationale or "").strip()
    if not rationale:
        raise ValidationError(_("Say why: a decision needs a rationale."))
    # Locks the customer and reads its status as it is now: two decisions at once cannot both
    # pass, and an edit form opened before the decision is told the customer changed.
    claim(customer)
    if kind == Decision.Kind.MAKE:
        if customer.status == CustomerStatus.KEY_ACCOUNT:
            raise ValidationError(_("%(name)s is already a key account.") % {"name": customer.name})
        new_status = CustomerStatus.KEY_ACCOUNT
    elif kind == Decision.Kind.REVOKE:
        if customer.status != CustomerStatus.KEY_ACCOUNT:
            raise ValidationError(_("%(name)s is not a key account.") % {"name": customer.name})
        new_status = CustomerStatus.FORMER
    else:
        raise ValidationError(_("Unknown decision."))
    run = engine.run(with_robustness=False)
    result = run.by_id.get(customer.pk)
    warnings = _decision_warnings(customer, run, kind == Decision.Kind.MAKE)
    old_status = customer.status
    customer.status = new_status
    customer.save(update_fields=["status", "updated_at"])
    decision = Decision.objects.create(
        customer=customer,
        kind=kind,
        from_status=old_status,
        to_status=new_status,
        rationale=rationale,
        decided_by=acting_user if getattr(acting_user, "pk", None) else None,
        decided_on=decided_on or timezone.localdate(),
        quadrant=(result.quadrant or "") if result else "",
        was_recommended=result.recommended if result and result.complete else None,
        model_name=run.model.name,
    )
    audit.record(
        acting_user,
        "decide",
        decision,
        customer_id=customer.pk,
        object_repr=lambda: f"{customer} · {decision.get_kind_display()}",
        summary=rationale,
        changes=[{"field": "status", "old": old_status, "new": new_status}],
    )
    return DecisionOutcome(decision, warnings)


@transaction.atomic
def do_save_snapshot(
    acting_user, label: str = "", *, taken_on: date | None = None, run: engine.Run | None = None
) -> Snapshot:
    """Keeps where every complete customer sits on the matrix today, for the trails."""
    run = run or engine.run(with_robustness=False)
    snap = Snapshot.objects.create(
        model=run.model,
        label=label,
        taken_on=taken_on or timezone.localdate(),
        taken_by=acting_user if getattr(acting_user, "pk", None) else None,
    )
    SnapshotPoint.objects.bulk_create(
        [
            SnapshotPoint(
                snapshot=snap,
                customer_id=r.id,
                attractiveness=r.attractiveness,
                position=r.position,
                co_investment=r.co_investment,
                quadrant=r.quadrant,
                recommended=r.recommended,
            )
            for r in run.results
            # A complete result has both dimensions and a quadrant.
            if r.complete
            and r.attractiveness is not None
            and r.position is not None
            and r.quadrant is not None
        ],
        batch_size=2000,
    )
    audit.record(
        acting_user,
        "create",
        snap,
        summary=audit.say(gettext_noop("Saved a snapshot of the matrix.")),
    )
    return snap
