"""Selection in a real browser: the scoring grid, the matrix, a decision; screenshots of the
pages in English and Spanish (var/screenshots/selection-*.png)."""

import re

import pytest
from django.core.cache import cache
from playwright.sync_api import expect

from kamp.customers.models import CustomerStatus
from kamp.selection import engine
from kamp.selection.models import Assessment, Decision
from tests.factories import CustomerFactory
from tests.selection.factories import HIGH, LOW, STAR, score


@pytest.fixture(autouse=True)
def _fresh_cache(page):
    cache.clear()
    engine.forget()
    # The live server's first request imports every app's URLs: slow on a busy machine.
    page.set_default_navigation_timeout(60_000)
    page.set_default_timeout(20_000)
    yield
    cache.clear()
    engine.forget()


@pytest.fixture
def portfolio(director, account, other_account):
    score(account, director, HIGH, co_investment=8)
    score(other_account, director, STAR, co_investment=3)
    for i, profile in enumerate([HIGH, LOW, STAR, HIGH]):
        score(CustomerFactory(name=f"Cliente {i}"), director, profile, co_investment=4 + i)


def test_grid_entry_with_the_keyboard(
    page, live_server, login, director, account, other_account, shot
):
    login(director)
    page.goto(live_server.url + "/selection/grid/")
    first = page.get_by_label("Constructora CS · Profitability")
    first.click()
    first.fill("8")
    page.keyboard.press("Enter")  # saves and moves down the column
    expect(page.get_by_label("Minera Norte · Profitability")).to_be_focused()
    page.keyboard.type("6")
    page.keyboard.press("Tab")  # saves and moves across
    expect(page.locator(f"#cell-{account.pk}-profitability .cell-info")).to_contain_text("mean 8")
    expect(page.locator(f"#cell-{other_account.pk}-profitability .cell-info")).to_contain_text(
        "mean 6"
    )
    page.get_by_label("Constructora CS · Growth potential").fill("42")
    page.keyboard.press("Tab")
    expect(page.locator(f"#cell-{account.pk}-growth_potential .cell-info.err")).to_contain_text(
        "Scores go from 1 to 10"
    )
    assert Assessment.objects.get(customer=account, factor="profitability").score == 8
    assert Assessment.objects.get(customer=other_account, factor="profitability").score == 6
    assert not Assessment.objects.filter(factor="growth_potential").exists()
    shot("selection-grid-en")


def test_matrix_renders_with_points(page, live_server, login, director, portfolio, shot):
    login(director)
    page.goto(live_server.url + "/selection/")
    expect(page.locator("#matrix .main-svg").first).to_be_visible()
    expect(page.locator("#matrix .scatterlayer .point").first).to_be_attached()
    assert page.locator("#matrix .scatterlayer .point").count() >= 6
    expect(page.locator("#matrix")).to_contain_text("Strategic")
    expect(page.get_by_role("heading", name="Robustness")).to_be_visible()
    shot("selection-matrix-en")


def test_make_key_account_with_a_rationale(page, live_server, login, director, portfolio, shot):
    candidate = CustomerFactory(name="Puerto Central")
    score(candidate, director, HIGH, co_investment=7)
    login(director)
    page.goto(live_server.url + f"/selection/customer/{candidate.pk}/")
    expect(page.get_by_text(re.compile(r"Recommended \(rank \d of 10\)"))).to_be_visible()
    page.get_by_role("button", name="Make key account…").click()
    page.get_by_label("Rationale").fill("Strategic and ready to co-invest: joint plan agreed.")
    page.get_by_role("button", name="Make key account").click()
    expect(page.get_by_text("Decision recorded: Made key account.")).to_be_visible()
    expect(page.locator(".decision")).to_contain_text("Strategic and ready to co-invest")
    candidate.refresh_from_db()
    assert candidate.status == CustomerStatus.KEY_ACCOUNT
    assert Decision.objects.get(customer=candidate).decided_by == director
    shot("selection-decision-en")
    page.goto(live_server.url + f"/customers/{candidate.pk}/history/")
    expect(page.get_by_text("Strategic and ready to co-invest").first).to_be_visible()


@pytest.mark.parametrize("language", ["en", "es"])
def test_screenshots_of_the_demo(page, live_server, login, language, shot):
    from kamp.core.demo import load

    ctx = load(modules=["kamp.selection.demo"], log=lambda *_: None)
    director = ctx.users["director"]
    page.set_viewport_size({"width": 1400, "height": 1000})
    login(director, language=language)
    page.goto(live_server.url + "/selection/")
    expect(page.locator("#matrix .scatterlayer .point").first).to_be_attached()
    shot(f"selection-matrix-demo-{language}")
    page.goto(live_server.url + "/selection/?trails=1")
    expect(page.locator("#matrix .scatterlayer .point").first).to_be_attached()
    shot(f"selection-trails-demo-{language}")
    page.goto(live_server.url + f"/selection/customer/{ctx.customers['cs'].pk}/")
    shot(f"selection-customer-cs-{language}")
    page.goto(live_server.url + "/selection/grid/")
    shot(f"selection-grid-demo-{language}")
    page.goto(live_server.url + "/selection/models/")
    shot(f"selection-models-{language}")
    page.goto(live_server.url + f"/customers/{ctx.customers['cs'].pk}/")
    shot(f"selection-summary-cs-{language}")
    page.goto(live_server.url + "/")
    shot(f"selection-home-{language}")
