"""The reciprocity ledger and the decisions' look-backs on the customer's Selection tab: the
evidence item by item, adding and removing typed evidence, the override with its reason."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from kamp.core import formatting
from kamp.core.http import AuthenticatedHttpRequest
from kamp.customers.access import get_customer_for_user
from kamp.economics.figures import LABELS as FIGURE_LABELS
from kamp.economics.services import base_currency

from .. import ledger, lookback, lookbacks, reciprocity_actions
from ..access import can_manage_selection, can_score
from ..models import EvidenceKind, ReciprocityEvidence

VERDICTS = {
    lookback.BETTER: gettext_lazy("better than its matches"),
    lookback.WORSE: gettext_lazy("worse than its matches"),
    lookback.MIXED: gettext_lazy("level with its matches"),
}


def _show(key: str, value: float | None, currency: str) -> str:
    if value is None:
        return "—"
    if key == "profit_after_kam":
        return formatting.format_money(value, currency)
    if key == "share_of_wallet":
        return formatting.format_percent(value, 1)
    if key == "diamond_index":
        return formatting.format_percent(value, 0)
    return formatting.format_number(value, 1)


def _signed(key: str, value: float | None, currency: str) -> str:
    if value is None:
        return "—"
    text = _show(key, value, currency)
    return text if value < 0 else f"+{text}"


def tab_context(user, customer, money: bool, decisions=None) -> dict:
    """What the Selection tab shows of the ledger and the look-backs."""
    result = ledger.compute(customer.pk)
    row = ledger.stored(customer.pk)
    labels = dict(EvidenceKind.choices)
    items = [
        {
            "kind": labels.get(ln.evidence.kind, ln.evidence.kind),
            "on": ln.evidence.on,
            "label": ln.evidence.label,
            "weight": ln.weight,
            "decay": ln.decay,
            "strength": ln.evidence.strength,
            "points": ln.points,
            "typed_id": int(ln.evidence.ref.split(":")[1])
            if ln.evidence.ref.startswith("evidence:")
            else None,
        }
        for ln in result.lines
    ]
    currency = base_currency() if money else ""
    looks = []
    for lb in lookbacks.for_customer(customer, decisions=decisions):
        horizons = []
        for h in lb.horizons:
            figures = [
                {
                    "label": FIGURE_LABELS[c.figure],
                    "then": _show(c.figure, c.then, currency),
                    "now": _show(c.figure, c.now, currency),
                    "change": _signed(c.figure, c.account_change, currency),
                    "controls": _signed(c.figure, c.controls_change, currency),
                    "verdict": c.verdict,
                }
                for c in h.comparisons
                if money or c.figure not in lookbacks.MONEY
            ]
            horizons.append(
                {
                    "h": h,
                    "figures": figures,
                    "verdict": VERDICTS.get(h.verdict or "", ""),
                    "n": len(h.controls),
                }
            )
        looks.append({"lb": lb, "horizons": horizons})
    return {
        "reciprocity": result,
        "reciprocity_row": row,
        "reciprocity_items": items,
        "reciprocity_kinds": EvidenceKind.choices,
        "may_add_evidence": can_score(user, customer),
        "may_override": can_manage_selection(user),
        "lookbacks": looks,
    }


def _date(text: str) -> date | None:
    try:
        return date.fromisoformat((text or "").strip())
    except ValueError:
        return None


@require_POST
def evidence_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    customer = get_customer_for_user(request.user, pk)
    if not can_score(request.user, customer):
        raise PermissionDenied
    try:
        reciprocity_actions.add_evidence(
            request.user,
            customer,
            request.POST.get("kind", ""),
            _date(request.POST.get("happened_on", "")),
            request.POST.get("note", ""),
            (request.POST.get("strength") or "1").replace(",", "."),
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Evidence recorded; the reciprocity score is updated."))
    return redirect("selection:customer_tab", pk=customer.pk)


@require_POST
def evidence_delete(request: AuthenticatedHttpRequest, pk: int, evidence_id: int) -> HttpResponse:
    customer = get_customer_for_user(request.user, pk)
    if not can_score(request.user, customer):
        raise PermissionDenied
    evidence = get_object_or_404(ReciprocityEvidence, pk=evidence_id, customer=customer)
    reciprocity_actions.remove_evidence(request.user, evidence)
    messages.success(request, _("Evidence removed; the reciprocity score is updated."))
    return redirect("selection:customer_tab", pk=customer.pk)


@require_POST
def override(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    customer = get_customer_for_user(request.user, pk)
    if not can_manage_selection(request.user):
        raise PermissionDenied
    try:
        reciprocity_actions.set_override(
            request.user,
            customer,
            (request.POST.get("override") or "").strip().replace(",", "."),
            request.POST.get("reason", ""),
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Reciprocity override saved."))
    return redirect("selection:customer_tab", pk=customer.pk)
