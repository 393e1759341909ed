from __future__ import annotations

import inspect
import logging
import re
from collections import defaultdict
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Q, Sum
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import i18n as i18n_views
from django.views.decorators.http import require_POST

from kamp.customers.access import can_see_economics, customers_visible_to
from kamp.customers.models import Customer, CustomerStatus

from . import audit
from .alerts import collect, optional_hook
from .http import AuthenticatedHttpRequest
from .models import AuditEvent, SiteSettings, User

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
    for module in settings.KAMP_SUMMARY_PROVIDERS:
        provider = _optional(f"{module}.badges")
        if provider is None:
            continue
        try:
            takes_user = "user" in inspect.signature(provider).parameters
            provided = (
                provider(customer_ids, user=user) if takes_user else provider(customer_ids)
            ) or {}
        except Exception:
            if settings.DEBUG:
                raise
            logger.exception("badges of %s failed", module)
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
        dashboard = _optional("kamp.programme.views.dashboard")
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
    alerts = collect(Customer.objects.filter(pk__in=ids), today, user=user) if ids else []
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
        "core/home.html",
        {
            "cards": cards,
            "more": more,
            "title": title,
            "intro": intro,
            # Alerts about one account sit on its card; the rest (programme-wide) above them.
            "general_alerts": [a for a in alerts if a.customer_id is None][:10],
            "actions": my_actions(user) if my_actions is not None else None,
            "key_count": visible.filter(status=CustomerStatus.KEY_ACCOUNT).count(),
            "cap": site.key_account_cap,
            "base_currency": site.base_currency,
        },
    )


def _revenue_last_12_months(user, customers: list, today: date) -> dict[int, dict[str, Any]]:
    """Net revenue of the last 12 months per customer whose money the user may see, in the
    currency most of its sales are in (one query)."""
    from kamp.economics.models import SalesLine

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


class SiteSettingsForm(forms.ModelForm):
    class Meta:
        model = SiteSettings
        fields = ["company_name", "size_class", "base_currency"]
        help_texts = {
            "size_class": gettext_lazy(
                "Sets how many key accounts the programme should carry at most."
            ),
            "base_currency": gettext_lazy(
                "ISO code (CLP, USD, EUR…): portfolio figures are shown in it."
            ),
        }

    def clean_base_currency(self) -> str:
        code = (self.cleaned_data.get("base_currency") or "").strip().upper()
        if not re.fullmatch(r"[A-Z]{3}", code):
            raise forms.ValidationError(_("Type a three-letter ISO currency code, e.g. CLP."))
        return code


def company_settings(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not request.user.manages_programme:
        raise PermissionDenied
    site = SiteSettings.load()
    form = SiteSettingsForm(request.POST or None, instance=site)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            before = audit.snapshot(SiteSettings.load(), form.fields)
            saved = form.save()
            audit.record(
                request.user,
                "update",
                saved,
                changes=audit.diff(before, audit.snapshot(saved, form.fields)),
            )
        messages.success(request, _("Settings saved."))
        return redirect("core:settings")
    return render(request, "core/settings.html", {"form": form, "site": site})


def audit_log(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The whole trail, filterable by person, action, object type, customer, dates and text
    (directors and admins)."""
    if not request.user.manages_programme:
        raise PermissionDenied
    events = AuditEvent.objects.select_related("actor")
    f = {
        k: request.GET.get(k, "").strip()
        for k in ("actor", "action", "type", "customer", "since", "until", "q")
    }
    if f["actor"].isdigit():
        events = events.filter(actor_id=int(f["actor"]))
    if f["action"] in AuditEvent.Action.values:
        events = events.filter(action=f["action"])
    if f["type"]:
        events = events.filter(object_type=f["type"])
    if f["customer"].isdigit():
        events = events.filter(customer_id=int(f["customer"]))
    since, until = _parse_date(f["since"]), _parse_date(f["until"])
    if since:
        events = events.filter(at__date__gte=since)
    if until:
        events = events.filter(at__date__lte=until)
    if f["q"]:
        events = events.filter(Q(object_repr__icontains=f["q"]) | Q(summary__icontains=f["q"]))
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    types = (
        AuditEvent.objects.order_by("object_type").values_list("object_type", flat=True).distinct()
    )
    return render(
        request,
        "core/audit.html",
        {
            "page": page,
            "events": audit.describe(page, request.user),
            "actors": User.objects.all(),
            "actions": AuditEvent.Action.choices,
            "types": [(t, audit.type_label(t)) for t in types],
            "customer": Customer.objects.filter(pk=int(f["customer"])).first()
            if f["customer"].isdigit()
            else None,
            "f": f,
            "filtered": any(f.values()),
        },
    )


def _parse_date(text: str) -> date | None:
    """A date typed in a filter: ISO (what date inputs send) or dd-mm-yyyy."""
    for fmt in ("%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


@login_not_required
@require_POST
def set_language(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Django's language switch, which also remembers the choice on the person's account."""
    response = i18n_views.set_language(request)
    language = request.POST.get("language", "")
    user = request.user
    if user.is_authenticated and language in dict(settings.LANGUAGES) and user.language != language:
        user.language = language
        user.save(update_fields=["language"])
    return response
