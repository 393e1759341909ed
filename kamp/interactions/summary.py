"""The interactions card on the customer summary, and the bow-tie/diamond badge on the homes."""

from __future__ import annotations

from datetime import date

from django.utils.translation import gettext as _

from . import analysis
from . import forms as rules


def card(request, customer):
    """This area's card on the customer summary: (template, context)."""
    results = analysis.analyse_many([customer.pk])
    a = results.get(customer.pk)
    if a is None:
        return None
    last = customer.interactions.order_by("-date").values_list("date", flat=True).first()
    risks = [
        {
            "title": analysis.risk_title(r.kind),
            "message": analysis.risk_message(r),
            "severity": analysis.risk_severity(r),
        }
        for r in a.risks
    ]
    return "interactions/_summary_card.html", {
        "a": a,
        "form_label": analysis.form_label(a.form),
        "diamond_percent": rules.diamond_percent(a.diamond_index),
        "window_days": (a.as_of - a.window_start).days + 1 if a.window_start and a.as_of else 0,
        "risks": risks,
        "last": last,
        "customer": customer,
    }


def badges(customer_ids: list[int]) -> dict[int, list[dict]]:
    """``{customer_id: [{"label", "css", "title"}]}``: bow-tie or diamond, and single-threaded."""
    if not customer_ids:
        return {}
    results = analysis.analyse_many(customer_ids, as_of=date.today())
    out: dict[int, list[dict]] = {}
    for pk, a in results.items():
        items = [
            {
                "label": _("Diamond") if a.form == "B" else _("Bow-tie"),
                "css": "form-B quadrant-strategic" if a.form == "B" else "form-A quadrant-star",
                "title": analysis.form_label(a.form)
                + " · "
                + _("diamond index %(p)d %%") % {"p": rules.diamond_percent(a.diamond_index)},
            }
        ]
        if any(r.kind == "single_threaded" for r in a.risks):
            items.append(
                {
                    "label": _("Single-threaded"),
                    "css": "single-threaded attitude-opponent",
                    "title": analysis.risk_title("single_threaded"),
                }
            )
        out[pk] = items
    return out
