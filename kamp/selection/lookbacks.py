"""Look-backs of key-account decisions read from the database: the account's figures at the
decision and 12 and 24 months on, beside its matched non-key customers (same quadrant of the
matrix and same size band at the decision date) over the same period. The figures are the ones of
docs/figures.md, from their one function (kamp.economics.figures.figures_for); the RQI on a
past day is the relationships area's counted round of that day (kamp.relationships.results).
The matching and the comparison are the pure kamp.selection.lookback."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from kamp.customers.models import Customer, CustomerStatus
from kamp.economics.figures import figures_for

from . import lookback
from .models import Decision, Snapshot, SnapshotPoint

FIGURE_KEYS = ("profit_after_kam", "share_of_wallet", "diamond_index")
MONEY = frozenset({"profit_after_kam", "share_of_wallet"})


@dataclass
class Horizon:
    months: int
    due_on: date
    due: bool  # reached: the comparison is computed
    comparisons: list[lookback.Comparison] = field(default_factory=list)
    verdict: str | None = None
    controls: list[int] = field(default_factory=list)
    stage: tuple[str, str] = ("", "")  # the relationship stage at the decision and at the horizon


@dataclass
class LookBack:
    decision: Decision
    band: str
    quadrant: str
    horizons: list[Horizon]

    @property
    def flagged(self) -> bool:
        return any(h.verdict == lookback.WORSE for h in self.horizons)


def _rqi_on(ids: list[int], day: date) -> dict[int, float]:
    try:
        from kamp.relationships import results
    except ImportError:  # pragma: no cover
        return {}
    out = {}
    for cid, rounds in results.latest_scored_rounds(ids).items():
        for r in rounds:  # newest first
            if r.opened_on <= day and r.rqi is not None:
                out[cid] = float(r.rqi)
                break
    return out


def _stage_on(customer_id: int, day: date) -> str:
    try:
        from kamp.relationships.models import StageRecord
    except ImportError:  # pragma: no cover
        return ""
    s = (
        StageRecord.objects.filter(customer_id=customer_id, date__lte=day)
        .order_by("-date", "-id")
        .first()
    )
    return s.get_stage_display() if s else ""


def _values(ids: list[int], day: date) -> dict[int, dict[str, float | None]]:
    figs = figures_for(ids, day, keys=FIGURE_KEYS)
    rqi = _rqi_on(ids, day)
    out = {}
    for cid in ids:
        row: dict[str, float | None] = {
            k: (None if f.value is None else float(f.value)) for k, f in figs[cid].items()
        }
        row["rqi"] = rqi.get(cid)
        out[cid] = row
    return out


def _candidates(day: date) -> list[lookback.Candidate]:
    """Every customer's quadrant in the latest snapshot of the matrix taken on or before ``day``,
    with its size band."""
    snap = Snapshot.objects.filter(taken_on__lte=day).order_by("-taken_on", "-id").first()
    if snap is None:
        return []
    rows = SnapshotPoint.objects.filter(snapshot=snap).values_list(
        "customer_id", "quadrant", "customer__size"
    )
    return [lookback.Candidate(cid, q, band or None) for cid, q, band in rows]


def _non_key(ids: list[int], until: date) -> list[int]:
    """Of ``ids``, those that were not made key accounts up to ``until`` and are not one now."""
    made = set(
        Decision.objects.filter(
            customer_id__in=ids, kind=Decision.Kind.MAKE, decided_on__lte=until
        ).values_list("customer_id", flat=True)
    )
    keys = set(
        Customer.objects.filter(id__in=ids, status=CustomerStatus.KEY_ACCOUNT).values_list(
            "id", flat=True
        )
    )
    return [i for i in ids if i not in made and i not in keys]


def for_decision(decision: Decision, today: date | None = None) -> LookBack:
    today = today or date.today()
    customer = decision.customer
    band = customer.size or ""
    every = _candidates(decision.decided_on)
    # The account's quadrant in the same snapshot as its controls' (else the decision's own).
    quadrant = next((c.quadrant for c in every if c.id == customer.pk), decision.quadrant)
    account = lookback.Candidate(customer.pk, quadrant or None, band or None)
    horizons = []
    for months in lookback.HORIZONS:
        due = lookback.due_on(decision.decided_on, months)
        h = Horizon(months, due, due <= today)
        if h.due:
            wanted = set(_non_key([c.id for c in every if c.id != customer.pk], due))
            cands = [c for c in every if c.id in wanted]
            h.controls = lookback.match(account, cands)
            ids = [customer.pk, *h.controls]
            then, now = _values(ids, decision.decided_on), _values(ids, due)
            keys = (*FIGURE_KEYS, "rqi")

            def pairs(cid: int, then=then, now=now, keys=keys) -> dict:
                return {k: (then[cid][k], now[cid][k]) for k in keys}

            h.comparisons = lookback.compare(
                pairs(customer.pk), [pairs(c) for c in h.controls], figures=keys
            )
            h.verdict = lookback.verdict(h.comparisons)
            h.stage = (_stage_on(customer.pk, decision.decided_on), _stage_on(customer.pk, due))
        horizons.append(h)
    return LookBack(decision, band, quadrant or "", horizons)


def for_customer(
    customer: Customer, today: date | None = None, decisions: list[Decision] | None = None
) -> list[LookBack]:
    """The look-backs of the customer's key-account decisions (``decisions``: the customer's
    decisions the caller already read, newest first)."""
    if decisions is None:
        decisions = list(Decision.objects.filter(customer=customer).order_by("-decided_on", "-id"))
    out = []
    for d in decisions:
        if d.kind == Decision.Kind.MAKE:
            d.customer = customer
            out.append(for_decision(d, today))
    return out


def as_json(lb: LookBack, money: bool) -> dict:
    d = lb.decision
    return {
        "decision": {
            "id": d.pk,
            "kind": d.kind,
            "decided_on": d.decided_on.isoformat(),
            "quadrant": lb.quadrant,
            "size_band": lb.band,
        },
        "flagged": lb.flagged,
        "lookbacks": [
            {
                "months": h.months,
                "due_on": h.due_on.isoformat(),
                "due": h.due,
                "verdict": h.verdict,
                "controls": len(h.controls),
                "stage": {"at_decision": h.stage[0], "now": h.stage[1]},
                "figures": {
                    c.figure: (
                        None
                        if c.figure in MONEY and not money
                        else {
                            "at_decision": c.then,
                            "now": c.now,
                            "change": c.account_change,
                            "controls_change": c.controls_change,
                            "controls": c.controls,
                            "verdict": c.verdict,
                        }
                    )
                    for c in h.comparisons
                },
            }
            for h in lb.horizons
        ],
    }


def summary(customers) -> list[dict]:
    """One line per key-account decision of ``customers`` (the programme's benefits page): its
    account, day, each horizon's verdict or due day, and whether it is flagged for review."""
    out = []
    for d in (
        Decision.objects.filter(customer__in=customers, kind=Decision.Kind.MAKE)
        .select_related("customer")
        .order_by("-decided_on", "customer__name")
    ):
        lb = for_decision(d)
        out.append({"decision": d, "horizons": lb.horizons, "flagged": lb.flagged})
    return out
