"""The customer page's "Plan" tab: create, edit, delete a plan, its health and its free texts."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kamp.core.http import AuthenticatedHttpRequest
from kamp.core.versioning import CONFLICT_MESSAGE, VersionConflict
from kamp.customers.access import can_edit_customer, get_customer_for_user
from kamp.customers.page import customer_context

from .. import actions, labels
from ..access import get_plan_for_user
from ..forms import PlanForm
from ..health import current_plans, health_for
from ..models import AccountPlan
from .common import TAB, back_to_plan, htmx_changed
from .sections import section_context

SECTIONS = list(actions.ITEM_MODELS)
TEXT_FIELDS = {"business": "business_and_goals", "strategy": "strategy"}


def _plan_page_context(request, customer, plan, **extra) -> dict:
    plans = list(customer.plans.order_by("-period").values_list("pk", "period"))
    ctx = customer_context(request, customer, TAB, plan=plan, plans=plans, **extra)
    if plan is None:
        return ctx
    ctx["health"] = health_for(plans=[plan])[plan.pk]
    html = []
    for key in ("business", "strategy", *SECTIONS):
        if key in TEXT_FIELDS:
            html.append(
                render_to_string(
                    "plans/_text.html", _text_context(request, plan, key), request=request
                )
            )
        else:
            html.append(
                render_to_string(
                    f"plans/_section_{key}.html",
                    section_context(request, plan, key),
                    request=request,
                )
            )
    ctx["section_html"] = [mark_safe(h) for h in html]
    ctx["links_count"] = plan.joint_links.filter(
        revoked_at__isnull=True, expires_at__gt=timezone.now()
    ).count()
    ctx["comments_count"] = plan.comments.count()
    ctx["journey"] = list(plan.journey_stages.all())
    ctx["buying"] = list(plan.buying_steps.prefetch_related("deciders"))
    return ctx


def customer_tab(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    customer = get_customer_for_user(request.user, pk)
    period = request.GET.get("period", "")
    plan = None
    if period:
        plan = customer.plans.filter(period=period).first()
    if plan is None:
        current = current_plans([customer.pk]).get(customer.pk)
        plan = AccountPlan.objects.filter(pk=current).first() if current else None
    if plan is not None:
        plan.customer = customer
    create_form = None
    if can_edit_customer(request.user, customer):
        create_form = PlanForm(
            customer=customer, initial={"period": str(timezone.localdate().year)}
        )
    ctx = _plan_page_context(request, customer, plan, create_form=create_form)
    return render(request, "plans/plan.html", ctx)


@require_POST
def plan_create(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    customer = get_customer_for_user(request.user, pk, write=True)
    form = PlanForm(request.POST, customer=customer)
    if form.is_valid():
        created = actions.do_create_plan(request.user, customer, **form.cleaned_data)
        messages.success(request, _("Plan %(period)s created.") % {"period": created.period})
        return back_to_plan(created)
    plan: AccountPlan | None = None
    current = current_plans([customer.pk]).get(customer.pk)
    if current:
        plan = AccountPlan.objects.get(pk=current)
        plan.customer = customer
    ctx = _plan_page_context(request, customer, plan, create_form=form, show_new=True)
    return render(request, "plans/plan.html", ctx, status=400)


def plan_edit(request: AuthenticatedHttpRequest, plan_pk: int) -> HttpResponse:
    """The plan's period and texts on one page (the texts can also be edited in place)."""
    plan = get_plan_for_user(request.user, plan_pk, write=True)
    form = PlanForm(request.POST or None, instance=plan, customer=plan.customer)
    if request.method == "POST" and form.is_valid():
        fresh = AccountPlan.objects.get(pk=plan.pk)
        version = form.take_version()
        try:
            actions.do_update_plan(request.user, fresh, version=version, **form.cleaned_data)
        except VersionConflict as exc:
            if exc.current is None:
                raise Http404
            form.show_conflict(exc.current, CONFLICT_MESSAGE)
        if not form.errors:
            messages.success(request, _("Changes saved."))
            return back_to_plan(fresh)
    ctx = customer_context(request, plan.customer, TAB, plan=plan, form=form)
    return render(request, "plans/plan_form.html", ctx, status=409 if form.conflicts else 200)


@require_POST
def plan_delete(request: AuthenticatedHttpRequest, plan_pk: int) -> HttpResponse:
    plan = get_plan_for_user(request.user, plan_pk, write=True)
    customer_id = plan.customer_id
    actions.do_delete_plan(request.user, plan)
    messages.success(request, _("Plan deleted."))
    return redirect("plans:customer_tab", pk=customer_id)


def plan_health(request: AuthenticatedHttpRequest, plan_pk: int) -> HttpResponse:
    plan = get_plan_for_user(request.user, plan_pk)
    health = health_for(plans=[plan])[plan.pk]
    return render(
        request,
        "plans/_health.html",
        {
            "plan": plan,
            "health": health,
            "missing": labels.missing_explained(health.completeness),
        },
    )


def _text_context(request, plan, field, editing=False):
    name = TEXT_FIELDS[field]
    return {
        "plan": plan,
        "field": field,
        "name": name,
        "label": labels.SECTION_LABELS[field],
        "help": labels.SECTION_HELP[field],
        "value": getattr(plan, name),
        "editing": editing,
        "can_edit": can_edit_customer(request.user, plan.customer),
    }


def plan_text(request: AuthenticatedHttpRequest, plan_pk: int, field: str) -> HttpResponse:
    """The customer's business and goals or the strategy: shown, or edited in place."""
    if field not in TEXT_FIELDS:
        raise Http404
    name = TEXT_FIELDS[field]
    editing = request.method == "POST" or request.GET.get("edit") == "1"
    plan = get_plan_for_user(request.user, plan_pk, write=editing)
    if editing and not request.htmx and request.method == "GET":
        return redirect("plans:edit", plan_pk=plan.pk)
    if request.method == "POST":
        fresh = AccountPlan.objects.get(pk=plan.pk)
        typed = request.POST.get(name, "").strip()
        try:
            actions.do_update_plan(
                request.user, fresh, version=request.POST.get("version", ""), **{name: typed}
            )
        except VersionConflict as exc:
            if exc.current is None:
                raise Http404
            if getattr(exc.current, name) != typed:
                # Someone saved this text since it was opened: show theirs beside what was typed.
                ctx = _text_context(request, exc.current, field, editing=True)
                ctx.update(value=typed, conflict=True, theirs=getattr(exc.current, name))
                return render(request, "plans/_text.html", ctx, status=200 if request.htmx else 409)
            fresh = exc.current  # the text typed is already the saved one
        fresh.customer = plan.customer
        if not request.htmx:
            return back_to_plan(fresh, field)
        return htmx_changed(
            render(request, "plans/_text.html", _text_context(request, fresh, field))
        )
    return render(request, "plans/_text.html", _text_context(request, plan, field, editing))
