"""The scoring grid: every scorable customer against the active model's factors, saved in one go."""

from __future__ import annotations

from collections import defaultdict

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kamp.core.formatting import format_date, format_number
from kamp.core.http import AuthenticatedHttpRequest
from kamp.core.versioning import VersionConflict
from kamp.customers.access import can_see_economics, get_customer_for_user
from kamp.customers.models import CustomerStatus

from .. import actions, crosscheck, engine, scoring
from ..access import can_manage_selection, can_score, scorable_customers
from ..models import Assessment, SelectionModel


def _grid_columns(model: SelectionModel) -> list[tuple[str, str, str, str]]:
    cols = [
        (f.key, f.label, f.dimension, f.direction)
        for f in model.factors.all()
        if f.source == scoring.ASSESSED
    ]
    cols.append(
        (scoring.CO_INVESTMENT, _("Willingness to co-invest"), "reciprocity", scoring.HIGHER)
    )
    return cols


def _cell(
    customer_id: int,
    key: str,
    mine: dict,
    everyone: dict,
    model,
    customer_name: str = "",
    label: str = "",
) -> dict:
    scores = everyone.get((customer_id, key), [])
    mean = sum(a.score for a in scores) / len(scores) if scores else None
    spread = (max(a.score for a in scores) - min(a.score for a in scores)) if scores else None
    own = mine.get((customer_id, key))
    return {
        "customer_id": customer_id,
        "key": key,
        "customer_name": customer_name,
        "label": label,
        "value": "" if own is None else f"{own.score:g}",
        "version": 0 if own is None else own.version,  # 0: no score yet
        "mean": mean,
        "spread": spread,
        "n": len(scores),
        # Read by people beside "mean 7,5": the same number and date formats as the page.
        "who": "; ".join(
            f"{a.assessor}: {format_number(a.score, 2, trim=True)} ({format_date(a.date)})"
            for a in scores
        ),
        "min": f"{model.scale_min:g}",
        "max": f"{model.scale_max:g}",
    }


def _flag(cell: dict, positions: dict, model) -> None:
    """Marks a cell whose typed mean contradicts what kamp measures for the same factor."""
    cell["contradiction"] = crosscheck.contradiction(
        cell["key"], cell["customer_id"], cell["mean"], positions, model.scale_min, model.scale_max
    )


def grid(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Customers × assessed factors: type a score, it saves (HTMX, on change)."""
    model = engine.ensure_default_model()
    qs = scorable_customers(request.user).select_related("owner").order_by("name", "id")
    q = request.GET.get("q", "").strip()
    if q:
        qs = qs.filter(name__icontains=q)
    status = request.GET.get("status", "")
    if status:
        qs = qs.filter(status=status)
    if request.GET.get("mine") == "1":
        qs = qs.filter(owner=request.user)
    page = Paginator(qs, 25).get_page(request.GET.get("page"))
    customers = list(page.object_list)
    cols = _grid_columns(model)
    keys = [c[0] for c in cols]
    everyone: dict[tuple, list] = defaultdict(list)
    mine: dict[tuple, Assessment] = {}
    for a in (
        Assessment.objects.filter(customer__in=customers, factor__in=keys)
        .select_related("assessor")
        .order_by("assessor__name")
    ):
        everyone[(a.customer_id, a.factor)].append(a)
        if a.assessor_id == request.user.pk:
            mine[(a.customer_id, a.factor)] = a
    rows = [
        {
            "customer": c,
            "cells": [_cell(c.pk, col[0], mine, everyone, model, c.name, col[1]) for col in cols],
        }
        for c in customers
    ]
    positions = crosscheck.measured_positions(model.scale_min, model.scale_max)
    for row in rows:
        # The measured figure comes from the money: only for who may see the account's.
        if can_see_economics(request.user, row["customer"]):
            for cell in row["cells"]:
                _flag(cell, positions, model)
    return render(
        request,
        "selection/grid.html",
        {
            "model": model,
            "cols": cols,
            "rows": rows,
            "page": page,
            "q": q,
            "status": status,
            "mine": request.GET.get("mine") == "1",
            "statuses": CustomerStatus.choices,
            "can_score_any": page.paginator.count > 0
            or can_manage_selection(request.user)
            or request.user.is_kam,
        },
    )


@require_POST
def grid_save(request: AuthenticatedHttpRequest) -> HttpResponse:
    model = engine.ensure_default_model()
    customer = get_customer_for_user(request.user, request.POST.get("customer"))
    if not can_score(request.user, customer):
        raise PermissionDenied
    key = request.POST.get("factor", "")
    value = request.POST.get("score", "").strip().replace(",", ".")
    error = ""
    try:
        actions.do_score(
            request.user, customer, key, value, model=model, version=request.POST.get("version")
        )
    except ValidationError as exc:
        error = " ".join(exc.messages)
    except VersionConflict as exc:
        # The cell then shows the score saved meanwhile (and its version): typing one's own
        # again saves it over that one.
        theirs = f"{exc.current.score:g}" if exc.current is not None else ""
        error = _(
            "Someone else changed this score since you opened the grid: it is now “%(theirs)s”, "
            "yours “%(yours)s” was not saved. Type yours again to keep it."
        ) % {"theirs": theirs or "—", "yours": value or "—"}
        value = theirs
    everyone: dict[tuple, list] = defaultdict(list)
    mine = {}
    for a in Assessment.objects.filter(customer=customer, factor=key).select_related("assessor"):
        everyone[(a.customer_id, a.factor)].append(a)
        if a.assessor_id == request.user.pk:
            mine[(a.customer_id, a.factor)] = a
    label = {c[0]: c[1] for c in _grid_columns(model)}.get(key, key)
    cell = _cell(customer.pk, key, mine, everyone, model, customer.name, label)
    if can_see_economics(request.user, customer):
        _flag(cell, crosscheck.measured_positions(model.scale_min, model.scale_max), model)
    if error:
        cell["value"] = value
    # 200 even for a refused score: HTMX swaps the cell, which shows the reason beside the input.
    return render(
        request,
        "selection/grid.html#cell",
        {
            "cell": cell,
            "error": error,
            "saved": not error,
            "model": model,
        },
    )
