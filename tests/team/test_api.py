"""The team router (kamp/team/api.py), exercised directly: who may read and change a team."""

import pytest
from ninja.testing import TestClient

from kamp.core.choices import Function, Role
from kamp.team.api import router
from kamp.team.models import AccountTeamMember
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    return TestClient(router)


@pytest.mark.parametrize(
    "who,status", [("director", 200), ("ana", 200), ("member", 200), ("viewer", 200)]
)
def test_read_team(api, request, account, who, status):
    r = api.get(f"/customers/{account.pk}", user=request.getfixturevalue(who))
    assert r.status_code == status
    assert r.json()["owner"]["name"] == "Ana KAM"


def test_member_of_another_account_cannot_read(api, other_account, member):
    assert api.get(f"/customers/{other_account.pk}", user=member).status_code == 404


@pytest.mark.parametrize(
    "who,ok", [("director", True), ("ana", True), ("bruno", False), ("viewer", False)]
)
def test_add_member(api, request, account, who, ok):
    from django.core.exceptions import PermissionDenied

    felipe = UserFactory(name="Felipe", role=Role.MEMBER, function=Function.FINANCE)
    user = request.getfixturevalue(who)
    payload = {"user_id": felipe.pk, "role": "member", "responsibility": "Billing"}
    if ok:
        assert (
            api.post(f"/customers/{account.pk}/members", json=payload, user=user).status_code == 200
        )
        assert AccountTeamMember.objects.filter(customer=account, user=felipe).exists()
    else:
        with pytest.raises(PermissionDenied):
            api.post(f"/customers/{account.pk}/members", json=payload, user=user)


def test_remove_member(api, account, ana, member):
    m = AccountTeamMember.objects.get(customer=account, user=member)
    assert api.delete(f"/customers/{account.pk}/members/{m.pk}", user=ana).status_code == 200
    assert not AccountTeamMember.objects.filter(pk=m.pk).exists()
