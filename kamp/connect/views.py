"""The Connections pages: each person's tokens and calendar feed; the directors' webhooks; the
admin's view of every connection. Secrets are shown on the one answer that makes them."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Max
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from kamp.core.http import AuthenticatedHttpRequest

from . import actions, feed
from .forms import CalendarForm, CalendarModeForm, TokenForm, WebhookEditForm, WebhookForm
from .models import (
    ApiToken,
    CalendarConnection,
    CalendarFeed,
    CalendarMode,
    WebhookDelivery,
    WebhookEndpoint,
    digest,
)

DELIVERIES_SHOWN = 50


def _form_errors(form, exc: ValidationError) -> None:
    for field, errors in exc.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


@require_GET
def home(request: AuthenticatedHttpRequest) -> HttpResponse:
    tokens = (
        ApiToken.objects.filter(user=request.user)
        .annotate(write_count=Count("writes"))
        .order_by("revoked_at", "-created_at")
    )
    return render(
        request,
        "connect/home.html",
        {
            "tokens": tokens,
            "form": TokenForm(),
            "feed": CalendarFeed.objects.filter(user=request.user).first(),
            "calendars": CalendarConnection.objects.filter(user=request.user).select_related(
                "review_batch"
            ),
            "modes": [
                (CalendarMode.LOG, _("Log directly")),
                (CalendarMode.REVIEW, _("Review first")),
            ],
            "now": timezone.now(),
        },
    )


@never_cache
def token_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            token, secret = actions.do_create_token(request.user, **form.cleaned_data)
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            return render(request, "connect/secret.html", {"token": token, "secret": secret})
    return render(request, "connect/token_new.html", {"form": form})


@require_POST
def token_revoke(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    # One's own tokens only here (another's is not there: 404); admins use the admin page.
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)
    actions.do_revoke_token(request.user, token)
    messages.success(request, _("Token “%(name)s” revoked.") % {"name": token.name})
    return redirect("connect:home")


@require_POST
@never_cache
def feed_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    secret = actions.do_regenerate_feed(request.user)
    url = request.build_absolute_uri(reverse("connect:feed", kwargs={"token": secret}))
    return render(request, "connect/feed_url.html", {"url": url})


@require_POST
def feed_revoke(request: AuthenticatedHttpRequest) -> HttpResponse:
    if actions.do_revoke_feed(request.user):
        messages.success(request, _("Calendar feed turned off: its address no longer works."))
    return redirect("connect:home")


def _not_found() -> HttpResponse:
    response = HttpResponse(status=404, content_type="text/plain")
    response.content = b"Not found"
    # Django logs every 4xx with its path, and this path is a secret (maybe an old one): the
    # refusal is answered without that line.
    response._has_been_logged = True  # type: ignore[attr-defined]
    return response


@login_not_required
@require_GET
@never_cache
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """The subscribed calendar (no login: the secret in the address is the key)."""
    found = (
        CalendarFeed.objects.select_related("user")
        .filter(token_hash=digest(token), user__is_active=True)
        .first()
        if len(token) < 200
        else None
    )
    if found is None:
        return _not_found()
    user = found.user
    CalendarFeed.objects.filter(pk=found.pk).update(last_fetched_at=timezone.now())
    with translation.override(user.language or translation.get_language()):
        body = feed.build(user)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="kamp.ics"'
    response["Referrer-Policy"] = "no-referrer"
    response._has_been_logged = True  # type: ignore[attr-defined]
    return response


# --- calendar connections ---------------------------------------------------------------------
@never_cache
def calendar_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = CalendarForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            connection = actions.do_connect_calendar(request.user, **form.cleaned_data)
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(
                request,
                _("Calendar “%(name)s” connected; its first sync is on its way.")
                % {"name": connection.name},
            )
            return redirect("connect:home")
    return render(request, "connect/calendar_new.html", {"form": form})


def _calendar(request: AuthenticatedHttpRequest, pk: int) -> CalendarConnection:
    """One's own connection (another's is not there: 404); admins use the admin page."""
    return get_object_or_404(CalendarConnection, pk=pk, user=request.user)


def _back(request: AuthenticatedHttpRequest, connection: CalendarConnection) -> HttpResponse:
    return redirect("connect:home")


@require_POST
def calendar_sync(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    connection = _calendar(request, pk)
    actions.do_sync_calendar_now(request.user, connection)
    messages.info(
        request,
        _("Syncing “%(name)s”: its last sync below shows the result when it is done.")
        % {"name": connection.name},
    )
    return _back(request, connection)


@require_POST
def calendar_resume(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    connection = _calendar(request, pk)
    actions.do_resume_calendar(request.user, connection)
    messages.success(request, _("“%(name)s” is synced again.") % {"name": connection.name})
    return _back(request, connection)


@require_POST
def calendar_mode(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    connection = _calendar(request, pk)
    form = CalendarModeForm(request.POST)
    if form.is_valid():
        actions.do_update_calendar(request.user, connection, mode=form.cleaned_data["mode"])
        messages.success(request, _("Saved."))
    else:
        messages.error(request, _("Choose what to do with the meetings found."))
    return _back(request, connection)


@require_POST
def calendar_delete(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    connection = _calendar(request, pk)
    actions.do_delete_calendar(request.user, connection)
    messages.success(
        request,
        _("“%(name)s” removed, with its stored password or address. Interactions it logged stay.")
        % {"name": connection.name},
    )
    return _back(request, connection)


# --- programme managers: webhooks --------------------------------------------------------------
def _manager(request: AuthenticatedHttpRequest) -> None:
    if not actions.can_manage_webhooks(request.user):
        raise PermissionDenied


def _with_last_delivery(endpoints):
    last = dict(
        WebhookDelivery.objects.filter(endpoint__in=endpoints)
        .values_list("endpoint")
        .annotate(last=Max("created_at"))
    )
    for e in endpoints:
        e.last_delivery_at = last.get(e.pk)
    return endpoints


@require_GET
def webhooks(request: AuthenticatedHttpRequest) -> HttpResponse:
    _manager(request)
    endpoints = _with_last_delivery(list(WebhookEndpoint.objects.all()))
    return render(request, "connect/webhooks.html", {"endpoints": endpoints})


@never_cache
def webhook_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    _manager(request)
    form = WebhookForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            endpoint, secret = actions.do_create_webhook(request.user, **form.cleaned_data)
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            return render(
                request, "connect/webhook_secret.html", {"endpoint": endpoint, "secret": secret}
            )
    return render(request, "connect/webhook_form.html", {"form": form})


def webhook(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    _manager(request)
    endpoint = get_object_or_404(WebhookEndpoint, pk=pk)
    initial = {
        "name": endpoint.name,
        "events": endpoint.events,
        "finance": endpoint.finance,
        "active": endpoint.active,
    }
    form = WebhookEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_update_webhook(request.user, endpoint, **form.cleaned_data)
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Webhook saved."))
            return redirect("connect:webhook", pk=endpoint.pk)
    deliveries = (
        WebhookDelivery.objects.filter(endpoint=endpoint)
        .prefetch_related("attempt_log")
        .order_by("-created_at", "-id")[:DELIVERIES_SHOWN]
    )
    return render(
        request,
        "connect/webhook.html",
        {"endpoint": endpoint, "form": form, "deliveries": deliveries},
    )


@require_POST
def webhook_delete(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    _manager(request)
    endpoint = get_object_or_404(WebhookEndpoint, pk=pk)
    actions.do_delete_webhook(request.user, endpoint)
    messages.success(request, _("Webhook deleted."))
    return redirect("connect:webhooks")


# --- admins: every connection -------------------------------------------------------------------
def _admin(request: AuthenticatedHttpRequest) -> None:
    if not request.user.is_admin:
        raise PermissionDenied


@require_GET
def admin_connections(request: AuthenticatedHttpRequest) -> HttpResponse:
    _admin(request)
    tokens = (
        ApiToken.objects.select_related("user", "revoked_by")
        .annotate(write_count=Count("writes"))
        .order_by("revoked_at", "-created_at")
    )
    endpoints = _with_last_delivery(list(WebhookEndpoint.objects.all()))
    feeds = CalendarFeed.objects.select_related("user").order_by("user__name", "user__email")
    calendars = CalendarConnection.objects.select_related("user").order_by(
        "user__name", "user__email", "name", "pk"
    )
    return render(
        request,
        "connect/admin.html",
        {
            "tokens": tokens,
            "endpoints": endpoints,
            "feeds": feeds,
            "calendars": calendars,
            "now": timezone.now(),
        },
    )


@require_POST
def admin_token_revoke(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    _admin(request)
    token = get_object_or_404(ApiToken, pk=pk)
    actions.do_revoke_token(request.user, token)
    messages.success(
        request,
        _("Token “%(name)s” of %(user)s revoked.") % {"name": token.name, "user": token.user},
    )
    return redirect("connect:admin")


@require_POST
def admin_calendar_delete(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    _admin(request)
    connection = get_object_or_404(CalendarConnection, pk=pk)
    actions.do_delete_calendar(request.user, connection)
    messages.success(
        request,
        _("Calendar connection “%(name)s” of %(user)s removed.")
        % {"name": connection.name, "user": connection.user},
    )
    return redirect("connect:admin")
