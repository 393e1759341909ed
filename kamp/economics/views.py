from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from django.core.exceptions import PermissionDenied

from kamp.customers.access import can_see_economics, get_customer_for_user
from kamp.customers.views import customer_context

TAB = "economics"


def customer_tab(request: HttpRequest, pk: int) -> HttpResponse:
    customer = get_customer_for_user(request.user, pk)
    if not can_see_economics(request.user, customer):
        raise PermissionDenied
    return render(request, "customers/tab_empty.html", customer_context(request, customer, TAB))
