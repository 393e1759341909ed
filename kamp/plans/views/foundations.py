"""The plan's foundations page: the customer journey (stages with touchpoints and pain points)
and the buying process (steps with who decides at each, from the DMU map), edited as rows."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from kamp.core.http import AuthenticatedHttpRequest
from kamp.customers.page import customer_context

from .. import actions
from ..access import get_plan_for_user
from .common import TAB, back_to_plan

EXTRA_ROWS = 2


def _journey_from(post) -> list[dict]:
    rows = zip(
        post.getlist("j_name"),
        post.getlist("j_touchpoints"),
        post.getlist("j_pain_points"),
        post.getlist("j_dated"),
        strict=False,
    )
    return [
        {"name": n, "touchpoints": t, "pain_points": p, "dated": d}
        for n, t, p, d in rows
        if (n or t or p or d).strip()
    ]


def _buying_from(post) -> list[dict]:
    out = []
    for i, (n, d, note) in enumerate(
        zip(post.getlist("b_name"), post.getlist("b_dated"), post.getlist("b_note"), strict=False)
    ):
        who = [int(c) for c in post.getlist(f"b_deciders_{i}") if c.isdigit()]
        if (n or d or note).strip() or who:
            out.append({"name": n, "dated": d, "note": note, "deciders": who})
    return out


def foundations(request: AuthenticatedHttpRequest, plan_pk: int) -> HttpResponse:
    plan = get_plan_for_user(request.user, plan_pk, write=True)
    error = ""
    journey: list[dict] = [
        {
            "name": s.name,
            "touchpoints": s.touchpoints,
            "pain_points": s.pain_points,
            "dated": s.dated,
        }
        for s in plan.journey_stages.all()
    ]
    buying: list[dict] = [
        {
            "name": s.name,
            "dated": s.dated,
            "note": s.note,
            "deciders": [c.pk for c in s.deciders.all()],
        }
        for s in plan.buying_steps.prefetch_related("deciders")
    ]
    if request.method == "POST":
        journey, buying = _journey_from(request.POST), _buying_from(request.POST)
        try:
            actions.set_foundations(request.user, plan, journey=journey, buying=buying)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(request, _("Journey and buying process saved."))
            return back_to_plan(plan, "foundations")
    # The date inputs take ISO text whatever the reader's language (the browser shows it).
    for row in journey + buying:
        d = row.get("dated")
        row["dated"] = d.isoformat() if isinstance(d, date) else (d or "")
    journey = journey + [{}] * EXTRA_ROWS
    buying = buying + [{}] * EXTRA_ROWS
    ctx = customer_context(
        request,
        plan.customer,
        TAB,
        plan=plan,
        journey_rows=journey,
        buying_rows=buying,
        contacts=list(plan.customer.contacts.filter(active=True).order_by("name")),
        error=error,
    )
    return render(request, "plans/foundations.html", ctx, status=422 if error else 200)
