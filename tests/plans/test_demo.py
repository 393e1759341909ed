import pytest
from django.urls import reverse
from django.utils import timezone

from kamp.core.demo import load
from kamp.plans import summary
from kamp.plans.health import current_plans, health_for
from kamp.plans.models import AccountPlan, JointPlanLink

pytestmark = pytest.mark.django_db


def test_demo_tells_the_plan_story(client_for):
    ctx = load(
        modules=["kamp.team.demo", "kamp.plans.demo"],
        log=lambda *_: None,
        today=timezone.localdate(),
    )
    cs = ctx.customers["cs"]
    plan = AccountPlan.objects.get(customer=cs)
    h = health_for(plans=[plan])[plan.pk]
    assert h.percent == 100 and h.freshness == "fresh" and h.overdue_actions >= 2
    # Complete, freshly edited, and still behind: the overdue actions are the story.
    assert h.execution.status == "behind" and not h.up_to_date
    assert plan.initiatives.filter(stage="launched").exists()
    assert plan.reviews.count() == 2
    assert plan.actions.filter(shared_with_customer=True).count() >= 3
    mine = summary.my_actions_grouped(ctx.users["ana"])
    assert len(mine["overdue"]) >= 3
    link = JointPlanLink.objects.get(plan=plan)
    r = client_for(None).get(reverse("plans:joint", args=[link.token]))
    assert r.status_code == 200 and "María González" in r.content.decode()
    keys = [c for c in ctx.customers.values() if c.status == "key_account"]
    plans = current_plans([c.pk for c in keys])
    health = health_for(plan_ids=plans.values())
    assert any(x.stale for x in health.values())
    assert len(plans) < len(keys)  # one key account has no plan yet
    # the demo pages render
    c = client_for(ctx.users["ana"])
    assert c.get(reverse("plans:customer_tab", args=[cs.pk])).status_code == 200
    assert c.get(reverse("reports:plan_pptx", args=[plan.pk])).status_code == 200
