"""The account team under /api/v1/team/ (mounted by kamp/api.py)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from ninja import Router, Schema
from ninja.errors import HttpError

from kamp.core.models import User
from kamp.customers.access import get_customer_for_user
from kamp.customers.identity import customer_ref

from . import actions
from .models import AccountTeamMember, TeamRole

router = Router(tags=["team"])


def _member(m: AccountTeamMember) -> dict:
    return {
        "id": m.pk,
        "user_id": m.user_id,
        "name": str(m.user),
        "function": m.user.function,
        "role": m.role,
        "responsibility": m.responsibility,
        "since": m.since.isoformat() if m.since else None,
    }


@router.get("/customers/{pk}")
def team(request, pk: int):
    customer = get_customer_for_user(request.user, pk)
    members = customer.team_members.select_related("user")
    return {
        "customer": customer_ref(customer),
        "customer_id": customer.pk,
        "owner": {"id": customer.owner_id, "name": str(customer.owner)} if customer.owner else None,
        "members": [_member(m) for m in members],
    }


class MemberIn(Schema):
    user_id: int
    role: str = TeamRole.MEMBER
    responsibility: str = ""


@router.post("/customers/{pk}/members")
def add_member(request, pk: int, payload: MemberIn):
    customer = get_customer_for_user(request.user, pk, write=True)
    user = get_object_or_404(User, pk=payload.user_id, is_active=True)
    if payload.role not in TeamRole.values:
        raise HttpError(422, "Unknown role.")
    try:
        m = actions.do_add_team_member(
            request.user, customer, user, role=payload.role, responsibility=payload.responsibility
        )
    except ValidationError as exc:
        raise HttpError(422, " ".join(exc.messages))
    return _member(m)


@router.delete("/customers/{pk}/members/{member_pk}")
def remove_member(request, pk: int, member_pk: int):
    customer = get_customer_for_user(request.user, pk, write=True)
    m = get_object_or_404(AccountTeamMember, pk=member_pk, customer=customer)
    actions.do_remove_team_member(request.user, m)
    return {"deleted": member_pk}
