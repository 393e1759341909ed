import json

import pytest

from kamp.plans.models import AccountPlan, PlanAction


def post(client, url, body):
    return client.post(url, json.dumps(body), content_type="application/json")


def patch(client, url, body):
    return client.patch(url, json.dumps(body), content_type="application/json")


def test_api_requires_login(anonymous, plan):
    assert anonymous.get("/api/v1/plans/").status_code == 401
    assert anonymous.get(f"/api/v1/plans/{plan.pk}").status_code == 401


@pytest.mark.parametrize("person", ["admin", "director", "ana", "bruno", "member", "viewer"])
def test_who_reads_a_plan(request, client_for, plan, person):
    user = request.getfixturevalue(person)
    r = client_for(user).get(f"/api/v1/plans/{plan.pk}")
    assert r.status_code == 200
    data = r.json()
    assert data["period"] == "2026" and len(data["actions"]) == 2
    assert data["health"]["completeness"] == 100
    cell = data["whitespace"][0]
    financial = next(o for o in data["objectives"] if o["is_financial"])
    if person in ("admin", "director", "ana"):
        assert cell["potential"] == "987654321.00" and financial["target"] == "900.00"
    else:
        assert "potential" not in cell and "current_revenue" not in cell
        assert financial["target"] is None and financial["current"] is None


def test_member_off_the_team_gets_404(client_for, other_account):
    from kamp.core.choices import Role
    from tests.factories import UserFactory

    from .factories import PlanFactory

    outsider = UserFactory(role=Role.MEMBER)
    other = PlanFactory(customer=other_account)
    assert client_for(outsider).get(f"/api/v1/plans/{other.pk}").status_code == 404
    assert client_for(outsider).get("/api/v1/plans/").json() == []


@pytest.mark.parametrize(
    "person, status",
    [("admin", 201), ("ana", 201), ("member", 201), ("bruno", 403), ("viewer", 403)],
)
def test_who_adds_an_action(request, client_for, plan, person, status):
    user = request.getfixturevalue(person)
    r = post(
        client_for(user),
        f"/api/v1/plans/{plan.pk}/actions",
        {
            "title": "Send the proposal",
            "owner_id": user.pk,
            "due": "2026-12-20",
            "shared_with_customer": True,
        },
    )
    assert r.status_code == status, r.content
    if status == 201:
        a = PlanAction.objects.get(title="Send the proposal")
        assert a.shared_with_customer and a.owner == user and a.status == "open"


def test_validation_errors_are_422(client_for, ana, plan):
    r = post(client_for(ana), f"/api/v1/plans/{plan.pk}/risks", {"title": "", "likelihood": 9})
    assert r.status_code == 422
    assert "title" in r.json()["detail"]


def test_patch_an_action_partially(client_for, ana, plan):
    action = plan.actions.first()
    r = patch(client_for(ana), f"/api/v1/plans/{plan.pk}/actions/{action.pk}", {"status": "done"})
    assert r.status_code == 200, r.content
    action.refresh_from_db()
    assert action.status == "done" and action.title == "Present the concession model"
    assert action.shared_with_customer  # untouched fields keep their values


def test_item_through_the_wrong_plan_is_404(client_for, ana, plan, account):
    from .factories import PlanFactory

    other = PlanFactory(customer=account, period="2027")
    action = plan.actions.first()
    r = patch(client_for(ana), f"/api/v1/plans/{other.pk}/actions/{action.pk}", {"status": "done"})
    assert r.status_code == 404


def test_create_update_delete_plan(client_for, ana, bruno, account):
    c = client_for(ana)
    r = post(c, f"/api/v1/plans/?customer={account.pk}", {"period": "2027", "strategy": "Grow"})
    assert r.status_code == 201, r.content
    pid = r.json()["id"]
    assert post(c, f"/api/v1/plans/?customer={account.pk}", {"period": "2027"}).status_code == 422
    assert (
        post(
            client_for(bruno), f"/api/v1/plans/?customer={account.pk}", {"period": "2028"}
        ).status_code
        == 403
    )
    r = patch(c, f"/api/v1/plans/{pid}", {"business_and_goals": "Concessions"})
    assert r.status_code == 200 and r.json()["strategy"] == "Grow"
    assert client_for(bruno).delete(f"/api/v1/plans/{pid}").status_code == 403
    assert c.delete(f"/api/v1/plans/{pid}").status_code == 204
    assert not AccountPlan.objects.filter(pk=pid).exists()


def test_joint_links_over_the_api(client_for, ana, viewer, plan, anonymous):
    c = client_for(ana)
    r = post(
        c, f"/api/v1/plans/{plan.pk}/joint-links", {"label": "CFO", "days": 7, "language": "en"}
    )
    assert r.status_code == 201, r.content
    url = r.json()["url"]
    assert anonymous.get(url).status_code == 200
    assert client_for(viewer).get(f"/api/v1/plans/{plan.pk}/joint-links").status_code == 403
    r = c.post(f"/api/v1/plans/{plan.pk}/joint-links/{r.json()['id']}/revoke")
    assert r.status_code == 200 and r.json()["revoked_at"]
    assert anonymous.get(url).status_code == 404


def test_my_actions_endpoint(client_for, ana, plan):
    r = client_for(ana).get("/api/v1/plans/my-actions")
    assert r.status_code == 200
    assert {a["title"] for a in r.json()} == {
        "Present the concession model",
        "Internal pricing review",
    }


def test_odd_input_is_rejected_cleanly(client_for, ana, plan):
    c = client_for(ana)
    huge = 10**20
    assert c.get(f"/api/v1/plans/{huge}").status_code in (404, 422)
    assert c.post(f"/plans/links/{huge}/revoke/").status_code == 404
    assert c.get(f"/plans/{huge}/risks/").status_code == 404
    r = post(
        c, f"/api/v1/plans/{plan.pk}/actions", {"title": "x", "due": {"a": 1}, "owner": [1, 2]}
    )
    assert r.status_code == 422
    r = post(c, f"/api/v1/plans/{plan.pk}/reviews", {"date": ["2026-01-01"], "title": "QBR"})
    assert r.status_code == 422
