"""Mail capture's alerts (``kamp.core.alerts``): the dropbox mailbox that failed to be read
``KAMP_MAIL_ALERT_AFTER`` times in a row, on the programme's inbox, for the admins."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kamp.core.alerts import Alert

from .models import Mailbox


def alerts(customers, as_of) -> list[Alert]:
    mailbox = Mailbox.objects.order_by("pk").first()
    after = int(getattr(settings, "KAMP_MAIL_ALERT_AFTER", 3))
    if mailbox is None or not mailbox.enabled or mailbox.consecutive_failures < after:
        return []
    return [
        Alert(
            area="mailcapture",
            kind="mailbox_failing",
            severity="warning",
            message=ngettext(
                "The dropbox mailbox could not be read %(count)s time in a row: %(error)s",
                "The dropbox mailbox could not be read %(count)s times in a row: %(error)s",
                mailbox.consecutive_failures,
            )
            % {"count": mailbox.consecutive_failures, "error": mailbox.last_error},
            url=reverse("mailcapture:mailbox"),
            subject="mailbox",
            cause_title=_("Mail capture"),
        )
    ]


def visible_to(user, alerts: list[Alert]) -> list[Alert]:
    """The failing mailbox is the admins' alert alone; every other area's alerts are left as
    they are (the stored inbox hands each area the whole list)."""
    if getattr(user, "is_admin", False):
        return alerts
    return [a for a in alerts if a.area != "mailcapture"]


# Every alert of this area is about the programme (no customer): the whole check is cheap.
programme_alerts = alerts
