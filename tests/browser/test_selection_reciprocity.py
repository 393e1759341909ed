"""The reciprocity ledger and the decision's look-back on the demo's Constructora CS, in a real
browser, in English and Spanish, on a laptop and a phone (screenshots
var/screenshots/selection-reciprocity-*.png)."""

import pytest
from playwright.sync_api import expect

TEXT = {
    "en": ("Reciprocity ledger", "Exclusivity or volume commitment", "better than its matches"),
    "es": (
        "Registro de reciprocidad",
        "Compromiso de exclusividad o de volumen",
        "mejor que sus comparables",
    ),
}


@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize("width", [390, 1366])
def test_cs_reciprocity_and_lookback(page, live_server, login, shot, language, width):
    from kamp.core.demo import load

    ctx = load(log=lambda *_: None)
    cs = ctx.customers["cs"]
    page.set_default_navigation_timeout(60_000)
    page.set_viewport_size({"width": width, "height": 900})
    login(ctx.users["director"], language=language)
    page.goto(f"{live_server.url}/selection/customer/{cs.pk}/")
    title, commitment, better = TEXT[language]
    ledger = page.locator("#reciprocity")
    expect(ledger).to_contain_text(title)
    expect(ledger).to_contain_text(commitment)
    expect(ledger).to_contain_text("Piloto conjunto de control de costos")
    decision = cs.selection_decisions.get()
    look = page.locator(f"#lookback-{decision.pk}")
    expect(look).to_contain_text(better)
    # Nothing wider than the window: the tables scroll inside their own frame.
    assert page.evaluate("document.documentElement.scrollWidth") <= width + 1
    shot(f"selection-reciprocity-{language}-{width}")


def test_a_kam_records_evidence_in_spanish(page, live_server, login, account, ana):
    login(ana, language="es")
    page.set_viewport_size({"width": 390, "height": 900})
    page.goto(f"{live_server.url}/selection/customer/{account.pk}/")
    page.get_by_text("Registrar evidencia").first.click()
    form = page.locator("#reciprocity form[action$=\"/reciprocity/evidence/\"]")
    form.locator("select[name=kind]").select_option("data_shared")
    form.locator("input[name=happened_on]").fill("2026-01-05")
    form.locator("input[name=note]").fill("Nos envió su plan de compras 2026")
    form.get_by_role("button", name="Registrar evidencia").click()
    expect(page.locator("#reciprocity")).to_contain_text("Nos envió su plan de compras 2026")
    expect(page.locator("body")).to_contain_text("Evidencia registrada")
    # Bad input: said, nothing lost.
    page.get_by_text("Registrar evidencia").first.click()
    form = page.locator("#reciprocity form[action$=\"/reciprocity/evidence/\"]")
    form.locator("input[name=happened_on]").fill("2099-01-05")
    form.locator("input[name=note]").fill("Futuro")
    form.get_by_role("button", name="Registrar evidencia").click()
    expect(page.locator("body")).to_contain_text("no puede tener una fecha futura")
    assert account.reciprocity_evidence.count() == 1
