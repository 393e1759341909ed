"""Connect's alerts (``kamp.core.alerts``): a webhook kamp turned off after failing again and
again, on the programme's inbox for the directors who registered it; a calendar connection
stopped after failing syncs, for its owner only (:func:`visible_to`)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kamp.core.alerts import Alert

from .models import CalendarConnection, WebhookEndpoint


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
    for conn in CalendarConnection.objects.filter(
        active=False, stopped_at__isnull=False, consecutive_failures__gt=0
    ):
        found.append(
            Alert(
                area="connect",
                kind="calendar_stopped",
                severity="warning",
                message=ngettext(
                    "Your calendar “%(name)s” is no longer synced: it failed %(count)s time "
                    "in a row (%(error)s). Fix it on Connections, then start it again.",
                    "Your calendar “%(name)s” is no longer synced: it failed %(count)s times "
                    "in a row (%(error)s). Fix it on Connections, then start it again.",
                    conn.consecutive_failures,
                )
                % {
                    "name": conn.name,
                    "count": conn.consecutive_failures,
                    "error": conn.last_error,
                },
                url=reverse("connect:home"),
                subject=f"calendar-{conn.pk}",
                cause_title=_("Calendars"),
                data={"kam_id": conn.user_id, "owner_id": conn.user_id},
            )
        )
    return found


def visible_to(user, found: list[Alert]) -> list[Alert]:
    """A stopped calendar is its owner's alert alone (other alerts are left as they are)."""
    return [
        a
        for a in found
        if not (a.area == "connect" and a.kind == "calendar_stopped")
        or a.data.get("owner_id") == getattr(user, "pk", None)
    ]


# Every alert of this area is about the programme (no customer): the whole check is cheap.
programme_alerts = alerts
