import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from kamp.core.models import AuditEvent
from kamp.plans.models import AccountPlan, ActionStatus, PlanAction
from tests import pages

from .factories import ActionFactory, PlanFactory, WhitespaceFactory

READERS = [
    ("admin", 200),
    ("director", 200),
    ("ana", 200),
    ("bruno", 200),
    ("member", 200),
    ("viewer", 200),
]
EDITORS = [
    ("admin", True),
    ("director", True),
    ("ana", True),
    ("member", True),
    ("bruno", False),
    ("viewer", False),
]


@pytest.mark.parametrize("person, status", READERS)
def test_who_reads_the_plan_tab(request, client_for, plan, person, status):
    user = request.getfixturevalue(person)
    r = client_for(user).get(reverse("plans:customer_tab", args=[plan.customer_id]))
    assert r.status_code == status
    assert "Present the concession model" in r.content.decode()


def test_anonymous_goes_to_login(anonymous, plan):
    r = anonymous.get(reverse("plans:customer_tab", args=[plan.customer_id]))
    assert r.status_code == 302 and "/login/" in r["Location"]


def test_member_off_the_team_gets_404(client_for, other_account):
    from kamp.core.choices import Role
    from tests.factories import UserFactory

    outsider = UserFactory(role=Role.MEMBER)
    other = PlanFactory(customer=other_account)
    assert (
        client_for(outsider).get(reverse("plans:customer_tab", args=[other_account.pk])).status_code
        == 404
    )
    assert (
        client_for(outsider).get(reverse("plans:section", args=[other.pk, "actions"])).status_code
        == 404
    )


@pytest.mark.parametrize("person, allowed", EDITORS)
def test_who_adds_an_action(request, client_for, plan, person, allowed):
    user = request.getfixturevalue(person)
    url = reverse("plans:item_add", args=[plan.pk, "actions"])
    r = client_for(user).post(
        url,
        {
            "new-actions-title": "Call the CFO",
            "new-actions-owner": user.pk,
            "new-actions-due": "2026-12-15",
        },
        HTTP_HX_REQUEST="true",
    )
    assert r.status_code == (200 if allowed else 403)
    assert PlanAction.objects.filter(title="Call the CFO").exists() == allowed


@pytest.mark.parametrize("person, allowed", EDITORS)
def test_who_changes_an_action_status(request, client_for, plan, person, allowed):
    user = request.getfixturevalue(person)
    action = plan.actions.first()
    r = client_for(user).post(
        reverse("plans:action_status", args=[action.pk]), {"status": "done"}, HTTP_HX_REQUEST="true"
    )
    assert r.status_code == (200 if allowed else 403)
    action.refresh_from_db()
    assert (action.status == ActionStatus.DONE) == allowed
    if allowed:
        assert action.completed_at is not None
        assert r["HX-Trigger"] == "planChanged"


def test_every_change_stamps_the_plan_and_the_history(client_for, ana, plan):
    AccountPlan.objects.filter(pk=plan.pk).update(
        last_updated_at=timezone.now() - datetime.timedelta(days=200)
    )
    c = client_for(ana)
    r = c.post(
        reverse("plans:item_add", args=[plan.pk, "objectives"]),
        {
            "new-objectives-title": "Win the tunnel tender",
            "new-objectives-target": "1",
            "new-objectives-measure": "tender",
        },
        HTTP_HX_REQUEST="true",
    )
    assert r.status_code == 200, r.content
    plan.refresh_from_db()
    assert plan.last_updated_at > timezone.now() - datetime.timedelta(minutes=1)
    assert plan.last_updated_by == ana
    assert AuditEvent.objects.filter(
        customer_id=plan.customer_id, action="create", object_repr__contains="Win the tunnel tender"
    ).exists()


def test_add_without_javascript_redirects_back(client_for, ana, plan):
    r = client_for(ana).post(
        reverse("plans:item_add", args=[plan.pk, "risks"]),
        {"new-risks-title": "Budget cut", "new-risks-likelihood": 2, "new-risks-impact": 3},
    )
    assert r.status_code == 302 and "#sec-risks" in r["Location"]


def test_invalid_add_shows_the_error_and_keeps_the_text(client_for, ana, plan):
    r = client_for(ana).post(
        reverse("plans:item_add", args=[plan.pk, "objectives"]),
        {"new-objectives-title": "", "new-objectives-measure": "kept-unit"},
        HTTP_HX_REQUEST="true",
    )
    assert r.status_code == 400
    assert "kept-unit" in r.content.decode()


def test_edit_and_delete_inline(client_for, ana, plan):
    c = client_for(ana)
    risk = plan.risks.first()
    r = c.get(reverse("plans:item_edit", args=[plan.pk, "risks", risk.pk]), HTTP_HX_REQUEST="true")
    assert r.status_code == 200 and 'name="edit-risks-title"' in r.content.decode()
    r = c.post(
        reverse("plans:item_edit", args=[plan.pk, "risks", risk.pk]),
        {
            "edit-risks-title": "CFO may retire",
            "edit-risks-likelihood": 1,
            "edit-risks-impact": 3,
            "edit-risks-mitigation": "Meet the successor",
            "edit-risks-version": risk.version,
        },
        HTTP_HX_REQUEST="true",
    )
    assert r.status_code == 200
    risk.refresh_from_db()
    assert risk.title == "CFO may retire"
    r = c.post(
        reverse("plans:item_delete", args=[plan.pk, "risks", risk.pk]), HTTP_HX_REQUEST="true"
    )
    assert r.status_code == 200 and not plan.risks.exists()


def test_an_item_of_another_plan_cannot_be_reached_through_this_one(client_for, ana, plan, account):
    other_plan = PlanFactory(customer=account, period="2027")
    action = ActionFactory(plan=other_plan)
    r = client_for(ana).post(reverse("plans:item_delete", args=[plan.pk, "actions", action.pk]))
    assert r.status_code == 404


def test_bruno_cannot_touch_anas_plan(client_for, bruno, plan):
    c = client_for(bruno)
    action = plan.actions.first()
    assert (
        c.post(reverse("plans:item_delete", args=[plan.pk, "actions", action.pk])).status_code
        == 403
    )
    assert (
        c.post(reverse("plans:text", args=[plan.pk, "strategy"]), {"strategy": "x"}).status_code
        == 403
    )
    assert (
        c.post(reverse("plans:create", args=[plan.customer_id]), {"period": "2027"}).status_code
        == 403
    )
    assert c.post(reverse("plans:delete", args=[plan.pk])).status_code == 403
    assert c.get(reverse("plans:edit", args=[plan.pk])).status_code == 403


def test_text_sections_edit_in_place(client_for, ana, plan):
    c = client_for(ana)
    r = c.get(reverse("plans:text", args=[plan.pk, "strategy"]) + "?edit=1", HTTP_HX_REQUEST="true")
    assert "<textarea" in r.content.decode()
    r = c.post(
        reverse("plans:text", args=[plan.pk, "strategy"]),
        {"strategy": "Lead with <b>project finance</b>", "version": plan.version},
        HTTP_HX_REQUEST="true",
    )
    assert r.status_code == 200
    assert "&lt;b&gt;project finance&lt;/b&gt;" in r.content.decode()
    plan.refresh_from_db()
    assert plan.strategy.startswith("Lead with")


def test_create_plan_and_duplicate_period(client_for, ana, account):
    c = client_for(ana)
    r = c.get(reverse("plans:customer_tab", args=[account.pk]))
    assert "No account plan yet" in r.content.decode()
    r = c.post(reverse("plans:create", args=[account.pk]), {"period": "2026"})
    assert r.status_code == 302
    r = c.post(reverse("plans:create", args=[account.pk]), {"period": "2026"})
    assert r.status_code == 400
    assert "already has a plan" in r.content.decode()
    assert AccountPlan.objects.filter(customer=account).count() == 1


def test_whitespace_money_is_hidden_from_a_team_member(client_for, member, ana, plan):
    r = client_for(member).get(reverse("plans:customer_tab", args=[plan.customer_id]))
    html = pages.html(r)
    assert "123,456,789" not in html and "123.456.789" not in html and "987,654,321" not in html
    assert "M&amp;A" in html
    # the financial objective's numbers too
    assert "900" not in html.split("Revenue from CS")[1].split("</tr>")[0]
    r = client_for(ana).get(reverse("plans:customer_tab", args=[plan.customer_id]))
    assert "123,456,789" in r.content.decode()


def test_member_cannot_set_money_fields(client_for, member, plan):
    cell = plan.whitespace.first()
    r = client_for(member).post(
        reverse("plans:item_edit", args=[plan.pk, "whitespace", cell.pk]),
        {
            "edit-whitespace-buying_unit": cell.buying_unit,
            "edit-whitespace-offering": "M&A",
            "edit-whitespace-status": "pursuing",
            "edit-whitespace-current_revenue": "1",
            "edit-whitespace-potential": "2",
            "edit-whitespace-version": cell.version,
        },
        HTTP_HX_REQUEST="true",
    )
    assert r.status_code == 200
    cell.refresh_from_db()
    assert cell.status == "pursuing" and cell.potential == 987654321


def test_duplicate_whitespace_cell_is_a_form_error(client_for, ana, plan):
    r = client_for(ana).post(
        reverse("plans:item_add", args=[plan.pk, "whitespace"]),
        {
            "new-whitespace-buying_unit": "Concessions",
            "new-whitespace-offering": "M&A",
            "new-whitespace-status": "serving",
            "new-whitespace-current_revenue": "0",
            "new-whitespace-potential": "0",
        },
        HTTP_HX_REQUEST="true",
    )
    assert r.status_code == 400
    assert plan.whitespace.count() == 1


def test_initiative_moves_along(client_for, ana, plan):
    i = plan.initiatives.first()
    r = client_for(ana).post(
        reverse("plans:initiative_stage", args=[i.pk]),
        {"stage": "launched"},
        HTTP_HX_REQUEST="true",
    )
    assert r.status_code == 200
    i.refresh_from_db()
    assert i.stage == "launched"


def test_health_header_and_missing_sections(client_for, ana, account):
    p = PlanFactory(customer=account, strategy="")
    r = client_for(ana).get(reverse("plans:health", args=[p.pk]))
    html = r.content.decode()
    assert "What is missing" in html and "Strategy" in html


def test_stale_plan_is_flagged(client_for, ana, plan):
    AccountPlan.objects.filter(pk=plan.pk).update(
        last_updated_at=timezone.now() - datetime.timedelta(days=120)
    )
    r = client_for(ana).get(reverse("plans:customer_tab", args=[plan.customer_id]))
    assert "it is stale" in r.content.decode()


def test_plan_tab_queries_do_not_grow(client_for, ana, plan, django_assert_max_num_queries):
    for n in range(30):
        ActionFactory(plan=plan, owner=ana)
        WhitespaceFactory(plan=plan, buying_unit=f"Unit {n % 5}")
    c = client_for(ana)
    with django_assert_max_num_queries(60):
        assert c.get(reverse("plans:customer_tab", args=[plan.customer_id])).status_code == 200


def test_period_switch(client_for, ana, plan, account):
    PlanFactory(customer=account, period="2025", strategy="Old strategy for 2025 only")
    r = client_for(ana).get(reverse("plans:customer_tab", args=[account.pk]) + "?period=2025")
    assert "Old strategy for 2025 only" in r.content.decode()
    r = client_for(ana).get(reverse("plans:customer_tab", args=[account.pk]))
    assert "Old strategy for 2025 only" not in r.content.decode()


def test_summary_card(client_for, ana, plan):
    r = client_for(ana).get(reverse("customers:detail", args=[plan.customer_id]))
    assert "Account plan" in r.content.decode() and "Open the plan" in r.content.decode()
