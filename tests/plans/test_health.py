"""Completeness (are the sections filled?) and execution (is the plan carried out?) are two
figures: a plan with every section filled and three overdue actions is 100 % complete and
*behind* — never "up to date" — on the plan tab, the summary card, the plans portfolio, the API,
the PDF and the PowerPoint deck."""

import datetime
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st
from pptx import Presentation

from kamp.plans import completeness as pure
from kamp.plans.health import health_for
from kamp.plans.models import ActionStatus, Objective, PlanAction
from kamp.reports import pdf, plan_data

from .factories import ActionFactory, ObjectiveFactory

TODAY = datetime.date(2026, 11, 28)


def _late(plan, ana, n=3):
    past = timezone.localdate() - datetime.timedelta(days=10)
    return [
        ActionFactory(plan=plan, title=f"Late action {i}", owner=ana, due=past) for i in range(n)
    ]


def _deck_text(content: bytes) -> str:
    parts = []
    for slide in Presentation(io.BytesIO(content)).slides:
        for shape in slide.shapes:
            if shape.has_text_frame:
                parts.append(shape.text_frame.text)
            if shape.has_table:
                parts.extend(cell.text for row in shape.table.rows for cell in row.cells)
    return "\n".join(parts)


def _pdf_text(user, plan) -> str:
    """The text WeasyPrint laid out on the PDF's pages (what the reader sees printed)."""
    from weasyprint.formatting_structure import boxes

    doc = pdf.plan_document(plan_data.gather(user, plan))
    return " ".join(
        box.text
        for page in doc.pages
        for box in page._page_box.descendants()
        if isinstance(box, boxes.TextBox)
    )


@pytest.fixture
def behind(plan, ana):
    """Every section filled, updated today, three actions overdue."""
    _late(plan, ana)
    h = health_for(plans=[plan])[plan.pk]
    assert h.percent == 100 and h.overdue_actions == 3 and h.freshness == "fresh"
    return plan


def test_complete_plan_with_overdue_actions_is_behind(behind):
    h = health_for(plans=[behind])[behind.pk]
    assert h.execution.status == pure.BEHIND and not h.up_to_date
    assert h.execution_label == "Behind"
    assert h.execution_problems == ["3 overdue actions"]


def test_plan_tab_never_says_up_to_date_beside_overdue_actions(client_for, ana, behind):
    html = (
        client_for(ana)
        .get(reverse("plans:customer_tab", args=[behind.customer_id]))
        .content.decode()
    )
    assert "100 %" in html and "3 overdue actions" in html
    assert "Behind" in html and "Up to date" not in html
    # Once the late actions are done, and only then, the plan is up to date.
    PlanAction.objects.filter(title__startswith="Late action").update(status=ActionStatus.DONE)
    html = client_for(ana).get(reverse("plans:health", args=[behind.pk])).content.decode()
    assert "Up to date" in html and "Behind" not in html


def test_summary_card_and_portfolio_show_execution(client_for, director, behind):
    c = client_for(director)
    card = c.get(reverse("customers:detail", args=[behind.customer_id])).content.decode()
    assert "Behind" in card and "Up to date" not in card
    portfolio = c.get(reverse("plans:portfolio")).content.decode()
    assert "Behind" in portfolio and "3 overdue actions" in portfolio
    assert "Up to date" not in portfolio


def test_pdf_says_behind(ana, behind):
    text = _pdf_text(ana, behind)
    assert "100 %" in text and "Behind" in text and "3 overdue actions" in text
    assert "Up to date" not in text


def test_pptx_says_behind(client_for, ana, behind):
    r = client_for(ana).get(reverse("reports:plan_pptx", args=[behind.pk]))
    text = _deck_text(r.content)
    assert "Behind · 3 overdue actions" in text and "Up to date" not in text


def test_spanish_pptx_and_pdf(client_for, ana, behind):
    from django.utils import translation

    c = client_for(ana)
    r = c.get(reverse("reports:plan_pptx", args=[behind.pk]), headers={"accept-language": "es"})
    text = _deck_text(r.content)
    assert "Atrasado · 3 acciones vencidas" in text and "Al día" not in text
    with translation.override("es"):
        assert "Atrasado" in _pdf_text(ana, behind)


def test_api_health_has_execution_apart(client_for, ana, behind):
    body = client_for(ana).get(f"/api/v1/plans/{behind.pk}").json()["health"]
    assert body["completeness"] == 100 and body["overdue_actions"] == 3
    assert body["execution"] == "behind" and body["up_to_date"] is False


def test_objective_past_its_date_below_target_is_off_track(plan):
    past = timezone.localdate() - datetime.timedelta(days=1)
    ObjectiveFactory(plan=plan, title="Missed", target=10, current=4, due=past)
    ObjectiveFactory(plan=plan, title="Reached", target=10, current=12, due=past)
    ObjectiveFactory(plan=plan, title="Not measured", target=10, current=None, due=past)
    ObjectiveFactory(
        plan=plan, title="Still time", target=10, current=1, due=past + datetime.timedelta(days=30)
    )
    h = health_for(plans=[plan])[plan.pk]
    # The database count and the pure rule agree, objective by objective.
    expected = sum(
        pure.objective_off_track(o.target, o.current, o.due, timezone.localdate())
        for o in Objective.objects.filter(plan=plan)
    )
    assert h.objectives_off_track == expected == 1
    assert h.execution.status == pure.BEHIND
    assert h.execution_problems == ["1 objective past its date below target"]


def test_stale_outranks_behind():
    e = pure.execution(2, 0, TODAY - datetime.timedelta(days=120), TODAY)
    assert e.status == pure.STALE
    assert [k for k, _n in e.problems] == ["stale", "overdue_actions"]


@given(
    overdue=st.integers(0, 20),
    off_track=st.integers(0, 20),
    days=st.integers(0, 400),
)
def test_up_to_date_only_when_nothing_is_late(overdue, off_track, days):
    e = pure.execution(overdue, off_track, TODAY - datetime.timedelta(days=days), TODAY)
    assert e.up_to_date == (overdue == 0 and off_track == 0 and days < pure.AGING_DAYS)
    assert e.up_to_date == (e.problems == ())
    if overdue or off_track:
        assert e.status in (pure.BEHIND, pure.STALE)


@given(
    target=st.none() | st.decimals(0, 1000, places=2),
    current=st.none() | st.decimals(0, 1000, places=2),
    offset=st.none() | st.integers(-400, 400),
)
def test_off_track_claims_nothing_it_does_not_know(target, current, offset):
    due = None if offset is None else TODAY + datetime.timedelta(days=offset)
    off = pure.objective_off_track(target, current, due, TODAY)
    if off:
        assert due < TODAY and current < target
    if target is None or current is None or due is None:
        assert not off


def test_health_stays_four_queries(plan, django_assert_max_num_queries):
    ObjectiveFactory(plan=plan, target=Decimal("5"), current=Decimal("1"))
    with django_assert_max_num_queries(4):
        health_for(plan_ids=[plan.pk])
