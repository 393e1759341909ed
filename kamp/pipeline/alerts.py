"""The pipeline's alerts (``kamp.core.alerts``): a key account's contract ending within the
renewal window (``KAMP_RENEWAL_DAYS``, 90 by default), and a champion of a key account who
left and is not followed yet. Constant queries."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from kamp.core.alerts import Alert
from kamp.core.formatting import format_date
from kamp.customers.models import Attitude, Contact, CustomerStatus

from . import service


def alerts(customers, as_of) -> list[Alert]:
    keys = customers.filter(status=CustomerStatus.KEY_ACCOUNT)
    out: list[Alert] = []
    for c in service.renewals_query(keys.values("pk"), as_of):
        out.append(
            Alert(
                area="pipeline",
                kind="renewal_due",
                severity="warning",
                message=_("The contract “%(title)s” ends on %(day)s: prepare its renewal.")
                % {"title": c.title, "day": format_date(c.ends_on)},
                customer_id=c.customer_id,
                customer_name=c.customer.name,
                url=reverse("pipeline:customer_tab", args=[c.customer_id]),
                subject=f"contract-{c.pk}",
                cause="renewal",
                cause_title=_("Renewals"),
            )
        )
    left = (
        Contact.objects.filter(customer__in=keys, active=False, followed_to__isnull=True)
        .select_related("customer")
        .order_by("customer_id", "name")
    )
    for contact in left:
        if contact.attitude != Attitude.CHAMPION and "champion" not in (contact.dmu_roles or []):
            continue
        out.append(
            Alert(
                area="pipeline",
                kind="champion_left",
                severity="warning",
                message=_("%(name)s, a champion, has left: follow them to their new company.")
                % {"name": contact.name},
                customer_id=contact.customer_id,
                customer_name=contact.customer.name,
                # The Bids tab (every reader of the account may open it); its "Follow them"
                # is offered to who may edit the account.
                url=reverse("pipeline:customer_tab", args=[contact.customer_id]) + "#champions",
                subject=f"contact-{contact.pk}",
                cause="champion_left",
                cause_title=_("A champion left"),
            )
        )
    return out
