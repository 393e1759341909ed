"""A KAM assesses their four hats; a KAM adds a colleague to an account's team (Chromium)."""

import re

import pytest
from playwright.sync_api import expect

from kamp.core.choices import Function, Role
from kamp.team.models import AccountTeamMember, HatAssessment
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _patient(page):
    # Two shared cores and a 4 MB Plotly bundle: give the pages time.
    page.set_default_timeout(30_000)
    page.set_default_navigation_timeout(60_000)


@pytest.mark.parametrize("language", ["en", "es"])
def test_kam_assesses_their_hats(page, live_server, login, ana, account, shot, language):
    login(ana, language)
    page.goto(live_server.url + f"/team/kams/{ana.pk}/")
    page.get_by_role(
        "button", name="Assess my hats" if language == "en" else "Evaluar mis sombreros"
    ).click()
    expect(page).to_have_url(re.compile(r"/assess/\?source=self"))
    for hat, level in (("salesperson", 4), ("conductor", 3), ("strategist", 3), ("innovator", 2)):
        page.locator(f"input[name={hat}][value='{level}']").check()
    shot(f"team-hat-assessment-form-{language}")
    page.get_by_role(
        "button", name="Save the assessment" if language == "en" else "Guardar la evaluación"
    ).click()
    expect(page.locator("#radar .main-svg").first).to_be_attached(timeout=30_000)
    a = HatAssessment.objects.get(kam=ana)
    assert (a.source, a.salesperson, a.conductor, a.strategist, a.innovator) == ("self", 4, 3, 3, 2)
    shot(f"team-kam-profile-{language}")


@pytest.mark.parametrize("language", ["en", "es"])
def test_kam_adds_a_team_member(page, live_server, login, ana, account, shot, language):
    UserFactory(
        email="felipe@supplier.test",
        name="Felipe Araya",
        role=Role.MEMBER,
        function=Function.FINANCE,
    )
    login(ana, language)
    page.goto(live_server.url + f"/team/customer/{account.pk}/")
    page.locator("details.team-add summary").click()
    page.locator("#id_add-user").select_option(
        label="Felipe Araya · " + ("Finance" if language == "en" else "Finanzas")
    )
    page.locator("#id_add-role").select_option("sponsor")
    page.locator("#id_add-responsibility").fill("Billing and payment terms")
    page.get_by_role(
        "button", name="Add to the team" if language == "en" else "Agregar al equipo"
    ).click()
    expect(
        page.locator("#account-team").get_by_role("cell", name="Felipe Araya", exact=True)
    ).to_be_visible()
    expect(
        page.locator("#account-team .alert", has_text=re.compile("sponsor", re.I))
    ).to_have_count(0)
    m = AccountTeamMember.objects.get(customer=account, user__name="Felipe Araya")
    assert (m.role, m.responsibility) == ("sponsor", "Billing and payment terms")
    shot(f"team-account-team-{language}")
