"""The reciprocity ledger kept current by the worker's periodic pass: once a day per account,
and at the next beat after an account's survey answers, plans or interactions change."""

import datetime

import pytest
from django.utils import timezone

from kamp.relationships import actions as relationships
from kamp.relationships.models import Respondent, Side
from kamp.selection import alerts, ledger, periodic
from kamp.selection.models import ReciprocityEvidence, ReciprocityLedger
from kamp.selection.reciprocity_actions import add_evidence
from tests.factories import ContactFactory

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def test_a_customers_survey_answer_moves_the_stored_score_at_the_next_beat(account, ana):
    add_evidence(ana, account, "commitment", TODAY, "Volume commitment")
    before = ReciprocityLedger.objects.get(customer=account).score
    jorge = ContactFactory(customer=account, name="Jorge Pérez", email="jorge@cs.cl")
    rnd = relationships.do_start_round(
        ana, account, closes_on=TODAY + datetime.timedelta(days=14), contacts=[(jorge, "es")]
    )
    theirs = Respondent.objects.get(round=rnd, side=Side.CUSTOMER)
    item = rnd.template.items.get(key=ledger.SURVEY_ITEM)
    relationships.do_answer(None, theirs, values={item.pk: 7})
    row = ReciprocityLedger.objects.get(customer=account)
    assert row.score == before  # stored, not yet recomputed: marked for the next beat
    assert row.computed_on is None

    periodic.every_beat()

    row.refresh_from_db()
    assert row.score == pytest.approx(round(ledger.compute(account.pk).score, 2))
    assert row.score > before
    assert row.computed_on == TODAY


def test_once_a_day_a_drop_is_stored_and_raises_the_alert(account, ana):
    pledge = add_evidence(ana, account, "commitment", TODAY, "Volume commitment")
    add_evidence(ana, account, "co_creation", TODAY, "Pilot")
    high = ReciprocityLedger.objects.get(customer=account).score
    # Evidence gone without the ledger hearing of it (as when weights or other areas change),
    # and the stored score from yesterday: the day's pass recomputes it.
    ReciprocityEvidence.objects.filter(pk=pledge.pk).delete()
    ReciprocityLedger.objects.filter(customer=account).update(
        computed_on=TODAY - datetime.timedelta(days=1)
    )
    assert not [
        a
        for a in alerts.alerts(type(account).objects.filter(pk=account.pk))
        if a.kind == "reciprocity_dropped"
    ]

    periodic.every_beat()

    row = ReciprocityLedger.objects.get(customer=account)
    assert (row.previous_score, row.computed_on) == (high, TODAY)
    assert high - row.score >= ledger.drop_threshold()
    assert [
        a
        for a in alerts.alerts(type(account).objects.filter(pk=account.pk))
        if a.kind == "reciprocity_dropped"
    ]


def test_a_current_ledger_is_left_alone_and_no_ledger_is_started(account, other_account, ana):
    add_evidence(ana, account, "commitment", TODAY, "Volume commitment")
    row = ReciprocityLedger.objects.get(customer=account)
    periodic.every_beat()
    assert ReciprocityLedger.objects.get(customer=account).updated_at == row.updated_at
    # A customer without a ledger keeps its typed assessment of willingness to co-invest.
    assert not ReciprocityLedger.objects.filter(customer=other_account).exists()
