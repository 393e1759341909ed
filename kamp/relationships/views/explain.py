"""Explaining the numbers in words: why a relationship has its type and why a stage is suggested,
and the typology chart's data. Shared by the customer's tab and the portfolio."""

from __future__ import annotations

from django.utils.translation import gettext as _

from kamp.core.formatting import format_date, format_month, format_number

from .. import typology
from ..models import RelationshipType


def num(value, digits=1) -> str:
    return format_number(value, digits)


def explain_reason(code: str, p: dict) -> str:
    """One sentence for each reason code of the stage rule (stages.py)."""
    if code == "no_sales":
        return _("No sales in the last 12 months.")
    if code == "no_sales_data":
        return _("No sales recorded for this customer yet (import sales to refine the stage).")
    if code == "irregular_orders":
        return (
            _(
                "Orders are irregular: %(months)s of the last 12 months had orders (regular from %(needed)s)."
            )
            % p
        )
    if code == "pairs_unknown":
        return (
            _(
                "The number of functional contact pairs is not known (log interactions or give it in the assessment); %(needed)s are needed beyond cooperative."
            )
            % p
        )
    if code == "few_pairs":
        return _("Only %(pairs)s functional contact pairs (fewer than %(needed)s).") % p
    if code == "integrated":
        return (
            _(
                "%(pairs)s functional contact pairs, systems linked and switching costs high on both sides."
            )
            % p
        )
    if code == "interdependent":
        missing = []
        if not p.get("systems_linked"):
            missing.append(_("systems are not linked"))
        if not p.get("switching_high"):
            missing.append(_("switching costs are not high on both sides"))
        return _("%(pairs)s functional contact pairs; not integrated because %(why)s.") % {
            "pairs": p.get("pairs"),
            "why": _(" and ").join(str(m) for m in missing) or "—",
        }
    if code == "rqi_drop":
        return _("The relationship quality index fell from %(before)s to %(now)s in a year.") % {
            "before": num(p["before"]),
            "now": num(p["now"]),
        }
    if code == "wallet_drop":
        return _("Share of wallet fell from %(before)s %% to %(now)s %% in a year.") % {
            "before": num(100 * p["before"], 0),
            "now": num(100 * p["now"], 0),
        }
    return code


def explain_type(a) -> str:
    rp = float(a.relative_power)
    mean = (float(a.ds) + float(a.db)) / 2
    orient = (
        _("relational (RO %(ro)s ≥ 4.5)")
        if float(a.ro) >= typology.RO_HIGH
        else _("transactional (RO %(ro)s < 4.5)")
    ) % {"ro": num(a.ro)}
    if rp < -typology.BALANCE:
        power = _("the customer holds the power (RP = D_b − D_s = %(rp)s)") % {"rp": num(rp)}
    elif rp > typology.BALANCE:
        power = _("we hold the power (RP = D_b − D_s = %(rp)s)") % {"rp": num(rp)}
    elif mean >= typology.MUTUAL:
        power = _("power is balanced and dependence mutual (mean %(mean)s ≥ 4)") % {
            "mean": num(mean)
        }
    else:
        power = _("power is balanced but dependence low (mean %(mean)s < 4)") % {"mean": num(mean)}
    return _("Orientation is %(orient)s and %(power)s.") % {"orient": orient, "power": power}


def type_names(language: str) -> dict:
    """Each region's name for the charts drawn by static JS, from the catalogue in the reader's
    language only (the other language's name under it read as English on Spanish pages). The
    list's second item is a subtitle, empty today; ``language`` is kept for the callers."""
    return {value: [str(label), ""] for value, label in RelationshipType.choices}


def typology_chart_data(assessments, language: str, label: str = "") -> dict:
    return {
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
                "name": label,
                "points": [
                    {
                        "date": a.date.isoformat(),
                        "day": format_date(a.date),
                        "month": format_month(a.date),
                        "ro": float(a.ro),
                        "rp": float(a.relative_power),
                        "ds": float(a.ds),
                        "db": float(a.db),
                        "type": a.type,
                        "type_label": a.get_type_display(),
                        "independent": a.type == typology.INDEPENDENT,
                    }
                    for a in assessments
                ],
            }
        ],
    }
