"""The relationship card on the customer summary and the badges on the homes' account cards."""

from __future__ import annotations

from . import results
from .models import RelationshipType, Stage


def card(request, customer):
    """This area's card on the customer summary: (template, context)."""
    ids = [customer.pk]
    assessment = results.latest_assessments(ids).get(customer.pk)
    rounds = results.latest_scored_rounds(ids).get(customer.pk, [])
    stage = results.latest_stages(ids).get(customer.pk)
    if stage is not None:
        stage_key, stage_set = stage.stage, True
    else:
        stage_key, stage_set = results.suggest_stage(customer).stage, False
    # The page lists every area's alerts above the cards: the card does not repeat them.
    return "relationships/card.html", {
        # The RQI as every surface gives it (kamp.economics.figures, docs/figures.md).
        "rqi": _rqi_figure(customer),
        "assessment": assessment,
        "round": rounds[0] if rounds else None,
        "stage": stage_key,
        "stage_label": Stage(stage_key).label,
        "stage_set": stage_set,
    }


def _rqi_figure(customer):
    try:
        from kamp.economics import figures
    except ImportError:
        return None
    return figures.account_figures(customer, money=False, keys={"rqi"})["rqi"]


def badges(customer_ids: list[int]) -> dict[int, list[dict]]:
    """Relationship type and latest RQI per account: two queries for any number of accounts."""
    from django.utils.translation import gettext as _

    from kamp.core.formatting import format_number

    latest = results.latest_assessments(customer_ids)
    rounds = results.latest_scored_rounds(customer_ids)
    out: dict[int, list[dict]] = {}
    for cid in customer_ids:
        found = []
        a = latest.get(cid)
        if a is not None:
            found.append(
                {
                    "label": str(RelationshipType(a.type).label),
                    "css": f"rtype rtype-{a.type}",
                    "title": _("Relationship type"),
                }
            )
        rs = rounds.get(cid)
        if rs and rs[0].rqi is not None:
            found.append(
                {
                    # "ICR 5,1" in Spanish (the glossary's name, the reader's decimal comma).
                    "label": f"{_('RQI')} {format_number(rs[0].rqi, 1)}",
                    "css": "rqi" + (" gap-flag" if rs[0].gap_flagged else ""),
                    "title": _(
                        "Relationship quality index (1–7), latest counted survey: "
                        "%(team)s answers from our team, %(theirs)s from the customer"
                    )
                    % {"team": rs[0].team_answered, "theirs": rs[0].customer_answered},
                }
            )
        if found:
            out[cid] = found
    return out
