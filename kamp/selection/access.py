"""Who may do what in selection — the one place views, the API and commands ask.

- reading the matrix and the scores: anyone who may read the customers (each sees the customers
  ``customers_visible_to`` gives them);
- editing selection models and weights, making decisions, saving snapshots: directors and admins;
- scoring (assessments): directors and admins, and KAMs for the customers they may edit.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from kamp.customers.access import customers_editable_by, customers_visible_to


def can_manage_selection(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.manages_programme)


def require_manager(user) -> None:
    if not can_manage_selection(user):
        raise PermissionDenied


def scorable_customers(user, qs=None):
    """The customers ``user`` may score."""
    if can_manage_selection(user):
        return customers_visible_to(user, qs)
    if getattr(user, "is_authenticated", False) and user.is_kam:
        return customers_editable_by(user, qs)
    return customers_editable_by(user, qs).none()


def can_score(user, customer) -> bool:
    if can_manage_selection(user):
        return True
    if not (getattr(user, "is_authenticated", False) and user.is_kam):
        return False
    from kamp.customers.access import can_edit_customer

    return can_edit_customer(user, customer)
