"""A delete asks first: the spend estimate's Delete (an ordinary form) asks the same translated
question as the plan page's (htmx) deletes; answering no keeps the row, yes deletes it."""

from __future__ import annotations

from decimal import Decimal as D

from django.utils import timezone
from playwright.sync_api import expect

from kamp.economics import actions
from kamp.economics.models import CategorySpend


def test_deleting_a_spend_estimate_asks_first(page, live_server, login, ana, account):
    year = str(timezone.localdate().year)
    actions.do_set_category_spend(ana, account, year, D(900_000_000))
    login(ana, language="es")
    # The live server's first request imports every app: slow on a busy machine.
    page.goto(f"{live_server.url}/economics/customer/{account.pk}/", timeout=60_000)
    button = page.locator("form[action*='/spend/'] button", has_text="Eliminar")
    expect(button).to_have_count(1)
    questions: list[str] = []

    def refuse(dialog):
        questions.append(dialog.message)
        dialog.dismiss()

    page.once("dialog", refuse)
    button.click()
    page.wait_for_timeout(500)
    assert questions == ["¿Eliminar esto?"]
    assert CategorySpend.objects.filter(customer=account).count() == 1
    page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_navigation():
        button.click()
    expect(page.locator("form[action*='/spend/']")).to_have_count(0)
    assert not CategorySpend.objects.filter(customer=account).exists()
