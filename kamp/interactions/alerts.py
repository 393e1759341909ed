"""The risks of §7 as alerts (kamp.core.alerts), on key accounts only: who we know at the
account — single-threaded, a decider role nobody covers, contacts not met, a champion or
decider who left — rolled up into one alert per account. Constant queries for any number of
accounts."""

from __future__ import annotations

from datetime import date

from django.urls import reverse
from django.utils.translation import gettext as _

from kamp.core.alerts import Alert

from . import analysis

AREA = "interactions"
CAUSE = "coverage"
# A DMU role left uncovered is the KAM's homework, shown on the Interactions tab; the director
# acts only when nobody who decides is known.
DIRECTOR_ROLES = {"decider"}


def _worth_an_alert(risk) -> bool:
    if risk.kind == "no_interactions":
        return False  # the log being empty is said by the tab; not an alarm in itself
    if risk.kind == "dmu_gap":
        return bool(DIRECTOR_ROLES & set(risk.data.get("roles", ())))
    return True


def alerts(customers, as_of: date) -> list[Alert]:
    from kamp.customers.models import CustomerStatus

    keys = customers.filter(status=CustomerStatus.KEY_ACCOUNT)
    results = analysis.analyse_many(keys, as_of=as_of)
    if not results:
        return []
    found = _falling_back(keys, as_of)
    from kamp.customers.models import Customer

    names = dict(Customer.objects.filter(pk__in=list(results)).values_list("pk", "name"))
    title = _("Who we know at the account")
    for pk, a in results.items():
        url = reverse("interactions:customer_tab", args=[pk])
        for r in a.risks:
            if not _worth_an_alert(r):
                continue
            found.append(
                Alert(
                    area=AREA,
                    kind=r.kind,
                    severity=analysis.risk_severity(r),
                    message=analysis.risk_message(r),
                    customer_id=pk,
                    customer_name=names.get(pk, ""),
                    url=url,
                    data={"title": analysis.risk_title(r.kind)},
                    cause=CAUSE,
                    cause_title=title,
                )
            )
    return found


TARGET_CAUSE = "target"


def _falling_back(keys, as_of: date) -> list[Alert]:
    """An account further from its target interaction form than at the end of the last period."""
    from kamp.customers.models import Customer

    from .targets import falling_back_many

    behind = falling_back_many(keys, as_of)
    names = dict(Customer.objects.filter(pk__in=list(behind)).values_list("pk", "name"))
    return [
        Alert(
            area=AREA,
            kind="target_falling_back",
            severity="warning",
            message=_(
                "Further from its target interaction form than at the end of the last period: "
                "%(now)d of %(needed)d steps now, %(before)d then."
            )
            % {"now": now.done, "needed": now.needed, "before": before.done},
            customer_id=pk,
            customer_name=names.get(pk, ""),
            url=reverse("interactions:customer_tab", args=[pk]),
            data={"title": _("Falling back from the target form")},
            cause=TARGET_CAUSE,
            cause_title=_("Target interaction form"),
        )
        for pk, (now, before) in sorted(behind.items())
    ]
