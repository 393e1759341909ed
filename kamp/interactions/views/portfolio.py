"""Across accounts: one of our people's interactions, the portfolio's relationship risks, and the
interaction settings."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from kamp.core.http import AuthenticatedHttpRequest
from kamp.core.models import User
from kamp.core.versioning import CONFLICT_MESSAGE, VersionConflict
from kamp.customers.access import customers_visible_to
from kamp.customers.models import Contact, CustomerStatus

from .. import actions, analysis
from ..entry import SettingsForm
from ..models import Interaction, InteractionSettings


def person_log(request: AuthenticatedHttpRequest, user_pk: int) -> HttpResponse:
    """One of our people's interactions, on the accounts the viewer may read."""
    person = get_object_or_404(User, pk=user_pk)
    qs = (
        Interaction.objects.filter(
            people_links__user=person, customer__in=customers_visible_to(request.user)
        )
        .select_related("customer")
        .prefetch_related(
            Prefetch("our_people", queryset=User.objects.only("id", "name", "email")),
            Prefetch("their_contacts", queryset=Contact.objects.only("id", "name", "customer_id")),
        )
        .order_by("-date", "-id")
    )
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(request, "interactions/person.html", {"person": person, "page": page})


def risks(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Portfolio-wide: every account's form and risks, for the director (and any reader)."""
    scope = request.GET.get("scope", "key")
    customers = customers_visible_to(request.user)
    if scope == "mine":
        customers = customers.filter(owner=request.user)
    elif scope != "all":
        scope = "key"
        customers = customers.filter(status=CustomerStatus.KEY_ACCOUNT)
    settings = InteractionSettings.load().as_rules()
    results = analysis.analyse_many(customers, settings=settings)
    heads = {
        c.pk: c
        for c in customers.select_related("owner").only(
            "id", "name", "owner__name", "owner__email", "status"
        )
    }
    rows: list[dict[str, Any]] = []
    for pk, a in results.items():
        c = heads.get(pk)
        if c is None:
            continue
        rows.append(
            {
                "customer": c,
                "a": a,
                "form_label": analysis.form_label(a.form),
                "diamond_percent": analysis.rules.diamond_percent(a.diamond_index),
                "risks": [
                    {
                        "title": analysis.risk_title(r.kind),
                        "message": analysis.risk_message(r),
                        "severity": analysis.risk_severity(r),
                    }
                    for r in a.risks
                ],
            }
        )
    rows.sort(
        key=lambda r: (
            -sum(x["severity"] == "danger" for x in r["risks"]),
            -len(r["risks"]),
            r["customer"].name,
        )
    )
    counts = {
        "A": sum(r["a"].form == "A" for r in rows),
        "B": sum(r["a"].form == "B" for r in rows),
        "single": sum(any(x.kind == "single_threaded" for x in r["a"].risks) for r in rows),
    }
    return render(
        request,
        "interactions/risks.html",
        {
            "rows": rows,
            "scope": scope,
            "counts": counts,
            "settings": settings,
            "can_configure": request.user.manages_programme,
        },
    )


def settings_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not request.user.manages_programme:
        raise PermissionDenied
    form = SettingsForm(request.POST or None, instance=InteractionSettings.load())
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_update_settings(
                request.user, version=form.take_version(), **form.cleaned_data
            )
        except VersionConflict as exc:
            # Saved meanwhile by another manager: both versions, the user chooses.
            form.show_conflict(exc.current, CONFLICT_MESSAGE)
        if not form.errors:
            messages.success(request, _("Settings saved."))
            return redirect("interactions:settings")
    status = 409 if form.conflicts else 200
    return render(request, "interactions/settings.html", {"form": form}, status=status)
