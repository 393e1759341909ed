"""A survey round's figures count only once the round is closed with enough answers per side
(3 from our team, 2 from the customer by default): an open round is provisional and never moves
the account's RQI, its trend, the stage suggestion or the programme's mean; Cronbach's alpha
shows only with enough answer sheets; every survey figure says how many answered."""

import json
import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from kamp.programme import health as programme_health
from kamp.programme import sources as programme_sources
from kamp.relationships import actions, quality, results, summary
from kamp.relationships.models import SurveyRound
from tests.factories import ContactFactory

from .conftest import answer_all, answer_and_close, counting_with

API = "/api/v1/relationships"


@pytest.fixture
def three_contacts(account):
    return [
        ContactFactory(customer=account, name=name, email=f"{key}@cs.cl")
        for key, name in [
            ("jorge", "Jorge Pérez"),
            ("maria", "María González"),
            ("andres", "Andrés Silva"),
        ]
    ]


def _round(ana, customer, team, contacts, closes_in=0):
    return actions.do_start_round(
        ana,
        customer,
        closes_on=timezone.localdate() + timedelta(days=closes_in),
        team_users=team,
        contacts=[(c, "es") for c in contacts],
        send=False,
    )


@pytest.fixture
def counted(account, ana, member, director, three_contacts):
    """A closed round six months ago: three of ours and three of theirs, all answering 6."""
    rnd = _round(ana, account, [ana, member, director], three_contacts)
    answer_and_close(rnd, ana, 6)
    SurveyRound.objects.filter(pk=rnd.pk).update(
        opened_on=timezone.localdate() - timedelta(days=180)
    )
    return rnd


@pytest.fixture
def open_round_one_answer(account, ana, member, director, three_contacts, counted):
    """A round still open, where one customer contact has answered very low."""
    rnd = _round(ana, account, [ana, member, director], three_contacts, closes_in=14)
    jorge = rnd.respondents.get(contact=three_contacts[0])
    actions.do_answer(None, jorge, values=answer_all(rnd, 2))
    rnd.refresh_from_db()
    return rnd


def test_open_round_with_one_answer_moves_nothing(
    account, ana, counted, three_contacts, member, director
):
    facts_before = results.stage_facts(account, timezone.localdate())
    stage_before = results.suggest_stage(account)
    rnd = _round(ana, account, [ana, member, director], three_contacts, closes_in=14)
    actions.do_answer(
        None, rnd.respondents.get(contact=three_contacts[0]), values=answer_all(rnd, 2)
    )
    rnd.refresh_from_db()

    # Had it counted, the customer's RQI would read 2.0: the round itself does hold that figure.
    own = results.round_result(rnd)
    assert own.customer.scores["rqi"] == 2.0 and own.standing == quality.PROVISIONAL
    assert rnd.customer_rqi is not None

    latest = results.latest_scored_rounds([account.pk])[account.pk]
    assert [r.pk for r in latest] == [counted.pk] and float(latest[0].rqi) == 6.0
    assert results.stage_facts(account, timezone.localdate()).rqi_now == facts_before.rqi_now
    assert results.suggest_stage(account) == stage_before
    labels = [b["label"] for b in summary.badges([account.pk])[account.pk]]
    assert "RQI 6.0" in labels
    trend = results.customer_trend(account)
    assert [t["standing"] for t in trend] == [quality.COUNTED, quality.PROVISIONAL]


def test_open_round_does_not_move_the_programme_mean(
    account, other_account, ana, bruno, director, open_round_one_answer
):
    theirs = [ContactFactory(customer=other_account, email=f"c{i}@mn.cl") for i in range(2)]
    other = _round(ana, other_account, [ana, bruno, director], theirs)
    answer_and_close(other, ana, 4)
    ids = [account.pk, other_account.pk]
    figures = programme_health.trust(ids, programme_sources.rqi_series(ids), None, None).figures
    assert figures["rqi"] == pytest.approx(5.0)
    assert figures["rqi_measured"] == 2 and figures["rqi_falling"] == []
    # The programme's construct history reads the same counted rounds.
    constructs = programme_sources.survey_constructs(ids)
    assert len(constructs[account.pk]) == 1 and constructs[account.pk][0]["rqi"] == 6.0


def test_tab_shows_the_open_round_as_provisional_with_n(
    client_for, ana, account, open_round_one_answer
):
    page = client_for(ana).get(reverse("relationships:customer_tab", args=[account.pk]))
    html = page.content.decode()
    assert "provisional, 1 answer" in html
    assert "0 from our team, 1 from the customer so far" in html
    # The headline and the trend line still show the counted round, with its n.
    assert "Latest counted round" in html and "(3 answers)" in html
    data = json.loads(re.search(r'id="trend-data"[^>]*>(.*?)</script>', html, re.S).group(1))
    assert data["customer"] == [6.0] and len(data["dates"]) == 1


def test_round_page_and_api_say_provisional(client_for, ana, viewer, open_round_one_answer):
    rnd = open_round_one_answer
    html = client_for(ana).get(reverse("relationships:round", args=[rnd.pk])).content.decode()
    assert "provisional, 1 answer" in html and "Provisional: the round is still open" in html
    body = client_for(viewer).get(f"{API}/rounds/{rnd.pk}").json()
    assert body["counted"] is False and body["round"]["standing"] == "provisional"
    assert (body["min_team_answers"], body["min_customer_answers"]) == (3, 2)


def test_spanish_provisional_label(client_for, ana, account, open_round_one_answer):
    ana.language = "es"
    ana.save()
    html = (
        client_for(ana)
        .get(
            reverse("relationships:customer_tab", args=[account.pk]),
            headers={"accept-language": "es"},
        )
        .content.decode()
    )
    assert "provisional, 1 respuesta" in html


def test_closed_round_under_the_minimum_does_not_count(
    client_for, ana, member, director, account, three_contacts
):
    rnd = _round(ana, account, [ana, member, director], three_contacts)
    # Everyone on our side answers; only one of the customer's three does.
    for r in rnd.respondents.all():
        if r.side == "team" or r.contact_id == three_contacts[0].pk:
            actions.do_answer(r.user, r, values=answer_all(rnd, 5))
    rnd.refresh_from_db()
    actions.do_close_round(ana, rnd)
    rnd.refresh_from_db()
    assert results.standing(rnd) == quality.TOO_FEW
    assert results.latest_scored_rounds([account.pk]) == {}
    assert summary.badges([account.pk]).get(account.pk) is None
    html = client_for(ana).get(reverse("relationships:round", args=[rnd.pk])).content.decode()
    assert "Not counted: the round closed with fewer answers than needed" in html
    assert "not counted, 4 answers" in html

    # The minimum is a setting: one customer answer is enough once a director says so.
    counting_with(3, 1)
    assert results.standing(rnd) == quality.COUNTED
    assert [r.pk for r in results.latest_scored_rounds([account.pk])[account.pk]] == [rnd.pk]


def test_round_that_closes_by_date_counts_without_being_closed_by_hand(
    account, ana, member, director, three_contacts
):
    rnd = _round(ana, account, [ana, member, director], three_contacts)
    for r in rnd.respondents.all():
        actions.do_answer(r.user, r, values=answer_all(rnd, 5))
    assert results.latest_scored_rounds([account.pk]) == {}  # still open today
    SurveyRound.objects.filter(pk=rnd.pk).update(closes_on=timezone.localdate() - timedelta(days=1))
    assert list(results.latest_scored_rounds([account.pk])) == [account.pk]


def test_alpha_says_not_enough_answers(client_for, ana, survey):
    counting_with(2, 2)
    answer_and_close(survey, ana, 5)
    result = results.round_result(survey)
    trust = next(r for r in result.rows if r["key"] == "trust")
    assert trust["alpha"] is None and trust["alpha_n"] == 4 and result.alpha_min == 5
    html = client_for(ana).get(reverse("relationships:round", args=[survey.pk])).content.decode()
    assert "not enough answers (n = 4)" in html


def test_alpha_shows_with_enough_answer_sheets(
    client_for, ana, member, director, bruno, account, three_contacts
):
    rnd = _round(ana, account, [ana, member, director, bruno], three_contacts)
    # Seven people, each consistent with themselves but different from the others.
    levels = iter([2, 3, 4, 5, 6, 7, 4])
    answer_and_close(rnd, ana, values_for=lambda r: next(levels))
    trust = next(r for r in results.round_result(rnd).rows if r["key"] == "trust")
    assert trust["alpha_n"] == 7 and trust["alpha"] == pytest.approx(1.0)
    html = client_for(ana).get(reverse("relationships:round", args=[rnd.pk])).content.decode()
    assert "not enough answers" not in html


@given(
    closed=st.booleans(),
    team=st.integers(0, 30),
    cust=st.integers(0, 30),
    min_team=st.integers(1, 10),
    min_cust=st.integers(1, 10),
)
def test_round_standing_rule(closed, team, cust, min_team, min_cust):
    standing = quality.round_standing(closed, team, cust, min_team, min_cust)
    if not closed:
        assert standing == quality.PROVISIONAL
    elif team >= min_team and cust >= min_cust:
        assert standing == quality.COUNTED
    else:
        assert standing == quality.TOO_FEW


@given(st.lists(st.dictionaries(st.sampled_from(["a", "b", "c"]), st.integers(1, 7))))
def test_complete_sheets_counts_what_alpha_uses(sheets):
    items = [quality.Item("a", "trust"), quality.Item("b", "trust"), quality.Item("c", "conflict")]
    n = quality.complete_sheets(items, sheets, "trust")
    assert n == sum(1 for s in sheets if "a" in s and "b" in s)
    alpha = quality.construct_alpha(items, sheets, "trust", min_responses=5)
    if n < 5:
        assert alpha is None


def test_orientation_from_the_rqi_reads_only_counted_rounds(
    account, ana, member, director, three_contacts
):
    from django.core.exceptions import ValidationError

    rnd = _round(ana, account, [ana, member, director], three_contacts, closes_in=14)
    for r in rnd.respondents.all():
        actions.do_answer(r.user, r, values=answer_all(rnd, 3))
    with pytest.raises(ValidationError, match="No survey round counts yet"):
        actions.do_assess(ana, account, ro_source="rqi", ds=4, db=4)
    rnd.refresh_from_db()
    actions.do_close_round(ana, rnd)
    assert float(actions.do_assess(ana, account, ro_source="rqi", ds=4, db=4).ro) == 3.0
