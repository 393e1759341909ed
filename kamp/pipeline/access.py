"""Who may read and change bids, contracts and followed contacts: through their customer
(``kamp.customers.access``); amounts only for who may see the account's economics."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404

from kamp.customers.access import can_edit_customer, can_see_economics, customers_visible_to

from .models import Bid, Contract


def bids_visible_to(user):
    return Bid.objects.filter(customer__in=customers_visible_to(user))


def get_bid_for_user(user, pk, write: bool = False) -> Bid:
    """The bid ``pk`` if ``user`` may read its customer (404 otherwise) and, with ``write``,
    edit it (403)."""
    try:
        bid = bids_visible_to(user).select_related("customer").get(pk=pk)
    except (Bid.DoesNotExist, ValueError, TypeError):
        raise Http404("No such bid")
    if write and not can_edit_customer(user, bid.customer):
        raise PermissionDenied
    return bid


def get_contract_for_user(user, pk, write: bool = False) -> Contract:
    try:
        contract = (
            Contract.objects.filter(customer__in=customers_visible_to(user))
            .select_related("customer")
            .get(pk=pk)
        )
    except (Contract.DoesNotExist, ValueError, TypeError):
        raise Http404("No such contract")
    if write and not can_edit_customer(user, contract.customer):
        raise PermissionDenied
    return contract


def money_visible(user, customer) -> bool:
    """The amounts of a customer's bids and contracts: the account's economics rule."""
    return can_see_economics(user, customer)
