from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kamp.core.http import AuthenticatedHttpRequest
from kamp.core.models import ImportBatch, User
from kamp.customers import actions as customer_actions
from kamp.customers.access import (
    can_edit_customer,
    customers_editable_by,
    customers_visible_to,
    get_customer_for_user,
)
from kamp.customers.models import Contact, Customer, CustomerStatus, DMURole
from kamp.customers.views import customer_context

from . import actions, analysis, imports
from . import forms as rules
from .entry import (
    CalendarUploadForm,
    FilterForm,
    InteractionForm,
    MapContactForm,
    NewContactForm,
    SettingsForm,
)
from .models import Interaction, InteractionSettings

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
            "function": _function_label(acc.people[p].function) if p in acc.people else "",
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
                "function": _function_label(contact.function) if contact else "",
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


def _function_label(code: str) -> str:
    from kamp.core.choices import Function

    return str(dict(Function.choices).get(code, code))


def _history_data(acc: analysis.Account) -> dict:
    return {
        "quarters": [p.label for p in acc.history],
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
    from .entry import account_people

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
    can_edit = can_edit_customer(request.user, customer)
    filters = FilterForm(request.GET or None, customer=customer)
    log = filters.apply(_log_queryset(customer))
    page = Paginator(log, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "customer": customer,
        "page": page,
        "filters": filters,
        "can_edit": can_edit,
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
    acc = analysis.account(customer, all_ties=False)
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
        pairs=[(_function_label(o), _function_label(t)) for o, t in a.functional_pairs],
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
        diamond_percent=round(a.diamond_index * 100),
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
    if request.method == "POST" and form.is_valid():
        fresh = Interaction.objects.get(pk=interaction.pk)
        try:
            actions.do_update_interaction(request.user, fresh, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("interactions:customer_tab", pk=customer.pk)
    context = customer_context(request, customer, TAB, form=form, interaction=interaction)
    return render(request, "interactions/form.html", context)


@require_POST
def interaction_delete(request: AuthenticatedHttpRequest, pk: int, iid: int) -> HttpResponse:
    customer, interaction = _interaction_for(request, pk, iid, write=True)
    actions.do_delete_interaction(request.user, interaction)
    messages.success(request, _("Interaction deleted."))
    return redirect("interactions:customer_tab", pk=customer.pk)


# --- Coverage ---------------------------------------------------------------------------------

STRENGTH_LABELS = {0: "", 1: "weak", 2: "some", 3: "strong"}


def coverage(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    customer = get_customer_for_user(request.user, pk)
    acc = analysis.account(customer)
    team_ids = set(customer.team_members.values_list("user_id", flat=True)) | (
        {customer.owner_id} if customer.owner_id else set()
    )
    people_ids = {t.person_id for t in acc.ties} | team_ids
    people = {u.pk: u for u in User.objects.filter(pk__in=people_ids)}
    ours = sorted(people.values(), key=lambda u: (u.pk != customer.owner_id, u.name or u.email))
    tie_contacts = {t.contact_id for t in acc.ties}
    theirs = sorted(
        (c for c in acc.contacts.values() if c.active or c.id in tie_contacts),
        key=lambda c: (not c.is_purchasing, c.name),
    )
    index = {(t.person_id, t.contact_id): t for t in acc.ties}
    labels = {1: _("weak"), 2: _("some"), 3: _("strong")}
    rows: list[dict[str, Any]] = []
    for u in ours:
        cells: list[dict[str, Any]] = []
        for c in theirs:
            t = index.get((u.pk, c.id))
            s = rules.tie_strength(t.count, t.last, acc.as_of, acc.settings.window_days) if t else 0
            cells.append({"tie": t, "strength": s, "label": labels.get(s, "")})
        rows.append(
            {
                "person": u,
                "kam": u.pk == customer.owner_id,
                "cells": cells,
                "reach": sum(1 for cell in cells if cell["strength"] >= 2),
            }
        )
    uncovered = [
        c
        for i, c in enumerate(theirs)
        if c.active and not any(r["cells"][i]["strength"] >= 2 for r in rows)
    ]
    columns = [
        (c, _("purchasing") if c.is_purchasing else _function_label(c.function)) for c in theirs
    ]
    context = customer_context(
        request,
        customer,
        TAB,
        acc=acc,
        ours=ours,
        columns=columns,
        rows=rows,
        uncovered=uncovered,
        window=acc.settings.window_days,
    )
    return render(request, "interactions/coverage.html", context)


# --- DMU map ------------------------------------------------------------------------------------


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
        fresh = Contact.objects.get(pk=contact.pk)
        try:
            customer_actions.do_update_contact(request.user, fresh, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            return render(
                request,
                "interactions/_dmu_map.html",
                _map_context(request, customer, changed=contact.pk),
            )
    response = render(
        request,
        "interactions/_dmu_edit.html",
        {"customer": customer, "contact": contact, "form": form},
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
    if request.GET.get("reports_to", "").isdigit():
        initial["reports_to"] = int(request.GET["reports_to"])
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


# --- Per person, portfolio risks, settings ------------------------------------------------------


def person_log(request: AuthenticatedHttpRequest, user_pk: int) -> HttpResponse:
    """One of our people's interactions, on the accounts the viewer may read."""
    person = get_object_or_404(User, pk=user_pk)
    qs = (
        Interaction.objects.filter(
            people_links__user=person, customer__in=customers_visible_to(request.user)
        )
        .select_related("customer")
        .prefetch_related(
            Prefetch("our_people", queryset=User.objects.only("id", "name", "email")),
            Prefetch("their_contacts", queryset=Contact.objects.only("id", "name", "customer_id")),
        )
        .order_by("-date", "-id")
    )
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(request, "interactions/person.html", {"person": person, "page": page})


def risks(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Portfolio-wide: every account's form and risks, for the director (and any reader)."""
    scope = request.GET.get("scope", "key")
    customers = customers_visible_to(request.user)
    if scope == "mine":
        customers = customers.filter(owner=request.user)
    elif scope != "all":
        scope = "key"
        customers = customers.filter(status=CustomerStatus.KEY_ACCOUNT)
    settings = InteractionSettings.load().as_rules()
    results = analysis.analyse_many(customers, settings=settings)
    heads = {
        c.pk: c
        for c in customers.select_related("owner").only(
            "id", "name", "owner__name", "owner__email", "status"
        )
    }
    rows: list[dict[str, Any]] = []
    for pk, a in results.items():
        c = heads.get(pk)
        if c is None:
            continue
        rows.append(
            {
                "customer": c,
                "a": a,
                "form_label": analysis.form_label(a.form),
                "diamond_percent": round(a.diamond_index * 100),
                "risks": [
                    {
                        "title": analysis.risk_title(r.kind),
                        "message": analysis.risk_message(r),
                        "severity": analysis.risk_severity(r),
                    }
                    for r in a.risks
                ],
            }
        )
    rows.sort(
        key=lambda r: (
            -sum(x["severity"] == "danger" for x in r["risks"]),
            -len(r["risks"]),
            r["customer"].name,
        )
    )
    counts = {
        "A": sum(r["a"].form == "A" for r in rows),
        "B": sum(r["a"].form == "B" for r in rows),
        "single": sum(any(x.kind == "single_threaded" for x in r["a"].risks) for r in rows),
    }
    return render(
        request,
        "interactions/risks.html",
        {
            "rows": rows,
            "scope": scope,
            "counts": counts,
            "settings": settings,
            "can_configure": request.user.manages_programme,
        },
    )


def settings_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not request.user.manages_programme:
        raise PermissionDenied
    form = SettingsForm(request.POST or None, instance=InteractionSettings.load())
    if request.method == "POST" and form.is_valid():
        actions.do_update_settings(request.user, **form.cleaned_data)
        messages.success(request, _("Settings saved."))
        return redirect("interactions:settings")
    return render(request, "interactions/settings.html", {"form": form})


# --- Calendar import ----------------------------------------------------------------------------


def _may_import(user) -> None:
    if not customers_editable_by(user).exists():
        raise PermissionDenied


def calendar_upload(request: AuthenticatedHttpRequest) -> HttpResponse:
    _may_import(request.user)
    form = CalendarUploadForm(request.POST or None, request.FILES or None)
    back = request.GET.get("customer", "")
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        plan = imports.plan_calendar(upload.read(), request.user)
        if plan.errors:
            form.add_error("file", plan.errors[0])
        else:
            batch = ImportBatch.objects.create(
                kind="interactions_calendar",
                filename=upload.name[:255],
                created_by=request.user,
                status=ImportBatch.Status.PENDING,
                options={"plan": plan.as_dict(), "customer": back},
                total_rows=len(plan.matched)
                + len(plan.already)
                + len(plan.unmatched)
                + len(plan.not_allowed),
            )
            return redirect("interactions:calendar_review", batch_pk=batch.pk)
    return render(request, "interactions/calendar_upload.html", {"form": form, "customer_pk": back})


def calendar_review(request: AuthenticatedHttpRequest, batch_pk: int) -> HttpResponse:
    batch = get_object_or_404(
        ImportBatch, pk=batch_pk, kind="interactions_calendar", created_by=request.user
    )
    plan = imports.CalendarPlan.from_dict(batch.options.get("plan", {}))
    if request.method == "POST" and batch.status == ImportBatch.Status.PENDING:
        chosen = set(request.POST.getlist("event"))
        events = [e for i, e in enumerate(plan.matched) if str(i) in chosen]
        batch, made = imports.save_calendar(request.user, events, batch.filename, batch=batch)
        messages.success(
            request, _("%(n)d interactions logged from the calendar.") % {"n": len(made)}
        )
        back = batch.options.get("customer", "")
        if back.isdigit():
            return redirect("interactions:customer_tab", pk=int(back))
        return redirect("interactions:calendar_upload")
    for e in plan.matched:
        e["date_value"] = date.fromisoformat(e["date"])
    for group in (plan.already, plan.unmatched, plan.not_allowed):
        for e in group:
            e["date_value"] = date.fromisoformat(e["date"])
    return render(
        request,
        "interactions/calendar_review.html",
        {
            "batch": batch,
            "plan": plan,
            "done": batch.status != ImportBatch.Status.PENDING,
        },
    )
