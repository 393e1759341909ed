from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from kamp.core.choices import Role
from kamp.core.models import AuditEvent, User

from . import actions
from .access import (
    can_create_customer,
    can_edit_customer,
    can_see_economics,
    customers_visible_to,
    get_customer_for_user,
)
from .forms import ContactForm, CustomerForm
from .models import Contact, Customer, CustomerStatus

SORTS = {
    "name": "name", "-name": "-name", "status": "status", "-status": "-status",
    "industry": "industry", "-industry": "-industry", "region": "region", "-region": "-region",
    "owner": "owner__name", "-owner": "-owner__name", "updated": "updated_at", "-updated": "-updated_at",
}

# The customer page's tabs, in the order ux.md sets; each is a URL name taking the customer pk.
CUSTOMER_TABS = [
    ("summary", gettext_lazy("Summary"), "customers:detail"),
    ("people", gettext_lazy("People"), "customers:people"),
    ("interactions", gettext_lazy("Interactions"), "interactions:customer_tab"),
    ("relationship", gettext_lazy("Relationship"), "relationships:customer_tab"),
    ("plan", gettext_lazy("Plan"), "plans:customer_tab"),
    ("economics", gettext_lazy("Economics"), "economics:customer_tab"),
    ("selection", gettext_lazy("Selection"), "selection:customer_tab"),
    ("history", gettext_lazy("History"), "customers:history"),
]

# Each business area contributes a card to the customer summary (see ``summary.py`` in each app):
# a function (request, customer) -> (template, context) or None.
SUMMARY_CARDS = [
    "kamp.selection.summary.card",
    "kamp.relationships.summary.card",
    "kamp.interactions.summary.card",
    "kamp.economics.summary.card",
    "kamp.plans.summary.card",
]


def customer_context(request: HttpRequest, customer: Customer, tab: str, **extra) -> dict:
    """What every tab of the customer page needs: the customer, the tabs and the user's rights."""
    tabs = [(key, label, url) for key, label, url in CUSTOMER_TABS
            if key != "economics" or can_see_economics(request.user, customer)]
    return {
        "customer": customer,
        "tabs": tabs,
        "active_tab": tab,
        "can_edit": can_edit_customer(request.user, customer),
        "can_see_economics": can_see_economics(request.user, customer),
        **extra,
    }


def customer_list(request: HttpRequest) -> HttpResponse:
    qs = customers_visible_to(request.user).select_related("owner")
    q = request.GET.get("q", "").strip()
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(tax_id__icontains=q) | Q(external_id__icontains=q))
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
    elif filters["owner"].isdigit():
        qs = qs.filter(owner_id=int(filters["owner"]))
    sort = request.GET.get("sort", "name")
    qs = qs.order_by(SORTS.get(sort, "name"), "id")
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    # Filter choices come from small distinct queries on indexed columns, not from the rows.
    visible = customers_visible_to(request.user)
    context = {
        "page": page,
        "q": q,
        "filters": filters,
        "sort": sort,
        "statuses": CustomerStatus.choices,
        "industries": visible.exclude(industry="").order_by("industry").values_list("industry", flat=True).distinct()[:200],
        "regions": visible.exclude(region="").order_by("region").values_list("region", flat=True).distinct()[:200],
        "owners": User.objects.filter(role__in=[Role.KAM, Role.DIRECTOR], is_active=True),
        "can_create": can_create_customer(request.user),
    }
    template = "customers/list.html#results" if request.htmx else "customers/list.html"
    return render(request, template, context)


def customer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    customer = get_customer_for_user(request.user, pk)
    cards = []
    for dotted in SUMMARY_CARDS:
        try:
            provider = import_string(dotted)
        except ImportError:
            continue
        card = provider(request, customer)
        if card:
            cards.append(card)
    counts = customer.contacts.aggregate(
        total=Count("id"), active=Count("id", filter=Q(active=True))
    )
    context = customer_context(
        request, customer, "summary",
        cards=cards,
        contact_counts=counts,
        subsidiaries=customer.subsidiaries.only("id", "name")[:20],
        team=customer.team_members.select_related("user"),
    )
    return render(request, "customers/detail.html", context)


def customer_create(request: HttpRequest) -> HttpResponse:
    if not can_create_customer(request.user):
        raise PermissionDenied
    initial = {"owner": request.user.pk} if request.user.is_kam else {}
    form = CustomerForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        customer = actions.do_create_customer(request.user, **form.cleaned_data)
        messages.success(request, _("Customer “%(name)s” created.") % {"name": customer.name})
        return redirect("customers:detail", pk=customer.pk)
    return render(request, "customers/form.html", {"form": form, "creating": True})


def customer_edit(request: HttpRequest, pk: int) -> HttpResponse:
    customer = get_customer_for_user(request.user, pk, write=True)
    form = CustomerForm(request.POST or None, instance=customer)
    if request.method == "POST" and form.is_valid():
        # The form has already applied the values to the instance; the action audits the diff.
        fresh = Customer.objects.get(pk=customer.pk)
        try:
            actions.do_update_customer(request.user, fresh, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("customers:detail", pk=customer.pk)
    return render(request, "customers/form.html", {"form": form, "customer": customer})


@require_POST
def customer_delete(request: HttpRequest, pk: int) -> HttpResponse:
    customer = get_customer_for_user(request.user, pk, write=True)
    if not request.user.manages_programme:
        raise PermissionDenied
    name = customer.name
    actions.do_delete_customer(request.user, customer)
    messages.success(request, _("Customer “%(name)s” deleted.") % {"name": name})
    return redirect("customers:list")


def customer_people(request: HttpRequest, pk: int) -> HttpResponse:
    customer = get_customer_for_user(request.user, pk)
    contacts = customer.contacts.select_related("reports_to").order_by("-active", "name")
    context = customer_context(
        request, customer, "people",
        contacts=contacts,
        team=customer.team_members.select_related("user"),
    )
    return render(request, "customers/people.html", context)


def _contact_for(request, customer_pk: int, contact_pk: int, write: bool) -> tuple[Customer, Contact]:
    customer = get_customer_for_user(request.user, customer_pk, write=write)
    # Looked up through the customer, so one customer's page never reaches another's contacts.
    contact = get_object_or_404(Contact, pk=contact_pk, customer=customer)
    return customer, contact


def contact_create(request: HttpRequest, pk: int) -> HttpResponse:
    customer = get_customer_for_user(request.user, pk, write=True)
    form = ContactForm(request.POST or None, customer=customer)
    if request.method == "POST" and form.is_valid():
        contact = actions.do_create_contact(request.user, customer, **form.cleaned_data)
        messages.success(request, _("Contact “%(name)s” added.") % {"name": contact.name})
        return redirect("customers:people", pk=customer.pk)
    context = customer_context(request, customer, "people", form=form, creating=True)
    return render(request, "customers/contact_form.html", context)


def contact_edit(request: HttpRequest, pk: int, contact_pk: int) -> HttpResponse:
    customer, contact = _contact_for(request, pk, contact_pk, write=True)
    form = ContactForm(request.POST or None, instance=contact, customer=customer)
    if request.method == "POST" and form.is_valid():
        fresh = Contact.objects.get(pk=contact.pk)
        actions.do_update_contact(request.user, fresh, **form.cleaned_data)
        messages.success(request, _("Changes saved."))
        return redirect("customers:people", pk=customer.pk)
    context = customer_context(request, customer, "people", form=form, contact=contact)
    return render(request, "customers/contact_form.html", context)


@require_POST
def contact_delete(request: HttpRequest, pk: int, contact_pk: int) -> HttpResponse:
    customer, contact = _contact_for(request, pk, contact_pk, write=True)
    actions.do_delete_contact(request.user, contact)
    messages.success(request, _("Contact deleted."))
    return redirect("customers:people", pk=customer.pk)


def customer_history(request: HttpRequest, pk: int) -> HttpResponse:
    customer = get_customer_for_user(request.user, pk)
    events = AuditEvent.objects.filter(customer_id=customer.pk).select_related("actor")
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    context = customer_context(request, customer, "history", page=page)
    return render(request, "customers/history.html", context)
