"""Selection alerts: too many key accounts (about the programme, once), and per account whether it
should be a key account — outside the strategic quadrant, strategic but not reciprocating. (A KAM
carrying too many accounts is the team area's alert.) Constant queries: one cached
scoring run (kamp.selection.engine) and the ids of the given customers."""

from __future__ import annotations

from datetime import date

from django.urls import reverse
from django.utils.translation import gettext as _

from kamp.core.alerts import Alert
from kamp.core.formatting import format_date
from kamp.customers.models import CustomerStatus

from . import engine, scoring
from .explain import QUADRANT_LABELS, num

CAUSE = "fit"
MAX_PER_KAM = 4  # kam-domain.md §1 [default]; the selection's warning when a KAM is given one more


def programme_alerts(customers, as_of: date | None = None) -> list[Alert]:
    """Too many key accounts: about the whole programme (no customer), so it is shown once, on
    the programme. The cap counts accounts: a group scored as one counts once (docs/groups.md).
    Reads only the scoring run: what the stored alerts recompute after any account's change."""
    run = engine.run(as_of=as_of, with_robustness=False)
    if len(run.key_account_ids) <= run.cap:
        return []
    keys = run.key_accounts()
    return [
        Alert(
            "selection",
            "beyond_cap",
            "warning",
            _(
                "%(n)s key accounts, beyond the cap of %(cap)s: few key accounts, well served, pay "
                "better than many."
            )
            % {"n": len(run.key_account_ids), "cap": run.cap},
            url=reverse("selection:portfolio"),
            data={
                "count": len(run.key_account_ids),
                "cap": run.cap,
                "customer_ids": [c.id for c in keys],
            },
            cause_title=_("Too many key accounts"),
        )
    ]


def alerts(customers, as_of: date | None = None) -> list[Alert]:
    ids = set(customers.order_by().values_list("id", flat=True))
    if not ids:
        return []
    # The customers as a subquery for the tables read below: the stored alerts' refresh asks
    # about every key account and candidate, and 100,000 ids written into an IN list cost
    # seconds to build and send.
    scope = customers.order_by().values("pk")
    run = engine.run(as_of=as_of, with_robustness=False)
    out: list[Alert] = programme_alerts(customers, as_of)
    title = _("Whether it should be a key account")
    for cid in ids:
        info = run.customers.get(cid)
        r = run.by_id.get(cid)
        # A complete result has a quadrant.
        if info is None or r is None or not r.complete or r.quadrant is None:
            continue
        if info.status != CustomerStatus.KEY_ACCOUNT:
            continue  # both alerts below are about key accounts only
        url = reverse("selection:customer_tab", args=[cid])
        if r.quadrant != scoring.STRATEGIC:
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
                    cause=CAUSE,
                    cause_title=title,
                )
            )
        # On a candidate it is a reason not to select it, said by the portfolio's
        # recommendation; an alert only once the account is a key account.
        if r.reason == scoring.R_UNRECIPROCATED:
            out.append(
                Alert(
                    "selection",
                    "strategic_unreciprocated",
                    "warning",
                    _(
                        "Strategic but unreciprocated: willingness to co-invest %(co)s is below %(floor)s."
                    )
                    % {"co": num(r.co_investment), "floor": num(run.pure.floor_value)},
                    customer_id=cid,
                    customer_name=info.name,
                    url=url,
                    cause=CAUSE,
                    cause_title=title,
                )
            )
    out += _reciprocity_alerts(scope, run)
    out += _lookback_alerts(scope, run, as_of)
    return out


def _reciprocity_alerts(scope, run) -> list[Alert]:
    """A reciprocity score that fell by the model's threshold since it was last computed."""
    from . import ledger, reciprocity
    from .models import ReciprocityLedger

    points = ledger.drop_threshold()
    out = []
    for row in ReciprocityLedger.objects.filter(customer_id__in=scope, override__isnull=True):
        if not reciprocity.dropped(row.previous_score, row.score, points):
            continue
        info = run.customers.get(row.customer_id)
        out.append(
            Alert(
                "selection",
                "reciprocity_dropped",
                "warning",
                _(
                    "Willingness to co-invest fell from %(before)s to %(now)s: check the "
                    "reciprocity evidence."
                )
                % {"before": num(row.previous_score), "now": num(row.score)},
                customer_id=row.customer_id,
                customer_name=info.name if info else "",
                url=reverse("selection:customer_tab", args=[row.customer_id]) + "#reciprocity",
                cause=CAUSE,
                cause_title=_("Whether it should be a key account"),
            )
        )
    return out


def _lookback_alerts(scope, run, as_of: date | None) -> list[Alert]:
    """A key-account decision whose account did worse than its matched non-key customers."""
    from . import lookbacks
    from .models import Decision

    out = []
    decisions = Decision.objects.filter(
        customer_id__in=scope, kind=Decision.Kind.MAKE
    ).select_related("customer")
    for d in decisions:
        lb = lookbacks.for_decision(d, as_of)
        if not lb.flagged:
            continue
        out.append(
            Alert(
                "selection",
                "lookback_worse",
                "warning",
                _(
                    "The decision of %(day)s to make it a key account: the account did worse than "
                    "its matched non-key customers. Review the decision."
                )
                % {"day": format_date(d.decided_on)},
                customer_id=d.customer_id,
                customer_name=d.customer.name,
                url=reverse("selection:customer_tab", args=[d.customer_id]) + f"#lookback-{d.pk}",
                cause=CAUSE,
                cause_title=_("Whether it should be a key account"),
            )
        )
    return out
