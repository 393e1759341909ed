"""Charts speak the page's language: on the Spanish Economics tab Plotly groups thousands with a
dot and writes decimals with a comma ("1.234,5"), names the quarters T1…T4, and the English page
does the opposite — from kamp.core.formatting's locale, read back from Plotly's own layout.
Needs Chromium (Debian package), like every browser test."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal as D

import pytest
from playwright.sync_api import expect

from kamp.core.models import SiteSettings
from kamp.economics.pnl import Period
from tests.factories import SalesLineFactory


@pytest.fixture
def revenue(db, account):
    site = SiteSettings.load()
    site.base_currency = "CLP"
    site.save()
    today = datetime.date.today()
    for n, index in enumerate(Period.trailing(today, 24).month_indexes()):
        SalesLineFactory(
            customer=account,
            date=datetime.date(index // 12, index % 12 + 1, 10),
            net_amount=D(20_000_000 + 400_000 * n),
            cost=D(12_000_000),
            currency="CLP",
        )
    return account


def chart_layout(page) -> dict:
    expect(page.locator("#pnl-trend .main-svg").first).to_be_attached(timeout=30_000)
    return page.evaluate(
        """() => {
          const el = document.getElementById("pnl-trend");
          const ticks = (axis) => Array.from(el.querySelectorAll(`.${axis}tick text`))
            .map((t) => t.textContent);
          return {separators: el._fullLayout.separators, y: ticks("y"), x: ticks("x"),
                  locale: (window.kampChartLocale || {}).locale};
        }"""
    )


@pytest.mark.parametrize(
    "lang,separators,grouped,quarter",
    [
        ("es", ",.", re.compile(r"^-?\d{1,3}(\.\d{3})+$"), re.compile(r"^T[1-4] \d{4}$")),
        ("en", ".,", re.compile(r"^-?\d{1,3}(,\d{3})+$"), re.compile(r"^Q[1-4] \d{4}$")),
    ],
)
def test_the_chart_uses_the_pages_number_format(
    page, live_server, login, ana, revenue, lang, separators, grouped, quarter
):
    page.set_default_timeout(30_000)  # Plotly is 4 MB of JavaScript
    login(ana, language=lang)
    page.goto(f"{live_server.url}/economics/customer/{revenue.pk}/")
    layout = chart_layout(page)
    assert layout["separators"] == separators
    assert layout["locale"] == lang
    # Money ticks in the millions: grouped with the language's symbol ("20.000.000").
    big = [t.replace("\u2212", "-") for t in layout["y"] if len(t) > 4]
    assert big and all(grouped.match(t) for t in big), layout["y"]
    # The quarters in words ("T3 2026"), never "2026-Q3".
    assert layout["x"] and all(quarter.match(t) for t in layout["x"]), layout["x"]


SEPARATORS = """() => Array.from(document.querySelectorAll('.js-plotly-plot')).map(el => (
  {id: el.id, separators: el._fullLayout && el._fullLayout.separators}))"""


def test_every_chart_page_draws_with_its_languages_separators(browser, live_server):
    """The demo's chart pages, in both languages: every plot is drawn (the registered locale
    breaks none) and has the page's separators, set by the chart's own script or by
    ``kamp/plotly-locale.js``."""
    from django.conf import settings
    from django.test import Client
    from django.utils import timezone

    from kamp.core.demo import load

    ctx = load(log=lambda *_: None, today=timezone.localdate())
    assert ctx is not None
    cs, director = ctx.customers["cs"], ctx.users["director"]
    client = Client()
    client.force_login(director)
    pages = [
        "/programme/",
        "/selection/",
        "/relationships/",
        f"/relationships/customer/{cs.pk}/",
        f"/interactions/customer/{cs.pk}/",
        f"/economics/customer/{cs.pk}/",
        "/economics/portfolio/",
        f"/team/kams/{ctx.users['ana'].pk}/",
    ]
    problems, drawn = [], 0
    for lang, separators in (("es", ",."), ("en", ".,")):
        context = browser.new_context(viewport={"width": 1366, "height": 768})
        context.set_default_timeout(30_000)
        context.add_cookies(
            [
                {
                    "name": settings.SESSION_COOKIE_NAME,
                    "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                    "url": live_server.url,
                },
                {"name": settings.LANGUAGE_COOKIE_NAME, "value": lang, "url": live_server.url},
            ]
        )
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda e, errors=errors: errors.append(str(e)))
        for path in pages:
            page.goto(live_server.url + path)
            page.wait_for_load_state("networkidle")
            page.wait_for_function(
                "Array.from(document.querySelectorAll('.chart, .thumb')).every("
                "el => !el.id || el.querySelector('.main-svg') || el.classList.contains('na'))",
                timeout=30_000,
            )
            for plot in page.evaluate(SEPARATORS):
                drawn += 1
                if plot["separators"] != separators:
                    problems.append(f"{lang} {path} #{plot['id']}: {plot['separators']!r}")
            problems += [f"{lang} {path}: {e}" for e in errors]
            errors.clear()
        context.close()
    assert drawn >= 16, drawn
    assert not problems, "\n".join(problems)
