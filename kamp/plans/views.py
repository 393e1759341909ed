from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from kamp.customers.access import get_customer_for_user
from kamp.customers.views import customer_context

TAB = "plan"


def customer_tab(request: HttpRequest, pk: int) -> HttpResponse:
    customer = get_customer_for_user(request.user, pk)
    return render(request, "customers/tab_empty.html", customer_context(request, customer, TAB))
