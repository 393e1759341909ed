"""The selection card on the customer summary, and the quadrant badge on account cards."""

from __future__ import annotations

from . import prepared, scoring
from .explain import QUADRANT_LABELS, reason_label, reason_sentence
from .models import Decision


def card(request, customer):
    """This area's card on the customer summary: (template, context) or None.

    The run the matrix shows (:func:`kamp.selection.prepared.current`): right after a change on
    a large portfolio, the previous one marked as being updated while the worker prepares the
    next, never a rescoring of every customer in the request."""
    run, updating = prepared.current()
    result = run.by_id.get(customer.pk)
    if result is None:
        return None
    labels = {f.key: f.label for f in run.factors}
    return "selection/_card.html", {
        "customer": customer,
        "result": result,
        "updating": updating,
        "quadrant_label": QUADRANT_LABELS.get(result.quadrant, ""),
        "reason_label": reason_label(result),
        "reason": reason_sentence(result, run.pure, labels),
        "decision": Decision.objects.filter(customer=customer).select_related("decided_by").first(),
    }


def badges(customer_ids: list[int]) -> dict[int, list[dict]]:
    """The quadrant of each customer (and whether it is recommended), from the run the matrix
    shows: right after a change on a large portfolio the previous one while the worker prepares
    the next — a home page never rescores every customer."""
    if not customer_ids:
        return {}
    run = prepared.current()[0]
    out: dict[int, list[dict]] = {}
    for cid in customer_ids:
        r = run.by_id.get(cid)
        # A complete result has a quadrant.
        if r is None or not r.complete or r.quadrant is None:
            continue
        label = str(QUADRANT_LABELS[r.quadrant])
        title = reason_sentence(r, run.pure)
        items = [{"label": label, "css": f"quadrant-{r.quadrant}", "title": title}]
        if r.reason == scoring.R_UNRECIPROCATED:
            items.append({"label": reason_label(r), "css": "quadrant-star", "title": title})
        out[cid] = items
    return out
