"""Who may read and change a customer — the one access check every view, endpoint and command
uses for customers and everything that hangs off them (contacts, team, log, plan…).

- admins and directors read and edit every account;
- a KAM reads every account and edits the ones they own or whose team they are on;
- a member reads and edits only the accounts whose team they are on;
- a viewer reads every account and edits nothing;
- economics (money) is for admins, directors and the owning KAM only.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from kamp.core.choices import Role

from .models import Customer


def _on_team(user) -> Q:
    from kamp.team.models import AccountTeamMember

    return Q(Exists(AccountTeamMember.objects.filter(customer=OuterRef("pk"), user=user)))


def sees_every_customer(user) -> bool:
    """Whether :func:`customers_visible_to` leaves ``user`` every customer (a page over the
    whole portfolio then needs no list of the ids it may show)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return user.role in (Role.ADMIN, Role.DIRECTOR, Role.KAM, Role.VIEWER) or user.is_superuser


def customers_visible_to(user, qs: QuerySet[Customer] | None = None) -> QuerySet[Customer]:
    qs = Customer.objects.all() if qs is None else qs
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return qs.none()
    if sees_every_customer(user):
        return qs
    if user.role == Role.MEMBER:
        return qs.filter(_on_team(user))
    return qs.none()


def customers_editable_by(user, qs: QuerySet[Customer] | None = None) -> QuerySet[Customer]:
    qs = Customer.objects.all() if qs is None else qs
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return qs.none()
    if user.manages_programme:
        return qs
    if user.role == Role.KAM:
        return qs.filter(Q(owner=user) | _on_team(user))
    if user.role == Role.MEMBER:
        return qs.filter(_on_team(user))
    return qs.none()


def can_read_customer(user, customer: Customer) -> bool:
    return customers_visible_to(user, Customer.objects.filter(pk=customer.pk)).exists()


def can_read_customer_id(user, pk: int) -> bool:
    """Whether ``user`` may read the customer ``pk`` (no query for those who read every one)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.role in (Role.ADMIN, Role.DIRECTOR, Role.KAM, Role.VIEWER) or user.is_superuser:
        return True
    return customers_visible_to(user, Customer.objects.filter(pk=pk)).exists()


def can_edit_customer(user, customer: Customer) -> bool:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.manages_programme:
        return True
    if user.role == Role.KAM and customer.owner_id == user.pk:
        return True
    if user.role in (Role.KAM, Role.MEMBER):
        return customer.team_members.filter(user=user).exists()
    return False


def can_create_customer(user) -> bool:
    return getattr(user, "is_authenticated", False) and (user.manages_programme or user.is_kam)


def can_see_economics(user, customer: Customer) -> bool:
    """Money is for admins, directors and the owning KAM: a team member sees the plan, not the P&L."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return user.manages_programme or (user.role == Role.KAM and customer.owner_id == user.pk)


def sees_every_customers_economics(user) -> bool:
    """Whether ``user`` may see the money of every customer (admins and directors)."""
    return bool(
        getattr(user, "is_authenticated", False) and user.is_active and user.manages_programme
    )


def customers_with_economics_for(user, qs: QuerySet[Customer] | None = None) -> QuerySet[Customer]:
    """The customers of ``qs`` whose money ``user`` may see: :func:`can_see_economics` as a
    query (every one for admins and directors, their own accounts for a KAM, none otherwise)."""
    qs = Customer.objects.all() if qs is None else qs
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return qs.none()
    if sees_every_customers_economics(user):
        return qs
    if user.role == Role.KAM:
        return qs.filter(owner=user)
    return qs.none()


def can_change_owner(user, customer: Customer) -> bool:
    """The ownership rule: an account changes hands only by a director's or an admin's decision,
    or by its owning KAM handing it over. Who merely edits the account (its team, another KAM on
    it) may not take it: ownership opens its economics."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return user.manages_programme or (user.role == Role.KAM and customer.owner_id == user.pk)


def can_own_accounts(user) -> bool:
    """Who may be an account's owner: active KAMs, directors and admins."""
    return bool(
        user is not None and user.is_active and user.role in (Role.KAM, Role.DIRECTOR, Role.ADMIN)
    )


def get_customer_for_user(user, pk, write: bool = False) -> Customer:
    """The customer ``pk`` if ``user`` may read it (404 otherwise, so ids don't leak) and, with
    ``write``, edit it (403)."""
    try:
        customer = customers_visible_to(user).select_related("owner", "parent").get(pk=pk)
    except (Customer.DoesNotExist, ValueError, TypeError):
        raise Http404("No such customer")
    if write and not can_edit_customer(user, customer):
        raise PermissionDenied
    return customer
