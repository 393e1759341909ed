import datetime

from django.urls import reverse
from django.utils import timezone

from kamp.customers.models import Customer
from kamp.plans import alerts, summary
from kamp.plans.models import AccountPlan

from .factories import ActionFactory, PlanFactory, RiskFactory


def test_my_actions_groups_overdue_upcoming_and_later(ana, bruno, plan, other_account):
    today = timezone.localdate()
    late = ActionFactory(plan=plan, owner=ana, due=today - datetime.timedelta(days=3))
    later = ActionFactory(plan=plan, owner=ana, due=today + datetime.timedelta(days=90))
    undated = ActionFactory(plan=plan, owner=ana, due=None)
    ActionFactory(plan=plan, owner=ana, due=today - datetime.timedelta(days=3), status="done")
    ActionFactory(plan=plan, owner=bruno, due=today - datetime.timedelta(days=3))
    elsewhere = ActionFactory(
        plan=PlanFactory(customer=other_account), owner=ana, due=today - datetime.timedelta(days=10)
    )
    data = summary.my_actions_grouped(ana)
    assert data["overdue"] == [elsewhere, late]
    assert {a.title for a in data["upcoming"]} == {
        "Present the concession model",
        "Internal pricing review",
    }
    assert data["later"] == [later, undated] or data["later"] == [later, undated][::-1]


def test_my_actions_for_the_kam_home(ana, plan):
    late = ActionFactory(
        plan=plan,
        owner=ana,
        title="Late one",
        due=timezone.localdate() - datetime.timedelta(days=2),
    )
    rows = summary.my_actions(ana)
    assert rows[0] == {
        "label": "Late one",
        "due": late.due,
        "overdue": True,
        "url": f"/plans/customer/{plan.customer_id}/?period=2026#sec-actions",
        "customer": "Constructora CS",
    }
    assert {r["label"] for r in rows[1:]} == {
        "Present the concession model",
        "Internal pricing review",
    }
    assert not any(r["overdue"] for r in rows[1:])


def test_kam_home_lists_my_actions(client_for, ana, plan):
    ActionFactory(
        plan=plan,
        owner=ana,
        title="Late one",
        due=timezone.localdate() - datetime.timedelta(days=2),
    )
    html = client_for(ana).get("/").content.decode()
    assert "Late one" in html


def test_my_actions_page(client_for, ana, plan):
    ActionFactory(
        plan=plan,
        owner=ana,
        title="Overdue thing",
        due=timezone.localdate() - datetime.timedelta(days=5),
    )
    r = client_for(ana).get(reverse("plans:my_actions"))
    html = r.content.decode()
    assert r.status_code == 200 and "Overdue thing" in html and "Constructora CS" in html
    assert html.index("Overdue thing") < html.index("Present the concession model")


def test_tick_done_on_my_actions(client_for, ana, plan):
    action = plan.actions.first()
    r = client_for(ana).post(
        reverse("plans:action_status", args=[action.pk]),
        {"status": "done", "from": "mine"},
        HTTP_HX_REQUEST="true",
    )
    assert r.status_code == 200 and f"my-action-{action.pk}" in r.content.decode()
    action.refresh_from_db()
    assert action.status == "done"


def test_my_actions_empty_state(client_for, viewer):
    r = client_for(viewer).get(reverse("plans:my_actions"))
    assert "Nothing on your list" in r.content.decode()


def test_badges_in_bulk(plan, account, other_account, django_assert_max_num_queries):
    AccountPlan.objects.filter(pk=plan.pk).update(
        last_updated_at=timezone.now() - datetime.timedelta(days=100)
    )
    ActionFactory(plan=plan, due=timezone.localdate() - datetime.timedelta(days=1))
    with django_assert_max_num_queries(5):
        result = summary.badges([account.pk, other_account.pk])
    css = [b["css"].split()[0] for b in result[account.pk]]
    assert "plan-stale" in css and "plan-overdue" in css
    assert other_account.pk not in result


def test_alerts(plan, account, other_account, django_assert_max_num_queries):
    AccountPlan.objects.filter(pk=plan.pk).update(
        last_updated_at=timezone.now() - datetime.timedelta(days=100)
    )
    # One or two late actions are the KAM's list; three pile up into an alert.
    for _i in range(alerts.OVERDUE_ACTIONS_ALERT):
        ActionFactory(plan=plan, due=timezone.localdate() - datetime.timedelta(days=1))
    RiskFactory(plan=plan, likelihood=1, impact=1)
    with django_assert_max_num_queries(6):
        found = alerts.alerts(Customer.objects.all(), timezone.localdate())
    kinds = {(a.customer_id, a.kind) for a in found}
    assert (account.pk, "stale_plan") in kinds
    assert (account.pk, "overdue_actions") in kinds
    assert (account.pk, "high_risk") in kinds
    assert (other_account.pk, "no_plan") in kinds
    high = next(a for a in found if a.kind == "high_risk")
    assert high.data["count"] == 1 and high.url.endswith("#sec-risks")
    assert {a.cause for a in found} == {"plan"}  # one cause: they roll up into one alert


def test_portfolio(client_for, director, plan, other_account, django_assert_max_num_queries):
    c = client_for(director)
    with django_assert_max_num_queries(15):
        r = c.get(reverse("plans:portfolio"))
    html = r.content.decode()
    assert "Constructora CS" in html and "Minera Norte" in html and "No plan" in html
    AccountPlan.objects.filter(pk=plan.pk).update(
        last_updated_at=timezone.now() - datetime.timedelta(days=100)
    )
    r = c.get(reverse("plans:portfolio") + "?show=stale")
    assert "Stale" in r.content.decode()
