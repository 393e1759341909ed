"""The director's portfolio of relationships: every visible key account's type, quality, gap and
stage."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext as _

from kamp.core.formatting import format_date, format_month
from kamp.core.http import AuthenticatedHttpRequest as HttpRequest
from kamp.customers.access import customers_visible_to
from kamp.customers.models import CustomerStatus

from .. import results, typology
from ..models import RelationshipType
from .explain import type_names


def portfolio_rows(user):
    """Every key account the user may see, with type, RQI, gap and stage: a fixed number of
    queries however many accounts there are."""
    customers = list(
        customers_visible_to(user)
        .filter(status=CustomerStatus.KEY_ACCOUNT)
        .select_related("owner")
        .order_by("name")
    )
    ids = [c.pk for c in customers]
    latest = results.latest_assessments(ids)
    rounds = results.latest_scored_rounds(ids)
    stages_ = results.latest_stages(ids)
    rows = []
    for c in customers:
        a = latest.get(c.pk)
        rs = rounds.get(c.pk, [])
        r = rs[0] if rs else None
        before = results.year_ago_round(rs)
        st = stages_.get(c.pk)
        rows.append(
            {
                "customer": c,
                "assessment": a,
                "round": r,
                "stage": st,
                "rqi": r.rqi if r else None,
                "rqi_before": before.rqi if before else None,
                "gap": r.max_gap if r else None,
                "gap_flagged": bool(r and r.gap_flagged),
            }
        )
    return rows


def portfolio(request: HttpRequest) -> HttpResponse:
    rows = portfolio_rows(request.user)
    language = translation.get_language() or "en"
    by_type: dict[str, list[dict]] = {}
    for row in rows:
        key = row["assessment"].type if row["assessment"] else ""
        by_type.setdefault(key, []).append(row)
    groups: list[tuple[str, list[dict]]] = [
        (str(RelationshipType(k).label), by_type[k]) for k in typology.TYPES if k in by_type
    ]
    if "" in by_type:
        groups.append((_("Not assessed yet"), by_type[""]))
    chart = {
        "label_names": True,
        "names": type_names(language),
        "axis": {
            "x": _("Relational orientation (1 transactional – 7 relational)"),
            "y": _("Relative power (above 0: we hold more)"),
        },
        # Hover text names each figure in words, its symbol in brackets.
        "hover": {
            "ro": _("Relational orientation (RO)"),
            "rp": _("Relative power (D_b − D_s)"),
            "ds": _("Our dependence (D_s)"),
            "db": _("Customer's dependence (D_b)"),
        },
        "note": _(
            "Middle band: mutual when the mean dependence is 4 or more, otherwise independent (hollow markers)."
        ),
        "series": [
            {
                "name": row["customer"].name,
                "points": [
                    {
                        "date": row["assessment"].date.isoformat(),
                        "day": format_date(row["assessment"].date),
                        "month": format_month(row["assessment"].date),
                        "ro": float(row["assessment"].ro),
                        "rp": float(row["assessment"].relative_power),
                        "ds": float(row["assessment"].ds),
                        "db": float(row["assessment"].db),
                        "type": row["assessment"].type,
                        "type_label": row["assessment"].get_type_display(),
                        "independent": row["assessment"].type == typology.INDEPENDENT,
                    }
                ],
            }
            for row in rows
            if row["assessment"]
        ],
    }
    return render(
        request,
        "relationships/portfolio.html",
        {
            "rows": rows,
            "groups": groups,
            "chart": chart if chart["series"] else None,
            "gap_threshold": results.gap_threshold(),
            "assessed": sum(1 for r in rows if r["assessment"]),
        },
    )
