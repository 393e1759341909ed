"""The Content-Security-Policy in a real browser: every chart of the demo draws with no CSP
violation (no inline style, no inline script), and names typed by people show in the charts as
text, never as live markup (a link in a customer's name stays text in the matrix tooltip)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from kamp.core import demo

EVIL = '<a href="https://evil.example/">Evil</a> & <b>Co</b>'

# Records every violation the page reports; Playwright's init script is not subject to the CSP.
WATCH = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__csp.push(e.violatedDirective + " " + (e.blockedURI || "") + " " + (e.sample || "") + " at " + e.sourceFile + ":" + e.lineNumber + ":" + e.columnNumber);
});
"""


@pytest.fixture
def story(page):
    page.set_default_navigation_timeout(60_000)
    page.set_default_timeout(30_000)
    ctx = demo.load(log=lambda *_: None)
    assert ctx is not None
    cs = ctx.customers["cs"]
    cs.name = "Constructora " + EVIL
    cs.save(update_fields=["name"])
    jorge = ctx.contacts["jorge.perez"]
    jorge.name = "Jorge " + EVIL
    jorge.save(update_fields=["name"])
    return ctx


def visit(page, url: str, drawn: str) -> None:
    """Open ``url``, wait for the chart ``drawn`` (a CSS selector), fail on any violation."""
    console: list[str] = []
    page.on(
        "console",
        lambda m: console.append(m.text) if "Content Security Policy" in m.text else None,
    )
    page.goto(url, wait_until="domcontentloaded")
    expect(page.locator(drawn).first).to_be_attached()
    page.wait_for_timeout(300)  # a violation is reported asynchronously
    # Chromium's console message names the hash a new inline style would need.
    assert page.evaluate("window.__csp") == [], (url, console)
    assert console == [], url


def test_every_chart_draws_under_the_policy_and_names_stay_text(page, live_server, login, story):
    page.add_init_script(WATCH)
    ctx = story
    cs = ctx.customers["cs"]
    base = live_server.url
    login(ctx.users["director"])
    pages = [
        (f"{base}/", "#matrix-thumb .main-svg"),
        (f"{base}/selection/", "#matrix .scatterlayer .point"),
        (f"{base}/selection/customer/{cs.pk}/", "input.input-narrow"),
        (f"{base}/economics/customer/{cs.pk}/", "#pnl-trend .main-svg"),
        (f"{base}/economics/portfolio/", "#whale .main-svg"),
        (f"{base}/interactions/customer/{cs.pk}/", "#network svg.main-svg"),
        (f"{base}/relationships/customer/{cs.pk}/", "#typology-chart .main-svg"),
        (f"{base}/team/kams/{ctx.users['ana'].pk}/", "#radar .main-svg"),
        (f"{base}/selection/", "#matrix .scatterlayer .point"),  # last: the hover below
    ]
    for url, drawn in pages:
        visit(page, url, drawn)

    # The matrix tooltip of CS: the name as text, no link in the chart.
    hovered = page.evaluate(
        """() => {
          const el = document.getElementById("matrix");
          for (let c = 0; c < el.data.length; c++) {
            const text = el.data[c].text || [];
            for (let p = 0; p < text.length; p++) {
              if (String(text[p]).indexOf("Evil") >= 0) {
                Plotly.Fx.hover(el, [{ curveNumber: c, pointNumber: p }]);
                return true;
              }
            }
          }
          return false;
        }"""
    )
    assert hovered
    label = page.locator("#matrix .hoverlayer")
    expect(label).to_contain_text('<a href="https://evil.example/">Evil</a> & <b>Co</b>')
    assert page.locator("#matrix svg a").count() == 0
    assert page.evaluate("window.__csp") == []

    # The network writes contacts' names on the chart itself.
    page.goto(f"{base}/interactions/customer/{cs.pk}/", wait_until="domcontentloaded")
    expect(page.locator("#network[data-drawn='1'] svg.main-svg").first).to_be_visible()
    expect(page.locator("#network")).to_contain_text("Jorge <a href=")
    assert page.locator("#network svg a").count() == 0
