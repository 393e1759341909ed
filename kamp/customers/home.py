"""Each role's home (ux.md, "Homes"): the account cards, with every area's badges and alerts,
the last 12 months of sales where the person may see them, and the KAM's actions. It lives with
the customers because its cards are accounts; the programme's dashboard takes over a director's
home when that area provides it."""

from __future__ import annotations

import inspect
import logging
from collections import defaultdict
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Sum
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from kamp.core import registry
from kamp.core.alerts import current, optional_hook
from kamp.core.http import AuthenticatedHttpRequest
from kamp.core.models import SiteSettings
from kamp.economics.models import SalesLine

from .access import can_see_economics, customers_visible_to
from .models import Customer, CustomerStatus

logger = logging.getLogger(__name__)


def _optional(dotted: str) -> Callable[..., Any] | None:
    """A hook another area may provide (``module.function``); ``None`` until it exists."""
    module, _dot, name = dotted.rpartition(".")
    return optional_hook(module, name)


def account_badges(customer_ids: list[int], user=None) -> dict[int, list[dict]]:
    """Every area's badges for these accounts: one bulk query per area (docs/development.md).
    Areas whose badges depend on who looks (money) take ``user`` as a keyword."""
    found: dict[int, list[dict]] = defaultdict(list)
    if not customer_ids:
        return found
    for module in registry.discover("summary"):
        provider = getattr(module, "badges", None)
        if not callable(provider):
            continue
        try:
            takes_user = "user" in inspect.signature(provider).parameters
            provided = (
                provider(customer_ids, user=user) if takes_user else provider(customer_ids)
            ) or {}
        except Exception:
            if settings.DEBUG:
                raise
            logger.exception("badges of %s failed", module.__name__)
            continue
        for customer_id, badges in provided.items():
            found[customer_id].extend(badges)
    return found


def home(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Each role's home (ux.md, "Homes"): the director the programme, a KAM their accounts, a
    member the accounts whose team they are on, a viewer the key accounts."""
    user = request.user
    visible = customers_visible_to(user)
    if user.manages_programme:
        dashboard = registry.hook("programme_dashboard")
        if dashboard is not None:
            return dashboard(request)
        accounts = visible.filter(status=CustomerStatus.KEY_ACCOUNT).order_by("name")
        title, intro = _("Key accounts"), _("The key accounts of the programme.")
    elif user.is_kam:
        accounts = visible.filter(owner=user).order_by("-status", "name")
        title, intro = _("My accounts"), _("The accounts you own, key accounts first.")
    elif user.is_viewer:
        accounts = visible.filter(status=CustomerStatus.KEY_ACCOUNT).order_by("name")
        title, intro = _("Key accounts"), _("The key accounts of the programme.")
    else:
        accounts = visible.filter(team_members__user=user).order_by("name").distinct()
        title, intro = _("My accounts"), _("The accounts whose team you are on.")
    limit = 60
    shown = list(accounts.select_related("owner")[: limit + 1])
    more = len(shown) > limit
    shown = shown[:limit]
    ids = [c.pk for c in shown]
    badges = account_badges(ids, user=user)
    today = date.today()
    # The home's own accounts only: what is about the whole programme (the cap) is the
    # programme's, shown once on its dashboard and inbox, never on a member's or a KAM's home.
    alerts = current(Customer.objects.filter(pk__in=ids), today, user=user) if ids else []
    alerts_by_customer: dict[int, list] = defaultdict(list)
    for alert in alerts:
        if alert.customer_id is not None:
            alerts_by_customer[alert.customer_id].append(alert)
    site = SiteSettings.load()
    revenue = _revenue_last_12_months(user, shown, today)
    for figures in revenue.values():
        figures["currency"] = figures["currency"] or site.base_currency
    cards = [
        {
            "customer": c,
            "badges": badges.get(c.pk, []),
            "alerts": alerts_by_customer.get(c.pk, []),
            "revenue": revenue.get(c.pk),
        }
        for c in shown
    ]
    my_actions = _optional("kamp.plans.summary.my_actions")
    return render(
        request,
        "customers/home.html",
        {
            "cards": cards,
            "more": more,
            "title": title,
            "intro": intro,
            # Alerts about one account sit on its card; those about the reader as a KAM above.
            "general_alerts": [
                a
                for a in alerts
                if a.customer_id is None
                and (user.manages_programme or a.data.get("kam_id") == user.pk)
            ][:10],
            "actions": my_actions(user) if my_actions is not None else None,
            # The cap is the programme's: its gauge counts every key account and is shown only
            # to who manages the programme (a member's few accounts are not measured by it).
            "key_count": Customer.objects.filter(status=CustomerStatus.KEY_ACCOUNT).count()
            if user.manages_programme
            else None,
            "cap": site.key_account_cap,
            "base_currency": site.base_currency,
        },
    )


def _revenue_last_12_months(user, customers: list, today: date) -> dict[int, dict[str, Any]]:
    """Net revenue of the last 12 months per customer whose money the user may see, in the
    currency most of its sales are in (one query)."""
    ids = [c.pk for c in customers if can_see_economics(user, c)]
    if not ids:
        return {}
    rows = (
        SalesLine.objects.filter(
            customer_id__in=ids, date__gt=today - timedelta(days=365), date__lte=today
        )
        .values("customer_id", "currency")
        .annotate(total=Sum("net_amount"))
    )
    fallback = {c.pk: c.currency for c in customers}
    found: dict[int, dict[str, Any]] = {}
    for row in rows:
        best = found.get(row["customer_id"])
        if best is None or row["total"] > best["total"]:
            found[row["customer_id"]] = {
                "total": row["total"],
                "currency": row["currency"] or fallback.get(row["customer_id"]) or "",
            }
    return found
