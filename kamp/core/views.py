from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from kamp.customers.access import customers_visible_to
from kamp.customers.models import CustomerStatus

from . import audit
from .models import AuditEvent, SiteSettings, User


def home(request: HttpRequest) -> HttpResponse:
    """Each role's home: the director sees the programme, a KAM their accounts, the others the
    accounts whose team they are on (ux.md, "Homes")."""
    user = request.user
    visible = customers_visible_to(user).select_related("owner")
    if user.is_kam:
        accounts = visible.filter(owner=user).order_by("-status", "name")
        title = _("My accounts")
    elif user.manages_programme:
        accounts = visible.filter(status=CustomerStatus.KEY_ACCOUNT).order_by("name")
        title = _("Key accounts")
    else:
        accounts = visible.filter(team_members__user=user).order_by("name").distinct()
        title = _("My accounts")
    site = SiteSettings.load()
    key_count = visible.filter(status=CustomerStatus.KEY_ACCOUNT).count()
    return render(request, "core/home.html", {
        "accounts": accounts[:100],
        "title": title,
        "key_count": key_count,
        "cap": site.key_account_cap,
    })


class SiteSettingsForm(forms.ModelForm):
    class Meta:
        model = SiteSettings
        fields = ["company_name", "size_class", "base_currency"]


def company_settings(request: HttpRequest) -> HttpResponse:
    if not request.user.manages_programme:
        raise PermissionDenied
    site = SiteSettings.load()
    form = SiteSettingsForm(request.POST or None, instance=site)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            before = audit.snapshot(SiteSettings.load(), form.fields)
            saved = form.save()
            audit.record(request.user, "update", saved,
                         changes=audit.diff(before, audit.snapshot(saved, form.fields)))
        messages.success(request, _("Settings saved."))
        return redirect("core:settings")
    return render(request, "core/settings.html", {"form": form})


def audit_log(request: HttpRequest) -> HttpResponse:
    """The whole trail, filterable by person, action and object type (directors and admins)."""
    if not request.user.manages_programme:
        raise PermissionDenied
    events = AuditEvent.objects.select_related("actor")
    actor = request.GET.get("actor", "")
    action = request.GET.get("action", "")
    object_type = request.GET.get("type", "")
    if actor.isdigit():
        events = events.filter(actor_id=int(actor))
    if action:
        events = events.filter(action=action)
    if object_type:
        events = events.filter(object_type=object_type)
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    return render(request, "core/audit.html", {
        "page": page,
        "actors": User.objects.filter(is_active=True),
        "actions": AuditEvent.Action.choices,
        "types": AuditEvent.objects.order_by("object_type").values_list("object_type", flat=True).distinct(),
        "f": {"actor": actor, "action": action, "type": object_type},
    })
