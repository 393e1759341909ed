"""The summary card, the account badges and the alerts."""

from datetime import date, timedelta

from django.urls import reverse
from django.utils import timezone

from kamp.core.alerts import collect
from kamp.customers.models import Customer, CustomerStatus
from kamp.relationships import actions, summary
from kamp.relationships.alerts import alerts
from kamp.relationships.models import SurveyRound
from tests.factories import CustomerFactory

from .conftest import answer_and_close, counting_with


def test_summary_card_on_customer_page(client_for, ana, account):
    actions.do_assess(ana, account, ro=6, ds=5, db=5)
    page = client_for(ana).get(reverse("customers:detail", args=[account.pk])).content.decode()
    assert "Collaborative partnership" in page and "relationship-card" in page


def test_badges_bulk(ana, account, other_account, survey, django_assert_max_num_queries):
    actions.do_assess(ana, account, ro=6, ds=5, db=5)
    counting_with(2, 2)
    answer_and_close(survey, ana, 5)
    with django_assert_max_num_queries(2):
        b = summary.badges([account.pk, other_account.pk])
    labels = [x["label"] for x in b[account.pk]]
    assert "Collaborative partnership" in labels and "RQI 5.0" in labels
    assert other_account.pk not in b


def test_alert_perception_gap(survey, account, ana):
    counting_with(2, 2)
    answer_and_close(survey, ana, values_for=lambda r: 6 if r.side == "team" else 3)
    found = alerts(Customer.objects.filter(pk=account.pk), timezone.localdate())
    assert "perception_gap" in {a.kind for a in found}


def test_alert_survey_overdue_and_missing(account, other_account, ana):
    found = {(a.customer_id, a.kind) for a in alerts(Customer.objects.all(), timezone.localdate())}
    assert (account.pk, "survey_overdue") in found
    rnd = actions.do_start_round(
        ana, account, closes_on=timezone.localdate(), team_users=[ana], send=False
    )
    found = {(a.customer_id, a.kind) for a in alerts(Customer.objects.all(), timezone.localdate())}
    assert (account.pk, "survey_overdue") not in found
    SurveyRound.objects.filter(pk=rnd.pk).update(
        opened_on=timezone.localdate() - timedelta(days=400)
    )
    found = {(a.customer_id, a.kind) for a in alerts(Customer.objects.all(), timezone.localdate())}
    assert (account.pk, "survey_overdue") in found


def test_alert_disintegrating_on_rqi_drop(account, ana, member, contacts):
    counting_with(2, 2)

    def round_on(day, value):
        rnd = actions.do_start_round(
            ana,
            account,
            closes_on=timezone.localdate(),
            team_users=[ana, member],
            contacts=[(c, "es") for c in contacts],
            send=False,
        )
        answer_and_close(rnd, ana, value)
        SurveyRound.objects.filter(pk=rnd.pk).update(opened_on=day)

    today = timezone.localdate()
    round_on(today - timedelta(days=365), 6)
    round_on(today, 4)
    found = [
        a
        for a in alerts(Customer.objects.filter(pk=account.pk), today)
        if a.kind == "disintegrating"
    ]
    assert found and found[0].severity == "danger"
    from kamp.relationships import results

    assert results.suggest_stage(account).stage == "disintegrating"


def test_alerts_constant_queries(ana, django_assert_max_num_queries):
    for _n in range(10):
        c = CustomerFactory(status=CustomerStatus.KEY_ACCOUNT)
        actions.do_assess(ana, c, ro=5, ds=5, db=5)
    with django_assert_max_num_queries(6):
        alerts(Customer.objects.all(), date.today())


def test_collect_includes_relationships(account):
    assert any(a.area == "relationships" for a in collect(Customer.objects.all()))
