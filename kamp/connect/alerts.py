"""Connect's alerts (``kamp.core.alerts``): a webhook kamp turned off after failing again and
again, on the programme's inbox for the directors who registered it."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kamp.core.alerts import Alert

from .models import WebhookEndpoint


def alerts(customers, as_of) -> list[Alert]:
    found = []
    for endpoint in WebhookEndpoint.objects.filter(active=False, disabled_at__isnull=False):
        if endpoint.consecutive_failures == 0:
            continue  # turned off by hand
        found.append(
            Alert(
                area="connect",
                kind="webhook_disabled",
                severity="warning",
                message=ngettext(
                    "The webhook “%(name)s” was turned off after %(count)s failed delivery "
                    "in a row. Check the receiver, then turn it back on.",
                    "The webhook “%(name)s” was turned off after %(count)s failed deliveries "
                    "in a row. Check the receiver, then turn it back on.",
                    endpoint.consecutive_failures,
                )
                % {"name": endpoint.name, "count": endpoint.consecutive_failures},
                url=reverse("connect:webhook", kwargs={"pk": endpoint.pk}),
                subject=f"webhook-{endpoint.pk}",
                cause_title=_("Webhooks"),
            )
        )
    return found
