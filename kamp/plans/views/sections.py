"""The plan's sections (whitespace, objectives, actions, initiatives…): rendered inside the Plan
tab and edited inline with HTMX — add, edit, delete, an action's status, an initiative's stage."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db.models import F
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kamp.core.http import AuthenticatedHttpRequest
from kamp.core.versioning import CONFLICT_MESSAGE, VersionConflict
from kamp.customers.access import can_edit_customer
from kamp.customers.page import customer_context

from .. import actions, labels, live
from ..access import get_item_for_user, get_plan_for_user, sees_money
from ..forms import ITEM_FORMS, ItemForm, QuickActionForm, default_due
from ..models import AccountPlan, ActionStatus, InitiativeStage, PlanAction, WhitespaceStatus
from .common import TAB, back_to_plan, htmx_changed


def _section_or_404(section: str) -> str:
    if section not in actions.ITEM_MODELS:
        raise Http404("No such section")
    return section


def _items(plan: AccountPlan, section: str):
    if section == "actions":
        return plan.actions.select_related("owner", "objective").order_by(
            F("due").asc(nulls_last=True), "id"
        )
    if section == "initiatives":
        return plan.initiatives.select_related("owner")
    return getattr(plan, section).all()


def _whitespace_grid(cells, money: bool, customer) -> dict:
    units = sorted({c.buying_unit for c in cells})
    offerings = sorted({c.offering for c in cells})
    by_key = {(c.buying_unit, c.offering): c for c in cells}
    rows = [(u, [by_key.get((u, o)) for o in offerings]) for u in units]
    # The current revenue comes from the sales lines (docs/figures.md), not the typed cells.
    totals = live.whitespace_totals(cells, customer) if money else None
    return {"units": units, "offerings": offerings, "rows": rows, "totals": totals}


def section_context(request, plan, section, *, add_form=None, edit_item=None, edit_form=None):
    money = sees_money(request.user, plan)
    editable = can_edit_customer(request.user, plan.customer)
    items = list(_items(plan, section))
    if section == "objectives":
        items = live.bind(items, plan.customer, money)
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
        ctx["grid"] = _whitespace_grid(items, money, plan.customer)
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
    ctx = section_context(request, plan, section, **kwargs)
    return render(request, f"plans/_section_{section}.html", ctx, status=status)


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
                return back_to_plan(plan, section)
            blank = _blank_form(request, plan, section)
            # Keep typing: the next action's title takes the focus again.
            first = next(iter(blank.fields))
            blank.fields[first].widget.attrs["autofocus"] = True
            return htmx_changed(_render_section(request, plan, section, add_form=blank))
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
        version = form.take_version()
        try:
            actions.do_update_item(request.user, fresh, version=version, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        except VersionConflict as exc:
            if exc.current is None:
                raise Http404
            form.show_conflict(exc.current, CONFLICT_MESSAGE)
        if not form.errors:
            if not request.htmx:
                return back_to_plan(plan, section)
            return htmx_changed(_render_section(request, plan, section))
    status = 400 if request.method == "POST" else 200
    if form.conflicts:
        # Swapped in by htmx like a fresh form (it swaps no 4xx), a 409 for a page.
        status = 200 if request.htmx else 409
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
        return back_to_plan(plan, section)
    return htmx_changed(_render_section(request, plan, section))


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
        return back_to_plan(item.plan, "actions")
    return htmx_changed(_render_section(request, item.plan, "actions"))


@require_POST
def initiative_stage(request: AuthenticatedHttpRequest, item_pk: int) -> HttpResponse:
    """Move a co-creation initiative along idea → pilot → launched (or stop it)."""
    from ..models import Initiative

    item = get_item_for_user(request.user, Initiative, item_pk, write=True)
    stage = request.POST.get("stage", "")
    if stage not in InitiativeStage.values:
        return HttpResponse(_("Unknown stage."), status=400)
    actions.do_update_item(request.user, item, stage=stage)
    if not request.htmx:
        return back_to_plan(item.plan, "initiatives")
    return htmx_changed(_render_section(request, item.plan, "initiatives"))
