"""The target interaction form on the Interactions tab: what kamp suggests (B needs trust), the
progress toward the account's target, the next pair to open, and setting the target."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kamp.core.choices import Function
from kamp.core.formatting import format_date, format_number
from kamp.core.http import AuthenticatedHttpRequest
from kamp.customers.access import get_customer_for_user

from .. import actions, analysis, targets
from .. import target as pure
from ..models import TargetForm

PAIR_ROWS = 3


def function_label(code: str) -> str:
    return str(dict(Function.choices).get(code, code))


def suggestion_text(s: pure.Suggestion) -> str:
    threshold = format_number(s.threshold, 1)
    if s.reason == "no_trust":
        return _(
            "No counted survey round has measured trust yet: keep the bow-tie (A) and measure "
            "trust before opening a diamond — type B needs knowledge and trust."
        )
    trust = format_number(s.trust, 1)
    if s.reason == "trust_high":
        return _(
            "Trust is %(trust)s of 7 (at least %(threshold)s): the account can move toward a "
            "diamond (B), functional counterparts talking directly."
        ) % {"trust": trust, "threshold": threshold}
    if s.reason == "trust_some":
        return _(
            "Trust is %(trust)s of 7, close to the %(threshold)s a diamond needs: a mix — a few "
            "named pairs where the trust already is."
        ) % {"trust": trust, "threshold": threshold}
    return _(
        "Trust is %(trust)s of 7, below the %(threshold)s a diamond needs: keep the bow-tie (A) "
        "and build trust first."
    ) % {"trust": trust, "threshold": threshold}


def context(customer, acc: analysis.Account) -> dict:
    st = targets.state(customer, acc)
    nxt = st.next_pair
    current = st.target
    rows = list(current.pair_tuples) if current else []
    rows += [("", "")] * max(0, PAIR_ROWS - len(rows))
    return {
        "target": {
            "obj": current,
            "form_label": str(TargetForm.Form(current.form).label) if current else "",
            "suggestion": st.suggestion,
            "suggestion_label": str(TargetForm.Form(st.suggestion.form).label),
            "suggestion_text": suggestion_text(st.suggestion),
            "progress": st.progress,
            "percent": round(st.progress.share * 100) if st.progress else 0,
            "before": st.before,
            "before_on": format_date(st.before_on),
            "falling_back": st.falling_back,
            "pairs": [(function_label(o), function_label(t)) for o, t in rows if o],
            "missing": [(function_label(o), function_label(t)) for o, t in st.progress.missing]
            if st.progress
            else [],
            "next": {
                "ours": function_label(nxt.ours),
                "theirs": function_label(nxt.theirs),
                "contact": nxt.contact_name,
                "roles": [str(analysis.role_label(r)) for r in nxt.roles],
                "named": nxt.named,
            }
            if nxt
            else None,
            "rows": rows,
            "forms": TargetForm.Form.choices,
            "functions": Function.choices,
        }
    }


@require_POST
def set_target(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    customer = get_customer_for_user(request.user, pk, write=True)
    ours = request.POST.getlist("pair_ours")
    theirs = request.POST.getlist("pair_theirs")
    pairs = [(o, t) for o, t in zip(ours, theirs, strict=False) if o or t]
    if any(not o or not t for o, t in pairs):
        messages.error(request, _("Each named pair needs our function and theirs."))
        return redirect(reverse("interactions:customer_tab", args=[pk]) + "#target-h")
    try:
        actions.do_set_target(
            request.user,
            customer,
            form=request.POST.get("form", ""),
            pairs=pairs,
            note=request.POST.get("note", ""),
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Target interaction form saved."))
    return redirect(reverse("interactions:customer_tab", args=[pk]) + "#target-h")
