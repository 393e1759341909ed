"""The customer's DMU map [mapa de la unidad de decisión]: the tree of contacts, a contact's card,
editing a contact's role in it, adding a contact."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from kamp.core.http import AuthenticatedHttpRequest
from kamp.core.params import int_param
from kamp.core.versioning import CONFLICT_MESSAGE, VersionConflict
from kamp.customers import actions as customer_actions
from kamp.customers.access import can_edit_customer, get_customer_for_user
from kamp.customers.models import Contact, Customer, DMURole
from kamp.customers.page import customer_context

from .. import analysis
from .. import forms as rules
from ..entry import MapContactForm, NewContactForm


def _dmu_tree(customer: Customer) -> dict:
    contacts = list(customer.contacts.order_by("-active", "-influence", "name"))
    last = analysis._last_met(customer, date.today())
    by_id = {c.pk: c for c in contacts}
    children: dict[int | None, list[Contact]] = {}
    for c in contacts:
        boss = c.reports_to_id if c.reports_to_id in by_id else None
        children.setdefault(boss, []).append(c)
    seen: set[int] = set()

    def node(c: Contact) -> dict:
        seen.add(c.pk)
        c.last_met = last.get(c.pk)  # type: ignore[attr-defined]
        kids = [node(k) for k in children.get(c.pk, []) if k.pk not in seen]
        return {"contact": c, "children": kids}

    roots = [node(c) for c in children.get(None, [])]
    # Reports-to loops (A → B → A) leave people unreached: show them at the top, not hide them.
    roots += [node(c) for c in contacts if c.pk not in seen]
    held = {r for c in contacts if c.active for r in (c.dmu_roles or [])}
    gaps = [(r, analysis.role_label(r)) for r in rules.CORE_ROLES if r not in held]
    return {"roots": roots, "gaps": gaps, "count": len(contacts)}


def _map_context(request, customer: Customer, **extra) -> dict:
    return {
        "customer": customer,
        "can_edit": can_edit_customer(request.user, customer),
        "tree": _dmu_tree(customer),
        "roles": DMURole.choices,
        **extra,
    }


def dmu_map(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The DMU map as an org chart; a fragment when HTMX asks for it (the People tab embeds it)."""
    customer = get_customer_for_user(request.user, pk)
    if request.htmx:
        return render(request, "interactions/_dmu_map.html", _map_context(request, customer))
    extra = _map_context(request, customer, full_page=True)
    extra.pop("customer")
    extra.pop("can_edit")
    return render(
        request, "interactions/dmu.html", customer_context(request, customer, "people", **extra)
    )


def dmu_contact(request: AuthenticatedHttpRequest, pk: int, contact_pk: int) -> HttpResponse:
    """In-place editor of one card: GET the form, POST the change (re-renders the whole map,
    since a new boss moves the card)."""
    customer = get_customer_for_user(request.user, pk, write=True)
    contact = get_object_or_404(Contact, pk=contact_pk, customer=customer)
    form = MapContactForm(
        request.POST or None, instance=contact, customer=customer, prefix=f"c{contact.pk}"
    )
    if request.method == "POST" and form.is_valid():
        version = form.take_version()
        fresh = Contact.objects.get(pk=contact.pk)
        try:
            customer_actions.do_update_contact(
                request.user, fresh, version=version, **form.cleaned_data
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        except VersionConflict as exc:
            if exc.current is None:
                raise Http404("No such contact") from None
            # Saved meanwhile (the contact form, another map): both versions, the user chooses.
            form.show_conflict(exc.current, CONFLICT_MESSAGE)
        if not form.errors:
            return render(
                request,
                "interactions/_dmu_map.html",
                _map_context(request, customer, changed=contact.pk),
            )
    response = render(
        request,
        "interactions/_dmu_edit.html",
        {
            "customer": customer,
            "contact": contact,
            "form": form,
            "reload_url": reverse("interactions:dmu", args=[customer.pk]),
        },
    )
    if request.method == "POST":
        # The form was sent to replace the map; with errors it stays where it was.
        response["HX-Retarget"] = f"#contact-{contact.pk}"
        response["HX-Reswap"] = "outerHTML"
    return response


def dmu_card(request: AuthenticatedHttpRequest, pk: int, contact_pk: int) -> HttpResponse:
    """One card back in read mode (the editor's Cancel)."""
    customer = get_customer_for_user(request.user, pk)
    contact = get_object_or_404(Contact, pk=contact_pk, customer=customer)
    contact.last_met = analysis._last_met(customer, date.today()).get(contact.pk)  # type: ignore[attr-defined]
    return render(
        request,
        "interactions/_dmu_card.html",
        {"customer": customer, "c": contact, "can_edit": can_edit_customer(request.user, customer)},
    )


def dmu_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    customer = get_customer_for_user(request.user, pk, write=True)
    initial: dict[str, Any] = {}
    if (reports_to := int_param(request.GET.get("reports_to"))) is not None:
        initial["reports_to"] = reports_to
    if request.GET.get("role") in DMURole.values:
        initial["dmu_roles"] = [request.GET["role"]]
    form = NewContactForm(request.POST or None, customer=customer, prefix="new", initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            customer_actions.do_create_contact(request.user, customer, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            if request.htmx:
                return render(
                    request, "interactions/_dmu_map.html", _map_context(request, customer)
                )
            return redirect("interactions:dmu", pk=customer.pk)
    if not request.htmx:
        context = customer_context(request, customer, "people", form=form, standalone=True)
        return render(request, "interactions/dmu_new.html", context)
    response = render(request, "interactions/_dmu_new.html", {"customer": customer, "form": form})
    if request.method == "POST":
        response["HX-Retarget"] = "#dmu-new"
        response["HX-Reswap"] = "innerHTML"
    return response
