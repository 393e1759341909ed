"""The customer's "Bids" tab, its forms, following a departed champion, and the programme's
pipeline page (docs/pipeline.md)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kamp.core.http import AuthenticatedHttpRequest
from kamp.customers.access import (
    can_edit_customer,
    can_see_economics,
    customers_editable_by,
    customers_visible_to,
    get_customer_for_user,
)
from kamp.customers.models import Contact
from kamp.customers.page import customer_context

from . import actions, service
from .access import get_bid_for_user, get_contract_for_user
from .forms import BidForm, ContractForm, FollowForm
from .models import Bid, Contract, FollowedContact

TAB = "bids"


def _data(request):
    """The form's data on a POST (an empty POST is a bound form with errors), else unbound."""
    return request.POST if request.method == "POST" else None


def _errors_to_form(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def departed_champions(customer) -> list[Contact]:
    """The account's champions who left and are not followed yet."""
    return [
        c
        for c in Contact.objects.filter(customer=customer, active=False).exclude(
            followed_to__isnull=False
        )
        if actions.is_champion(c)
    ]


def customer_tab(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    customer = get_customer_for_user(request.user, pk)
    money = can_see_economics(request.user, customer)
    bids = list(Bid.objects.filter(customer=customer).select_related("seeded_by"))
    contracts = list(Contract.objects.filter(customer=customer))
    today = timezone.localdate()
    due = {c.pk for c in service.renewals(contracts, today)}
    figures = service.summary(bids, money=money, currency_of=lambda b: customer.currency or "")
    ctx = customer_context(
        request,
        customer,
        TAB,
        open_bids=[b for b in bids if b.is_open],
        closed_bids=[b for b in bids if not b.is_open],
        contracts=contracts,
        due=due,
        renewal_days=service.renewal_days(),
        figures=figures,
        money=money,
        departed=departed_champions(customer),
        followed_from=FollowedContact.objects.filter(new__customer=customer).select_related(
            "former__customer", "new"
        ),
        followed_to=FollowedContact.objects.filter(former__customer=customer).select_related(
            "new__customer", "former"
        ),
    )
    return render(request, "pipeline/customer_tab.html", ctx)


def _bid_form_page(request, customer, bid: Bid | None) -> HttpResponse:
    money = can_see_economics(request.user, customer)
    form = BidForm(_data(request), instance=bid, money=money)
    if request.method == "POST" and form.is_valid():
        values = dict(form.cleaned_data)
        try:
            saved = actions.do_save_bid(request.user, customer, bid, **values)
        except ValidationError as exc:
            _errors_to_form(form, exc)
        else:
            messages.success(request, _("Bid “%(title)s” saved.") % {"title": saved.title})
            return redirect("pipeline:customer_tab", pk=customer.pk)
    ctx = customer_context(request, customer, TAB, form=form, bid=bid)
    return render(request, "pipeline/bid_form.html", ctx, status=400 if form.errors else 200)


def bid_create(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    customer = get_customer_for_user(request.user, pk, write=True)
    return _bid_form_page(request, customer, None)


def bid_edit(request: AuthenticatedHttpRequest, bid_pk: int) -> HttpResponse:
    bid = get_bid_for_user(request.user, bid_pk, write=True)
    return _bid_form_page(request, bid.customer, bid)


@require_POST
def bid_delete(request: AuthenticatedHttpRequest, bid_pk: int) -> HttpResponse:
    bid = get_bid_for_user(request.user, bid_pk, write=True)
    customer_id, title = bid.customer_id, bid.title
    actions.do_delete_bid(request.user, bid)
    messages.success(request, _("Bid “%(title)s” deleted.") % {"title": title})
    return redirect("pipeline:customer_tab", pk=customer_id)


@require_POST
def bid_seed(request: AuthenticatedHttpRequest, bid_pk: int) -> HttpResponse:
    """From lost bid to key account: the debrief seeds the candidate."""
    bid = get_bid_for_user(request.user, bid_pk, write=True)
    try:
        done = actions.do_seed_candidate(request.user, bid)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("pipeline:customer_tab", pk=bid.customer_id)
    messages.success(
        request,
        _(
            "%(name)s is a candidate seeded from the debrief: foundations noted, "
            "%(count)s people added to the decision-making unit."
        )
        % {"name": bid.customer.name, "count": len(done["contacts"])},
    )
    return redirect("pipeline:customer_tab", pk=bid.customer_id)


def contract_create(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    customer = get_customer_for_user(request.user, pk, write=True)
    return _contract_form_page(request, customer, None)


def contract_edit(request: AuthenticatedHttpRequest, contract_pk: int) -> HttpResponse:
    contract = get_contract_for_user(request.user, contract_pk, write=True)
    return _contract_form_page(request, contract.customer, contract)


@require_POST
def contract_delete(request: AuthenticatedHttpRequest, contract_pk: int) -> HttpResponse:
    contract = get_contract_for_user(request.user, contract_pk, write=True)
    customer_id, title = contract.customer_id, contract.title
    actions.do_delete_contract(request.user, contract)
    messages.success(request, _("Contract “%(title)s” deleted.") % {"title": title})
    return redirect("pipeline:customer_tab", pk=customer_id)


def _contract_form_page(request, customer, contract: Contract | None) -> HttpResponse:
    money = can_see_economics(request.user, customer)
    form = ContractForm(_data(request), instance=contract, money=money)
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_save_contract(request.user, customer, contract, **form.cleaned_data)
        except ValidationError as exc:
            _errors_to_form(form, exc)
        else:
            messages.success(request, _("Contract saved."))
            return redirect("pipeline:customer_tab", pk=customer.pk)
    ctx = customer_context(request, customer, TAB, form=form, contract=contract)
    return render(request, "pipeline/contract_form.html", ctx, status=400 if form.errors else 200)


def follow(request: AuthenticatedHttpRequest, contact_pk: int) -> HttpResponse:
    """A champion who left: follow them to their new company."""
    contact = get_object_or_404(
        Contact.objects.filter(customer__in=customers_visible_to(request.user)), pk=contact_pk
    )
    customer = contact.customer
    if not can_edit_customer(request.user, customer):
        raise PermissionDenied
    choices = customers_editable_by(request.user).exclude(pk=customer.pk).order_by("name")
    form = FollowForm(_data(request), customers=choices)
    if request.method == "POST" and form.is_valid():
        try:
            link = actions.do_follow_contact(
                request.user,
                contact,
                customer=form.cleaned_data["customer"],
                company_name=form.cleaned_data["company_name"],
                title=form.cleaned_data["title"],
                email=form.cleaned_data["email"],
            )
        except ValidationError as exc:
            _errors_to_form(form, exc)
        else:
            messages.success(
                request,
                _("%(name)s is now a contact at %(company)s.")
                % {"name": link.new.name, "company": link.new.customer.name},
            )
            return redirect("pipeline:customer_tab", pk=link.new.customer_id)
    ctx = customer_context(request, customer, TAB, form=form, contact=contact)
    return render(request, "pipeline/follow.html", ctx, status=400 if form.errors else 200)


def programme(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The programme's pipeline: what each person may read; amounts only of the accounts whose
    economics they may see."""
    visible = customers_visible_to(request.user)
    bids = list(
        Bid.objects.filter(customer__in=visible).select_related("customer", "customer__owner")
    )
    money_ids = {b.customer_id for b in bids if can_see_economics(request.user, b.customer)}
    money_bids = [b for b in bids if b.customer_id in money_ids]
    figures = service.summary(bids, money=False)
    pipeline = service.by_currency(money_bids, lambda b: b.customer.currency or "")
    today = timezone.localdate()
    renewals = list(service.renewals_query(visible.values("pk"), today))
    open_bids = sorted(
        (b for b in bids if b.is_open), key=lambda b: (b.due_on is None, b.due_on, b.pk)
    )
    return render(
        request,
        "pipeline/programme.html",
        {
            "figures": figures,
            "pipeline": pipeline,
            "money_ids": money_ids,
            "money_hidden": any(b.customer_id not in money_ids for b in bids),
            "open_bids": open_bids,
            "renewals": renewals,
            "renewal_days": service.renewal_days(),
        },
    )
