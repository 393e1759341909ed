"""The account plan: the customer page's "Plan" tab with inline (HTMX) editing of every section,
the joint-plan links, "my actions", the portfolio of plans and the public joint-plan page."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.db import DataError
from django.db.models import F
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from kamp.core.http import AuthenticatedHttpRequest
from kamp.customers.access import (
    can_edit_customer,
    customers_editable_by,
    customers_visible_to,
    get_customer_for_user,
)
from kamp.customers.models import CustomerStatus
from kamp.customers.views import customer_context

from . import actions, labels
from .access import get_item_for_user, get_plan_for_user, sees_money
from .forms import (
    ITEM_FORMS,
    ItemForm,
    JointCommentForm,
    JointLinkForm,
    PlanForm,
    QuickActionForm,
    default_due,
)
from .health import current_plans, health_for
from .models import (
    AccountPlan,
    ActionStatus,
    InitiativeStage,
    JointPlanLink,
    PlanAction,
    WhitespaceStatus,
)

TAB = "plan"
SECTIONS = list(actions.ITEM_MODELS)
TEXT_FIELDS = {"business": "business_and_goals", "strategy": "strategy"}


def _section_or_404(section: str) -> str:
    if section not in actions.ITEM_MODELS:
        raise Http404("No such section")
    return section


def _htmx_changed(response: HttpResponse) -> HttpResponse:
    # The plan header (completeness, last updated) listens for this and refreshes itself.
    response["HX-Trigger"] = "planChanged"
    return response


# --- Section rendering ------------------------------------------------------------------------


def _items(plan: AccountPlan, section: str):
    if section == "actions":
        return plan.actions.select_related("owner", "objective").order_by(
            F("due").asc(nulls_last=True), "id"
        )
    if section == "initiatives":
        return plan.initiatives.select_related("owner")
    return getattr(plan, section).all()


def _whitespace_grid(cells, money: bool) -> dict:
    units = sorted({c.buying_unit for c in cells})
    offerings = sorted({c.offering for c in cells})
    by_key = {(c.buying_unit, c.offering): c for c in cells}
    rows = [(u, [by_key.get((u, o)) for o in offerings]) for u in units]
    totals = None
    if money and cells:
        totals = {
            "current": sum(c.current_revenue for c in cells),
            "potential": sum(c.potential for c in cells),
        }
        totals["gap"] = max(totals["potential"] - totals["current"], 0)
    return {"units": units, "offerings": offerings, "rows": rows, "totals": totals}


def _section_context(request, plan, section, *, add_form=None, edit_item=None, edit_form=None):
    money = sees_money(request.user, plan)
    editable = can_edit_customer(request.user, plan.customer)
    items = list(_items(plan, section))
    ctx = {
        "plan": plan,
        "customer": plan.customer,
        "section": section,
        "label": labels.SECTION_LABELS[section],
        "help": labels.SECTION_HELP[section],
        "items": items,
        "can_edit": editable,
        "sees_money": money,
        "today": timezone.localdate(),
        "edit_item": edit_item,
        "edit_form": edit_form,
        "currency": (plan.customer.currency or _base_currency()) if section == "whitespace" else "",
    }
    if editable and add_form is None:
        add_form = _blank_form(request, plan, section)
    ctx["add_form"] = add_form
    if section == "actions":
        ctx["open_items"] = [a for a in items if a.is_open]
        ctx["closed_items"] = [a for a in items if not a.is_open]
        ctx["statuses"] = ActionStatus.choices
    if section == "whitespace":
        ctx["grid"] = _whitespace_grid(items, money)
        ctx["ws_statuses"] = WhitespaceStatus.choices
    if section == "initiatives":
        ctx["stages"] = [
            (value, label, [i for i in items if i.stage == value])
            for value, label in InitiativeStage.choices
            if value != InitiativeStage.STOPPED
        ]
        ctx["stopped"] = [i for i in items if i.stage == InitiativeStage.STOPPED]
        flow = [InitiativeStage.IDEA, InitiativeStage.PILOT, InitiativeStage.LAUNCHED]
        for i in items:
            nxt = flow[flow.index(i.stage) + 1] if i.stage in flow[:-1] else None
            i.next_stage = (nxt.value, nxt.label) if nxt else None
    return ctx


def _base_currency() -> str:
    from kamp.core.models import SiteSettings

    return SiteSettings.load().base_currency


def _blank_form(request, plan, section):
    money = sees_money(request.user, plan)
    if section == "actions":
        return QuickActionForm(
            plan=plan,
            initial={"owner": request.user.pk, "due": default_due()},
            prefix="new-actions",
        )
    initial = {}
    if section == "reviews":
        initial = {"date": timezone.localdate(), "title": "QBR"}
    return ITEM_FORMS[section](
        plan=plan, sees_money=money, initial=initial, prefix=f"new-{section}"
    )


def _render_section(request, plan, section, status=200, **kwargs) -> HttpResponse:
    ctx = _section_context(request, plan, section, **kwargs)
    return render(request, f"plans/_section_{section}.html", ctx, status=status)


def _back_to_plan(plan: AccountPlan, anchor: str = "") -> HttpResponse:
    url = reverse("plans:customer_tab", args=[plan.customer_id]) + f"?period={plan.period}"
    return redirect(url + (f"#sec-{anchor}" if anchor else ""))


# --- The Plan tab -----------------------------------------------------------------------------


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
                    _section_context(request, plan, key),
                    request=request,
                )
            )
    ctx["section_html"] = [mark_safe(h) for h in html]
    ctx["links_count"] = plan.joint_links.filter(
        revoked_at__isnull=True, expires_at__gt=timezone.now()
    ).count()
    ctx["comments_count"] = plan.comments.count()
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
        return _back_to_plan(created)
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
        actions.do_update_plan(request.user, fresh, **form.cleaned_data)
        messages.success(request, _("Changes saved."))
        return _back_to_plan(fresh)
    ctx = customer_context(request, plan.customer, TAB, plan=plan, form=form)
    return render(request, "plans/plan_form.html", ctx)


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
        actions.do_update_plan(request.user, fresh, **{name: request.POST.get(name, "").strip()})
        fresh.customer = plan.customer
        if not request.htmx:
            return _back_to_plan(fresh, field)
        return _htmx_changed(
            render(request, "plans/_text.html", _text_context(request, fresh, field))
        )
    return render(request, "plans/_text.html", _text_context(request, plan, field, editing))


# --- Sections: add, edit, delete --------------------------------------------------------------


def section(request: AuthenticatedHttpRequest, plan_pk: int, section: str) -> HttpResponse:
    plan = get_plan_for_user(request.user, plan_pk)
    return _render_section(request, plan, _section_or_404(section))


@require_POST
def item_add(request: AuthenticatedHttpRequest, plan_pk: int, section: str) -> HttpResponse:
    section = _section_or_404(section)
    plan = get_plan_for_user(request.user, plan_pk, write=True)
    money = sees_money(request.user, plan)
    form: ItemForm
    if section == "actions" and "new-actions-status" not in request.POST:
        form = QuickActionForm(request.POST, plan=plan, prefix="new-actions")
    else:
        form = ITEM_FORMS[section](
            request.POST, plan=plan, sees_money=money, prefix=f"new-{section}"
        )
    if form.is_valid():
        try:
            actions.do_add_item(request.user, plan, section, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            if not request.htmx:
                return _back_to_plan(plan, section)
            blank = _blank_form(request, plan, section)
            # Keep typing: the next action's title takes the focus again.
            first = next(iter(blank.fields))
            blank.fields[first].widget.attrs["autofocus"] = True
            return _htmx_changed(_render_section(request, plan, section, add_form=blank))
    if not request.htmx:
        return _item_page(request, plan, section, form, status=400)
    return _render_section(request, plan, section, add_form=form, status=400)


def item_edit(
    request: AuthenticatedHttpRequest, plan_pk: int, section: str, item_pk: int
) -> HttpResponse:
    section = _section_or_404(section)
    model, _fields = actions.ITEM_MODELS[section]
    item = get_item_for_user(request.user, model, item_pk, write=True)
    if item.plan_id != int(plan_pk):
        raise Http404
    plan = item.plan
    money = sees_money(request.user, plan)
    form_class = ITEM_FORMS[section]
    form = form_class(
        request.POST or None, instance=item, plan=plan, sees_money=money, prefix=f"edit-{section}"
    )
    if request.method == "POST" and form.is_valid():
        fresh = model.objects.get(pk=item.pk)
        fresh.plan = plan
        try:
            actions.do_update_item(request.user, fresh, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            if not request.htmx:
                return _back_to_plan(plan, section)
            return _htmx_changed(_render_section(request, plan, section))
    status = 400 if request.method == "POST" else 200
    if not request.htmx:
        return _item_page(request, plan, section, form, item=item, status=status)
    return _render_section(request, plan, section, edit_item=item, edit_form=form, status=status)


def _item_page(request, plan, section, form, item=None, status=200):
    """Without JavaScript, a part of the plan is edited on a page of its own."""
    ctx = customer_context(
        request,
        plan.customer,
        TAB,
        plan=plan,
        form=form,
        item=item,
        section=section,
        label=labels.SECTION_LABELS[section],
    )
    return render(request, "plans/item_form.html", ctx, status=status)


@require_POST
def item_delete(
    request: AuthenticatedHttpRequest, plan_pk: int, section: str, item_pk: int
) -> HttpResponse:
    section = _section_or_404(section)
    model, _fields = actions.ITEM_MODELS[section]
    item = get_item_for_user(request.user, model, item_pk, write=True)
    if item.plan_id != int(plan_pk):
        raise Http404
    plan = item.plan
    actions.do_delete_item(request.user, item)
    if not request.htmx:
        return _back_to_plan(plan, section)
    return _htmx_changed(_render_section(request, plan, section))


@require_POST
def action_status(request: AuthenticatedHttpRequest, item_pk: int) -> HttpResponse:
    """Set an action's status (the select on each row, the tick on "my actions")."""
    item = get_item_for_user(request.user, PlanAction, item_pk, write=True)
    try:
        actions.do_set_action_status(request.user, item, request.POST.get("status", ""))
    except ValidationError:
        return HttpResponse(_("Unknown status."), status=400)
    where = request.POST.get("from", "plan")
    if where == "mine":
        if request.htmx:
            return render(
                request, "plans/_my_action_row.html", {"a": item, "today": timezone.localdate()}
            )
        return redirect("plans:my_actions")
    if not request.htmx:
        return _back_to_plan(item.plan, "actions")
    return _htmx_changed(_render_section(request, item.plan, "actions"))


@require_POST
def initiative_stage(request: AuthenticatedHttpRequest, item_pk: int) -> HttpResponse:
    """Move a co-creation initiative along idea → pilot → launched (or stop it)."""
    from .models import Initiative

    item = get_item_for_user(request.user, Initiative, item_pk, write=True)
    stage = request.POST.get("stage", "")
    if stage not in InitiativeStage.values:
        return HttpResponse(_("Unknown stage."), status=400)
    actions.do_update_item(request.user, item, stage=stage)
    if not request.htmx:
        return _back_to_plan(item.plan, "initiatives")
    return _htmx_changed(_render_section(request, item.plan, "initiatives"))


# --- Joint plan links (our side) --------------------------------------------------------------


def share(request: AuthenticatedHttpRequest, plan_pk: int) -> HttpResponse:
    """The joint plan: the links given to the customer and what the customer said."""
    write = request.method == "POST"
    plan = get_plan_for_user(request.user, plan_pk, write=write)
    editable = can_edit_customer(request.user, plan.customer)
    form = None
    new_link = None
    if editable:
        form = JointLinkForm(
            request.POST or None,
            initial={
                "language": "es",
                "days": 30,
                "share_objectives": True,
                "share_actions": True,
                "share_initiatives": True,
            },
        )
        if request.method == "POST" and form.is_valid():
            data = dict(form.cleaned_data)
            days = data.pop("days")
            new_link = actions.do_create_joint_link(request.user, plan, days=days, **data)
            messages.success(request, _("Link created. Copy it and send it to the customer."))
            return redirect(reverse("plans:share", args=[plan.pk]) + f"?new={new_link.pk}")
    links = list(plan.joint_links.order_by("-created_at"))
    new_id = request.GET.get("new", "")
    ctx = customer_context(
        request,
        plan.customer,
        TAB,
        plan=plan,
        form=form,
        links=links,
        comments=plan.comments.select_related("link").order_by("-created_at")[:200],
        now=timezone.now(),
        new_id=int(new_id) if new_id.isdigit() else None,
        base_url=request.build_absolute_uri("/")[:-1],
    )
    return render(request, "plans/share.html", ctx, status=400 if request.method == "POST" else 200)


@require_POST
def link_revoke(request: AuthenticatedHttpRequest, link_pk: int) -> HttpResponse:
    try:
        plan_id = JointPlanLink.objects.values_list("plan_id", flat=True).get(pk=link_pk)
    except (JointPlanLink.DoesNotExist, OverflowError, DataError):
        raise Http404
    plan = get_plan_for_user(request.user, plan_id, write=True)
    link = JointPlanLink.objects.get(pk=link_pk)
    link.plan = plan
    actions.do_revoke_joint_link(request.user, link)
    messages.success(request, _("Link revoked: the customer can no longer open it."))
    return redirect("plans:share", plan_pk=plan.pk)


# --- The public joint plan (the customer's side) -----------------------------------------------


def joint_content(link: JointPlanLink) -> dict:
    """What the customer may see through ``link``: only the chosen parts, never any money
    (no whitespace, no financial objective, no P&L)."""
    plan = link.plan
    content: dict = {"plan": plan, "customer_name": plan.customer.name, "link": link}
    if link.share_objectives:
        content["objectives"] = list(plan.objectives.filter(is_financial=False))
    if link.share_actions:
        content["actions"] = list(
            plan.actions.filter(shared_with_customer=True)
            .exclude(status=ActionStatus.DROPPED)
            .select_related("owner")
            .order_by("due", "id")
        )
    if link.share_initiatives:
        content["initiatives"] = list(plan.initiatives.exclude(stage=InitiativeStage.STOPPED))
    return content


def _joint_language(request, link) -> str:
    chosen = request.GET.get("lang", "")
    return chosen if chosen in {"es", "en"} else link.language


@login_not_required
@never_cache
def joint_plan(request: HttpRequest, token: str) -> HttpResponse:
    link = (
        (
            JointPlanLink.objects.select_related("plan__customer", "plan__customer__owner")
            .filter(token=token)
            .first()
        )
        if token
        else None
    )
    if link is None or not link.is_active():
        # Unknown, expired and revoked look the same: a link reveals nothing about others.
        lang = request.GET.get("lang", "")
        with translation.override(lang if lang in {"es", "en"} else None):
            return render(request, "plans/joint_unavailable.html", {}, status=404)
    lang = _joint_language(request, link)
    with translation.override(lang):
        form = JointCommentForm(request.POST or None)
        status = 200
        sent = request.GET.get("sent") == "1"
        if request.method == "POST":
            if form.is_valid():
                if form.cleaned_data.get("website"):
                    return redirect(f"{request.path}?lang={lang}&sent=1")
                try:
                    actions.do_add_joint_comment(
                        link,
                        form.cleaned_data["name"],
                        form.cleaned_data["text"],
                        address=request.META.get("REMOTE_ADDR", ""),
                    )
                except actions.RateLimited:
                    form.add_error(
                        None,
                        _(
                            "Thank you: you have sent several comments already. "
                            "Please wait a while before sending another."
                        ),
                    )
                    status = 429
                except ValidationError as exc:
                    form.add_error(None, exc)
                    status = 400
                else:
                    return redirect(f"{request.path}?lang={lang}&sent=1#comments")
            else:
                status = 400
        else:
            actions.do_record_joint_view(link)
        ctx = joint_content(link) | {
            "form": form,
            "sent": sent,
            "lang": lang,
            "kam": link.plan.customer.owner,
            "comments": link.comments.order_by("created_at")[:100],
            "today": timezone.localdate(),
        }
        response = render(request, "plans/joint.html", ctx, status=status)
        response["X-Robots-Tag"] = "noindex, nofollow"
        # The site's "same-origin" referrer policy keeps the token from leaking to other
        # sites; "no-referrer" would make browsers send "Origin: null" and fail CSRF.
        return response


# --- My actions and the portfolio of plans ----------------------------------------------------


def my_actions(request: AuthenticatedHttpRequest) -> HttpResponse:
    from .summary import my_actions_grouped as gather

    days = request.GET.get("days", "30")
    data = gather(request.user, upcoming_days=int(days) if days.isdigit() else 30)
    groups = [
        ("overdue", _("Overdue"), data["overdue"]),
        (
            "upcoming",
            _("Due in the next %(days)s days") % {"days": data["upcoming_days"]},
            data["upcoming"],
        ),
        ("later", _("Later or without a date"), data["later"]),
    ]
    return render(
        request, "plans/my_actions.html", data | {"groups": groups, "today": timezone.localdate()}
    )


def portfolio(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Every key account's current plan: completeness, freshness, overdue actions (the
    director's view of whether plans are alive)."""
    customers = list(
        customers_visible_to(request.user)
        .filter(status=CustomerStatus.KEY_ACCOUNT)
        .select_related("owner")
        .order_by("name")[:500]
    )
    current = current_plans([c.pk for c in customers])
    health = health_for(plan_ids=current.values())
    editable = set(
        customers_editable_by(request.user)
        .filter(pk__in=[c.pk for c in customers])
        .values_list("pk", flat=True)
    )
    rows: list[dict[str, Any]] = []
    for c in customers:
        plan_id = current.get(c.pk)
        h = health.get(plan_id) if plan_id else None
        rows.append(
            {
                "customer": c,
                "health": h,
                "missing": labels.missing_explained(h.completeness) if h else [],
                "can_edit": c.pk in editable,
            }
        )
    counts = {
        "accounts": len(customers),
        "with_plan": sum(1 for r in rows if r["health"]),
        "stale": sum(1 for r in rows if r["health"] and r["health"].stale),
        "without": sum(1 for r in rows if r["health"] is None),
    }
    flt = request.GET.get("show", "")
    if flt == "stale":
        rows = [r for r in rows if r["health"] is None or r["health"].stale]
    return render(
        request,
        "plans/portfolio.html",
        {
            "rows": rows,
            "counts": counts,
            "show": flt,
            "freshness_labels": labels.FRESHNESS_LABELS,
        },
    )
