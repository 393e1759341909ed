"""The customer's Interactions tab: the log with its filters, the network of people, the history
chart and the risks; recording, editing and deleting an interaction."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kamp.core.formatting import format_period
from kamp.core.http import AuthenticatedHttpRequest
from kamp.core.models import User
from kamp.core.versioning import CONFLICT_MESSAGE, VersionConflict
from kamp.customers import group_scope
from kamp.customers.access import can_edit_customer, get_customer_for_user
from kamp.customers.models import Contact, Customer
from kamp.customers.page import customer_context

from .. import actions, analysis, summary
from ..entry import FilterForm, InteractionForm
from ..models import Interaction
from . import target as target_view
from .group_tab import group_tab

TAB = "interactions"
PAGE_SIZE = 20
MAX_GRAPH_NODES = 20
MAX_GRAPH_EDGES = 60


def _log_queryset(customer: Customer):
    return (
        Interaction.objects.filter(customer=customer)
        .select_related("logged_by")
        .prefetch_related(
            Prefetch("our_people", queryset=User.objects.only("id", "name", "email", "function")),
            Prefetch(
                "their_contacts",
                queryset=Contact.objects.only("id", "name", "customer_id", "active"),
            ),
        )
    )


def _network(acc: analysis.Account) -> dict:
    """Nodes and edges for the graph (network.js): ours on the left, theirs on the right."""
    window_ties = [t for t in acc.ties if t.count]
    shown = window_ties or acc.ties
    weight_o: dict[int, int] = {}
    weight_t: dict[int, int] = {}
    for t in shown:
        weight_o[t.person_id] = weight_o.get(t.person_id, 0) + t.count + 1
        weight_t[t.contact_id] = weight_t.get(t.contact_id, 0) + t.count + 1
    kam = acc.customer.owner_id
    ours_ids = sorted(weight_o, key=lambda p: (p != kam, -weight_o[p], p))[:MAX_GRAPH_NODES]
    theirs_ids = sorted(
        weight_t,
        key=lambda c: (
            not (acc.contacts.get(c) and acc.contacts[c].is_purchasing),
            -weight_t[c],
            c,
        ),
    )[:MAX_GRAPH_NODES]
    if kam and kam not in ours_ids and kam in acc.people:
        ours_ids.insert(0, kam)
    ours = [
        {
            "id": p,
            "name": acc.people[p].name if p in acc.people else str(p),
            "function": function_label(acc.people[p].function) if p in acc.people else "",
            "kam": p == kam,
        }
        for p in ours_ids
    ]
    theirs = []
    for c in theirs_ids:
        contact = acc.contacts.get(c)
        theirs.append(
            {
                "id": c,
                "name": contact.name if contact else str(c),
                "function": function_label(contact.function) if contact else "",
                "purchasing": bool(contact and contact.is_purchasing),
                "active": bool(contact and contact.active),
            }
        )
    names_o = {p["id"]: p for p in ours}
    names_t = {c["id"]: c for c in theirs}
    edges = [
        {
            "o": t.person_id,
            "t": t.contact_id,
            "count": t.count,
            "total": t.total,
            "knot": t.knot,
            "last": date_format(t.last, "SHORT_DATE_FORMAT"),
            "o_name": names_o[t.person_id]["name"],
            "t_name": names_t[t.contact_id]["name"],
            "o_kam": names_o[t.person_id]["kam"],
            "t_purchasing": names_t[t.contact_id]["purchasing"],
        }
        for t in shown
        if t.person_id in names_o and t.contact_id in names_t
    ]
    # The strongest ties (``shown`` is sorted by count): a hairball helps nobody; the coverage
    # matrix has them all.
    hidden = max(0, len(edges) - MAX_GRAPH_EDGES)
    edges = edges[:MAX_GRAPH_EDGES]
    return {
        "ours": ours,
        "theirs": theirs,
        "edges": edges,
        "hidden": hidden,
        "labels": {
            "ours": _("Our people"),
            "theirs": _("Their people"),
            "kam": _("KAM"),
            "purchasing": _("purchasing"),
            "knot": _("KAM ↔ purchasing"),
            "interactions": _("interactions in the window"),
            "total": _("in all"),
            "last": _("last"),
            "left": _("left the company"),
        },
    }


def function_label(code: str) -> str:
    from kamp.core.choices import Function

    return str(dict(Function.choices).get(code, code))


def _history_data(acc: analysis.Account) -> dict:
    return {
        "quarters": [format_period(p.label) for p in acc.history],  # "T3 2025" / "Q3 2025"
        "index": [round(p.diamond_index * 100, 1) for p in acc.history],
        "forms": [p.form for p in acc.history],
        "pairs": [p.pairs for p in acc.history],
        "labels": {
            "index": _("Diamond index (%)"),
            "pairs": _("Functional pairs"),
            "A": _("A · bow-tie"),
            "B": _("B · diamond"),
        },
    }


def _risks(acc: analysis.Account) -> list[dict]:
    return [
        {
            "kind": r.kind,
            "title": analysis.risk_title(r.kind),
            "message": analysis.risk_message(r),
            "severity": analysis.risk_severity(r),
        }
        for r in acc.analysis.risks
    ]


def _person_names(acc: analysis.Account, ids) -> list[str]:
    return [acc.people[p].name for p in ids if p in acc.people]


QUICK_CONTACTS = 40


def _quick_choices(customer: Customer, user, acc: analysis.Account) -> dict:
    """The people the fast entry offers, plain (widget templates are slow for long lists): our
    account people, and the customer's usual people — purchasing, those met in the window, then
    the others by influence — at most QUICK_CONTACTS; the full form has everyone."""
    from ..entry import account_people

    met = {t.contact_id: t.count for t in acc.ties if t.count}
    active = list(customer.contacts.filter(active=True))
    active.sort(key=lambda c: (not c.is_purchasing, -met.get(c.pk, 0), -c.influence, c.name))
    shown = sorted(active[:QUICK_CONTACTS], key=lambda c: c.name)
    return {
        "quick_ours": list(account_people(customer, user)),
        "quick_theirs": shown,
        "quick_more": max(0, len(active) - QUICK_CONTACTS),
    }


def _filter_choices(customer: Customer, filters: FilterForm) -> dict:
    return {
        "filter_people": list(filters.people.values_list("pk", "name")),
        "filter_contacts": list(filters.contacts.values_list("pk", "name")),
        "filter_values": {
            "person": filters.data.get("person", ""),
            "contact": filters.data.get("contact", ""),
        },
    }


def customer_tab(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    customer = get_customer_for_user(request.user, pk)
    scope = group_scope.scope_of(request, customer)
    if scope == group_scope.GROUP and not request.htmx:
        return group_tab(request, customer, TAB)
    can_edit = can_edit_customer(request.user, customer)
    filters = FilterForm(request.GET or None, customer=customer)
    log = filters.apply(_log_queryset(customer))
    page = Paginator(log, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "customer": customer,
        "page": page,
        "filters": filters,
        "can_edit": can_edit,
        "group_scope": scope,
        "filtered": bool(
            request.GET.get("kind")
            or request.GET.get("person")
            or request.GET.get("contact")
            or request.GET.get("q")
            or request.GET.get("since")
            or request.GET.get("until")
        ),
    }
    if request.htmx and request.htmx.target == "log":
        return render(request, "interactions/tab.html#log", context)
    acc = summary.account(customer)
    a = acc.analysis
    context.pop("customer")
    context.pop("can_edit")
    context = customer_context(
        request,
        customer,
        TAB,
        **context,
        acc=acc,
        a=a,
        form_label=analysis.form_label(a.form),
        explanation=analysis.form_explanation(a, acc.settings),
        pairs=[(function_label(o), function_label(t)) for o, t in a.functional_pairs],
        risks=_risks(acc),
        network=_network(acc),
        history=_history_data(acc),
        history_rows=acc.history,
        quick=InteractionForm(customer=customer, user=request.user, quick=True)
        if can_edit
        else None,
        **(_quick_choices(customer, request.user, acc) if can_edit else {}),
        **_filter_choices(customer, filters),
        top_contact=acc.contacts.get(a.top_contact_id) if a.top_contact_id else None,
        top_share=round(a.top_contact_share * 100),
        diamond_percent=analysis.rules.diamond_percent(a.diamond_index),
        **target_view.context(customer, acc),
    )
    return render(request, "interactions/tab.html", context)


def interaction_create(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    customer = get_customer_for_user(request.user, pk, write=True)
    quick = request.POST.get("quick") == "1"
    form = InteractionForm(request.POST or None, customer=customer, user=request.user, quick=quick)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            actions.do_log_interaction(request.user, customer, **data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request, _("Interaction logged: %(topic)s.") % {"topic": data["topic"]}
            )
            return redirect(reverse("interactions:customer_tab", args=[customer.pk]) + "#log")
    if quick and request.method == "POST":
        # A quick entry that failed comes back on the full form, typed values kept.
        form = InteractionForm(request.POST, customer=customer, user=request.user)
        form.is_valid()
    context = customer_context(request, customer, TAB, form=form, creating=True)
    return render(request, "interactions/form.html", context)


def _interaction_for(request, pk: int, iid: int, write: bool) -> tuple[Customer, Interaction]:
    customer = get_customer_for_user(request.user, pk, write=write)
    return customer, get_object_or_404(Interaction, pk=iid, customer=customer)


def interaction_edit(request: AuthenticatedHttpRequest, pk: int, iid: int) -> HttpResponse:
    customer, interaction = _interaction_for(request, pk, iid, write=True)
    form = InteractionForm(
        request.POST or None, instance=interaction, customer=customer, user=request.user
    )
    conflicts: list[dict] = []
    if request.method == "POST" and form.is_valid():
        version = form.take_version()
        fresh = Interaction.objects.get(pk=interaction.pk)
        try:
            actions.do_update_interaction(
                request.user, fresh, version=version, **form.cleaned_data
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        except VersionConflict as exc:
            if exc.current is None:
                raise Http404("No such interaction") from None
            conflicts = form.show_conflict(exc.current, CONFLICT_MESSAGE)
        if not form.errors:
            messages.success(request, _("Changes saved."))
            return redirect("interactions:customer_tab", pk=customer.pk)
    context = customer_context(
        request, customer, TAB, form=form, interaction=interaction, conflicts=conflicts
    )
    return render(request, "interactions/form.html", context, status=409 if conflicts else 200)


@require_POST
def interaction_delete(request: AuthenticatedHttpRequest, pk: int, iid: int) -> HttpResponse:
    customer, interaction = _interaction_for(request, pk, iid, write=True)
    actions.do_delete_interaction(request.user, interaction)
    messages.success(request, _("Interaction deleted."))
    return redirect("interactions:customer_tab", pk=customer.pk)
