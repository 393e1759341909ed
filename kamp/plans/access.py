"""Who may read and change a plan: exactly who may read and change its customer
(kamp.customers.access). Money inside a plan (whitespace revenue, financial objectives) follows
``can_see_economics``."""

from __future__ import annotations

from django.db import DataError
from django.http import Http404

from kamp.customers.access import can_see_economics, get_customer_for_user

from .models import AccountPlan


def get_plan_for_user(user, pk, write: bool = False) -> AccountPlan:
    """The plan ``pk`` if ``user`` may read its customer (404 otherwise) and, with ``write``,
    edit it (403)."""
    try:
        customer_id = AccountPlan.objects.values_list("customer_id", flat=True).get(pk=pk)
    except (AccountPlan.DoesNotExist, ValueError, TypeError, OverflowError, DataError):
        raise Http404("No such plan")
    customer = get_customer_for_user(user, customer_id, write=write)
    plan = AccountPlan.objects.select_related("last_updated_by").get(pk=pk)
    plan.customer = customer
    return plan


def get_item_for_user(user, model, pk, write: bool = False):
    """A plan's part (objective, action…) through its plan's access check."""
    try:
        plan_id = model.objects.values_list("plan_id", flat=True).get(pk=pk)
    except (model.DoesNotExist, ValueError, TypeError, OverflowError, DataError):
        raise Http404("No such item")
    plan = get_plan_for_user(user, plan_id, write=write)
    item = model.objects.get(pk=pk)
    item.plan = plan
    return item


def sees_money(user, plan: AccountPlan) -> bool:
    return can_see_economics(user, plan.customer)
