from __future__ import annotations

from collections import Counter, defaultdict
from html import escape
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext
from django.views.decorators.http import require_POST

from kamp.core.http import AuthenticatedHttpRequest, id_urls
from kamp.core.models import SiteSettings
from kamp.core.params import int_param
from kamp.customers.access import customers_visible_to
from kamp.team.access import can_manage_programme

from . import actions, inbox, service, sources
from .digest import digest_for
from .forms import DismissForm, ReadinessForm
from .models import AlertDismissal, ReadinessAssessment
from .questionnaire import AREAS, GROUPS, LEVEL_LABELS, LEVEL_TEXT, question_map, questions_data
from .readiness import compare

SEVERITIES = [
    ("danger", gettext_lazy("at risk")),
    ("warning", gettext_lazy("needs attention")),
    ("info", gettext_lazy("for information")),
]


def _require_programme(user) -> None:
    if not can_manage_programme(user):
        raise PermissionDenied


def _account_links(names: dict, url_name: str) -> dict[int, str]:
    """Each account's link on the dashboard, written once per page and target.

    The groupings list the same 500 key accounts four times over; the links are written here,
    not by a template loop (2,000 loop turns were a fifth of the dashboard's time), and each
    account's link once, not once per grouping (html.escape: what Django's escaping does,
    without its wrapping per call)."""
    url = id_urls(url_name)
    return {cid: f'<a href="{escape(url(cid))}">{escape(name)}</a>' for cid, name in names.items()}


def _account_lists(groups: dict, names: dict, links: dict[int, str]) -> list[dict]:
    """One entry per group: its label, its count and its accounts' links in name order."""
    return [
        {
            "key": k,
            "label": service.GROUP_LABELS.get(k, k),
            "count": len(v),
            "links": mark_safe(  # noqa: S308 - every value escaped by _account_links
                ", ".join(map(links.__getitem__, sorted(v, key=names.__getitem__)))
            ),
        }
        for k, v in groups.items()
    ]


def dashboard(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The director's home: how the programme stands, what needs attention and why."""
    _require_programme(request.user)
    # The thumbnail, the checks and the KAM profiles read one selection run: its fingerprint
    # (aggregates over every customer) taken once.
    with sources.one_reading():
        return _dashboard(request)


def _dashboard(request: AuthenticatedHttpRequest) -> HttpResponse:
    as_of = timezone.localdate()
    site = SiteSettings.load()
    src = service.Cached()
    keys = service.key_accounts(customers_visible_to(request.user))
    ids = [k[0] for k in keys]
    names = {k[0]: k[1] for k in keys}
    checks = service.programme_checks(as_of, customers_visible_to(request.user), cache=src)
    profiles = src.values.get("profiles", [])

    quadrants = src("quadrants", ids)
    types = src("relationship_types", ids)
    stages = src("stages", ids)
    forms = src("interaction_forms", ids, as_of)
    # Every assessed customer, not only key accounts; at most MATRIX_THUMBNAIL_POINTS drawn.
    matrix, matrix_hidden = src("matrix_thumbnail", MATRIX_THUMBNAIL_POINTS) or (None, 0)
    matrix_updating = matrix is not None and bool(src("selection_updating"))
    whale = src("whale_curve", ids, as_of)

    account_links = _account_links(names, "customers:detail")

    def group(mapping: dict | None) -> list[dict] | None:
        if mapping is None:
            return None
        g: dict = defaultdict(list)
        for cid in ids:
            g[mapping.get(cid) or "unknown"].append(cid)
        return _account_lists(
            dict(sorted(g.items(), key=lambda kv: (kv[0] == "unknown", kv[0]))),
            names,
            account_links,
        )

    form_groups = None
    if forms is not None:
        g = defaultdict(list)
        for cid in ids:
            g[(forms.get(cid) or {}).get("form") or "unknown"].append(cid)
        form_groups = _account_lists(
            {k: g[k] for k in ("A", "B", "unknown") if g.get(k)},
            names,
            _account_links(names, "interactions:customer_tab"),
        )

    alerts = inbox.summary_for(request.user, as_of, top=8)
    profit_check = checks[0].result.figures
    chart = {
        "cap": {"value": len(ids), "cap": site.key_account_cap, "title": _("Key accounts")},
        "matrix": matrix,
        "whale": whale,
        "pnl": profit_check.get("series"),
        "labels": {
            "attractiveness": _("Attractiveness"),
            "position": _("Competitive position"),
            "cumulative": _("Cumulative profit"),
            "accounts": _("Accounts ranked by profit"),
            "profit": _("Profit after KAM"),
            "key": _("key account"),
            # The thumbnail's four colours, named in its corners as on the full matrix.
            "quadrants": {
                "strategic": pgettext("quadrant", "Strategic"),
                "star": pgettext("quadrant", "Star"),
                "status": pgettext("quadrant", "Status"),
                "streamline": pgettext("quadrant", "Streamline"),
            },
        },
    }
    workload = sorted(profiles, key=lambda p: -p.key_accounts)
    return render(
        request,
        "programme/dashboard.html",
        {
            "checks": checks,
            "site": site,
            "key_count": len(ids),
            "cap": site.key_account_cap,
            "over_cap": len(ids) > site.key_account_cap,
            "quadrant_groups": group(quadrants),
            "type_groups": group(types),
            "stage_groups": group(stages),
            "form_groups": form_groups,
            "chart": chart,
            "alerts": alerts.top,
            "alert_count": alerts.open_count,
            "alert_counts": alerts.by_severity,
            "dismissed_count": alerts.dismissed_count,
            "workload": workload,
            "max_accounts": service.MAX_ACCOUNTS_PER_KAM,
            "area_labels": service.AREA_LABELS,
            "profit": profit_check,
            "currency": site.base_currency,
            "matrix_url": _url_or_none("selection:matrix"),
            "matrix_hidden": matrix_hidden,
            "matrix_updating": matrix_updating,
        },
    )


#: The dashboard's matrix thumbnail draws at most this many customers: every key account, then
#: the most attractive and best placed others (the full matrix is one click away). A thumbnail
#: of 100,000 points would weigh megabytes and say nothing more.
MATRIX_THUMBNAIL_POINTS = 300


def _url_or_none(name: str) -> str | None:
    from django.urls import NoReverseMatch

    try:
        return reverse(name)
    except NoReverseMatch:
        return None


def health_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    _require_programme(request.user)
    checks = service.programme_checks(timezone.localdate(), customers_visible_to(request.user))
    return render(request, "programme/health.html", {"checks": checks})


def benefits_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Benefits per key account and for the programme; a KAM sees their own accounts."""
    user = request.user
    if user.manages_programme:
        qs = customers_visible_to(user)
    elif user.is_kam:
        qs = customers_visible_to(user).filter(owner=user)
    else:
        raise PermissionDenied
    report = service.benefits_report(qs)
    keys = list(report["labels"].keys())
    rows = []
    for a in report["accounts"]:
        rows.append(
            {
                "id": a["id"],
                "name": a["name"],
                "since": a["since"],
                "cells": [(k, a["benefits"].get(k)) for k in keys],
                "before_after": a["before_after"],
            }
        )
    programme = [(k, report["labels"][k], report["programme"].get(k)) for k in keys]
    measures = [(k, label, kind) for k, (label, _h, kind) in service.BEFORE_AFTER.items()]
    return render(
        request,
        "programme/benefits.html",
        {
            "rows": rows,
            "keys": keys,
            "labels": report["labels"],
            "programme": programme,
            "mine": not user.manages_programme,
            "measures": measures,
            "controls": report["controls"],
            "base_currency": SiteSettings.load().base_currency,
            "lookbacks": _lookbacks(qs),
        },
    )


def _lookbacks(qs) -> list[dict]:
    """Each key-account decision's look-back verdicts (kamp.selection.lookbacks)."""
    from kamp.selection import lookbacks

    return lookbacks.summary(qs)


INBOX_PAGE_SIZE = 50  # alerts per page of the inbox, most severe and most at stake first


def alerts_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Every module's alerts in one inbox: filterable, each dismissible with a reason."""
    _require_programme(request.user)
    as_of = timezone.localdate()
    open_alerts, dismissed = inbox.alerts_for(request.user, as_of)
    owners = inbox.owners_of(open_alerts)
    f = {k: request.GET.get(k, "") for k in ("area", "severity", "owner", "customer")}
    shown = inbox.filter_alerts(open_alerts, owners=owners, **f)
    # A bounded page of the ranked list: the first page is what matters most.
    page = Paginator(shown, INBOX_PAGE_SIZE).get_page(int_param(request.GET.get("page")) or 1)
    query = urlencode({k: v for k, v in f.items() if v})
    from kamp.core.models import User

    kam_ids = {o for o in owners.values() if o}
    by_area = Counter(a.area for a in open_alerts)
    context = {
        "area_labels": service.AREA_LABELS,
        "area_counts": [(a, service.AREA_LABELS.get(a, a), n) for a, n in sorted(by_area.items())],
        "alerts": page.object_list,
        "page": page,
        "query": query,
        "total": len(open_alerts),
        "dismissed": dismissed,
        "areas": sorted({a.area for a in open_alerts}),
        "severities": SEVERITIES,
        "kams": User.objects.filter(pk__in=kam_ids).order_by("name") if kam_ids else [],
        "f": f,
        "form": DismissForm(),
        "base_currency": SiteSettings.load().base_currency,
    }
    template = (
        "programme/alerts.html#list"
        if request.htmx and request.GET.get("partial")
        else "programme/alerts.html"
    )
    return render(request, template, context)


@require_POST
def alert_dismiss(request: AuthenticatedHttpRequest) -> HttpResponse:
    _require_programme(request.user)
    as_of = timezone.localdate()
    form = DismissForm(request.POST, today=as_of)
    if form.is_valid():
        open_alerts, _d = inbox.alerts_for(request.user, as_of)
        match = next((a for a in open_alerts if a.key == form.cleaned_data["key"]), None)
        if match is None:
            messages.error(request, _("That alert is no longer open."))
        else:
            actions.do_dismiss_alert(
                request.user, match, form.cleaned_data["reason"], until=form.cleaned_data["until"]
            )
            if request.htmx:
                return HttpResponse("")
            messages.success(
                request,
                _("Alert snoozed. It comes back after the day you chose.")
                if form.cleaned_data["until"]
                else _("Alert dismissed. It stays in the history."),
            )
    else:
        message = (
            " ".join(str(e) for e in form.errors["until"])
            if "until" in form.errors
            else _("Give a reason to dismiss the alert.")
        )
        if request.htmx:
            return HttpResponse(message, status=422)
        messages.error(request, message)
    return redirect("programme:alerts")


@require_POST
def alert_restore(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    _require_programme(request.user)
    d = get_object_or_404(AlertDismissal, pk=pk, restored_at__isnull=True)
    actions.do_restore_alert(request.user, d)
    messages.success(request, _("Alert restored to the inbox."))
    return redirect("programme:alert_history")


def alert_history(request: AuthenticatedHttpRequest) -> HttpResponse:
    _require_programme(request.user)
    items = AlertDismissal.objects.select_related("dismissed_by", "restored_by")[:300]
    return render(
        request, "programme/alert_history.html", {"items": items, "today": timezone.localdate()}
    )


# --- Readiness self-assessment -----------------------------------------------------------------


def _area_labels():
    return {a: label for a, label, _g in AREAS}


def readiness_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    _require_programme(request.user)
    takes = list(ReadinessAssessment.objects.select_related("taken_by")[:12])
    labels = _area_labels()
    table = [(labels[a], [t.scores.get(a) for t in takes]) for a, _l, _g in AREAS]
    return render(
        request,
        "programme/readiness_list.html",
        {
            "takes": takes,
            "table": table,
            "level_labels": LEVEL_LABELS,
        },
    )


def readiness_take(request: AuthenticatedHttpRequest) -> HttpResponse:
    _require_programme(request.user)
    last = ReadinessAssessment.objects.first()
    form = ReadinessForm(
        request.POST or None,
        initial_answers=last.answers if last and request.GET.get("from") == "last" else None,
    )
    if request.method == "POST" and form.is_valid():
        take = actions.do_take_readiness(
            request.user, form.answers(), notes=form.cleaned_data["notes"]
        )
        return redirect("programme:readiness_result", pk=take.pk)
    return render(
        request, "programme/readiness_form.html", {"form": form, "last": last, "groups": GROUPS}
    )


def readiness_result(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    _require_programme(request.user)
    take = get_object_or_404(ReadinessAssessment.objects.select_related("taken_by"), pk=pk)
    previous = (
        ReadinessAssessment.objects.filter(taken_on__lte=take.taken_on)
        .exclude(pk=take.pk)
        .filter(id__lt=take.pk)
        .order_by("-taken_on", "-id")
        .first()
    )
    qmap = question_map()
    changes = compare(previous.scores, take.scores) if previous else {}
    areas = []
    for a, label, group in AREAS:
        areas.append(
            {
                "key": a,
                "label": label,
                "group": GROUPS[group],
                "score": take.scores.get(a),
                "previous": previous.scores.get(a) if previous else None,
                "change": changes.get(a),
            }
        )
    steps = [
        {
            "area": _area_labels()[qmap[k]["area"]],
            "question": qmap[k]["text"],
            "answer": qmap[k]["options"][take.answers[k]],
            "step": qmap[k]["step"],
        }
        for k in take.steps
        if k in qmap and k in take.answers
    ]
    chart = {
        "labels": [str(x["label"]) for x in areas],
        "scores": [x["score"] for x in areas],
        "previous": [x["previous"] for x in areas] if previous else None,
        "names": {
            "current": str(take.taken_on),
            "previous": str(previous.taken_on) if previous else "",
        },
    }
    return render(
        request,
        "programme/readiness_result.html",
        {
            "take": take,
            "previous": previous,
            "areas": areas,
            "steps": steps,
            "level_label": LEVEL_LABELS.get(take.level, ""),
            "level_text": LEVEL_TEXT.get(take.level, ""),
            "chart": chart,
            "question_count": len(questions_data()),
        },
    )


# --- Digest ----------------------------------------------------------------------------------


def my_digest(request: AuthenticatedHttpRequest) -> HttpResponse:
    """What ``kamp digest`` e-mails this person, in the app."""
    d = digest_for(request.user, timezone.localdate())
    return render(request, "programme/digest.html", d)
