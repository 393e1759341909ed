from __future__ import annotations

import logging
from datetime import date
from functools import partial
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q, Sum
from django.db.models.functions import ExtractYear
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from kamp.core import audit, registry
from kamp.core.alerts import current
from kamp.core.choices import Role
from kamp.core.http import AuthenticatedHttpRequest
from kamp.core.models import AuditEvent, SiteSettings, User
from kamp.core.money import base_currency
from kamp.core.params import int_param, year_param
from kamp.core.versioning import CONFLICT_MESSAGE, VersionConflict

from . import actions, group_scope
from .access import (
    can_create_customer,
    can_see_economics,
    customers_visible_to,
    get_customer_for_user,
)
from .forms import ContactForm, CustomerForm
from .models import Contact, Customer, CustomerStatus, search_customers
from .page import CUSTOMER_TABS, customer_context  # noqa: F401  (the frame every tab uses)

logger = logging.getLogger(__name__)

SORTS = {
    "name": "name",
    "-name": "-name",
    "status": "status",
    "-status": "-status",
    "industry": "industry",
    "-industry": "-industry",
    "region": "region",
    "-region": "-region",
    "owner": "owner__name",
    "-owner": "-owner__name",
    "updated": "updated_at",
    "-updated": "-updated_at",
}

LIST_COLUMNS = [
    ("name", gettext_lazy("Name")),
    ("tax_id", gettext_lazy("Tax id")),
    ("industry", gettext_lazy("Industry")),
    ("region", gettext_lazy("Region")),
    ("status", gettext_lazy("Status")),
    ("owner", gettext_lazy("KAM")),
]


def _sort_columns(sort: str) -> list[dict[str, Any]]:
    """The list's column heads: where a click sorts to (toggling the direction) and how the
    current sort reads (aria-sort), keeping every filter."""
    columns = []
    for key, label in LIST_COLUMNS:
        sortable = key in SORTS
        current = sort.lstrip("-") == key
        descending = current and sort.startswith("-")
        columns.append(
            {
                "label": label,
                "sortable": sortable,
                "next": (key if descending or not current else f"-{key}") if sortable else "",
                "aria": ("descending" if descending else "ascending") if current else "",
            }
        )
    return columns


CHOICES_CACHE_SECONDS = 60


def filter_choices(user, field: str) -> list[str]:
    """The distinct values of ``field`` for the list's filter menus. Who sees every customer
    shares one cached list (a DISTINCT over 100,000 rows costs more than the page itself);
    it is dropped whenever a customer is saved or deleted (see ``signals.py``), and expires
    after a minute in the other processes (and after bulk imports, which send no signals). A member's few accounts are read directly."""
    visible = customers_visible_to(user)

    def compute() -> list[str]:
        return list(
            visible.exclude(**{field: ""})
            .order_by(field)
            .values_list(field, flat=True)
            .distinct()[:200]
        )

    if user.is_member:
        return compute()
    return cache.get_or_set(f"kamp:customers:choices:{field}", compute, CHOICES_CACHE_SECONDS) or []


def customer_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    # Only the columns the table shows: the page stays light however wide customers grow.
    qs = (
        customers_visible_to(request.user)
        .select_related("owner")
        .only(
            "id",
            "name",
            "tax_id",
            "external_id",
            "industry",
            "region",
            "status",
            "owner__id",
            "owner__name",
            "owner__email",
        )
    )
    q = request.GET.get("q", "").strip()
    if q:
        qs = search_customers(qs, q)
    filters = {
        "status": request.GET.get("status", ""),
        "industry": request.GET.get("industry", ""),
        "region": request.GET.get("region", ""),
        "owner": request.GET.get("owner", ""),
    }
    if filters["status"]:
        qs = qs.filter(status=filters["status"])
    if filters["industry"]:
        qs = qs.filter(industry=filters["industry"])
    if filters["region"]:
        qs = qs.filter(region=filters["region"])
    if filters["owner"] == "me":
        qs = qs.filter(owner=request.user)
    elif (owner_id := int_param(filters["owner"])) is not None:
        qs = qs.filter(owner_id=owner_id)
    sort = request.GET.get("sort", "name")
    if sort not in SORTS:
        sort = "name"
    qs = qs.order_by(SORTS[sort], "id")
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "q": q,
        "filters": filters,
        "sort": sort,
        "statuses": CustomerStatus.choices,
        # Called by the template only when it draws the menus (not for an HTMX results update).
        "industries": partial(filter_choices, request.user, "industry"),
        "regions": partial(filter_choices, request.user, "region"),
        "owners": User.objects.filter(role__in=[Role.KAM, Role.DIRECTOR], is_active=True),
        "can_create": can_create_customer(request.user),
        "columns": _sort_columns(sort),
        "filtered": bool(q or any(filters.values())),
    }
    template = "customers/list.html#results" if request.htmx else "customers/list.html"
    return render(request, template, context)


def summary_cards(request: AuthenticatedHttpRequest, customer: Customer) -> list[tuple[str, dict]]:
    """Each area's card for the Summary tab: every app's ``summary`` module (found by name,
    ``kamp.core.registry.discover``), in INSTALLED_APPS order."""
    cards = []
    for module in registry.discover("summary"):
        provider = getattr(module, "card", None)
        if not callable(provider):
            continue
        try:
            card = provider(request, customer)
        except Exception:
            if settings.DEBUG:
                raise
            logger.exception("summary card of %s failed", module.__name__)
            continue
        if card:
            cards.append(card)
    return cards


def yearly_sales(customer: Customer) -> list[dict[str, Any]]:
    """Net revenue, cost of goods and gross margin per calendar year and currency, newest first
    (one query, over the monthly sums the economics area keeps in step with the lines: a large
    account's hundreds of thousands of lines are a few dozen rows there)."""
    from kamp.economics.models import SalesMonth

    rows = (
        SalesMonth.objects.filter(customer=customer)
        .annotate(year=ExtractYear("month"))
        .values("year", "currency")
        .annotate(net=Sum("net_amount"), cost=Sum("cost"), lines=Sum("lines"))
        .order_by("-year", "currency")
    )
    out = []
    fallback = ""
    for row in rows:
        margin = (row["net"] or 0) - (row["cost"] or 0)
        if not row["currency"] and not fallback:  # read once, only when a line lacks one
            fallback = customer.currency or base_currency()
        out.append(
            {
                **row,
                "currency": row["currency"] or fallback,
                "margin": margin,
                "margin_ratio": (margin / row["net"]) if row["net"] else None,
            }
        )
    return out


def _last_12_months(years: list[dict[str, Any]], customer: Customer, today: date) -> dict | None:
    # The Economics tab's own figure (12 complete months, in the base currency), not a sum of
    # its own: the page never shows one amount with two values or two currencies.
    from kamp.economics.summary import glance

    return glance(customer, today)


def customer_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    customer = get_customer_for_user(request.user, pk)
    today = date.today()
    economics = can_see_economics(request.user, customer)
    counts = customer.contacts.aggregate(
        total=Count("id"), active=Count("id", filter=Q(active=True))
    )
    team = list(customer.team_members.select_related("user").order_by("role", "user__name"))
    years = yearly_sales(customer) if economics else []
    recent = _last_12_months(years, customer, today) if economics else None
    context = customer_context(
        request,
        customer,
        "summary",
        cards=summary_cards(request, customer),
        # This account's own alerts: one about its KAM or the programme is not its to repeat.
        alerts=[
            a
            for a in current(Customer.objects.filter(pk=customer.pk), today, user=request.user)
            if a.customer_id == customer.pk
        ],
        contact_counts=counts,
        subsidiaries=customers_visible_to(request.user, customer.subsidiaries.all())
        .only("id", "name", "parent_id")
        .order_by("name")[:20],
        team=team,
        sponsors=[m for m in team if m.role == "sponsor"],
        years=years,
        recent=recent,
        # The at-a-glance sales are the Economics tab's P&L figure, in its currency (the base).
        currency=recent["currency"] if recent else "",
    )
    return render(request, "customers/detail.html", context)


def customer_sales(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The customer's sales lines, newest first (only for who may see its economics)."""
    from kamp.economics.models import SalesLine

    customer = get_customer_for_user(request.user, pk)
    if not can_see_economics(request.user, customer):
        raise PermissionDenied
    lines = SalesLine.objects.filter(customer=customer).order_by("-date", "-id")
    year = request.GET.get("year", "").strip()
    number = year_param(year)  # year=0 or 99999: 400 with a message, no date holds it
    if number is not None:
        lines = lines.filter(date__year=number)
    page = Paginator(lines, 100).get_page(request.GET.get("page"))
    context = customer_context(
        request,
        customer,
        "summary",
        page=page,
        year=year,
        years=yearly_sales(customer),
        currency=customer.currency or SiteSettings.load().base_currency,
    )
    return render(request, "customers/sales.html", context)


def customer_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not can_create_customer(request.user):
        raise PermissionDenied
    initial = {"owner": request.user.pk} if request.user.is_kam else {}
    form = CustomerForm(request.POST or None, initial=initial, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            customer = actions.do_create_customer(request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Customer “%(name)s” created.") % {"name": customer.name})
            return redirect("customers:detail", pk=customer.pk)
    return render(request, "customers/form.html", {"form": form, "creating": True})


def customer_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    customer = get_customer_for_user(request.user, pk, write=True)
    form = CustomerForm(request.POST or None, instance=customer, user=request.user)
    conflicts: list[dict] = []
    if request.method == "POST" and form.is_valid():
        # The form has already applied the values to the instance; the action audits the diff.
        fresh = Customer.objects.get(pk=customer.pk)
        version = form.take_version()
        try:
            actions.do_update_customer(request.user, fresh, version=version, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        except VersionConflict as exc:
            if exc.current is None:
                raise Http404("No such customer")
            conflicts = form.show_conflict(exc.current, CONFLICT_MESSAGE)
        if not form.errors:
            messages.success(request, _("Changes saved."))
            return redirect("customers:detail", pk=customer.pk)
    return render(
        request,
        "customers/form.html",
        {"form": form, "customer": customer, "conflicts": conflicts},
        status=409 if conflicts else 200,
    )


def customer_lookup(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Suggestions for a customer field while typing (``<option>`` elements for a datalist)."""
    text = (request.GET.get("q") or request.GET.get("parent") or "").strip()
    found = Customer.objects.none()
    if len(text) >= 2:
        found = (
            search_customers(customers_visible_to(request.user), text)
            .only("id", "name", "tax_id")
            .order_by("name")[:20]
        )
    return render(request, "customers/_lookup_options.html", {"found": found})


@require_http_methods(["GET", "POST"])
def customer_delete(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    customer = get_customer_for_user(request.user, pk, write=True)
    if not request.user.manages_programme:
        raise PermissionDenied
    if request.method == "GET":
        counts = {
            "contacts": customer.contacts.count(),
            "subsidiaries": customer.subsidiaries.count(),
        }
        return render(
            request,
            "customers/confirm_delete.html",
            {
                "customer": customer,
                "counts": counts,
                "action": reverse("customers:delete", args=[customer.pk]),
                "cancel": reverse("customers:edit", args=[customer.pk]),
            },
        )
    name = customer.name
    actions.do_delete_customer(request.user, customer)
    messages.success(request, _("Customer “%(name)s” deleted.") % {"name": name})
    return redirect("customers:list")


def customer_people(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    customer = get_customer_for_user(request.user, pk)
    scope = group_scope.scope_of(request, customer)
    if scope == group_scope.GROUP:
        # A group account's people are its group's by default (the Group tab's listing).
        members = group_scope.visible_member_ids(request, customer)
        context = customer_context(
            request, customer, "people", group_scope=scope, **group_scope.people_data(members)
        )
        return render(request, "customers/group_people_tab.html", context)
    contacts = customer.contacts.select_related("reports_to").order_by("-active", "name")
    context = customer_context(
        request,
        customer,
        "people",
        contacts=contacts,
        team=customer.team_members.select_related("user"),
        group_scope=scope,
    )
    return render(request, "customers/people.html", context)


def _contact_for(
    request, customer_pk: int, contact_pk: int, write: bool
) -> tuple[Customer, Contact]:
    customer = get_customer_for_user(request.user, customer_pk, write=write)
    # Looked up through the customer, so one customer's page never reaches another's contacts.
    contact = get_object_or_404(Contact, pk=contact_pk, customer=customer)
    return customer, contact


def contact_create(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    customer = get_customer_for_user(request.user, pk, write=True)
    form = ContactForm(request.POST or None, customer=customer)
    if request.method == "POST" and form.is_valid():
        contact = actions.do_create_contact(request.user, customer, **form.cleaned_data)
        messages.success(request, _("Contact “%(name)s” added.") % {"name": contact.name})
        return redirect("customers:people", pk=customer.pk)
    context = customer_context(request, customer, "people", form=form, creating=True)
    return render(request, "customers/contact_form.html", context)


def contact_edit(request: AuthenticatedHttpRequest, pk: int, contact_pk: int) -> HttpResponse:
    customer, contact = _contact_for(request, pk, contact_pk, write=True)
    form = ContactForm(request.POST or None, instance=contact, customer=customer)
    conflicts: list[dict] = []
    if request.method == "POST" and form.is_valid():
        fresh = Contact.objects.get(pk=contact.pk)
        version = form.take_version()
        try:
            actions.do_update_contact(request.user, fresh, version=version, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        except VersionConflict as exc:
            if exc.current is None:
                raise Http404("No such contact")
            conflicts = form.show_conflict(exc.current, CONFLICT_MESSAGE)
        if not form.errors:
            messages.success(request, _("Changes saved."))
            return redirect("customers:people", pk=customer.pk)
    context = customer_context(
        request, customer, "people", form=form, contact=contact, conflicts=conflicts
    )
    return render(request, "customers/contact_form.html", context, status=409 if conflicts else 200)


@require_http_methods(["GET", "POST"])
def contact_delete(request: AuthenticatedHttpRequest, pk: int, contact_pk: int) -> HttpResponse:
    customer, contact = _contact_for(request, pk, contact_pk, write=True)
    if request.method == "GET":
        context = customer_context(
            request,
            customer,
            "people",
            contact=contact,
            action=reverse("customers:contact_delete", args=[customer.pk, contact.pk]),
            cancel=reverse("customers:contact_edit", args=[customer.pk, contact.pk]),
        )
        return render(request, "customers/confirm_delete_contact.html", context)
    actions.do_delete_contact(request.user, contact)
    messages.success(request, _("Contact deleted."))
    return redirect("customers:people", pk=customer.pk)


def customer_history(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    customer = get_customer_for_user(request.user, pk)
    events = AuditEvent.objects.filter(customer_id=customer.pk).select_related("actor")
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    context = customer_context(
        request,
        customer,
        "history",
        page=page,
        events=audit.describe(page, request.user),
        audit_url=reverse("core:audit") + f"?customer={customer.pk}",
    )
    return render(request, "customers/history.html", context)
