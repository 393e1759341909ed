"""The private survey link: the only page of kamp open without login."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from kamp.relationships import access, actions
from kamp.relationships.models import Answer, Respondent, Side
from tests.factories import ContactFactory

from .conftest import post_data


def link(r):
    return reverse("relationships:public_survey", args=[access.token_for(r)])


@pytest.fixture
def jorge(survey):
    return survey.respondents.get(contact__name="Jorge Pérez")


@pytest.fixture
def maria(survey):
    return survey.respondents.get(contact__name="María González")


def test_token_is_long_and_only_hash_stored(jorge):
    token = access.token_for(jorge)
    assert len(token) >= 43
    assert jorge.token_hash == access.token_hash(token) and token not in jorge.token_hash
    fields = [str(getattr(jorge, f.attname)) for f in Respondent._meta.concrete_fields]
    assert token not in fields


def test_opens_without_login_in_the_contacts_language(anonymous, jorge, maria):
    r = anonymous.get(link(jorge))
    assert r.status_code == 200
    assert r["Cache-Control"] == "no-store"
    page = r.content.decode()
    assert 'lang="es"' in page
    r = anonymous.get(link(maria))
    assert (
        'lang="en"' in r.content.decode()
        and "How do you see your relationship" in r.content.decode()
    )


def test_shows_only_the_survey_nothing_else_of_kamp(anonymous, maria, account):
    page = anonymous.get(link(maria)).content.decode()
    assert account.name not in page  # not even the customer's own name as we store it
    assert "/customers/" not in page and "Log out" not in page and "Constructora" not in page
    assert "María González" in page


def test_identifying_round_is_announced_before_answering(anonymous, maria):
    page = anonymous.get(link(maria)).content.decode()
    assert 'id="identifying-note"' in page


def test_not_identifying_with_three_contacts(anonymous, account, ana):
    from tests.factories import ContactFactory

    people = [ContactFactory(customer=account) for _ in range(3)]
    rnd = actions.do_start_round(
        ana,
        account,
        closes_on=timezone.localdate(),
        contacts=[(p, "en") for p in people],
        send=False,
    )
    page = anonymous.get(link(rnd.respondents.first())).content.decode()
    assert 'id="identifying-note"' not in page


def test_answering_once(anonymous, survey, maria):
    r = anonymous.post(link(maria), post_data(survey, "6", "Great team"))
    assert r.status_code == 200 and "Thank you" in r.content.decode()
    maria.refresh_from_db()
    assert (
        maria.responded_at
        and Answer.objects.filter(respondent=maria).count() == survey.template.items.count()
    )
    survey.refresh_from_db()
    assert survey.customer_answered == 1
    # second time: the friendly "already answered" page, nothing changed
    r = anonymous.post(link(maria), post_data(survey, "1"))
    assert "already answered" in r.content.decode()
    assert set(Answer.objects.filter(respondent=maria).values_list("value", flat=True)) == {6}


def test_cant_say_is_allowed(anonymous, survey, maria):
    data = post_data(survey, "5")
    first = next(k for k in data if k.startswith("item_"))
    data[first] = "na"
    anonymous.post(link(maria), data)
    assert Answer.objects.filter(respondent=maria).count() == survey.template.items.count() - 1


@pytest.mark.parametrize("bad", ["0", "8", "-1", "4.5", "abc", ""])
def test_answers_outside_1_to_7_are_rejected(anonymous, survey, maria, bad):
    data = post_data(survey, "5")
    first = next(k for k in data if k.startswith("item_"))
    data[first] = bad
    r = anonymous.post(link(maria), data)
    assert r.status_code == 400
    maria.refresh_from_db()
    assert maria.responded_at is None and not Answer.objects.filter(respondent=maria).exists()


@pytest.mark.parametrize(
    "forged",
    [
        {"respondent_id": "1"},
        {"item_999999": "5"},
        {"round": "2"},
        {"responded_at": "x"},
    ],
)
def test_forged_fields_are_rejected(anonymous, survey, maria, forged):
    data = {**post_data(survey, "5"), **forged}
    r = anonymous.post(link(maria), data)
    assert r.status_code == 400
    assert not Answer.objects.filter(respondent=maria).exists()


def test_a_token_cannot_answer_another_survey(
    anonymous, survey, jorge, maria, account, ana, contacts
):
    other = actions.do_start_round(
        ana, account, closes_on=timezone.localdate(), contacts=[(contacts[0], "es")], send=False
    )
    other_items = {i.pk for i in other.template.items.all()}
    # same template: the items are the same rows, but the answers go to Maria's own sheet only
    anonymous.post(link(maria), post_data(survey, "3"))
    assert not Answer.objects.filter(respondent__round=other).exists()
    assert not Answer.objects.filter(respondent=jorge).exists()
    assert other_items


def test_unknown_and_malformed_tokens_look_the_same(anonymous, jorge):
    token = access.token_for(jorge)
    pages = []
    for bad in [
        "x",
        token[:-1] + ("A" if token[-1] != "A" else "B"),
        "a" * 43,
        "a" * 500,
        token.upper(),
    ]:
        r = anonymous.get("/relationships/s/" + bad + "/")
        pages.append((r.status_code, r.content))
    assert {c for c, _ in pages} == {404}
    bodies = {b for _, b in pages}
    assert len(bodies) == 1
    # A NUL never reaches the survey: the malformed-input guard refuses any such path the same
    # way, so it tells nothing about tokens either.
    r = anonymous.get("/relationships/s/%00/")
    assert r.status_code == 400 and token.encode() not in r.content


def test_a_forged_hash_match_is_still_refused(anonymous, jorge):
    """Even a row found by hash must recompute to the same token."""
    jorge.token_salt = "changed"
    jorge.save()
    r = anonymous.get(link(jorge))
    assert r.status_code == 404


def test_expired_link(anonymous, survey, jorge):
    jorge.expires_at = timezone.now() - datetime.timedelta(minutes=1)
    jorge.save()
    r = anonymous.get(link(jorge))
    assert (
        r.status_code == 410 and "Esta encuesta ya cerró" in r.content.decode()
    )  # Jorge reads Spanish
    r = anonymous.post(link(jorge), post_data(survey))
    assert r.status_code == 410 and not Answer.objects.filter(respondent=jorge).exists()


def test_closed_round_refuses_links(anonymous, survey, jorge, ana):
    actions.do_close_round(ana, survey)
    assert anonymous.get(link(jorge)).status_code == 410


def test_team_respondents_have_no_link(anonymous, survey):
    team = survey.respondents.filter(side=Side.TEAM).first()
    assert not team.token_hash


def test_contact_text_is_never_rendered_unescaped(
    anonymous, client_for, survey, maria, ana, viewer
):
    evil = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    anonymous.post(link(maria), post_data(survey, "4", evil))
    for user in (ana, viewer):
        page = (
            client_for(user).get(reverse("relationships:round", args=[survey.pk])).content.decode()
        )
        assert "<script>alert" not in page and "<img src=x" not in page
        assert "&lt;script&gt;" in page
    hist = (
        client_for(ana)
        .get(reverse("customers:history", args=[survey.customer_id]))
        .content.decode()
    )
    assert "<script>alert" not in hist
    api = client_for(ana).get(f"/api/v1/relationships/rounds/{survey.pk}")
    assert api.status_code == 200 and "<script>" not in api.content.decode()


def test_contact_name_with_markup_is_escaped_on_public_page(anonymous, account, ana):
    from tests.factories import ContactFactory

    c = ContactFactory(customer=account, name='<b onmouseover="x">Eve</b>', email="eve@cs.cl")
    rnd = actions.do_start_round(
        ana, account, closes_on=timezone.localdate(), contacts=[(c, "en")], send=False
    )
    page = anonymous.get(link(rnd.respondents.get())).content.decode()
    assert "<b onmouseover" not in page and "&lt;b onmouseover" in page


def test_public_page_has_csrf_and_no_inline_script(anonymous, maria):
    page = anonymous.get(link(maria)).content.decode()
    assert "csrfmiddlewaretoken" in page
    assert "<script>" not in page and "<script " not in page


def test_each_token_reaches_only_its_own_sheet(anonymous, survey, jorge, bruno, other_account):
    other_contact = ContactFactory(
        customer=other_account, name="Pedro Minero", email="pedro@minera.cl"
    )
    other = actions.do_start_round(
        bruno,
        other_account,
        closes_on=timezone.localdate(),
        contacts=[(other_contact, "en")],
        send=False,
    )
    pedro = other.respondents.get()
    page = anonymous.get(link(pedro)).content.decode()
    assert "Pedro Minero" in page and "Jorge Pérez" not in page
    anonymous.post(link(pedro), post_data(other, "2"))
    assert Answer.objects.filter(respondent=pedro).exists()
    assert not Answer.objects.filter(respondent__round=survey).exists()
    survey.refresh_from_db()
    assert survey.customer_answered == 0
