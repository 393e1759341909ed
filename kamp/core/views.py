from __future__ import annotations

import logging
import re
from datetime import date, datetime
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import i18n as i18n_views
from django.views.decorators.http import require_POST

from . import audit
from .http import AuthenticatedHttpRequest
from .models import AuditEvent, SiteSettings, User
from .params import int_param
from .registry import hook
from .versioning import CONFLICT_MESSAGE, VersionConflict, VersionedForm, claim

logger = logging.getLogger(__name__)


class SiteSettingsForm(VersionedForm):
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
        version = form.take_version()
        fields = list(form.cleaned_data)
        try:
            with transaction.atomic():
                saved = SiteSettings.objects.get(pk=site.pk)
                claim(saved, version)  # saved meanwhile by another manager: VersionConflict
                before = audit.snapshot(saved, fields)
                for name in fields:
                    setattr(saved, name, form.cleaned_data[name])
                saved.save()
                audit.record(
                    request.user,
                    "update",
                    saved,
                    changes=audit.diff(before, audit.snapshot(saved, fields)),
                )
        except VersionConflict as exc:
            if exc.current is None:
                raise Http404("No company settings") from None
            form.show_conflict(exc.current, CONFLICT_MESSAGE)  # both versions, they choose
        if not form.errors:
            messages.success(request, _("Settings saved."))
            return redirect("core:settings")
    status = 409 if form.conflicts else 200
    return render(request, "core/settings.html", {"form": form, "site": site}, status=status)


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
    if (actor_id := int_param(f["actor"])) is not None:
        events = events.filter(actor_id=actor_id)
    if f["action"] in AuditEvent.Action.values:
        events = events.filter(action=f["action"])
    if f["type"]:
        events = events.filter(object_type=f["type"])
    customer_id = int_param(f["customer"])
    if customer_id is not None:
        events = events.filter(customer_id=customer_id)
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
            "customer": _customer(customer_id) if customer_id is not None else None,
            "f": f,
            "filtered": any(f.values()),
        },
    )


def _customer(pk: int) -> Any:
    """The customer the trail is filtered by, for its name (the customers app provides the
    lookup: core does not import it)."""
    lookup = hook("customer_by_id")
    return lookup(pk) if lookup is not None else None


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
