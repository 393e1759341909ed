"""Two people, two real browsers, the same customer: the second save is told that someone changed
it, sees both versions, and keeps theirs or the other's — nothing is silently lost."""

from __future__ import annotations

from django.conf import settings
from playwright.sync_api import expect

from kamp.customers.models import Customer


def _browser_for(browser, live_server, client_for, user, language="en"):
    context = browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    session = client_for(user).cookies[settings.SESSION_COOKIE_NAME].value
    context.add_cookies(
        [
            {"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url},
            {"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url},
        ]
    )
    return context


def test_two_people_edit_the_same_customer(
    browser, live_server, client_for, account, ana, member, shot
):
    url = f"{live_server.url}/customers/{account.pk}/edit/"
    hers = _browser_for(browser, live_server, client_for, ana)
    his = _browser_for(browser, live_server, client_for, member, language="es")
    try:
        first, second = hers.new_page(), his.new_page()
        first.goto(url)
        second.goto(url)  # both forms open on the same version

        first.get_by_label("Region").fill("Biobío")
        first.get_by_role("button", name="Save").click()
        expect(first.get_by_text("Changes saved.")).to_be_visible()

        second.get_by_label("Región").fill("Maule")
        second.get_by_label("Notas").fill("Llamar a la gerente de finanzas")
        second.get_by_role("button", name="Guardar").click()
        conflict = second.locator("section.conflict")
        expect(conflict).to_be_visible()
        expect(conflict).to_contain_text("Otra persona cambió esto desde que usted lo abrió")
        expect(conflict.locator("td.theirs").first).to_have_text("Biobío")
        expect(conflict.locator("td.yours").first).to_have_text("Maule")
        expect(second.get_by_label("Región")).to_have_value("Maule")  # what he typed is kept
        shot("customers_conflict_es")
        account.refresh_from_db()
        assert account.region == "Biobío" and account.notes == ""

        # He chooses his version: saving again keeps it, now over the current version.
        second.get_by_role("button", name="Guardar").click()
        expect(second.get_by_text("Cambios guardados.")).to_be_visible()
        saved = Customer.objects.get(pk=account.pk)
        assert saved.region == "Maule" and saved.notes == "Llamar a la gerente de finanzas"
    finally:
        hers.close()
        his.close()
