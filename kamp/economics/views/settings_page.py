"""The economics settings: base currency, exchange rates, activities and their costs, CLV and alert
parameters."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kamp.core.http import AuthenticatedHttpRequest
from kamp.core.params import int_param
from kamp.core.versioning import CONFLICT_MESSAGE, VersionConflict, VersionedForm

from .. import actions, services
from ..forms import ActivityTypeForm, ExchangeRateForm, SettingsForm
from ..models import ActivityType, EconomicsSettings, ExchangeRate
from .common import require_programme


def economics_settings(request: AuthenticatedHttpRequest) -> HttpResponse:
    require_programme(request)
    current = EconomicsSettings.load()
    which = request.POST.get("form", "") if request.method == "POST" else ""
    settings_form = SettingsForm(
        request.POST if which == "settings" else None,
        instance=current,
        prefix="s",
        initial={"base_currency": services.base_currency()},
    )
    rate_form = ExchangeRateForm(request.POST if which == "rate" else None, prefix="r")
    edit = None
    if (activity_id := int_param(request.GET.get("activity"))) is not None:
        edit = get_object_or_404(ActivityType, pk=activity_id)
    activity_form = ActivityTypeForm(
        request.POST if which == "activity" else None, instance=edit, prefix="a"
    )
    conflicts: list[dict] = []
    if which:
        form = {"settings": settings_form, "rate": rate_form, "activity": activity_form}.get(which)
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            try:
                _save_settings_form(request, which, form, edit)
            except ValidationError as exc:
                form.add_error(None, exc)
            except VersionConflict as exc:
                if exc.current is None or not isinstance(form, VersionedForm):
                    raise Http404("No such record") from None
                # Saved meanwhile by another manager: both versions, the user chooses.
                conflicts = form.show_conflict(exc.current, CONFLICT_MESSAGE)
            if not form.errors:
                messages.success(request, _("Saved."))
                return redirect("economics:settings")
    return render(
        request,
        "economics/settings.html",
        {
            "settings_form": settings_form,
            "rate_form": rate_form,
            "activity_form": activity_form,
            "editing": edit,
            "rates": ExchangeRate.objects.all(),
            "activities": ActivityType.objects.annotate(uses=Count("records")),
            "base_currency": services.base_currency(),
        },
        status=409 if conflicts else 422 if which else 200,
    )


def _save_settings_form(request, which, form, edit) -> None:
    d = form.cleaned_data
    if which == "settings":
        values = {k: d[k] for k in actions.SETTINGS_FIELDS}
        actions.do_update_settings(
            request.user, base_currency=d["base_currency"], version=form.take_version(), **values
        )
    elif which == "rate":
        actions.do_set_exchange_rate(request.user, d["currency"], d["period"], d["rate"])
    else:
        values = {
            k: d[k]
            for k in ["name", "driver", "rate", "currency", "kam_time", "description", "active"]
        }
        fresh = ActivityType.objects.get(pk=edit.pk) if edit else None
        version = form.take_version() if edit else None
        actions.do_save_activity_type(request.user, fresh, version=version, **values)


@require_POST
def rate_delete(request: AuthenticatedHttpRequest, rate_pk: int) -> HttpResponse:
    require_programme(request)
    rate = get_object_or_404(ExchangeRate, pk=rate_pk)
    actions.do_delete_exchange_rate(request.user, rate)
    messages.success(request, _("Rate deleted."))
    return redirect("economics:settings")
