"""The customer's Selection tab: its scores and position, scoring one customer, and the decision
on whether it is a key account."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kamp.core.http import AuthenticatedHttpRequest
from kamp.customers.access import (
    can_see_economics,
    customers_visible_to,
    get_customer_for_user,
)
from kamp.customers.models import CustomerStatus
from kamp.customers.page import customer_context

from .. import actions, derived, engine, guards, scoring
from ..access import can_manage_selection, can_score, require_manager
from ..explain import QUADRANT_LABELS, QUADRANT_STRATEGY, num, reason_label, reason_sentence
from ..forms import DecisionForm
from ..models import Decision, SnapshotPoint
from .matrix import factor_labels
from .reciprocity import tab_context

TAB = "selection"


def customer_tab(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    customer = get_customer_for_user(request.user, pk)
    run = engine.run(with_robustness=False)
    labels = factor_labels(run)
    result = run.by_id.get(customer.pk)
    detail = engine.customer_detail(customer.pk, run.factors)
    inputs = run.inputs.get(customer.pk, {})
    own = {
        a.factor: a.score
        for items in detail.values()
        for a in items
        if a.assessor_id == request.user.pk
    }
    money = can_see_economics(request.user, customer)
    factor_rows = []
    for f in run.factors:
        value = inputs.get(f.key)
        # A figure derived from money (revenue, margin…) only for who may see the economics.
        hide_raw = not money and (f.metric or f.key) in derived.MONEY_METRICS
        factor_rows.append(
            {
                "f": f,
                "value": value,
                "assessments": detail.get(f.key, []),
                "oriented": None
                if value is None
                else scoring.oriented(
                    f.to_pure(), value[0], run.pure.scale_min, run.pure.scale_max
                ),
                "raw": value[3] if value and not hide_raw else None,
                "metric_label": derived.LABELS.get(f.metric or f.key, f.metric),
                "own": own.get(f.key),
            }
        )
    co = inputs.get(scoring.CO_INVESTMENT)
    may_score = can_score(request.user, customer)
    points = list(
        SnapshotPoint.objects.filter(customer=customer, snapshot__model=run.model)
        .select_related("snapshot")
        .order_by("snapshot__taken_on")
    )
    decisions = list(Decision.objects.filter(customer=customer).select_related("decided_by"))
    # A company of a group scored as one account has no score of its own: its group's is it.
    group_id = run.account_of.get(customer.pk)
    scored_with = (
        customers_visible_to(request.user).filter(pk=group_id).only("id", "name").first()
        if group_id is not None
        else None
    )
    context = customer_context(
        request,
        customer,
        TAB,
        run=run,
        result=result,
        factor_rows=factor_rows,
        co=co,
        co_assessments=detail.get(scoring.CO_INVESTMENT, []),
        scored_in_group=group_id is not None,
        scored_with=scored_with,
        reason=reason_sentence(result, run.pure, labels) if result else "",
        reason_label=reason_label(result) if result else "",
        quadrant_label=(
            QUADRANT_LABELS.get(result.quadrant, "")
            if result and result.quadrant is not None
            else ""
        ),
        quadrant_strategy=(
            QUADRANT_STRATEGY.get(result.quadrant, "")
            if result and result.quadrant is not None
            else ""
        ),
        may_score=may_score,
        co_own=own.get(scoring.CO_INVESTMENT),
        score_keys=[f.key for f in run.factors if f.source == scoring.ASSESSED],
        points=points,
        decisions=decisions,
        can_manage=can_manage_selection(request.user),
        revenue=run.revenue.get(customer.pk) if money else None,
        split=num(run.pure.split_value),
        floor=num(run.pure.floor_value),
        scale=(f"{run.pure.scale_min:g}", f"{run.pure.scale_max:g}"),
        **tab_context(request.user, customer, money, decisions),
    )
    return render(request, "selection/customer_tab.html", context)


@require_POST
def customer_score(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The scoring form on the customer's tab: every assessed factor and co-investment at once."""
    customer = get_customer_for_user(request.user, pk)
    if not can_score(request.user, customer):
        raise PermissionDenied
    model = engine.ensure_default_model()
    errors = []
    for key in actions.assessable_keys(model):
        if f"score_{key}" not in request.POST:
            continue
        value = request.POST.get(f"score_{key}", "").strip().replace(",", ".")
        try:
            actions.do_score(request.user, customer, key, value, model=model)
        except ValidationError as exc:
            errors.append(f"{key}: {' '.join(exc.messages)}")
    if errors:
        for e in errors:
            messages.error(request, e)
    else:
        messages.success(request, _("Scores saved."))
    return redirect("selection:customer_tab", pk=customer.pk)


def decide(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    customer = get_customer_for_user(request.user, pk)
    require_manager(request.user)
    kind = (
        Decision.Kind.REVOKE
        if customer.status == CustomerStatus.KEY_ACCOUNT
        else Decision.Kind.MAKE
    )
    form = DecisionForm(
        request.POST or None, initial={"kind": kind, "decided_on": timezone.localdate()}
    )
    run = engine.run(with_robustness=False)
    result = run.by_id.get(customer.pk)
    # Said before the decision is committed, not after: past the cap, which key account has the
    # weakest case (the one to revoke, or to argue for keeping).
    cap_state = guards.cap_state(
        run.key_account_ids, run.cap, customer.pk, kind == Decision.Kind.MAKE
    )
    weakest = (
        guards.weakest_case(run.results, run.key_account_ids, exclude=customer.pk)
        if cap_state.exceeds
        else None
    )
    if request.method == "POST" and form.is_valid():
        try:
            outcome = actions.do_decide(
                request.user,
                customer,
                form.cleaned_data["kind"],
                form.cleaned_data["rationale"],
                decided_on=form.cleaned_data["decided_on"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request,
                _("Decision recorded: %(decision)s.")
                % {"decision": outcome.decision.get_kind_display()},
            )
            for w in outcome.warnings:
                messages.warning(request, w)
            return redirect("selection:customer_tab", pk=customer.pk)
    context = customer_context(
        request,
        customer,
        TAB,
        form=form,
        kind=kind,
        result=result,
        reason=reason_sentence(result, run.pure, factor_labels(run)) if result else "",
        key_count=len(run.key_account_ids),
        cap=run.cap,
        cap_state=cap_state,
        weakest=weakest,
        weakest_reason=reason_label(weakest) if weakest else "",
        weakest_sentence=reason_sentence(weakest, run.pure, factor_labels(run)) if weakest else "",
    )
    return render(request, "selection/decide.html", context)
