"""The benefits page on the demo in a real browser: CS's before/after reads as the improvement it
is, with the method explained (screenshots var/screenshots/programme-benefits-*.png)."""

import pytest
from playwright.sync_api import expect


@pytest.mark.parametrize("language", ["en", "es"])
def test_benefits_page_on_the_demo(page, live_server, login, shot, language):
    from kamp.core.demo import load

    ctx = load(modules=["kamp.selection.demo", "kamp.economics.demo"], log=lambda *_: None)
    page.set_default_navigation_timeout(60_000)
    page.set_viewport_size({"width": 1400, "height": 1000})
    login(ctx.users["director"], language=language)
    page.goto(live_server.url + "/programme/benefits/")
    card = page.locator(f"#before-after-{ctx.customers['cs'].pk}")
    expect(card).to_be_visible()
    sales = card.locator("tr[data-measure=sales]")
    expect(sales.locator(".up")).to_have_text("▲")
    expect(card.locator(".down")).to_have_count(0)
    method = "Difference in differences" if language == "en" else "Diferencia en diferencias"
    expect(card).to_contain_text(method)
    card.scroll_into_view_if_needed()
    shot(f"programme-benefits-{language}")
