"""The interactions card on the customer summary, and the bow-tie/diamond badge on the homes."""

from __future__ import annotations

from datetime import date

from django.utils.translation import gettext as _

from . import analysis
from . import forms as rules


def card(request, customer):
    """This area's card on the customer summary: (template, context)."""
    a, last = _analysis(customer, date.today())
    if a is None:
        return None
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


#: The analyses of the accounts this process showed lately: {customer id: (fingerprint, analysis,
#: last interaction's date)}. A large account's analysis reads tens of thousands of interactions;
#: its fingerprint, a few aggregates.
_HELD: dict[int, tuple[tuple, rules.Analysis | None, date | None]] = {}
_HELD_MAX = 256


def _analysis(customer, as_of: date) -> tuple[rules.Analysis | None, date | None]:
    """The account's analysis on ``as_of`` and the date of its last interaction, kept by the
    process while what the analysis reads is unchanged: the account's interactions (their
    number, newest id, latest edit — an edit of who took part saves the interaction), its
    contacts, its KAM, our people and the settings. Four queries when unchanged."""
    from django.db.models import Count, Max

    from kamp.core.models import User
    from kamp.customers.models import Contact

    from .models import Interaction, InteractionSettings

    logged = (
        Interaction.objects.filter(customer_id=customer.pk)
        .order_by()
        .aggregate(n=Count("id"), m=Max("id"), u=Max("updated_at"), last=Max("date"))
    )
    contacts = (
        Contact.objects.filter(customer_id=customer.pk)
        .order_by()
        .aggregate(n=Count("id"), m=Max("id"), u=Max("updated_at"))
    )
    people = hash(
        tuple(
            User.objects.order_by("pk").values_list("pk", "function", "is_active", "name", "email")
        )
    )
    settings = tuple(InteractionSettings.objects.order_by("pk").values_list())
    key: tuple = (as_of, customer.owner_id, tuple(logged.values()), tuple(contacts.values()))
    key += (people, settings)
    held = _HELD.get(customer.pk)
    if held is not None and held[0] == key:
        return held[1], held[2]
    found = analysis.analyse_many([customer.pk], as_of).get(customer.pk)
    if len(_HELD) >= _HELD_MAX:
        _HELD.pop(next(iter(_HELD)))
    _HELD[customer.pk] = (key, found, logged["last"])
    return found, logged["last"]


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
