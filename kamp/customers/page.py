"""The customer page's frame, shared by every area's tab: the tabs in their order and the context
each tab's view passes to ``customers/customer_base.html``. Kept out of ``views`` so that the
other areas' tab views use it without importing another app's views (docs/development.md)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from kamp.core.http import AuthenticatedHttpRequest

from . import membership
from .access import can_edit_customer, can_read_customer_id, can_see_economics
from .models import Customer

# The customer page's tabs, in the order ux.md sets; each is a URL name taking the customer pk.
CUSTOMER_TABS = [
    ("summary", gettext_lazy("Summary"), "customers:detail"),
    # Only on a group account's page (docs/groups.md).
    ("group", gettext_lazy("Group"), "customers:group"),
    ("people", gettext_lazy("People"), "customers:people"),
    ("interactions", gettext_lazy("Interactions"), "interactions:customer_tab"),
    ("relationship", gettext_lazy("Relationship"), "relationships:customer_tab"),
    ("plan", gettext_lazy("Plan"), "plans:customer_tab"),
    ("bids", gettext_lazy("Bids"), "pipeline:customer_tab"),
    ("economics", gettext_lazy("Economics"), "economics:customer_tab"),
    ("selection", gettext_lazy("Selection"), "selection:customer_tab"),
    ("history", gettext_lazy("History"), "customers:history"),
]


def customer_context(
    request: AuthenticatedHttpRequest, customer: Customer, tab: str, **extra
) -> dict:
    """What every tab of the customer page needs: the customer, the tabs and the user's rights."""
    tabs = [
        (key, label, url)
        for key, label, url in CUSTOMER_TABS
        if (key != "economics" or can_see_economics(request.user, customer))
        and (key != "group" or customer.is_group_account)
    ]
    # A company of a group links to its group account (when the reader may see it).
    group_id = membership.current_group_id(customer)
    group_account = None
    if (
        group_id is not None
        and group_id != customer.pk
        and can_read_customer_id(request.user, group_id)
    ):
        group_account = Customer.objects.filter(pk=group_id).only("id", "name").first()
    return {
        "customer": customer,
        "tabs": tabs,
        "active_tab": tab,
        "group_account": group_account,
        "can_edit": can_edit_customer(request.user, customer),
        "can_see_economics": can_see_economics(request.user, customer),
        # A member may see an account but not its group's parent: then its name is not shown.
        "parent_visible": bool(
            customer.parent_id and can_read_customer_id(request.user, customer.parent_id)
        ),
        **extra,
    }
