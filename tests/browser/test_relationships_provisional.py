"""A round still open shows as provisional, with how many answered, and leaves the account's
RQI and trend where the last counted round put them — in English and Spanish."""

from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import expect

from kamp.relationships import actions
from kamp.relationships.models import SurveyRound
from tests.factories import ContactFactory
from tests.relationships.conftest import answer_all, answer_and_close


def test_open_round_is_provisional_on_the_tab(
    page, live_server, login, shot, account, ana, member, director
):
    contacts = [
        ContactFactory(customer=account, name=name, email=f"{key}@cs.cl")
        for key, name in [("jorge", "Jorge Pérez"), ("maria", "María González")]
    ]
    today = timezone.localdate()

    def start(closes_on):
        return actions.do_start_round(
            ana,
            account,
            closes_on=closes_on,
            team_users=[ana, member, director],
            contacts=[(c, "es") for c in contacts],
            send=False,
        )

    counted = start(today)
    answer_and_close(counted, ana, 6)
    SurveyRound.objects.filter(pk=counted.pk).update(opened_on=today - timedelta(days=180))
    open_round = start(today + timedelta(days=14))
    jorge = open_round.respondents.get(contact=contacts[0])
    actions.do_answer(None, jorge, values=answer_all(open_round, 2))

    login(ana)
    page.goto(f"{live_server.url}/relationships/customer/{account.pk}/")
    card = page.locator("#quality-card")
    expect(card.locator(".provisional-round")).to_contain_text("provisional, 1 answer")
    expect(card.locator(".provisional-round")).to_contain_text(
        "0 from our team, 1 from the customer so far"
    )
    # The headline is still the counted round's: 6.0 on both sides, with its n.
    expect(card.locator("dl.facts")).to_contain_text("6.0")
    expect(card.locator("dl.facts")).to_contain_text("(3 answers)")
    expect(card.locator("dl.facts")).not_to_contain_text("2.0")
    expect(page.locator("tr.not-counted")).to_contain_text("provisional, 1 answer")
    shot("relationships-provisional-en")

    card.get_by_role("link", name="See the answers so far").click()
    expect(page.locator("#results .alert.provisional-round")).to_contain_text(
        "Provisional: the round is still open"
    )
    expect(page.locator("#results")).to_contain_text("not enough answers (n = 1)")
    shot("relationships-provisional-round-en")

    page.context.clear_cookies()
    login(ana, language="es")
    page.goto(f"{live_server.url}/relationships/customer/{account.pk}/")
    expect(page.locator("#quality-card .provisional-round")).to_contain_text(
        "provisional, 1 respuesta"
    )
    expect(page.locator("#quality-card dl.facts")).to_contain_text("6,0")
    shot("relationships-provisional-es")
