"""The customer's coverage: which of their people our people reach, and how strongly."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from kamp.core.http import AuthenticatedHttpRequest
from kamp.core.models import User
from kamp.customers.access import get_customer_for_user
from kamp.customers.page import customer_context

from .. import analysis
from .. import forms as rules
from .customer_tab import TAB, function_label

STRENGTH_LABELS = {0: "", 1: "weak", 2: "some", 3: "strong"}


def coverage(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    customer = get_customer_for_user(request.user, pk)
    acc = analysis.account(customer)
    team_ids = set(customer.team_members.values_list("user_id", flat=True)) | (
        {customer.owner_id} if customer.owner_id else set()
    )
    people_ids = {t.person_id for t in acc.ties} | team_ids
    people = {u.pk: u for u in User.objects.filter(pk__in=people_ids)}
    ours = sorted(people.values(), key=lambda u: (u.pk != customer.owner_id, u.name or u.email))
    tie_contacts = {t.contact_id for t in acc.ties}
    theirs = sorted(
        (c for c in acc.contacts.values() if c.active or c.id in tie_contacts),
        key=lambda c: (not c.is_purchasing, c.name),
    )
    index = {(t.person_id, t.contact_id): t for t in acc.ties}
    labels = {1: _("weak"), 2: _("some"), 3: _("strong")}
    rows: list[dict[str, Any]] = []
    for u in ours:
        cells: list[dict[str, Any]] = []
        for c in theirs:
            t = index.get((u.pk, c.id))
            s = rules.tie_strength(t.count, t.last, acc.as_of, acc.settings.window_days) if t else 0
            cells.append({"tie": t, "strength": s, "label": labels.get(s, "")})
        rows.append(
            {
                "person": u,
                "kam": u.pk == customer.owner_id,
                "cells": cells,
                "reach": sum(1 for cell in cells if cell["strength"] >= 2),
            }
        )
    uncovered = [
        c
        for i, c in enumerate(theirs)
        if c.active and not any(r["cells"][i]["strength"] >= 2 for r in rows)
    ]
    columns = [
        (c, _("purchasing") if c.is_purchasing else function_label(c.function)) for c in theirs
    ]
    context = customer_context(
        request,
        customer,
        TAB,
        acc=acc,
        ours=ours,
        columns=columns,
        rows=rows,
        uncovered=uncovered,
        window=acc.settings.window_days,
    )
    return render(request, "interactions/coverage.html", context)
