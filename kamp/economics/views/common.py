"""What the economics pages share: who may see them, and the period picker."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from kamp.core.formatting import format_period
from kamp.core.http import AuthenticatedHttpRequest
from kamp.customers.access import can_see_economics, get_customer_for_user
from kamp.customers.models import Customer

from ..pnl import Period


def economics_customer(request: AuthenticatedHttpRequest, pk: int) -> Customer:
    customer = get_customer_for_user(request.user, pk)
    if not can_see_economics(request.user, customer):
        raise PermissionDenied
    return customer


def require_programme(request: AuthenticatedHttpRequest) -> None:
    if not request.user.manages_programme:
        raise PermissionDenied


def period_choices(today: date | None = None) -> list[tuple[str, str]]:
    """The periods offered in the picker: the last 12 months, this and last year, the last
    four quarters and the last three months."""
    today = today or date.today()
    this_year = Period.containing("year", today)
    quarter = Period.containing("quarter", today)
    month = Period.containing("month", today)
    out = [("12m", _("Last 12 months"))]
    periods = [this_year, this_year.previous()]
    periods += [quarter.shift(-n) for n in range(0, 4)]
    periods += [month.shift(-n) for n in range(0, 3)]
    # The code in the URL (2025-Q3), the words on the screen (T3 2025 / Q3 2025).
    out += [(str(p), format_period(p)) for p in periods]
    return out


def period_from(request: AuthenticatedHttpRequest) -> tuple[Period, str]:
    """The period asked for (``?period=2025-Q3``); the last 12 complete months by default."""
    text = (request.GET.get("period") or "12m").strip()
    if text != "12m":
        try:
            return Period.parse(text), str(Period.parse(text))
        except ValueError:
            messages.warning(
                request,
                _(
                    "“%(p)s” is not a period (use 2025, 2025-Q3 or 2025-07): "
                    "showing the last 12 months."
                )
                % {"p": text},
            )
    return Period.trailing(date.today(), 12), "12m"


def period_label(period: Period, code: str) -> str:
    if code == "12m":
        # The headline figures' own words (docs/figures.md): the default view of the Economics
        # tab and the Summary cards name the same window the same way.
        from ..figures import window_label

        return window_label(period)
    return format_period(period)
