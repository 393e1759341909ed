"""The decision form in a real browser: past the cap, the weakest key account is named before
the decision is committed (screenshots var/screenshots/selection-cap-warning-*.png)."""

import pytest
from django.core.cache import cache
from playwright.sync_api import expect

from kamp.customers.models import CustomerStatus
from kamp.selection import engine
from kamp.selection.models import Decision
from tests.factories import CustomerFactory
from tests.selection.factories import HIGH, score


@pytest.fixture(autouse=True)
def _fresh_cache(page):
    cache.clear()
    engine.forget()
    page.set_default_navigation_timeout(60_000)
    page.set_default_timeout(20_000)
    yield
    cache.clear()
    engine.forget()


@pytest.fixture
def capped(director):
    model = engine.ensure_default_model()
    model.cap = 2
    model.save()
    strong = CustomerFactory(name="Andes Retail", status=CustomerStatus.KEY_ACCOUNT)
    score(strong, director, HIGH, co_investment=8)
    weak = CustomerFactory(name="Minera Altos del Norte", status=CustomerStatus.KEY_ACCOUNT)
    score(weak, director, HIGH, co_investment=2)
    candidate = CustomerFactory(name="Puerto Central")
    score(candidate, director, HIGH, co_investment=7)
    return {"candidate": candidate, "weak": weak}


@pytest.mark.parametrize("language", ["en", "es"])
def test_decision_form_warns_past_the_cap_before_committing(
    page, live_server, login, director, capped, shot, language
):
    login(director, language=language)
    page.goto(live_server.url + f"/selection/customer/{capped['candidate'].pk}/decide/")
    warning = page.locator("#cap-warning")
    expect(warning).to_be_visible()
    expect(page.locator("#weakest-case")).to_contain_text("Minera Altos del Norte")
    if language == "en":
        expect(warning).to_contain_text("3 key accounts, beyond its cap of 2")
    else:
        expect(warning).to_contain_text("3 cuentas clave, más allá de su límite de 2")
    shot(f"selection-cap-warning-{language}")
    assert not Decision.objects.exists()  # the warning comes before anything is committed
    # The link opens the weakest account's selection: the director can weigh it first.
    page.locator("#weakest-case a").click()
    expect(page).to_have_url(f"{live_server.url}/selection/customer/{capped['weak'].pk}/")
