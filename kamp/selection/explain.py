"""Sentences that explain every number of the selection (ux.md: "explain every number"), in the
active language: why a customer is or is not recommended, what makes a model unusable."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from kamp.core.formatting import format_number

from . import scoring

QUADRANT_LABELS = {
    scoring.STRATEGIC: pgettext_lazy("quadrant", "Strategic"),
    scoring.STAR: pgettext_lazy("quadrant", "Star"),
    scoring.STATUS: pgettext_lazy("quadrant", "Status"),
    scoring.STREAMLINE: pgettext_lazy("quadrant", "Streamline"),
}
QUADRANT_STRATEGY = {
    scoring.STRATEGIC: gettext_lazy("Invest: full KAM, team, joint plan, sponsor."),
    scoring.STAR: gettext_lazy(
        "Invest selectively to build position, only if the customer reciprocates."
    ),
    scoring.STATUS: gettext_lazy("Maintain: protect the position, control the cost to serve."),
    scoring.STREAMLINE: gettext_lazy("Not a key account: a low-cost service model."),
}
REASON_LABELS = {
    scoring.R_RECOMMENDED: gettext_lazy("recommended"),
    scoring.R_BEYOND_CAP: gettext_lazy("beyond the cap"),
    scoring.R_UNRECIPROCATED: gettext_lazy("strategic but unreciprocated"),
    scoring.R_NO_CO_INVESTMENT: gettext_lazy("co-investment not assessed"),
    scoring.R_NOT_STRATEGIC: gettext_lazy("not strategic"),
    scoring.R_INCOMPLETE: gettext_lazy("incomplete"),
}
DIMENSION_LABELS = {
    scoring.ATTRACTIVENESS: gettext_lazy("customer attractiveness"),
    scoring.POSITION: gettext_lazy("competitive position"),
}


def num(x: float | None, digits: int = 1) -> str:
    if x is None:
        return "—"
    return format_number(x, digits)


def reason_label(result: scoring.Result) -> str:
    if result.reason == scoring.R_NOT_STRATEGIC and result.quadrant:
        return _("not strategic (%(quadrant)s)") % {
            "quadrant": str(QUADRANT_LABELS[result.quadrant]).lower()
        }
    return str(REASON_LABELS[result.reason])


def reason_sentence(
    result: scoring.Result, model: scoring.Model, labels: dict[str, str] | None = None
) -> str:
    """One sentence saying why ``result`` is or is not recommended, with its numbers."""
    split = num(model.split_value)
    floor = num(model.floor_value)
    a, p, co = num(result.attractiveness), num(result.position), num(result.co_investment)
    if result.reason == scoring.R_INCOMPLETE:
        names = ", ".join((labels or {}).get(k, k) for k in result.missing)
        return _("Incomplete: no score yet for %(factors)s, so it is not placed on the matrix.") % {
            "factors": names
        }
    if result.reason == scoring.R_RECOMMENDED:
        return _(
            "Recommended (rank %(rank)s of %(cap)s): strategic — attractiveness %(a)s and "
            "position %(p)s, both at least %(split)s — and it reciprocates: co-investment "
            "%(co)s ≥ %(floor)s."
        ) % {
            "rank": result.rank,
            "cap": model.cap,
            "a": a,
            "p": p,
            "split": split,
            "co": co,
            "floor": floor,
        }
    if result.reason == scoring.R_BEYOND_CAP:
        return _(
            "Strategic and reciprocated, but ranked %(rank)s: beyond the cap of %(cap)s key "
            "accounts (attractiveness + position = %(total)s)."
        ) % {"rank": result.rank, "cap": model.cap, "total": num(result.total, 2)}
    if result.reason == scoring.R_UNRECIPROCATED:
        return _(
            "Strategic but unreciprocated: willingness to co-invest %(co)s is below the "
            "floor of %(floor)s, so it is not recommended."
        ) % {"co": co, "floor": floor}
    if result.reason == scoring.R_NO_CO_INVESTMENT:
        return _(
            "Strategic, but nobody has assessed its willingness to co-invest yet: score "
            "co-investment to know whether it reciprocates."
        )
    if result.quadrant == scoring.STAR:
        return _(
            "Star: attractive (%(a)s) but our position is weak (%(p)s < %(split)s). Invest "
            "selectively, only if it reciprocates."
        ) % {"a": a, "p": p, "split": split}
    if result.quadrant == scoring.STATUS:
        return _(
            "Status: our position is strong (%(p)s) but the customer is not attractive "
            "enough (%(a)s < %(split)s). Maintain, controlling the cost to serve."
        ) % {"a": a, "p": p, "split": split}
    return _(
        "Streamline: attractiveness %(a)s and position %(p)s are both below %(split)s. Serve "
        "it with a low-cost model."
    ) % {"a": a, "p": p, "split": split}


def problem_text(problem: scoring.Problem) -> str:
    d = problem.data
    dims = {k: str(v) for k, v in DIMENSION_LABELS.items()}
    texts = {
        "scale": _("The scale minimum (%(min)s) must be below its maximum (%(max)s)."),
        "no_key": _("A factor has no key."),
        "duplicate_key": _("Two factors have the key “%(key)s”: keys must be unique."),
        "reserved_key": _("“co_investment” is the reciprocity score, not a factor."),
        "dimension": _(
            "Factor “%(key)s”: unknown dimension “%(value)s” (use attractiveness or position)."
        ),
        "weight": _("Factor “%(key)s”: the weight must be greater than 0 (it is %(value)s)."),
        "direction": _("Factor “%(key)s”: unknown direction “%(value)s” (use higher or lower)."),
        "source": _("Factor “%(key)s”: unknown source “%(value)s” (use assessed or derived)."),
        "empty_dimension": _("There is no factor for %(dimension)s: each axis needs at least one."),
        "split": _("The split (%(value)s) is outside the scale %(min)s–%(max)s."),
        "floor": _("The co-investment floor (%(value)s) is outside the scale %(min)s–%(max)s."),
        "cap": _("The cap must be a whole number, 0 or more (it is %(value)s)."),
    }
    params = {k: (f"{v:g}" if isinstance(v, float) else v) for k, v in d.items()}
    if "dimension" in params:
        params["dimension"] = dims.get(params["dimension"], params["dimension"])
    return texts[problem.code] % params
