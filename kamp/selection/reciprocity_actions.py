"""Every change of the reciprocity ledger: atomic, audited (kamp.core.audit)."""

from __future__ import annotations

import math
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kamp.core import audit
from kamp.customers.models import Customer

from . import ledger
from .models import EvidenceKind, ReciprocityEvidence, ReciprocityLedger


def _number(value, what: str, low: float, high: float) -> float:
    try:
        x = float(value)
    except (TypeError, ValueError):
        raise ValidationError(_("“%(value)s” is not a number.") % {"value": value}) from None
    if math.isnan(x) or not low <= x <= high:
        raise ValidationError(
            _("%(what)s must be between %(low)s and %(high)s.")
            % {"what": what, "low": f"{low:g}", "high": f"{high:g}"}
        )
    return x


@transaction.atomic
def refresh(acting_user, customer: Customer, as_of: date | None = None) -> ReciprocityLedger:
    """Recomputes the customer's score from its evidence and keeps the one before it."""
    row, _created = ReciprocityLedger.objects.select_for_update().get_or_create(customer=customer)
    score = round(ledger.compute(customer.pk, as_of).score, 2)
    if row.score != score:
        audit.record(
            acting_user,
            "update",
            row,
            customer_id=customer.pk,
            object_repr=f"{customer} · reciprocity",
            changes=[{"field": "score", "old": row.score, "new": score}],
        )
        row.previous_score = row.score
        row.score = score
    row.computed_on = as_of or timezone.localdate()
    row.save()
    return row


@transaction.atomic
def add_evidence(
    acting_user,
    customer: Customer,
    kind: str,
    happened_on: date | None,
    note: str,
    strength=1.0,
) -> ReciprocityEvidence:
    if kind not in EvidenceKind.values:
        raise ValidationError(_("Unknown kind of evidence: “%(kind)s”.") % {"kind": kind})
    note = (note or "").strip()
    if not note:
        raise ValidationError(_("Say what happened."))
    if happened_on is None:
        raise ValidationError(_("Give the date it happened."))
    if happened_on > timezone.localdate():
        raise ValidationError(_("Evidence cannot be dated in the future."))
    e = ReciprocityEvidence.objects.create(
        customer=customer,
        kind=kind,
        happened_on=happened_on,
        note=note[:300],
        strength=_number(strength, _("The strength"), 0, 1),
        recorded_by=acting_user if getattr(acting_user, "pk", None) else None,
    )
    audit.record(
        acting_user, "create", e, customer_id=customer.pk, object_repr=f"{customer} · {note[:80]}"
    )
    refresh(acting_user, customer)
    return e


@transaction.atomic
def remove_evidence(acting_user, evidence: ReciprocityEvidence) -> None:
    customer = evidence.customer
    audit.record(
        acting_user,
        "delete",
        evidence,
        customer_id=customer.pk,
        object_repr=f"{customer} · {evidence.note[:80]}",
    )
    evidence.delete()
    refresh(acting_user, customer)


@transaction.atomic
def set_override(acting_user, customer: Customer, value, reason: str) -> ReciprocityLedger:
    """A typed score that the selection model uses instead of the computed one, kept with its
    reason; an empty value removes it."""
    row, _created = ReciprocityLedger.objects.select_for_update().get_or_create(customer=customer)
    old = (row.override, row.override_reason)
    if value in (None, ""):
        row.override, row.override_reason, row.override_by = None, "", None
    else:
        reason = (reason or "").strip()
        if not reason:
            raise ValidationError(_("Say why the computed score is overridden."))
        row.override = _number(value, _("The override"), 0, 10)
        row.override_reason = reason[:300]
        row.override_by = acting_user if getattr(acting_user, "pk", None) else None
    if old != (row.override, row.override_reason):
        audit.record(
            acting_user,
            "update",
            row,
            customer_id=customer.pk,
            object_repr=f"{customer} · reciprocity",
            changes=[
                {"field": "override", "old": old[0], "new": row.override},
                {"field": "override_reason", "old": old[1], "new": row.override_reason},
            ],
        )
    row.save()
    return row
