"""The relationship pages: who may read and who may change, and the main flows."""

import pytest
from django.urls import reverse

from kamp.relationships import actions
from kamp.relationships.models import Assessment, Respondent, Side, StageRecord

from .conftest import answer_all, post_data

READERS = [
    ("admin", 200),
    ("director", 200),
    ("ana", 200),
    ("bruno", 200),
    ("member", 200),
    ("viewer", 200),
]
EDITORS = [
    ("admin", 200),
    ("director", 200),
    ("ana", 200),
    ("member", 200),
    ("bruno", 403),
    ("viewer", 403),
]


@pytest.mark.parametrize("person, status", READERS)
def test_who_reads_the_relationship_tab(request, client_for, account, person, status):
    user = request.getfixturevalue(person)
    r = client_for(user).get(reverse("relationships:customer_tab", args=[account.pk]))
    assert r.status_code == status


def test_member_off_the_team_gets_404(client_for, member, other_account):
    r = client_for(member).get(reverse("relationships:customer_tab", args=[other_account.pk]))
    assert r.status_code == 404


def test_anonymous_goes_to_login(anonymous, account):
    for name in ["customer_tab", "assess", "round_new", "stage", "foundations"]:
        r = anonymous.get(reverse(f"relationships:{name}", args=[account.pk]))
        assert r.status_code == 302 and "/login/" in r["Location"]
    r = anonymous.get(reverse("relationships:portfolio"))
    assert r.status_code == 302


@pytest.mark.parametrize("name", ["assess", "round_new", "stage", "foundations"])
@pytest.mark.parametrize("person, status", EDITORS)
def test_who_may_change(request, client_for, account, person, status, name):
    user = request.getfixturevalue(person)
    assert (
        client_for(user).get(reverse(f"relationships:{name}", args=[account.pk])).status_code
        == status
    )


def test_classify_an_account(client_for, ana, account):
    c = client_for(ana)
    r = c.post(
        reverse("relationships:assess", args=[account.pk]),
        {
            "date": "2026-01-15",
            "ro_source": "assessed",
            "ro": "6",
            "ds_sales_share": "5",
            "ds_replaceability": "6",
            "ds_switching": "5",
            "db_category_share": "5",
            "db_alternatives": "5",
            "db_switching": "6",
            "db_supply_risk": "4",
            "systems_linked": "on",
            "note": "",
        },
    )
    assert r.status_code == 302
    a = Assessment.objects.get(customer=account)
    assert a.type == "collaborative_partnership"
    assert float(a.ds) == pytest.approx(5.33) and float(a.db) == 5.0
    page = c.get(reverse("relationships:customer_tab", args=[account.pk])).content.decode()
    assert "Collaborative partnership" in page and "typology-data" in page
    # the change is on the customer's History tab
    hist = c.get(reverse("customers:history", args=[account.pk])).content.decode()
    assert "Relationship type" in hist


def test_assessment_form_errors_are_shown(client_for, ana, account):
    r = client_for(ana).post(
        reverse("relationships:assess", args=[account.pk]),
        {"date": "2026-01-15", "ro_source": "assessed", "ro": "9"},
    )
    assert r.status_code == 200
    assert Assessment.objects.count() == 0
    assert "Score at least one item" in r.content.decode()


def test_viewer_cannot_post_an_assessment(client_for, viewer, account):
    r = client_for(viewer).post(reverse("relationships:assess", args=[account.pk]), {"ro": "5"})
    assert r.status_code == 403 and Assessment.objects.count() == 0


def test_start_round_sends_invitations(
    client_for, ana, account, contacts, member, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        r = client_for(ana).post(
            reverse("relationships:round_new", args=[account.pk]),
            {
                "closes_on": "2099-01-01",
                "team": [str(ana.pk), str(member.pk)],
                "contacts": [str(contacts[0].pk), str(contacts[1].pk)],
                f"lang_{contacts[0].pk}": "es",
                f"lang_{contacts[1].pk}": "en",
                "send": "on",
            },
        )
    assert r.status_code == 302, r.content.decode()[:3000]
    assert Respondent.objects.filter(side=Side.CUSTOMER).count() == 2
    assert len(mailoutbox) == 4
    to_jorge = next(m for m in mailoutbox if m.to == ["jorge.perez@cs.cl"])
    assert "/relationships/s/" in to_jorge.body and "Hola" in to_jorge.body  # Spanish
    to_maria = next(m for m in mailoutbox if m.to == ["maria.gonzalez@cs.cl"])
    assert "Hello" in to_maria.body
    to_marta = next(m for m in mailoutbox if m.to == [member.email])
    assert "/relationships/s/" not in to_marta.body  # our team answers in the app


def test_round_needs_someone(client_for, ana, account):
    r = client_for(ana).post(
        reverse("relationships:round_new", args=[account.pk]), {"closes_on": "2099-01-01"}
    )
    assert r.status_code == 200 and "at least one person" in r.content.decode()


def test_contact_of_another_customer_cannot_be_forged_in(client_for, ana, account, other_account):
    from tests.factories import ContactFactory

    stranger = ContactFactory(customer=other_account, email="x@minera.cl")
    r = client_for(ana).post(
        reverse("relationships:round_new", args=[account.pk]),
        {"closes_on": "2099-01-01", "contacts": [str(stranger.pk)]},
    )
    assert r.status_code == 200 and Respondent.objects.count() == 0


@pytest.mark.parametrize("person, status", READERS)
def test_who_reads_round_results(request, client_for, survey, person, status):
    user = request.getfixturevalue(person)
    r = client_for(user).get(reverse("relationships:round", args=[survey.pk]))
    assert r.status_code == status


def test_links_only_for_editors(client_for, survey, ana, viewer, bruno):
    assert (
        "/relationships/s/"
        in client_for(ana).get(reverse("relationships:round", args=[survey.pk])).content.decode()
    )
    for user in (viewer, bruno):
        page = (
            client_for(user).get(reverse("relationships:round", args=[survey.pk])).content.decode()
        )
        assert "/relationships/s/" not in page


def test_member_off_team_cannot_read_round(client_for, other_account, bruno):
    from datetime import timedelta

    from django.utils import timezone

    from kamp.core.choices import Role
    from tests.factories import UserFactory

    rnd = actions.do_start_round(
        bruno,
        other_account,
        closes_on=timezone.localdate() + timedelta(days=3),
        team_users=[bruno],
        send=False,
    )
    outsider = UserFactory(email="m2@supplier.test", role=Role.MEMBER)
    assert (
        client_for(outsider).get(reverse("relationships:round", args=[rnd.pk])).status_code == 404
    )


def test_team_member_answers_in_the_app(client_for, survey, member):
    c = client_for(member)
    url = reverse("relationships:answer", args=[survey.pk])
    assert c.get(url).status_code == 200
    r = c.post(url, post_data(survey, "6"))
    assert r.status_code == 302
    survey.refresh_from_db()
    assert survey.team_answered == 1 and survey.team_rqi is not None
    # once only
    r = c.get(url)
    assert r.status_code == 302


@pytest.mark.parametrize("person", ["viewer", "bruno", "director"])
def test_only_those_asked_answer_for_the_team(request, client_for, survey, person):
    user = request.getfixturevalue(person)
    assert (
        client_for(user).get(reverse("relationships:answer", args=[survey.pk])).status_code == 403
    )


def test_team_answer_rejects_forged_fields_and_bad_values(client_for, survey, ana):
    c = client_for(ana)
    url = reverse("relationships:answer", args=[survey.pk])
    data = post_data(survey)
    data["respondent"] = "999"
    assert c.post(url, data).status_code == 400
    data = post_data(survey)
    first = next(iter(k for k in data if k.startswith("item_")))
    data[first] = "8"
    assert c.post(url, data).status_code == 400
    assert not survey.respondents.filter(responded_at__isnull=False).exists()


@pytest.mark.parametrize(
    "person, status",
    [("ana", 302), ("member", 302), ("director", 302), ("viewer", 403), ("bruno", 403)],
)
def test_who_sends_reminders(
    request, client_for, survey, person, status, mailoutbox, django_capture_on_commit_callbacks
):
    user = request.getfixturevalue(person)
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        r = client_for(user).post(reverse("relationships:remind", args=[survey.pk]))
    assert r.status_code == status
    if status == 302:
        assert len(mailoutbox) == 4
        assert all(m.subject.startswith(("Reminder", "Recordatorio")) for m in mailoutbox)


def test_reminders_skip_who_answered(survey, ana, mailoutbox, django_capture_on_commit_callbacks):
    jorge = survey.respondents.get(contact__name="Jorge Pérez")
    actions.do_answer(None, jorge, values=answer_all(survey))
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert actions.do_remind(ana, survey) == 3
    assert "jorge.perez@cs.cl" not in [m.to[0] for m in mailoutbox]


def test_close_round(client_for, survey, ana, viewer):
    assert (
        client_for(viewer).post(reverse("relationships:close", args=[survey.pk])).status_code == 403
    )
    assert client_for(ana).post(reverse("relationships:close", args=[survey.pk])).status_code == 302
    survey.refresh_from_db()
    assert survey.closed_at is not None


def test_stage_override_needs_a_reason(client_for, ana, account):
    c = client_for(ana)
    url = reverse("relationships:stage", args=[account.pk])
    # no sales → exploratory suggested; choosing another stage without a reason is refused
    r = c.post(url, {"stage": "interdependent", "reason": ""})
    assert r.status_code == 200 and StageRecord.objects.count() == 0
    r = c.post(
        url,
        {"stage": "interdependent", "reason": "Sales not imported yet; we work with them weekly."},
    )
    assert r.status_code == 302
    s = StageRecord.objects.get()
    assert s.stage == "interdependent" and s.suggested == "exploratory" and s.overridden
    page = c.get(reverse("relationships:customer_tab", args=[account.pk])).content.decode()
    assert "Sales not imported yet" in page


def test_accept_suggested_stage_without_reason(client_for, ana, account):
    r = client_for(ana).post(
        reverse("relationships:stage", args=[account.pk]), {"stage": "exploratory"}
    )
    assert r.status_code == 302
    assert not StageRecord.objects.get().overridden


def test_foundations_checklist(client_for, ana, account):
    r = client_for(ana).post(
        reverse("relationships:foundations", args=[account.pk]),
        {"journey_mapped": "on", "sponsor": "on", "dmu_mapped": "on", "note": "", "version": 0},
    )
    assert r.status_code == 302
    f = account.relationship_foundations.get()
    assert f.score == 30 and f.checks["sponsor"] is True and f.checks["incentives"] is False


def test_results_side_by_side_with_gap(client_for, survey, ana, member):
    team = list(survey.respondents.filter(side=Side.TEAM))
    cust = list(survey.respondents.filter(side=Side.CUSTOMER))
    for r in team:
        actions.do_answer(r.user, r, values=answer_all(survey, 6))
    for r in cust:
        actions.do_answer(None, r, values=answer_all(survey, 4))
    page = client_for(ana).get(reverse("relationships:round", args=[survey.pk])).content.decode()
    assert "Perception gap" in page
    assert "identifying" in page  # two people per side
    survey.refresh_from_db()
    assert survey.gap_flagged


def test_portfolio_query_count_is_constant(client_for, director, django_assert_max_num_queries):
    from kamp.customers.models import CustomerStatus
    from tests.factories import CustomerFactory

    c = client_for(director)
    for n in range(3):
        cust = CustomerFactory(status=CustomerStatus.KEY_ACCOUNT, name=f"K{n}")
        actions.do_assess(director, cust, ro=5, ds=4 + n % 3, db=5)
    with django_assert_max_num_queries(12) as small:
        assert c.get(reverse("relationships:portfolio")).status_code == 200
    for n in range(12):
        cust = CustomerFactory(status=CustomerStatus.KEY_ACCOUNT, name=f"L{n}")
        actions.do_assess(director, cust, ro=2 + n % 5, ds=1 + n % 7, db=7 - n % 7)
        actions.do_set_stage(director, cust, stage="exploratory")
    with django_assert_max_num_queries(len(small.captured_queries)):
        r = c.get(reverse("relationships:portfolio"))
    assert r.status_code == 200 and "L11" in r.content.decode()


def test_portfolio_member_sees_only_their_accounts(client_for, member, account, other_account):
    page = client_for(member).get(reverse("relationships:portfolio")).content.decode()
    assert account.name in page and other_account.name not in page


@pytest.mark.parametrize(
    "person, status", [("ana", 302), ("member", 302), ("viewer", 403), ("bruno", 403)]
)
def test_who_extends_a_round(request, client_for, survey, person, status):
    import datetime

    user = request.getfixturevalue(person)
    new = survey.closes_on + datetime.timedelta(days=10)
    r = client_for(user).post(
        reverse("relationships:extend", args=[survey.pk]), {"closes_on": new.isoformat()}
    )
    assert r.status_code == status
    survey.refresh_from_db()
    assert (survey.closes_on == new) == (status == 302)
    if status == 302:
        jorge = survey.respondents.get(contact__name="Jorge Pérez")
        assert jorge.expires_at.date() == new + datetime.timedelta(days=1)


def test_extend_refuses_an_earlier_date(client_for, survey, ana):
    import datetime

    before = survey.closes_on
    client_for(ana).post(
        reverse("relationships:extend", args=[survey.pk]),
        {"closes_on": (before - datetime.timedelta(days=1)).isoformat()},
    )
    survey.refresh_from_db()
    assert survey.closes_on == before


def test_round_with_another_template(client_for, ana, account, contacts):
    from kamp.relationships.models import SurveyItem, SurveyRound, SurveyTemplate

    short = SurveyTemplate.objects.create(key="short", name="Short pulse")
    SurveyItem.objects.create(
        template=short,
        key="t",
        construct="trust",
        text_en="{partner} is fair.",
        text_es="{partner} es justo.",
    )
    page = (
        client_for(ana).get(reverse("relationships:round_new", args=[account.pk])).content.decode()
    )
    assert "Short pulse" in page
    r = client_for(ana).post(
        reverse("relationships:round_new", args=[account.pk]),
        {
            "closes_on": "2099-01-01",
            "template": str(short.pk),
            "contacts": [str(contacts[0].pk)],
            f"lang_{contacts[0].pk}": "es",
        },
    )
    assert r.status_code == 302
    assert SurveyRound.objects.get().template == short


def test_relationship_tab_queries_do_not_grow_with_rounds(
    client_for, ana, member, account, django_assert_max_num_queries
):
    import datetime

    from django.utils import timezone

    from .conftest import answer_all

    def one_round():
        rnd = actions.do_start_round(
            ana,
            account,
            closes_on=timezone.localdate() + datetime.timedelta(days=3),
            team_users=[ana, member],
            send=False,
        )
        for r in rnd.respondents.all():
            actions.do_answer(r.user, r, values=answer_all(rnd, 5))

    c = client_for(ana)
    actions.do_assess(ana, account, ro=5, ds=5, db=5)
    one_round()
    with django_assert_max_num_queries(80) as first:
        c.get(reverse("relationships:customer_tab", args=[account.pk]))
    for _ in range(4):
        one_round()
        actions.do_assess(ana, account, ro=6, ds=5, db=5)
    with django_assert_max_num_queries(len(first.captured_queries)):
        assert c.get(reverse("relationships:customer_tab", args=[account.pk])).status_code == 200


@pytest.mark.parametrize(
    "person, status", [("ana", 200), ("member", 200), ("viewer", 403), ("bruno", 403)]
)
def test_who_adds_people_to_a_round(request, client_for, survey, person, status):
    user = request.getfixturevalue(person)
    assert (
        client_for(user).get(reverse("relationships:add", args=[survey.pk])).status_code == status
    )


def test_add_a_contact_to_an_open_round(
    client_for, ana, survey, account, mailoutbox, django_capture_on_commit_callbacks
):
    from tests.factories import ContactFactory

    andres = ContactFactory(customer=account, name="Andrés Silva", email="andres.silva@cs.cl")
    c = client_for(ana)
    page = c.get(reverse("relationships:add", args=[survey.pk])).content.decode()
    assert "Andrés Silva" in page and "Jorge Pérez" not in page  # already asked
    with django_capture_on_commit_callbacks(execute=True):
        r = c.post(
            reverse("relationships:add", args=[survey.pk]),
            {"contacts": [str(andres.pk)], f"lang_{andres.pk}": "es", "send": "on"},
        )
    assert r.status_code == 302
    assert survey.respondents.filter(side=Side.CUSTOMER).count() == 3
    assert [m.to for m in mailoutbox] == [["andres.silva@cs.cl"]]
    new = survey.respondents.get(contact=andres)
    assert new.expires_at == survey.respondents.get(contact__name="Jorge Pérez").expires_at


@pytest.mark.parametrize(
    "person, status", [("director", 302), ("member", 302), ("bruno", 403), ("viewer", 403)]
)
def test_who_closes_a_round(request, client_for, survey, person, status):
    user = request.getfixturevalue(person)
    assert (
        client_for(user).post(reverse("relationships:close", args=[survey.pk])).status_code
        == status
    )
