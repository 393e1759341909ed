"""The joint plan: our side shares a plan through a private link (and revokes it); the customer's
side reads it without logging in."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.db import DataError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from kamp.core.http import AuthenticatedHttpRequest
from kamp.core.params import int_param
from kamp.customers.access import can_edit_customer
from kamp.customers.page import customer_context

from .. import actions, live
from ..access import get_plan_for_user
from ..forms import JointCommentForm, JointLinkForm
from ..models import ActionStatus, InitiativeStage, JointPlanLink
from .common import TAB


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
        new_id=int_param(new_id),
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


def joint_content(link: JointPlanLink) -> dict:
    """What the customer may see through ``link``: only the chosen parts, never any money
    (no whitespace, no financial objective, no P&L)."""
    plan = link.plan
    content: dict = {"plan": plan, "customer_name": plan.customer.name, "link": link}
    if link.share_objectives:
        content["objectives"] = live.bind(
            plan.objectives.filter(is_financial=False), plan.customer, money=False
        )
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
