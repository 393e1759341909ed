"""Selection alerts: too many key accounts, a key account outside the strategic quadrant, a KAM
carrying too many, a strategic customer that does not reciprocate. Constant queries: one cached
scoring run (kamp.selection.engine) and the ids of the given customers."""

from __future__ import annotations

from datetime import date

from django.urls import reverse
from django.utils.translation import gettext as _

from kamp.core.alerts import Alert
from kamp.customers.models import CustomerStatus

from . import engine, scoring
from .explain import QUADRANT_LABELS, num

MAX_PER_KAM = 4  # kam-domain.md §1 [default]


def alerts(customers, as_of: date | None = None) -> list[Alert]:
    ids = set(customers.values_list("id", flat=True))
    if not ids:
        return []
    run = engine.run(as_of=as_of, with_robustness=False)
    out: list[Alert] = []
    portfolio = reverse("selection:portfolio")
    keys = [c for c in run.customers.values() if c.status == CustomerStatus.KEY_ACCOUNT]
    mine = [c for c in keys if c.id in ids]
    if mine and len(keys) > run.cap:
        out.append(
            Alert(
                "selection",
                "beyond_cap",
                "warning",
                _(
                    "%(n)s key accounts, beyond the cap of %(cap)s: few key accounts, well served, pay "
                    "better than many."
                )
                % {"n": len(keys), "cap": run.cap},
                url=portfolio,
                data={"count": len(keys), "cap": run.cap},
            )
        )
    per_kam: dict[int, list] = {}
    for c in keys:
        if c.owner_id:
            per_kam.setdefault(c.owner_id, []).append(c)
    if per_kam:
        from kamp.core.models import User

        heavy = {
            k: v for k, v in per_kam.items() if len(v) > MAX_PER_KAM and any(c.id in ids for c in v)
        }
        names = dict(User.objects.filter(pk__in=heavy).values_list("pk", "name")) if heavy else {}
        for kam_id, accounts in heavy.items():
            out.append(
                Alert(
                    "selection",
                    "kam_overloaded",
                    "warning",
                    _("%(kam)s owns %(n)s key accounts: a KAM can carry only %(max)s well.")
                    % {"kam": names.get(kam_id) or "?", "n": len(accounts), "max": MAX_PER_KAM},
                    url=portfolio + f"?kam={kam_id}",
                    subject=str(kam_id),
                    data={"kam_id": kam_id, "count": len(accounts)},
                )
            )
    for cid in ids:
        info = run.customers.get(cid)
        r = run.by_id.get(cid)
        # A complete result has a quadrant.
        if info is None or r is None or not r.complete or r.quadrant is None:
            continue
        url = reverse("selection:customer_tab", args=[cid])
        if info.status == CustomerStatus.KEY_ACCOUNT and r.quadrant != scoring.STRATEGIC:
            out.append(
                Alert(
                    "selection",
                    "key_account_not_strategic",
                    "warning",
                    _(
                        "A key account in the %(quadrant)s quadrant (attractiveness %(a)s, position "
                        "%(p)s): review whether it should stay one."
                    )
                    % {
                        "quadrant": str(QUADRANT_LABELS[r.quadrant]).lower(),
                        "a": num(r.attractiveness),
                        "p": num(r.position),
                    },
                    customer_id=cid,
                    customer_name=info.name,
                    url=url,
                )
            )
        if r.reason == scoring.R_UNRECIPROCATED:
            out.append(
                Alert(
                    "selection",
                    "strategic_unreciprocated",
                    "warning" if info.status == CustomerStatus.KEY_ACCOUNT else "info",
                    _(
                        "Strategic but unreciprocated: willingness to co-invest %(co)s is below %(floor)s."
                    )
                    % {"co": num(r.co_investment), "floor": num(run.pure.floor_value)},
                    customer_id=cid,
                    customer_name=info.name,
                    url=url,
                )
            )
    return out
