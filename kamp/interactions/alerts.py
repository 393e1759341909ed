"""The risks of §7 as alerts (kamp.core.alerts): single-threaded account, DMU roles with no
contact, contacts not met, a champion or decider who left — constant queries for any number
of accounts."""

from __future__ import annotations

from datetime import date

from django.urls import reverse

from kamp.core.alerts import Alert

from . import analysis

AREA = "interactions"


def alerts(customers, as_of: date) -> list[Alert]:
    results = analysis.analyse_many(customers, as_of=as_of)
    if not results:
        return []
    from kamp.customers.models import Customer

    names = dict(Customer.objects.filter(pk__in=list(results)).values_list("pk", "name"))
    found = []
    for pk, a in results.items():
        url = reverse("interactions:customer_tab", args=[pk])
        for r in a.risks:
            if r.kind == "no_interactions":
                continue  # the log being empty is said by the tab; not an alarm in itself
            found.append(
                Alert(
                    area=AREA,
                    kind=r.kind,
                    severity=analysis.risk_severity(r),
                    message=analysis.risk_message(r),
                    customer_id=pk,
                    customer_name=names.get(pk, ""),
                    url=url,
                    subject=",".join(str(s) for s in r.subjects)
                    if r.kind == "champion_left"
                    else "",
                    data={"title": analysis.risk_title(r.kind)},
                )
            )
    return found
