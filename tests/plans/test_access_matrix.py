"""Every plan view, for who may and who may not (architecture.md, practice 5)."""

import pytest
from django.urls import reverse

from kamp.core.choices import Role
from tests.factories import UserFactory

PEOPLE = ["admin", "director", "ana", "bruno", "member", "viewer", "outsider"]
CAN_READ = {"admin", "director", "ana", "bruno", "member", "viewer"}
CAN_EDIT = {"admin", "director", "ana", "member"}


@pytest.fixture
def outsider(db):
    return UserFactory(email="outsider@supplier.test", role=Role.MEMBER)


def reads(plan):
    risk = plan.risks.first()
    return [
        reverse("plans:customer_tab", args=[plan.customer_id]),
        reverse("plans:health", args=[plan.pk]),
        reverse("plans:text", args=[plan.pk, "strategy"]),
        reverse("plans:section", args=[plan.pk, "risks"]),
        reverse("plans:share", args=[plan.pk]),
        reverse("reports:plan_pdf", args=[plan.pk]),
        reverse("reports:plan_pptx", args=[plan.pk]),
        f"/api/v1/plans/{plan.pk}",
        f"/api/v1/plans/{plan.pk}/comments",
    ], risk


def writes(plan):
    risk = plan.risks.first()
    action = plan.actions.first()
    initiative = plan.initiatives.first()
    return [
        ("get", reverse("plans:edit", args=[plan.pk]), {}),
        ("get", reverse("plans:text", args=[plan.pk, "strategy"]) + "?edit=1", {}),
        ("get", reverse("plans:item_edit", args=[plan.pk, "risks", risk.pk]), {}),
        (
            "post",
            reverse("plans:text", args=[plan.pk, "strategy"]),
            {"strategy": "x", "version": plan.version},
        ),
        (
            "post",
            reverse("plans:item_add", args=[plan.pk, "risks"]),
            {"new-risks-title": "R", "new-risks-likelihood": 1, "new-risks-impact": 1},
        ),
        (
            "post",
            reverse("plans:item_edit", args=[plan.pk, "risks", risk.pk]),
            {
                "edit-risks-title": "R2",
                "edit-risks-likelihood": 1,
                "edit-risks-impact": 1,
                "edit-risks-version": risk.version,
            },
        ),
        ("post", reverse("plans:action_status", args=[action.pk]), {"status": "done"}),
        ("post", reverse("plans:initiative_stage", args=[initiative.pk]), {"stage": "launched"}),
        (
            "post",
            reverse("plans:share", args=[plan.pk]),
            {"language": "es", "days": 3, "share_actions": "on"},
        ),
        ("get", f"/api/v1/plans/{plan.pk}/joint-links", {}),
        ("post", reverse("plans:item_delete", args=[plan.pk, "risks", risk.pk]), {}),
        ("post", reverse("plans:create", args=[plan.customer_id]), {"period": "2030"}),
        ("post", reverse("plans:delete", args=[plan.pk]), {}),
    ]


@pytest.mark.parametrize("person", PEOPLE)
def test_reading(request, client_for, plan, person):
    user = request.getfixturevalue(person)
    c = client_for(user)
    urls, _risk = reads(plan)
    for url in urls:
        status = c.get(url).status_code
        if person in CAN_READ:
            assert status == 200, (url, status)
        else:
            assert status == 404, (url, status)


@pytest.mark.parametrize("person", PEOPLE)
def test_writing(request, client_for, plan, person):
    user = request.getfixturevalue(person)
    c = client_for(user)
    for method, url, data in writes(plan):
        status = getattr(c, method)(url, data).status_code
        if person in CAN_EDIT:
            assert status in (200, 302), (url, status)
        elif person in CAN_READ:
            assert status == 403, (url, status)
        else:
            assert status == 404, (url, status)


def test_portfolio_and_my_actions_only_show_what_one_may_read(client_for, outsider, plan):
    html = client_for(outsider).get(reverse("plans:portfolio")).content.decode()
    assert "Constructora CS" not in html
    plan.actions.update(owner=outsider)
    html = client_for(outsider).get(reverse("plans:my_actions")).content.decode()
    assert "Constructora CS" not in html


def test_anonymous_is_sent_to_login_everywhere(anonymous, plan):
    urls, _risk = reads(plan)
    for url in urls:
        r = anonymous.get(url)
        assert r.status_code in (302, 401), url
