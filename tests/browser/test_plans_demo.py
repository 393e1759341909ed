"""The demo's plans as a director and a KAM see them (screenshots to look at)."""

from django.utils import timezone
from playwright.sync_api import expect

from kamp.core.demo import load


def test_demo_plans_pages(page, live_server, login, shot):
    ctx = load(
        modules=["kamp.team.demo", "kamp.economics.demo", "kamp.plans.demo"],
        log=lambda *_: None,
        today=timezone.localdate(),
    )
    cs = ctx.customers["cs"]
    login(ctx.users["director"])
    page.goto(f"{live_server.url}/plans/")
    expect(page.get_by_role("heading", name="Account plans")).to_be_visible()
    expect(page.locator("table")).to_contain_text("Stale")
    expect(page.locator("table")).to_contain_text("No plan")
    shot("plans-portfolio-en")
    page.goto(f"{live_server.url}/customers/{cs.pk}/")
    expect(page.locator(".plan-card")).to_contain_text("100 %")
    shot("plans-summary-card-en")
    page.context.clear_cookies()
    login(ctx.users["ana"], language="es")
    page.goto(f"{live_server.url}/plans/customer/{cs.pk}/")
    expect(page.locator("#sec-actions")).to_contain_text("vencida")
    shot("plans-demo-cs-es")
    page.goto(f"{live_server.url}/plans/my-actions/")
    expect(page.locator("#h-overdue")).to_contain_text("Vencidas")
    shot("plans-demo-my-actions-es")
    page.context.clear_cookies()
    login(ctx.users["felipe"])
    page.goto(f"{live_server.url}/plans/customer/{cs.pk}/")
    expect(page.locator("#sec-whitespace")).not_to_contain_text("180.000.000")
    expect(page.locator("#sec-whitespace")).not_to_contain_text("180,000,000")
    shot("plans-demo-cs-member-en")
