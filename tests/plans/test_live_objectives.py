"""An objective bound to a live figure shows the account's computed value — the same as the
customer page's — on the plan tab, the API, the PDF and the QBR deck; a typed current value is
not kept; money figures stay hidden from whoever may not see them and out of the joint plan."""

import io
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from pptx import Presentation

from kamp.core.demo import load
from kamp.economics import figures
from kamp.plans import actions
from kamp.plans.forms import ObjectiveForm
from kamp.plans.models import AccountPlan
from kamp.reports import deck, pdf, plan_data
from tests import pages
from tests.plans.factories import ObjectiveFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo():
    return load(
        modules=["kamp.team.demo", "kamp.economics.demo", "kamp.relationships.demo"],
        log=lambda *_: None,
        today=timezone.localdate(),
    )


def _plan(cs):
    from tests.plans.factories import PlanFactory

    return AccountPlan.objects.filter(customer=cs).first() or PlanFactory(customer=cs)


def test_the_form_keeps_no_typed_value_and_makes_a_money_figure_financial():
    form = ObjectiveForm(
        data={
            "title": "Share of wallet",
            "measure": "%",
            "target": "30",
            "current": "27",
            "metric": "share_of_wallet",
        }
    )
    assert form.is_valid(), form.errors
    assert form.cleaned_data["current"] is None and form.cleaned_data["is_financial"] is True
    form = ObjectiveForm(data={"title": "RQI", "metric": "not-a-figure"})
    assert not form.is_valid() and "metric" in form.errors


def test_a_bound_objective_reads_the_figure_everywhere(demo, client_for):
    cs, ana = demo.customers["cs"], demo.users["ana"]
    plan = _plan(cs)
    sow = ObjectiveFactory(
        plan=plan,
        title="Grow our share",
        measure="%",
        target=30,
        current=27,
        is_financial=True,
        metric="share_of_wallet",
    )
    rqi = ObjectiveFactory(plan=plan, title="Trust", target=6, current=None, metric="rqi")
    values = figures.account_figures(cs)
    want_sow = (values["share_of_wallet"].rounded * 100).quantize(Decimal("0.1"))
    want_rqi = values["rqi"].rounded
    assert want_sow != 27 and want_rqi is not None

    client = client_for(ana)
    html = pages.html(client.get(reverse("plans:section", args=[plan.pk, "objectives"])))
    row = html.split("Grow our share")[1].split("</tr>")[0]
    assert f"{want_sow:.1f}" in row and "27" not in row.split("Share of wallet")[0]

    body = client.get(f"/api/v1/plans/{plan.pk}").json()
    by_id = {o["id"]: o for o in body["objectives"]}
    assert Decimal(by_id[sow.pk]["current"]) == want_sow
    assert Decimal(by_id[rqi.pk]["current"]) == want_rqi

    report = plan_data.gather(ana, plan)
    assert f"{want_sow:.1f}" in pdf.plan_html(report)
    slides = Presentation(io.BytesIO(deck.plan_deck(report))).slides
    objectives = next(
        sl
        for sl in slides
        if any(
            s.has_text_frame and s.text_frame.text == "Objectives and progress" for s in sl.shapes
        )
    )
    text = "\n".join(
        cell.text
        for shape in objectives.shapes
        if shape.has_table
        for r in shape.table.rows
        for cell in r.cells
    )
    assert f"{want_sow:.1f}" in text and "27" not in text


def test_money_figures_stay_hidden_and_out_of_the_joint_plan(demo, client_for):
    cs, ana = demo.customers["cs"], demo.users["ana"]
    plan = _plan(cs)
    ObjectiveFactory(
        plan=plan,
        title="Grow our share",
        measure="%",
        target=30,
        is_financial=True,
        metric="share_of_wallet",
    )
    ObjectiveFactory(plan=plan, title="Trust", target=6, metric="rqi")
    link = actions.do_create_joint_link(ana, plan, days=30, label="CFO", language="en")
    html = client_for(None).get(reverse("plans:joint", args=[link.token])).content.decode()
    assert "Grow our share" not in html
    want_rqi = figures.account_figures(cs, money=False)["rqi"].rounded
    assert "Trust" in html and f"{want_rqi}" in html.split("Trust")[1].split("</tr>")[0]


def test_the_whitespace_grid_current_revenue_comes_from_the_sales_lines(demo, client_for):
    from tests.plans.factories import WhitespaceFactory

    cs, ana = demo.customers["cs"], demo.users["ana"]
    plan = _plan(cs)
    plan.whitespace.all().delete()
    WhitespaceFactory(
        plan=plan,
        buying_unit="Concessions",
        offering="M&A",
        current_revenue=Decimal(355_000_000),
        potential=Decimal(600_000_000),
    )
    revenue = figures.account_figures(cs)["revenue"].value
    assert revenue and revenue != Decimal(355_000_000)
    html = client_for(ana).get(reverse("plans:section", args=[plan.pk, "whitespace"]))
    shown = html.content.decode().split('data-figure="revenue">')[1].split("<")[0]
    assert shown.split() == ["CLP", f"{revenue:,}"]  # money as everywhere: CLP 309,287,703
    totals = plan_data.gather(ana, plan).whitespace_totals
    assert totals["current"] == revenue
    assert totals["gap"] == max(Decimal(600_000_000) - revenue, 0)


@pytest.fixture
def demo_with_interactions():
    return load(
        modules=[
            "kamp.team.demo",
            "kamp.economics.demo",
            "kamp.relationships.demo",
            "kamp.interactions.demo",
        ],
        log=lambda *_: None,
        today=timezone.localdate(),
    )


def test_an_objective_bound_to_the_diamond_index_reads_it_in_whole_percent(
    demo_with_interactions, client_for
):
    cs, ana = demo_with_interactions.customers["cs"], demo_with_interactions.users["ana"]
    plan = _plan(cs)
    diamond = ObjectiveFactory(
        plan=plan, title="Work beside the KAM", measure="%", target=80, metric="diamond_index"
    )
    want = figures.account_figures(cs, money=False)["diamond_index"].rounded * 100
    assert 0 < want < 100
    body = client_for(ana).get(f"/api/v1/plans/{plan.pk}").json()
    current = next(o["current"] for o in body["objectives"] if o["id"] == diamond.pk)
    assert Decimal(current) == want
    html = client_for(ana).get(reverse("plans:section", args=[plan.pk, "objectives"]))
    row = html.content.decode().split("Work beside the KAM")[1].split("</tr>")[0]
    assert f"{want:.0f}" in row and "#diamond_index" in row
    # Not money: kept on the joint plan the customer sees.
    form = ObjectiveForm(data={"title": "Diamond", "target": "80", "metric": "diamond_index"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["is_financial"] is False


def test_the_execution_check_reads_a_bound_objectives_live_value(demo_with_interactions):
    """Past its date, an objective bound to the RQI is off track by the RQI the plan shows —
    not by a number left in the stored column — and on track once the target is met."""
    from datetime import timedelta

    from kamp.plans import health

    cs = demo_with_interactions.customers["cs"]
    plan = _plan(cs)
    today = timezone.localdate()
    plan.objectives.update(due=None)  # the demo's own objectives judged elsewhere
    plan.actions.all().delete()
    rqi = figures.account_figures(cs, money=False)["rqi"].rounded
    assert rqi is not None
    # A stale typed value above the target must not hide the live shortfall.
    objective = ObjectiveFactory(
        plan=plan,
        title="Trust",
        target=rqi + 1,
        current=rqi + 2,
        metric="rqi",
        due=today - timedelta(days=1),
    )
    found = health.health_for(plan_ids=[plan.pk], today=today)[plan.pk]
    assert found.objectives_off_track == 1 and not found.up_to_date
    assert any("objective" in p.lower() for p in found.execution_problems)

    type(objective).objects.filter(pk=objective.pk).update(target=rqi)
    found = health.health_for(plan_ids=[plan.pk], today=today)[plan.pk]
    assert found.objectives_off_track == 0

    # Bound to another figure, the same test by that figure's value; and none before the date.
    type(objective).objects.filter(pk=objective.pk).update(metric="diamond_index", target=101)
    found = health.health_for(plan_ids=[plan.pk], today=today)[plan.pk]
    assert found.objectives_off_track == 1  # the diamond index is known, and short of 101
    type(objective).objects.filter(pk=objective.pk).update(due=today + timedelta(days=1))
    found = health.health_for(plan_ids=[plan.pk], today=today)[plan.pk]
    assert found.objectives_off_track == 0  # not due yet
