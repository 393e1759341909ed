"""Account plans in a real browser: inline editing (an objective, an action, its status), the
QBR deck and PDF downloads, and the joint-plan link opened logged out with a comment left;
screenshots in English and Spanish."""

import io
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect
from pptx import Presentation

from kamp.plans.models import JointPlanComment, Objective, PlanAction
from tests.plans.factories import (
    ActionFactory,
    InitiativeFactory,
    ObjectiveFactory,
    PlanFactory,
    ReviewFactory,
    RiskFactory,
    WhitespaceFactory,
)


@pytest.fixture
def plan(account, ana, member):
    p = PlanFactory(customer=account)
    ObjectiveFactory(plan=p, title="Share of advisory spend", measure="%", target=35, current=27)
    ActionFactory(
        plan=p, title="Present the concession model", owner=ana, shared_with_customer=True
    )
    ActionFactory(plan=p, title="Review financing assumptions", owner=member)
    for unit, offering, status in [
        ("Concessions", "Financial advisory", "serving"),
        ("Concessions", "Risk", "pursuing"),
        ("Corporate", "M&A", "opportunity"),
    ]:
        WhitespaceFactory(plan=p, buying_unit=unit, offering=offering, status=status)
    InitiativeFactory(plan=p, title="Project-finance model for concessions", stage="launched")
    InitiativeFactory(plan=p, title="ESG reporting pilot", stage="pilot")
    RiskFactory(plan=p, title="The CFO may leave in the reorganisation")
    ReviewFactory(plan=p, title="QBR Q3", outcomes="CEO asks to extend the model to hospitals.")
    return p


def test_edit_the_plan_inline(page, live_server, login, ana, plan, shot, settled):
    login(ana)
    page.goto(f"{live_server.url}/customers/{plan.customer_id}/")
    page.get_by_role("link", name="Plan", exact=True).click()
    expect(page.get_by_role("heading", name="Account plan 2026")).to_be_visible()

    # An objective, through the section's "Add" form.
    section = page.locator("#sec-objectives")
    section.get_by_text("Add an objective").click()
    section.get_by_label(re.compile(r"^Objective")).fill("Win the hospital concessions")
    section.get_by_label("Measure").fill("projects")
    section.get_by_label("Target", exact=True).fill("2")
    section.get_by_role("button", name="Add").click()
    expect(
        page.locator("#sec-objectives").get_by_text("Win the hospital concessions")
    ).to_be_visible()

    # An action in a few keystrokes: title, Enter.
    quick = page.get_by_placeholder(re.compile("New action"))
    quick.fill("Call María about the ESG pilot")
    quick.press("Enter")
    row = page.locator("#sec-actions tr", has_text="Call María about the ESG pilot")
    expect(row).to_be_visible()
    expect(page.get_by_placeholder(re.compile("New action"))).to_be_focused()

    # Toggle its status from the row (once htmx has wired the new row).
    settled()
    row.get_by_role("combobox").select_option("done")
    expect(page.locator("#sec-actions details.closed-items summary")).to_contain_text("1 done")
    assert PlanAction.objects.get(title="Call María about the ESG pilot").status == "done"
    assert Objective.objects.filter(title="Win the hospital concessions", target=2).exists()
    # The plan's header follows every change.
    expect(page.locator("#plan-health")).to_contain_text("Last updated")
    shot("plans-plan-en")


def test_plan_in_spanish(page, live_server, login, ana, plan, shot):
    login(ana, language="es")
    page.goto(f"{live_server.url}/plans/customer/{plan.customer_id}/")
    expect(page.get_by_role("heading", name="Plan de cuenta 2026")).to_be_visible()
    expect(page.locator("#sec-initiatives")).to_contain_text("Iniciativas de cocreación")
    shot("plans-plan-es")
    page.goto(f"{live_server.url}/plans/my-actions/")
    expect(page.get_by_role("heading", name="Mis acciones")).to_be_visible()
    shot("plans-my-actions-es")


def test_download_the_deck_and_the_pdf(page, live_server, login, ana, plan):
    """The Export menu names each edition; the internal deck and the customer's one-pager
    download with names that say which is which."""
    login(ana)
    page.goto(f"{live_server.url}/plans/customer/{plan.customer_id}/")
    page.get_by_role("button", name="Export").click()
    with page.expect_download() as info:
        page.get_by_role("link", name="QBR deck (PowerPoint)", exact=True).click()
    download = info.value
    assert download.suggested_filename == "constructora-cs-qbr-2026.pptx"
    prs = Presentation(io.BytesIO(Path(download.path()).read_bytes()))

    def text(shape) -> str:
        if shape.has_text_frame:
            return shape.text_frame.text
        if shape.has_table:
            return "\n".join(c.text for row in shape.table.rows for c in row.cells)
        return ""

    texts = ["\n".join(text(shape) for shape in s.shapes) for s in prs.slides]
    assert any("Objectives and progress" in t and "Share of advisory spend" in t for t in texts)
    assert any("Risks and asks" in t for t in texts)
    with page.expect_download() as info:  # the menu stays open after a download
        page.get_by_role("link", name="PDF one-pager for the customer", exact=True).click()
    assert info.value.suggested_filename == "constructora-cs-plan-2026-customer.pdf"
    assert Path(info.value.path()).read_bytes()[:4] == b"%PDF"


def test_joint_plan_link_opened_logged_out(page, browser, live_server, login, ana, plan, shot):
    login(ana)
    page.goto(f"{live_server.url}/plans/{plan.pk}/share/")
    page.get_by_label("For", exact=True).fill("María González (CFO)")
    page.get_by_label("Language").select_option("en")
    page.get_by_role("button", name="Create the link").click()
    expect(page.get_by_text("Link created")).to_be_visible()
    url = page.get_by_test_id("joint-url").input_value()
    assert "/plans/joint/" in url
    shot("plans-share-en")

    customer = browser.new_context(locale="es-CL", viewport={"width": 1100, "height": 900})
    visitor = customer.new_page()
    visitor.goto(url)
    expect(visitor.get_by_role("heading", name=re.compile("Constructora CS"))).to_be_visible()
    expect(visitor.get_by_text("Present the concession model")).to_be_visible()
    expect(visitor.get_by_text("Review financing assumptions")).to_have_count(0)
    expect(visitor.get_by_text("M&A")).to_have_count(0)
    visitor.get_by_role("textbox", name=re.compile("Your name")).fill("María González")
    visitor.get_by_role("textbox", name=re.compile("^Comment")).fill(
        "Let's review the <b>ESG</b> pilot in January."
    )
    visitor.get_by_role("button", name="Send the comment").click()
    expect(visitor.get_by_text("your comment was sent")).to_be_visible()
    expect(visitor.locator("#comments")).to_contain_text("Let's review the <b>ESG</b> pilot")
    visitor.screenshot(path="var/screenshots/plans-joint-en.png", full_page=True)
    visitor.goto(url + "?lang=es")
    expect(visitor.get_by_role("heading", name="Comentarios")).to_be_visible()
    visitor.screenshot(path="var/screenshots/plans-joint-es.png", full_page=True)
    customer.close()
    assert JointPlanComment.objects.get().name == "María González"
    page.goto(f"{live_server.url}/plans/{plan.pk}/share/")
    expect(page.locator("#comments")).to_contain_text("María González")
