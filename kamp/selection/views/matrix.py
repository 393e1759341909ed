"""The selection portfolio matrix [matriz de selección]: chart, table, recommendation,
robustness, and the snapshots that let the matrix show how customers move."""

from __future__ import annotations

import heapq
import math
from collections import defaultdict

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kamp.core.choices import Role
from kamp.core.formatting import format_date, format_number
from kamp.core.http import AuthenticatedHttpRequest
from kamp.core.models import User
from kamp.core.params import int_param
from kamp.customers.access import customers_visible_to, sees_every_customer
from kamp.customers.models import CustomerStatus

from .. import actions, engine, prepared, scoring
from ..access import can_manage_selection, require_manager
from ..explain import QUADRANT_LABELS, QUADRANT_STRATEGY, reason_label, reason_sentence
from ..forms import SnapshotForm
from ..models import Snapshot, SnapshotPoint

PAGE_SIZE = 50
# Above this many customers the matrix draws the ones a director looks for (key accounts,
# recommended, strategic, the biggest) one by one and the rest as grey density bubbles.
MAX_POINTS = 600
TRAIL_SNAPSHOTS = 6

SORTS = {
    "name": lambda r, run: (r.name.lower(),),
    "attractiveness": lambda r, run: (r.attractiveness,),
    "position": lambda r, run: (r.position,),
    "total": lambda r, run: (r.total,),
    "co_investment": lambda r, run: (r.co_investment is None, r.co_investment or 0),
    "rank": lambda r, run: (r.rank is None, r.rank or 0, scoring.rank_key(r)),
    "quadrant": lambda r, run: (scoring.QUADRANTS.index(r.quadrant), scoring.rank_key(r)),
    "revenue": lambda r, run: (run.revenue.get(r.id, 0.0),),
}
DESCENDING_FIRST = {"attractiveness", "position", "total", "co_investment", "revenue"}


def factor_labels(run: engine.Run) -> dict[str, str]:
    labels = {f.key: f.label for f in run.factors}
    labels[scoring.CO_INVESTMENT] = _("Willingness to co-invest")
    return labels


def _filters(request: AuthenticatedHttpRequest) -> dict[str, str]:
    return {
        k: request.GET.get(k, "").strip()
        for k in ("q", "industry", "region", "kam", "status", "quadrant", "show")
    }


def _sorted(run: engine.Run, key: str, reverse: bool) -> list[scoring.Result]:
    """Every complete result in the order of ``key``, sorted once per run and kept with it (a
    run stays in the process's memory while the data do not change): a page view then filters
    a ready order instead of sorting 100,000 customers again."""
    orders = run.__dict__.setdefault("_orders", {})
    if (key, reverse) not in orders:
        fn = SORTS[key]
        orders[(key, reverse)] = sorted(
            (r for r in run.results if r.complete), key=lambda r: fn(r, run), reverse=reverse
        )
    return orders[(key, reverse)]


class _Everyone:
    """The ``visible`` of a user who may read every customer: holds every id."""

    def __contains__(self, cid: object) -> bool:
        return True


def _filtered_ids(run: engine.Run, visible, f: dict[str, str], user) -> list[int]:
    if isinstance(visible, _Everyone) and not any(
        f[k] for k in ("q", "industry", "region", "kam", "status")
    ):
        # The matrix as a director opens it: every scored customer, the same on every view.
        return run.kept("scored_ids", lambda: [c for c in run.customers if c in run.by_id])
    q = f["q"].lower()
    kam = f["kam"]
    kam_id = int_param(kam)
    out = []
    for cid, info in run.customers.items():
        # A group's company scored as its group account (docs/groups.md) has no result.
        if cid not in visible or cid not in run.by_id:
            continue
        if f["industry"] and info.industry != f["industry"]:
            continue
        if f["region"] and info.region != f["region"]:
            continue
        if f["status"] and info.status != f["status"]:
            continue
        if kam == "me" and info.owner_id != user.pk:
            continue
        if kam_id is not None and info.owner_id != kam_id:
            continue
        if q and q not in info.name.lower() and q not in info.code.lower():
            continue
        out.append(cid)
    return out


def _without(request: AuthenticatedHttpRequest, *names: str) -> str:
    params = request.GET.copy()
    for n in names:
        params.pop(n, None)
    return params.urlencode()


def _score_cell(value, mean_of: str) -> dict | None:
    """One factor's cell of the table, its figures written here: a page is 50 rows of every
    factor, and the template's filters and tests per cell were a third of the page's time.
    ``value`` is (mean, spread, assessors); several assessors give a title, and a spread of 2
    points or more is shown beside the mean (they disagree)."""
    if not value:
        return None
    mean, spread, assessors = value[0], value[1], value[2]
    several = assessors > 1
    return {
        "mean": format_number(mean, 1),
        "title": mean_of % {"n": assessors, "spread": format_number(spread, 1)} if several else "",
        "spread": format_number(spread, 0) if several and spread >= 2 else "",
    }


def _row(r: scoring.Result, run: engine.Run, labels, mean_of: str) -> dict:
    info = run.customers[r.id]
    values = run.inputs.get(r.id, {})
    return {
        "r": r,
        "info": info,
        "cells": [_score_cell(values.get(f.key), mean_of) for f in run.factors],
        "revenue": run.revenue.get(r.id, 0.0),
        "quadrant_label": "" if r.quadrant is None else QUADRANT_LABELS.get(r.quadrant, ""),
        "reason_label": reason_label(r),
        "reason": reason_sentence(r, run.pure, labels),
        "is_key": info.status == CustomerStatus.KEY_ACCOUNT,
        "url": reverse("selection:customer_tab", args=[r.id]),
    }


def _revenue_for(user):
    """Revenue per customer as far as ``user`` may see it (0 for the others): the bubble size,
    the table's column and its order. ``None`` in the second place when they see all."""
    if can_manage_selection(user):
        return (lambda run, cid: run.revenue.get(cid, 0.0)), None
    from kamp.economics.services import economics_customers

    allowed = frozenset(economics_customers(user).order_by().values_list("id", flat=True))
    return (lambda run, cid: run.revenue.get(cid, 0.0) if cid in allowed else 0.0), allowed


def _chart_for(
    run: engine.Run,
    results: list[scoring.Result],
    trails: dict[int, list],
    revenue=None,
    allowed: frozenset[int] | None = None,
) -> dict:
    """:func:`_chart`, kept with the run for the same customers and language (most views of the
    matrix show the same portfolio: choosing the bubbles among 100,000 is not redone each time).
    Trails are per request and never kept."""
    if trails:
        return _chart(run, results, trails, revenue)
    charts = run.__dict__.setdefault("_charts", {})
    # Whose revenue sizes the bubbles is part of the key: one person's chart never serves another.
    key = (get_language(), len(results), hash(tuple(r.id for r in results)), allowed)
    if key not in charts:
        while len(charts) >= 8:
            charts.pop(next(iter(charts)))
        charts[key] = _chart(run, results, trails, revenue)
    return charts[key]


def _chart(
    run: engine.Run, results: list[scoring.Result], trails: dict[int, list], revenue=None
) -> dict:
    """The data matrix.js draws: individual bubbles, density bubbles for the rest, trails.
    ``revenue(run, id)`` sizes the bubbles (all of one size for who may see no economics)."""
    if revenue is None:

        def revenue(run, cid):
            return 0.0

    split = run.pure.split_value
    floor = run.pure.floor_value
    max_rev = max((revenue(run, r.id) for r in results), default=0.0) or 1.0

    def wanted(r):
        info = run.customers[r.id]
        return (
            info.status == CustomerStatus.KEY_ACCOUNT,
            r.recommended,
            r.quadrant == scoring.STRATEGIC,
            revenue(run, r.id),
        )

    if len(results) > MAX_POINTS:
        shown = heapq.nlargest(MAX_POINTS, results, key=wanted)
        picked = {r.id for r in shown}
        rest = [r for r in results if r.id not in picked]
    else:
        shown, rest = results, []
    points = []
    for r in shown:
        # Only complete results are charted: both dimensions are known.
        if r.position is None or r.attractiveness is None:
            continue
        info = run.customers[r.id]
        rev = revenue(run, r.id)
        points.append(
            {
                "id": r.id,
                "name": info.name,
                "x": round(r.position, 4),
                "y": round(r.attractiveness, 4),
                "q": r.quadrant,
                "key": info.status == CustomerStatus.KEY_ACCOUNT,
                "rec": r.recommended,
                "unrec": r.reason == scoring.R_UNRECIPROCATED,
                "size": round(8 + 32 * math.sqrt(max(rev, 0.0) / max_rev), 1),
                "co": None if r.co_investment is None else round(r.co_investment, 2),
                "why": reason_label(r),
                "url": reverse("selection:customer_tab", args=[r.id]),
            }
        )
    cells: dict[tuple, int] = defaultdict(int)
    step = (run.pure.scale_max - run.pure.scale_min) / 18
    for r in rest:
        if r.position is None or r.attractiveness is None:
            continue
        cx = round(
            run.pure.scale_min
            + (math.floor((r.position - run.pure.scale_min) / step) + 0.5) * step,
            3,
        )
        cy = round(
            run.pure.scale_min
            + (math.floor((r.attractiveness - run.pure.scale_min) / step) + 0.5) * step,
            3,
        )
        cells[(cx, cy)] += 1
    biggest = max(cells.values(), default=1)
    density = [
        {"x": x, "y": y, "n": n, "size": round(6 + 30 * math.sqrt(n / biggest), 1)}
        for (x, y), n in cells.items()
    ]
    return {
        "min": run.pure.scale_min,
        "max": run.pure.scale_max,
        "split": split,
        "floor": floor,
        "points": points,
        "density": density,
        "trails": [
            {"id": cid, "name": run.customers[cid].name, "points": pts}
            for cid, pts in trails.items()
            if cid in run.customers
        ],
        "labels": {
            "x": _("Competitive position"),
            "y": _("Customer attractiveness"),
            "strategic": str(QUADRANT_LABELS[scoring.STRATEGIC]),
            "star": str(QUADRANT_LABELS[scoring.STAR]),
            "status": str(QUADRANT_LABELS[scoring.STATUS]),
            "streamline": str(QUADRANT_LABELS[scoring.STREAMLINE]),
            "key": _("Key account"),
            "rec": _("Recommended"),
            "unrec": _("Unreciprocated"),
            "others": _("Other customers (grouped)"),
            "customers": _("customers"),
            "trail": _("Movement"),
            "co": _("Co-investment"),
            "attractiveness": _("Attractiveness"),
            "position": _("Position"),
        },
    }


def portfolio(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The portfolio matrix [matriz de selección]: chart, table, recommendation, robustness.
    Right after a change on a large portfolio it shows the previous run, marked as being updated,
    while the worker prepares the next (:func:`kamp.selection.prepared.current`)."""
    run, updating = prepared.current()
    labels = factor_labels(run)
    f = _filters(request)
    # Unordered: sorting 100,000 customers by name for a set took most of the view's time; and
    # not read at all for who may read every customer.
    visible: set[int] | _Everyone = (
        _Everyone()
        if sees_every_customer(request.user)
        else set(customers_visible_to(request.user).order_by().values_list("id", flat=True))
    )
    ids = _filtered_ids(run, visible, f, request.user)
    results = [run.by_id[i] for i in ids]
    complete = [r for r in results if r.complete]
    incomplete = [r for r in results if not r.complete]
    if f["quadrant"] in scoring.QUADRANTS:
        complete = [r for r in complete if r.quadrant == f["quadrant"]]
    if f["show"] == "recommended":
        complete = [r for r in complete if r.recommended]
    elif f["show"] == "key":
        complete = [r for r in complete if run.customers[r.id].status == CustomerStatus.KEY_ACCOUNT]

    revenue, allowed = _revenue_for(request.user)
    sort = request.GET.get("sort", "rank")
    key = sort.lstrip("-")
    # Ordering by revenue ranks customers by money: only for who sees every account's.
    if key not in SORTS or (key == "revenue" and allowed is not None):
        sort, key = "rank", "rank"
    reverse_sort = sort.startswith("-")
    ordered = _sorted(run, key, reverse_sort)
    if len(complete) == len(ordered):
        table = ordered  # nothing filtered out: the run's own order
    else:
        chosen = {r.id for r in complete}
        table = [r for r in ordered if r.id in chosen]
    page = Paginator(table, PAGE_SIZE).get_page(request.GET.get("page"))
    mean_of = _("mean of %(n)s assessors, spread %(spread)s")  # once for the page's cells
    rows = [_row(r, run, labels, mean_of) for r in page.object_list]

    # Trails: the last snapshots, for the customers drawn one by one (bounded).
    snapshots = list(
        Snapshot.objects.filter(model=run.model).order_by("-taken_on", "-id")[:TRAIL_SNAPSHOTS]
    )
    trails: dict[int, list] = {}
    show_trails = request.GET.get("trails") == "1" and snapshots
    chart_results = complete
    if show_trails:
        drawn = [
            r.id
            for r in sorted(
                chart_results,
                key=lambda r: (
                    run.customers[r.id].status != CustomerStatus.KEY_ACCOUNT,
                    not r.recommended,
                    r.quadrant != scoring.STRATEGIC,
                    -revenue(run, r.id),
                ),
            )[:200]
        ]
        by_snap = {s.pk: s for s in snapshots}
        for p in SnapshotPoint.objects.filter(
            snapshot__in=snapshots, customer_id__in=drawn
        ).values_list("customer_id", "snapshot_id", "position", "attractiveness"):
            trails.setdefault(p[0], []).append(
                (by_snap[p[1]].taken_on, round(p[2], 3), round(p[3], 3))
            )
        for cid, pts in trails.items():
            pts.sort()
            now = run.by_id.get(cid)
            # The customers drawn are complete: both dimensions are known.
            if now is not None and now.position is not None and now.attractiveness is not None:
                pts.append((run.as_of, round(now.position, 3), round(now.attractiveness, 3)))
            # Sorted by day, then the day as the reader writes it (the hover text shows it).
            trails[cid] = [{"date": format_date(d), "x": x, "y": y} for d, x, y in pts]

    # Everything the director must know at a glance, each with why.
    key_accounts = run.key_accounts()
    warnings = []
    # The cap counts accounts: a group scored as one counts once (docs/groups.md).
    if len(run.key_account_ids) > run.cap:
        warnings.append(
            _("%(n)s key accounts, beyond the cap of %(cap)s.")
            % {"n": len(run.key_account_ids), "cap": run.cap}
        )
    # Names only of customers this user may read; counts are programme-wide.
    # (customer, quadrant): a complete result has a quadrant.
    off = [
        (c, q)
        for c in key_accounts
        if c.id in visible
        and c.id in run.by_id
        and run.by_id[c.id].complete
        and (q := run.by_id[c.id].quadrant) is not None
        and q != scoring.STRATEGIC
    ]
    if off:
        names = ", ".join(f"{c.name} ({str(QUADRANT_LABELS[q]).lower()})" for c, q in off[:8])
        more = len(off) - 8
        warnings.append(
            _("Key accounts outside the strategic quadrant: %(names)s") % {"names": names}
            + (f" (+{more})" if more > 0 else "")
            + "."
        )
    per_kam: dict[int, int] = defaultdict(int)
    for c in key_accounts:
        if c.owner_id:
            per_kam[c.owner_id] += 1
    owners = list(
        User.objects.filter(role__in=[Role.KAM, Role.DIRECTOR, Role.ADMIN], is_active=True).only(
            "id", "name", "email"
        )
    )
    owner_names = {u.pk: str(u) for u in owners}
    for kam_id, n in per_kam.items():
        if n > 4:
            warnings.append(
                _("%(kam)s owns %(n)s key accounts: more than 4 is hard to manage well.")
                % {"kam": owner_names.get(kam_id, "?"), "n": n}
            )
    for m in run.unavailable_metrics:
        warnings.append(
            _(
                "“%(metric)s” cannot be derived from the data on this installation yet: "
                "its factor is left empty."
            )
            % {"metric": m}
        )

    rob = run.robustness
    robustness_rows = []
    if rob is not None:
        by_factor: dict[str, dict] = {}
        for v in rob.variations:
            row = by_factor.setdefault(
                v.factor, {"factor": labels.get(v.factor, v.factor), "changes": []}
            )
            entered = [run.customers[i].name for i in v.entered if i in visible]
            left = [run.customers[i].name for i in v.left if i in visible]
            row["changes"].append(
                {
                    "entered": entered[:6],
                    "entered_more": max(0, len(entered) - 6),
                    "left": left[:6],
                    "left_more": max(0, len(left) - 6),
                }
            )
        robustness_rows = list(by_factor.values())

    n_complete_all = run.kept("n_complete", lambda: sum(1 for r in run.results if r.complete))
    context = {
        "run": run,
        "updating": updating,
        "computed_at": run.computed_at,
        "model": run.model,
        "factors": run.factors,
        "labels": labels,
        "filters": f,
        "sort": sort,
        "page": page,
        "rows": rows,
        "disagree": _("assessors disagree"),
        "incomplete": [
            {
                "r": r,
                "info": run.customers[r.id],
                "missing": ", ".join(labels.get(k, k) for k in r.missing),
            }
            for r in incomplete[:50]
        ],
        "incomplete_count": len(incomplete),
        "chart": _chart_for(run, complete, trails, revenue, allowed),
        "grouped": len(complete) > MAX_POINTS,
        "key_count": len(key_accounts),
        "recommended": [run.customers[i] for i in run.recommended if i in visible],
        "recommended_count": len(run.recommended),
        "gauge_pct": min(100, round(100 * len(key_accounts) / run.cap)) if run.cap else 100,
        "warnings": warnings,
        "robustness_rows": robustness_rows,
        "robust": [run.customers[i].name for i in (rob.robust if rob else ()) if i in visible],
        "unstable": [
            run.customers[i].name
            for i in run.recommended
            if rob and i in visible and i not in set(rob.robust)
        ],
        "snapshots": snapshots,
        "show_trails": bool(show_trails),
        "industries": run.kept(
            "industries",
            lambda: sorted({c.industry for c in run.customers.values() if c.industry}),
        ),
        "regions": run.kept(
            "regions", lambda: sorted({c.region for c in run.customers.values() if c.region})
        ),
        "owners": owners,
        "statuses": CustomerStatus.choices,
        "quadrants": [(q, QUADRANT_LABELS[q], QUADRANT_STRATEGY[q]) for q in scoring.QUADRANTS],
        "can_manage": can_manage_selection(request.user),
        "can_score": can_manage_selection(request.user) or request.user.is_kam,
        "n_complete_all": n_complete_all,
        "snapshot_form": SnapshotForm(),
        "querystring": request.GET.urlencode(),
        "base_qs": _without(request, "sort", "page"),
    }
    return render(request, "selection/portfolio.html", context)


@require_POST
def snapshot_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    require_manager(request.user)
    form = SnapshotForm(request.POST)
    label = form.cleaned_data["label"] if form.is_valid() else ""
    snap = actions.do_save_snapshot(request.user, label)
    messages.success(
        request,
        _("Snapshot of %(date)s saved: the matrix can now show how customers move.")
        % {"date": format_date(snap.taken_on)},
    )
    return redirect(reverse("selection:portfolio") + "?trails=1")
