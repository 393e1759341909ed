from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kamp.core.http import AuthenticatedHttpRequest
from kamp.core.versioning import CONFLICT_MESSAGE, VersionConflict
from kamp.customers.access import can_edit_customer, get_customer_for_user
from kamp.customers.page import customer_context

from . import actions
from .access import can_assess, can_change_owner, get_kam_for_user, kams_visible_to
from .anchors import anchors_table
from .forms import HatAssessmentForm, MemberRoleForm, OwnerForm, TeamMemberForm
from .models import HAT_FIELDS, AccountTeamMember, Hat, HatAssessment, TeamRole
from .ownership import changes_by_customer, owner_since
from .profiles import MAX_ACCOUNTS_PER_KAM, build_profiles

# --- The account team (People tab) ------------------------------------------------------------


def _panel_context(request, customer, form=None, owner_form=None, member_form=None) -> dict:
    team = sorted(
        customer.team_members.select_related("user"),
        key=lambda m: (m.role != TeamRole.SPONSOR, m.user.name or m.user.email),
    )
    changes = changes_by_customer([customer.pk]).get(customer.pk, [])
    fallback = timezone.localdate(customer.created_at) if customer.created_at else None
    since = owner_since(changes, str(customer.owner), fallback) if customer.owner else None
    can_edit = can_edit_customer(request.user, customer)
    functions = {m.user.function for m in team if m.role == TeamRole.MEMBER}
    if customer.owner:
        functions.add(customer.owner.function)
    return {
        "customer": customer,
        "team": team,
        "sponsors": [m for m in team if m.role == TeamRole.SPONSOR],
        "members": [m for m in team if m.role == TeamRole.MEMBER],
        "functions": sorted(functions),
        "changes": list(reversed(changes)),
        "owner_since": since,
        "tenure_days": (timezone.localdate() - since).days if since else None,
        "can_edit_team": can_edit,
        "can_change_owner": can_change_owner(request.user, customer),
        "form": form or (TeamMemberForm(customer=customer, prefix="add") if can_edit else None),
        "owner_form": owner_form or OwnerForm(customer=customer, prefix="owner"),
        "role_choices": TeamRole.choices,
        # A member's role form shown again (a conflict or an error): {"member": pk, "form": …}.
        "member_form": member_form,
        "reload_url": reverse("customers:people", args=[customer.pk]),
    }


def _page_context(request, customer, **kw) -> dict:
    panel = _panel_context(request, customer, **kw)
    panel.pop("customer")
    return customer_context(request, customer, "people", **panel)


def _panel(request, customer, status=200, **kw) -> HttpResponse:
    return render(
        request, "team/_panel.html", _panel_context(request, customer, **kw), status=status
    )


def customer_team(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The account team on its own page (the People tab loads the same panel)."""
    customer = get_customer_for_user(request.user, pk)
    return render(request, "team/customer_team.html", _page_context(request, customer))


def team_panel(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    customer = get_customer_for_user(request.user, pk)
    return _panel(request, customer)


def _done(request, customer, message=None):
    if message:
        messages.success(request, message)
    if request.htmx:
        return _panel(request, customer)
    return redirect("team:customer", pk=customer.pk)


@require_POST
def member_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    customer = get_customer_for_user(request.user, pk, write=True)
    form = TeamMemberForm(request.POST, customer=customer, prefix="add")
    if form.is_valid():
        try:
            member = actions.do_add_team_member(
                request.user,
                customer,
                form.cleaned_data["user"],
                role=form.cleaned_data["role"],
                responsibility=form.cleaned_data["responsibility"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            return _done(
                request, customer, _("%(name)s joined the account team.") % {"name": member.user}
            )
    if request.htmx:
        return _panel(request, customer, form=form, status=200)
    return render(
        request, "team/customer_team.html", _page_context(request, customer, form=form), status=400
    )


@require_POST
def member_update(request: AuthenticatedHttpRequest, pk: int, member_pk: int) -> HttpResponse:
    customer = get_customer_for_user(request.user, pk, write=True)
    member = get_object_or_404(AccountTeamMember, pk=member_pk, customer=customer)
    form = MemberRoleForm(request.POST, instance=AccountTeamMember.objects.get(pk=member.pk))
    if form.is_valid():
        version = form.take_version()
        try:
            actions.do_update_team_member(
                request.user, member, version=version, **form.cleaned_data
            )
        except VersionConflict as exc:
            if exc.current is None:
                raise Http404("No such team member") from None
            # Saved meanwhile by someone else: both versions in the member's row, the user chooses.
            form.show_conflict(exc.current, CONFLICT_MESSAGE)
        if not form.errors:
            return _done(request, customer, _("Role of %(name)s saved.") % {"name": member.user})
    if not form.errors:
        return _done(request, customer)
    member_form = {"member": member.pk, "form": form}
    if request.htmx:
        return _panel(request, customer, member_form=member_form)
    context = _page_context(request, customer, member_form=member_form)
    return render(
        request, "team/customer_team.html", context, status=409 if form.conflicts else 400
    )


@require_POST
def member_remove(request: AuthenticatedHttpRequest, pk: int, member_pk: int) -> HttpResponse:
    customer = get_customer_for_user(request.user, pk, write=True)
    member = get_object_or_404(AccountTeamMember, pk=member_pk, customer=customer)
    name = str(member.user)
    actions.do_remove_team_member(request.user, member)
    return _done(request, customer, _("%(name)s left the account team.") % {"name": name})


@require_POST
def owner_change(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    customer = get_customer_for_user(request.user, pk, write=True)
    if not can_change_owner(request.user, customer):
        raise PermissionDenied
    form = OwnerForm(request.POST, customer=customer, prefix="owner")
    if form.is_valid():
        try:
            actions.do_change_owner(
                request.user,
                customer,
                form.cleaned_data["new_owner"],
                reason=form.cleaned_data["reason"],
                version=form.cleaned_data.get("version"),
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        except VersionConflict as exc:
            if exc.current is None:
                raise Http404
            # Shown again on the account as it is now, so that choosing again hands it over.
            customer = get_customer_for_user(request.user, pk)
            data = request.POST.copy()
            data["owner-version"] = str(customer.version)
            form = OwnerForm(data, customer=customer, prefix="owner")
            form.is_valid()
            form.add_error(
                None,
                _(
                    "Someone else changed this account since you opened the page: its key "
                    "account manager is now %(name)s. Choose again if it should still change."
                )
                % {"name": customer.owner or "—"},
            )
        else:
            customer = get_customer_for_user(request.user, pk)
            if not can_edit_customer(request.user, customer) and not request.htmx:
                messages.success(
                    request,
                    _("The account now belongs to %(name)s.") % {"name": customer.owner or "—"},
                )
                return redirect("customers:detail", pk=customer.pk)
            return _done(
                request,
                customer,
                _("The account now belongs to %(name)s.") % {"name": customer.owner or "—"},
            )
    return _panel(request, customer, owner_form=form)


# --- KAM profiles ----------------------------------------------------------------------------


def kam_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Directors and admins: every KAM's workload, profile and flags. A KAM: their own profile."""
    user = request.user
    if not user.manages_programme:
        if user.is_kam:
            return redirect("team:kam", pk=user.pk)
        raise PermissionDenied
    profiles = build_profiles(kams_visible_to(user).order_by("name"))
    return render(
        request,
        "team/kam_list.html",
        {
            "profiles": profiles,
            "hats": list(Hat),
            "max_accounts": MAX_ACCOUNTS_PER_KAM,
        },
    )


def _radar(profile) -> dict:
    labels = [str(h.label) for h in Hat]
    series = []
    if profile.needs:
        series.append(
            {
                "name": _("What the accounts need"),
                "values": [profile.needs[h] for h in HAT_FIELDS],
                "kind": "need",
            }
        )
    if profile.self_assessment:
        series.append(
            {
                "name": _("Self-assessment"),
                "values": [getattr(profile.self_assessment, h) for h in HAT_FIELDS],
                "kind": "self",
            }
        )
    if profile.director_assessment:
        series.append(
            {
                "name": _("Director's assessment"),
                "values": [getattr(profile.director_assessment, h) for h in HAT_FIELDS],
                "kind": "director",
            }
        )
    return {"labels": labels, "series": series}


def kam_profile(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    kam = get_kam_for_user(request.user, pk)
    profile = build_profiles([kam])[0]
    from kamp.programme.evidence import hat_evidence

    evidence = hat_evidence([a.customer.pk for a in profile.accounts], kam)
    anchors = anchors_table()
    rows = []
    for value, label, description, levels in anchors:
        s = getattr(profile.self_assessment, value, None) if profile.self_assessment else None
        d = (
            getattr(profile.director_assessment, value, None)
            if profile.director_assessment
            else None
        )
        need = profile.needs[value] if profile.needs else None
        current = d or s
        rows.append(
            {
                "hat": value,
                "label": label,
                "description": description,
                "self": s,
                "director": d,
                "need": need,
                "gap": profile.gap.get(value, 0),
                "anchor": dict(levels).get(current) if current else None,
                "evidence": evidence.get(value, []),
            }
        )
    history = HatAssessment.objects.filter(kam=kam).select_related("assessor")[:20]
    from kamp.programme.service import GROUP_LABELS

    for a in profile.accounts:
        a.quadrant_label = GROUP_LABELS.get(a.quadrant, a.quadrant) if a.quadrant else None
        a.stage_label = GROUP_LABELS.get(a.stage, a.stage) if a.stage else None
    return render(
        request,
        "team/kam_profile.html",
        {
            "kam": kam,
            "profile": profile,
            "rows": rows,
            "history": history,
            "radar": _radar(profile),
            "max_accounts": MAX_ACCOUNTS_PER_KAM,
            "can_self_assess": can_assess(request.user, kam, "self"),
            "can_director_assess": can_assess(request.user, kam, "director"),
        },
    )


def kam_assess(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    kam = get_kam_for_user(request.user, pk)
    source = (
        request.GET.get("source")
        or request.POST.get("source")
        or ("self" if request.user.pk == kam.pk else "director")
    )
    if source not in (HatAssessment.Source.SELF, HatAssessment.Source.DIRECTOR) or not can_assess(
        request.user, kam, source
    ):
        raise PermissionDenied
    last = HatAssessment.objects.filter(kam=kam, source=source).first()
    form = HatAssessmentForm(request.POST or None, initial_levels=last.levels if last else None)
    if request.method == "POST" and form.is_valid():
        actions.do_assess_hats(
            request.user, kam, source, form.levels(), notes=form.cleaned_data["notes"]
        )
        messages.success(request, _("Assessment saved."))
        return redirect("team:kam", pk=kam.pk)
    return render(
        request,
        "team/kam_assess.html",
        {
            "kam": kam,
            "form": form,
            "source": source,
            "source_label": HatAssessment.Source(source).label,
            "anchors": anchors_table(),
        },
    )
