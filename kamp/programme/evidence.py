"""What kamp already knows about a KAM's accounts, shown beside each hat of their profile
(issue 7: salesperson — growth and profit; conductor — functional pairs and sponsor meetings;
strategist — plan completeness and DMU coverage; innovator — co-creation initiatives)."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from kamp.core.formatting import format_percent
from kamp.team.models import AccountTeamMember, TeamRole

from . import sources
from .health import growth_rate


def _na(label):
    return {"label": label, "value": None, "text": _("not available yet")}


def hat_evidence(customer_ids, kam=None, as_of=None) -> dict[str, list[dict]]:
    as_of = as_of or timezone.localdate()
    ids = list(customer_ids)
    out: dict[str, list[dict]] = {
        "salesperson": [],
        "conductor": [],
        "strategist": [],
        "innovator": [],
    }
    if not ids:
        return out

    sales = sources.sales_by_year(ids, as_of)
    label = _("Sales growth, last 12 months vs the 12 before")
    if sales is None:
        out["salesperson"].append(_na(label))
    else:
        this = sum(v.get(0, 0) for v in sales.values())
        prev = sum(v.get(1, 0) for v in sales.values())
        g = growth_rate(this, prev)
        out["salesperson"].append(
            {
                "label": label,
                "value": g,
                "text": "—" if g is None else ("+" if g > 0 else "") + format_percent(g, 0),
            }
        )
    profit = sources.profit_after_kam(ids, as_of)
    label = _("Accounts profitable after KAM (last period)")
    if profit is None:
        out["salesperson"].append(_na(label))
    else:
        with_data = [v for v in profit.values() if v]
        positive = sum(1 for v in with_data if v[-1][1] >= 0)
        out["salesperson"].append(
            {"label": label, "value": positive, "text": f"{positive} / {len(with_data)}"}
        )

    forms = sources.interaction_forms(ids, as_of)
    label = _("Functional pairs in contact (last 90 days)")
    if forms is None:
        out["conductor"].append(_na(label))
    else:
        pairs = sum(len(f.get("functional_pairs") or []) for f in forms.values())
        diamonds = sum(1 for f in forms.values() if f.get("form") == "B")
        out["conductor"].append(
            {
                "label": label,
                "value": pairs,
                "text": _("%(pairs)s pairs; %(b)s of %(n)s accounts in diamond form")
                % {"pairs": pairs, "b": diamonds, "n": len(ids)},
            }
        )
    sponsors: dict[int, list[int]] = {}
    for cid, uid in AccountTeamMember.objects.filter(
        customer_id__in=ids, role=TeamRole.SPONSOR
    ).values_list("customer_id", "user_id"):
        sponsors.setdefault(cid, []).append(uid)
    met = sources.sponsor_meetings(ids, sponsors, as_of)
    label = _("Accounts whose executive sponsor met the customer this quarter")
    if met is None:
        out["conductor"].append(
            {
                "label": _("Accounts with an executive sponsor"),
                "value": len(sponsors),
                "text": f"{len(sponsors)} / {len(ids)}",
            }
        )
    else:
        n = sum(1 for cid in ids if met.get(cid))
        out["conductor"].append({"label": label, "value": n, "text": f"{n} / {len(ids)}"})

    plans = sources.plan_completeness(ids, as_of)
    label = _("Average plan completeness")
    if plans is None:
        out["strategist"].append(_na(label))
    else:
        vals = [p["completeness"] for p in plans.values() if p.get("completeness") is not None]
        avg = sum(vals) / len(vals) if vals else None
        out["strategist"].append(
            {"label": label, "value": avg, "text": "—" if avg is None else format_percent(avg, 0)}
        )
    dmu = sources.dmu_coverage(ids)
    avg = sum(d["share"] for d in dmu.values()) / len(dmu) if dmu else 0
    out["strategist"].append(
        {
            "label": _("DMU roles covered by a known contact"),
            "value": avg,
            "text": format_percent(avg, 0),
        }
    )

    inits = sources.initiatives(ids)
    label = _("Co-creation initiatives")
    if inits is None:
        out["innovator"].append(_na(label))
    else:
        n = sum(len(v) for v in inits.values())
        launched = sum(1 for v in inits.values() for i in v if i.get("stage") == "launched")
        out["innovator"].append(
            {
                "label": label,
                "value": n,
                "text": _("%(n)s initiatives, %(l)s launched") % {"n": n, "l": launched},
            }
        )
    return out
