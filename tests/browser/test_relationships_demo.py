"""The demo's relationship story as a KAM and the director see it (screenshots in both languages)."""

from playwright.sync_api import expect

from kamp.core import demo


def test_demo_relationship_pages(page, live_server, login, shot):
    ctx = demo.load(
        log=lambda *_: None,
        modules=[
            "kamp.team.demo",
            "kamp.economics.demo",
            "kamp.interactions.demo",
            "kamp.relationships.demo",
        ],
    )
    cs = ctx.customers["cs"]
    login(ctx.users["ana"])
    page.goto(f"{live_server.url}/relationships/customer/{cs.pk}/")
    expect(page.locator("#type-card .badge")).to_have_text("Collaborative partnership")
    expect(page.locator("#typology-chart .main-svg").first).to_be_visible(timeout=30_000)
    expect(page.locator("#trend-chart .main-svg").first).to_be_visible(timeout=30_000)
    shot("relationships-demo-cs-en")
    page.locator("table a").filter(
        has_text=str(cs.survey_rounds.order_by("opened_on").first().opened_on.year)
    ).first.click()
    expect(page.get_by_text("Perception gap").first).to_be_visible()
    shot("relationships-demo-cs-first-round-en")
    page.context.clear_cookies()
    login(ctx.users["director"], language="es")
    page.goto(f"{live_server.url}/relationships/")
    expect(page.locator("#portfolio-chart .main-svg").first).to_be_visible(timeout=30_000)
    expect(page.get_by_role("link", name="Minera Altos del Norte")).to_be_visible()
    shot("relationships-demo-portfolio-es")
    page.goto(f"{live_server.url}/relationships/customer/{cs.pk}/")
    shot("relationships-demo-cs-es")
