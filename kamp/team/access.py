"""Who may see KAM profiles and change an account's team or owner. Customers themselves go through
``kamp.customers.access``; this adds the rules for objects the team area owns."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404

from kamp.core.choices import Role
from kamp.core.models import User
from kamp.customers.access import can_change_owner as customer_owner_rule
from kamp.customers.access import can_edit_customer


def kams_visible_to(user):
    """The KAMs whose profiles ``user`` may open: every KAM for directors and admins, oneself for a
    KAM, nobody for the others."""
    qs = User.objects.filter(role=Role.KAM, is_active=True)
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return qs.none()
    if user.manages_programme:
        return qs
    if user.role == Role.KAM:
        return qs.filter(pk=user.pk)
    return qs.none()


def get_kam_for_user(user, pk) -> User:
    """The KAM ``pk`` if ``user`` may see their profile; 404 otherwise so ids don't leak."""
    try:
        return kams_visible_to(user).get(pk=pk)
    except (User.DoesNotExist, ValueError, TypeError):
        raise Http404("No such KAM")


def can_assess(user, kam: User, source: str) -> bool:
    """A KAM assesses themself; a director or admin gives the director's assessment."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if source == "self":
        return user.pk == kam.pk
    if source == "director":
        return user.manages_programme
    return False


def can_change_owner(user, customer) -> bool:
    """Handing an account to another KAM: the customers area's one ownership rule."""
    return can_edit_customer(user, customer) and customer_owner_rule(user, customer)


def check_change_owner(user, customer) -> None:
    if not can_change_owner(user, customer):
        raise PermissionDenied


def can_manage_programme(user) -> bool:
    return getattr(user, "is_authenticated", False) and user.is_active and user.manages_programme
