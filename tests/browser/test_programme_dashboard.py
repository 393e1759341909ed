"""The director's dashboard, the alert inbox and the readiness self-assessment in Chromium."""

import re
from collections import Counter

import pytest
from playwright.sync_api import expect

from kamp.programme.models import AlertDismissal, ReadinessAssessment
from kamp.programme.questionnaire import QUESTIONS
from tests.team.factories import HatAssessmentFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _patient(page):
    # Two shared cores and a 4 MB Plotly bundle: give the pages time.
    page.set_default_timeout(30_000)
    page.set_default_navigation_timeout(60_000)


@pytest.mark.parametrize("language", ["en", "es"])
def test_director_reads_the_dashboard(
    page, live_server, login, director, ana, account, other_account, shot, language
):
    HatAssessmentFactory(
        kam=ana,
        source="director",
        assessor=director,
        salesperson=5,
        conductor=1,
        strategist=2,
        innovator=1,
    )
    login(director, language)
    page.goto(live_server.url + "/programme/")
    heading = "The KAM programme" if language == "en" else "El programa KAM"
    expect(page.get_by_role("heading", name=heading)).to_be_visible()
    checks = page.locator("section.checks article.check")
    expect(checks).to_have_count(4)
    # The cap gauge is drawn by the static script (CSP: no inline scripts).
    expect(page.locator("#cap-gauge .main-svg").first).to_be_attached(timeout=30_000)
    expect(
        page.get_by_text("salesperson only" if language == "en" else "solo vendedor").first
    ).to_be_visible()
    shot(f"programme-dashboard-{language}")
    # Every check links down to the accounts behind it.
    page.locator("#check-internal_support a").first.click()
    expect(page).to_have_url(re.compile(r"/programme/health/"))
    expect(
        page.locator("#check-internal_support").get_by_role("link", name=account.name)
    ).to_be_visible()
    shot(f"programme-health-{language}")


def _severity_count(severity: str, n: int, language: str) -> str:
    words = {
        ("danger", "en"): ("at risk", "at risk"),
        ("warning", "en"): ("needs attention", "need attention"),
        ("info", "en"): ("for information", "for information"),
        ("danger", "es"): ("en riesgo", "en riesgo"),
        ("warning", "es"): ("requiere atención", "requieren atención"),
        ("info", "es"): ("informativa", "informativas"),
    }[(severity, language)]
    return f"{n} {words[0] if n == 1 else words[1]}"


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_dashboards_alerts_are_the_inboxs_head(
    page, live_server, login, director, account, other_account, shot, language
):
    """The alerts tile: the inbox's most urgent alerts first, how many are open and how many
    were dismissed (counted in the database for a director: it must say what the inbox says)."""
    from django.utils import timezone, translation

    from kamp.programme import actions, inbox

    with translation.override(language):
        open_, _dismissed = inbox.alerts_for(director, timezone.localdate())
        first_message = str(open_[0].message)
    assert len(open_) >= 2
    login(director, language)
    page.goto(live_server.url + "/programme/")
    inbox_link = "open the inbox" if language == "en" else "abrir la bandeja"
    tile = page.locator("article.tile").filter(has=page.get_by_role("link", name=inbox_link))
    expect(tile.locator(".badge")).to_have_text(str(len(open_)))
    expect(tile.locator(".alert").first).to_contain_text(first_message)
    # Each severity counted in words that agree with the number ("4 informativas").
    for severity, n in Counter(a.severity for a in open_).items():
        expect(tile.locator(f".st-{severity}")).to_have_text(_severity_count(severity, n, language))
    shot(f"programme-dashboard-alerts-{language}")

    actions.do_dismiss_alert(director, open_[0], "Handled at the quarterly review")
    with translation.override(language):
        still_open, _dismissed = inbox.alerts_for(director, timezone.localdate())
        next_message = str(still_open[0].message)
    assert len(still_open) == len(open_) - 1
    page.reload()
    expect(tile.locator(".badge")).to_have_text(str(len(still_open)))
    expect(tile).to_contain_text("1 dismissed" if language == "en" else "1 descartada")
    expect(tile.locator(".alert").first).to_contain_text(next_message)


def test_director_dismisses_an_alert_with_a_reason(
    page, live_server, login, director, account, shot
):
    login(director)
    page.goto(live_server.url + "/programme/alerts/")
    row = page.locator(".alert", has_text="No executive sponsor").first
    expect(row).to_be_visible()
    row.get_by_label("Reason to dismiss").fill("Sponsor named at Monday's committee")
    row.get_by_role("button", name="Dismiss").click()
    expect(page.locator(".alert", has_text="No executive sponsor")).to_have_count(0)
    assert AlertDismissal.objects.get().reason == "Sponsor named at Monday's committee"
    page.get_by_role("button", name=re.compile("Dismissed alerts")).click()
    expect(page.get_by_text("Sponsor named at Monday's committee")).to_be_visible()
    shot("programme-alert-history")


@pytest.mark.parametrize("language", ["en", "es"])
def test_director_takes_the_readiness_self_assessment(
    page, live_server, login, director, shot, language
):
    login(director, language)
    page.goto(live_server.url + "/programme/readiness/")
    name = "Take the self-assessment" if language == "en" else "Hacer la autoevaluación"
    page.get_by_role("button", name=name).first.click()
    for i, (key, *_rest) in enumerate(QUESTIONS):
        page.locator(f"input[name={key}][value='{i % 4}']").check()
    shot(f"programme-readiness-form-{language}")
    page.get_by_role(
        "button", name="See the result" if language == "en" else "Ver el resultado"
    ).click()
    expect(
        page.get_by_role(
            "heading",
            name="The next three steps" if language == "en" else "Los próximos tres pasos",
        )
    ).to_be_visible()
    expect(page.locator("ol.steps li")).to_have_count(3)
    expect(page.locator("#readiness-chart .main-svg").first).to_be_attached(timeout=30_000)
    take = ReadinessAssessment.objects.get()
    assert take.overall is not None and len(take.steps) == 3
    shot(f"programme-readiness-result-{language}")


@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize("width", [390, 1366])
def test_the_dashboard_groups_open_to_links_to_each_account(
    page, live_server, login, director, account, other_account, shot, language, width
):
    """The key accounts by relationship type, stage and form: each grouping opens to links to
    its accounts (written by the view, escaped), and the page fits a phone."""
    page.set_viewport_size({"width": width, "height": 900})
    login(director, language)
    page.goto(live_server.url + "/programme/")
    groups = page.locator("ul.group-list details")
    expect(groups.first).to_be_attached()
    summary = groups.first.locator("summary")
    summary.click()
    link = groups.first.locator(".accs a", has_text=account.name)
    expect(link).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    shot(f"programme-dashboard-groups-{language}-{width}")
    link.click()
    expect(page).to_have_url(re.compile(rf"/customers/{account.pk}/"))
