"""Operators' endpoints: ``/healthz`` for load balancers and uptime checks, ``/metrics`` for
Prometheus (docs/operations.md)."""

from __future__ import annotations

import hmac

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from kamp.core import health


@login_not_required
@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """200 when kamp can serve (database reachable, migrations applied, a worker alive, disk
    free in KAMP_HOME), else 503. No login: a load balancer asks it; nothing in it is business
    data."""
    state = health.check()
    return JsonResponse(state.as_dict(), status=200 if state.healthy else 503)


def _token_ok(request: HttpRequest) -> bool:
    token = settings.KAMP_METRICS_TOKEN
    header = request.headers.get("Authorization", "")
    scheme, _, given = header.partition(" ")
    # compare_digest: the time taken does not tell how much of a guessed token was right.
    return (
        bool(token)
        and scheme.lower() == "bearer"
        and hmac.compare_digest(given.strip().encode(), token.encode())
    )


@login_not_required
@never_cache
@require_GET
def metrics(request: HttpRequest) -> HttpResponse:
    """Prometheus metrics (django-prometheus' and the task queue's), only with
    ``Authorization: Bearer <KAMP_METRICS_TOKEN>``; without the token set, there is no such
    page (404), so an installation that does not scrape shows nothing."""
    if not _token_ok(request):
        raise Http404
    from django_prometheus.exports import ExportToDjangoView

    from kamp.core import metrics as _collectors  # noqa: F401 — registers the queue gauges

    return ExportToDjangoView(request)
