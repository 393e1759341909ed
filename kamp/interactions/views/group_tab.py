"""A group account's Interactions tab on "Whole group" (its default, docs/groups.md): the
interaction form of every company of the group taken together and their latest interactions
with the company shown — the Group tab's card, from :mod:`kamp.interactions.group`."""

from __future__ import annotations

from datetime import date

from django.http import HttpResponse
from django.shortcuts import render

from kamp.core.http import AuthenticatedHttpRequest
from kamp.customers import group_scope
from kamp.customers.models import Customer
from kamp.customers.page import customer_context


def group_tab(request: AuthenticatedHttpRequest, customer: Customer, tab: str) -> HttpResponse:
    members = group_scope.visible_member_ids(request, customer)
    context = customer_context(
        request,
        customer,
        tab,
        group_scope=group_scope.GROUP,
        **group_scope.interactions_data(customer, members, date.today()),
    )
    return render(request, "interactions/group_tab.html", context)
