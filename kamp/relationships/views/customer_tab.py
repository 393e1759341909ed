"""The customer's Relationship tab: type, quality and foundations, the assessment, the foundations
checklist and the stage."""

from __future__ import annotations

from types import SimpleNamespace

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from kamp.core.formatting import format_date
from kamp.core.http import AuthenticatedHttpRequest as HttpRequest
from kamp.core.versioning import CONFLICT_MESSAGE, VersionConflict
from kamp.customers.access import get_customer_for_user
from kamp.customers.page import customer_context

from .. import actions, quality, results, typology
from ..forms import AssessmentForm, FoundationsForm, StageForm
from ..models import FOUNDATION_ITEMS, Construct, Side, Stage
from .explain import explain_reason, explain_type, num, typology_chart_data

TAB = "relationship"


def _foundation_hints(customer) -> dict:
    """Data beside the checklist: DMU coverage, team size, sponsor."""
    from kamp.customers.models import DMURole
    from kamp.team.models import TeamRole

    roles_needed = [
        DMURole.USER,
        DMURole.INFLUENCER,
        DMURole.BUYER,
        DMURole.DECIDER,
        DMURole.GATEKEEPER,
    ]
    present: set[str] = set()
    for roles in customer.contacts.filter(active=True).values_list("dmu_roles", flat=True):
        present.update(roles or [])
    covered = sum(1 for r in roles_needed if r in present)
    team = list(customer.team_members.values_list("role", flat=True))
    return {
        "dmu_mapped": _("DMU map: %(n)s of %(total)s core roles have a contact.")
        % {"n": covered, "total": len(roles_needed)},
        "team_staffed": _("Team: %(n)s people besides the KAM.") % {"n": len(team)},
        "sponsor": (
            _("A sponsor is on the account team.")
            if TeamRole.SPONSOR in team
            else _("No sponsor on the account team yet.")
        ),
    }


def customer_tab(request: HttpRequest, pk: int) -> HttpResponse:
    customer = get_customer_for_user(request.user, pk)
    assessments = list(customer.relationship_assessments.order_by("date", "id"))
    latest = assessments[-1] if assessments else None
    trend = results.customer_trend(customer)
    rounds = list(
        customer.survey_rounds.order_by("-opened_on", "-id").prefetch_related("respondents")
    )
    foundations = customer.relationship_foundations.order_by("-date", "-id").first()
    suggestion = results.suggest_stage(customer)
    stage_history = list(
        customer.relationship_stages.select_related("created_by").order_by("-date", "-id")[:20]
    )
    current_stage = stage_history[0] if stage_history else None
    language = translation.get_language() or "en"
    my_pending = [
        r
        for r in rounds
        if r.is_open
        and any(
            x.side == Side.TEAM and x.user_id == request.user.pk and x.responded_at is None
            for x in r.respondents.all()
        )
    ]
    labels = dict(Construct.choices)
    rules = results.counting_rules()
    # The trend line and the headline figures are drawn from counted rounds only; an open
    # round's answers are shown apart, as provisional, with how many people they rest on.
    counted = [t for t in trend if t["standing"] == quality.COUNTED]
    provisional = [
        t
        for t in trend
        if t["standing"] == quality.PROVISIONAL and (t["team_n"] or t["customer_n"])
    ]
    trend_chart = {
        # A category axis: the dates as the reader writes them (28-11-2026 / 2026-11-28).
        "dates": [format_date(t["date"]) for t in counted],
        "team": [t["team"].get("rqi") for t in counted],
        "customer": [t["customer"].get("rqi") for t in counted],
        "names": {"team": _("Our team"), "customer": _("Customer"), "y": _("RQI (1–7)")},
    }
    trend_rows = [
        {
            "round": t["round"],
            "team_n": t["team_n"],
            "customer_n": t["customer_n"],
            "standing": t["standing"],
            "cells": [
                (t["team"].get(k), t["customer"].get(k))
                for k in [*quality.QUALITY_CONSTRUCTS, "rqi"]
            ],
        }
        for t in trend
    ]
    found_rows = []
    if foundations:
        for group_key, group_label in _foundation_groups():
            keys = [k for g, k, _l in FOUNDATION_ITEMS if g == group_key]
            done = sum(1 for k in keys if foundations.checks.get(k))
            found_rows.append({"label": group_label, "done": done, "total": len(keys)})
    context = customer_context(
        request,
        customer,
        TAB,
        latest=latest,
        type_explained=explain_type(latest) if latest else "",
        assessments=list(reversed(assessments))[:10],
        typology=typology_chart_data(assessments, language, customer.name) if assessments else None,
        rounds=rounds,
        my_pending=my_pending,
        latest_round=counted[-1] if counted else None,
        provisional=provisional,
        rules=rules,
        round_rows=[{"r": r, "standing": results.standing(r, rules)} for r in rounds],
        trend_chart=trend_chart
        if any(v is not None for v in [*trend_chart["team"], *trend_chart["customer"]])
        else None,
        trend_rows=trend_rows,
        trend_heads=[labels.get(k, _("RQI")) for k in [*quality.QUALITY_CONSTRUCTS, "rqi"]],
        foundations=foundations,
        found_rows=found_rows,
        suggestion=suggestion,
        suggestion_label=Stage(suggestion.stage).label,
        suggestion_reasons=[explain_reason(c, p) for c, p in suggestion.reasons],
        current_stage=current_stage,
        stage_history=stage_history,
        gap_threshold=results.gap_threshold(),
    )
    return render(request, "relationships/tab.html", context)


def _foundation_groups():
    from ..models import FOUNDATION_GROUPS

    return FOUNDATION_GROUPS


def _hints(customer) -> dict:
    """Data-backed suggestions for the dependence items, where sales data exist."""
    today = timezone.localdate()
    hints = {}
    share = results.sales_share(customer, today)
    if share is not None:
        hints["ds_sales_share"] = _(
            "Data: %(pct)s %% of our net sales in the last 12 months → suggests %(score)s."
        ) % {"pct": num(100 * share, 1), "score": typology.share_hint(share)}
    wallet, _before = results.share_of_wallet(customer, today)
    if wallet is not None:
        hints["db_category_share"] = _(
            "Data: our share of its category spend is %(pct)s %% → suggests %(score)s."
        ) % {"pct": num(100 * wallet, 0), "score": typology.wallet_hint(wallet)}
    return hints


def assess(request: HttpRequest, pk: int) -> HttpResponse:
    customer = get_customer_for_user(request.user, pk, write=True)
    latest = customer.relationship_assessments.order_by("-date", "-id").first()
    initial = {}
    if latest:
        initial = {
            n: getattr(latest, n)
            for n in ["systems_linked", "functional_pairs", *latest.DS_ITEMS, *latest.DB_ITEMS]
        }
        initial["ro"] = latest.ro if latest.ro_source != "rqi" else None
        initial = {
            k: ("" if v is None else (str(v) if k.startswith(("ds_", "db_")) else v))
            for k, v in initial.items()
        }
    form = AssessmentForm(request.POST or None, initial=initial, hints=_hints(customer))
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            a = actions.do_assess(request.user, customer, **data)
        except ValidationError as exc:
            for field, errs in getattr(exc, "message_dict", {None: exc.messages}).items():
                for e in errs:
                    form.add_error(field if field in form.fields else None, e)
        else:
            messages.success(
                request, _("Assessment saved: %(type)s.") % {"type": a.get_type_display()}
            )
            return redirect("relationships:customer_tab", pk=customer.pk)
    return render(
        request, "relationships/assess.html", customer_context(request, customer, TAB, form=form)
    )


def foundations(request: HttpRequest, pk: int) -> HttpResponse:
    customer = get_customer_for_user(request.user, pk, write=True)
    latest = customer.relationship_foundations.order_by("-date", "-id").first()
    initial = {**(latest.checks if latest else {}), "version": latest.pk if latest else 0}
    form = FoundationsForm(request.POST or None, initial=initial, hints=_foundation_hints(customer))
    if request.method == "POST" and form.is_valid():
        based_on = form.take_version()
        data = dict(form.cleaned_data)
        note = data.pop("note", "")
        try:
            f = actions.do_save_foundations(
                request.user, customer, checks=data, note=note, based_on=based_on
            )
        except VersionConflict as exc:
            # Someone saved a checklist meanwhile: both versions, the user chooses.
            latest = exc.current
            current = SimpleNamespace(
                **(latest.checks if latest else {}),
                note=latest.note if latest else "",
                version=latest.pk if latest else 0,
            )
            form.show_conflict(current, CONFLICT_MESSAGE)
        if not form.errors:
            messages.success(
                request, _("Foundations saved: %(score)s of 100.") % {"score": f.score}
            )
            return redirect("relationships:customer_tab", pk=customer.pk)
    return render(
        request,
        "relationships/foundations.html",
        customer_context(request, customer, TAB, form=form),
        status=409 if form.conflicts else 200,
    )


def stage(request: HttpRequest, pk: int) -> HttpResponse:
    customer = get_customer_for_user(request.user, pk, write=True)
    suggestion = results.suggest_stage(customer)
    form = StageForm(request.POST or None, initial={"stage": suggestion.stage})
    if request.method == "POST" and form.is_valid():
        try:
            record = actions.do_set_stage(request.user, customer, **form.cleaned_data)
        except ValidationError as exc:
            for field, errs in exc.message_dict.items():
                for e in errs:
                    form.add_error(field if field in form.fields else None, e)
        else:
            messages.success(
                request, _("Stage set: %(stage)s.") % {"stage": record.get_stage_display()}
            )
            return redirect("relationships:customer_tab", pk=customer.pk)
    return render(
        request,
        "relationships/stage.html",
        customer_context(
            request,
            customer,
            TAB,
            form=form,
            suggestion=suggestion,
            suggestion_label=Stage(suggestion.stage).label,
            suggestion_reasons=[explain_reason(c, p) for c, p in suggestion.reasons],
        ),
    )
