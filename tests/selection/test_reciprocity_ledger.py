"""The reciprocity ledger with the database: evidence read from what kamp holds and typed by the
KAM, the score fed to the selection model, the override kept with its reason, the drop alert, the
tab in Spanish, the API and ``kamp reciprocity --json``."""

import datetime
import json
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from kamp.core.models import AuditEvent
from kamp.customers.models import Seniority
from kamp.selection import alerts, engine, ledger, reciprocity
from kamp.selection.models import ReciprocityLedger
from kamp.selection.reciprocity_actions import add_evidence, refresh, set_override
from tests.factories import ContactFactory
from tests.interactions.factories import log
from tests.selection.factories import HIGH, score

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def test_evidence_from_meetings_and_typed_items_explains_the_score(account, ana):
    boss = ContactFactory(customer=account, seniority=Seniority.EXECUTIVE, name="CEO")
    clerk = ContactFactory(customer=account, name="Clerk")
    log(account, [ana], [boss], days_ago=10, topic="Board review")
    log(account, [ana], [clerk], days_ago=5, topic="Invoices")  # not executive: no evidence
    add_evidence(ana, account, "commitment", TODAY - datetime.timedelta(days=30), "Three years")
    result = ledger.compute(account.pk)
    kinds = sorted(ln.evidence.kind for ln in result.lines)
    assert kinds == ["commitment", "executive_meeting"]
    assert result.score == pytest.approx(reciprocity.to_score(result.points))
    assert [
        ln.evidence.label for ln in result.lines if ln.evidence.kind == "executive_meeting"
    ] == ["Board review"]


def test_the_score_feeds_the_selection_model_and_the_override_wins(account, director, ana):
    score(account, director, HIGH, co_investment=2)
    assert engine.run(use_cache=False).by_id[account.pk].co_investment == 2
    add_evidence(ana, account, "commitment", TODAY, "Exclusivity for 2027")
    add_evidence(ana, account, "data_shared", TODAY, "Their forecast")
    row = ReciprocityLedger.objects.get(customer=account)
    assert row.score == pytest.approx(round(ledger.compute(account.pk).score, 2))
    assert engine.run(use_cache=False).by_id[account.pk].co_investment == pytest.approx(row.score)
    with pytest.raises(ValidationError):
        set_override(director, account, 9, "")  # a reason is required
    with pytest.raises(ValidationError):
        set_override(director, account, 11, "too high")
    set_override(director, account, 9, "Board minutes promise a joint lab")
    assert engine.run(use_cache=False).by_id[account.pk].co_investment == 9
    assert AuditEvent.objects.filter(
        object_type="selection.reciprocityledger", changes__icontains="joint lab"
    ).exists()
    set_override(director, account, "", "")
    assert engine.run(use_cache=False).by_id[account.pk].co_investment == pytest.approx(row.score)


def test_bad_evidence_is_refused_and_nothing_is_saved(account, ana):
    for kind, on, note in [
        ("gossip", TODAY, "x"),
        ("commitment", TODAY, "  "),
        ("commitment", None, "x"),
        ("commitment", TODAY + datetime.timedelta(days=2), "x"),
    ]:
        with pytest.raises(ValidationError):
            add_evidence(ana, account, kind, on, note)
    assert not account.reciprocity_evidence.exists()


def test_a_drop_raises_an_alert(account, director, ana):
    score(account, director, HIGH, co_investment=8)
    e = add_evidence(ana, account, "commitment", TODAY, "Volume commitment")
    add_evidence(ana, account, "co_creation", TODAY, "Pilot")
    from kamp.selection.reciprocity_actions import remove_evidence

    remove_evidence(ana, e)
    row = ReciprocityLedger.objects.get(customer=account)
    assert row.previous_score - row.score >= ledger.drop_threshold()
    found = [
        a
        for a in alerts.alerts(type(account).objects.filter(pk=account.pk))
        if a.kind == "reciprocity_dropped"
    ]
    assert found


def test_tab_in_spanish_explains_the_items(client_for, account, ana, director):
    add_evidence(ana, account, "data_shared", TODAY, "Compartió su pronóstico")
    c = client_for(ana)
    html = c.get(
        reverse("selection:customer_tab", args=[account.pk]), HTTP_ACCEPT_LANGUAGE="es"
    ).content.decode()
    assert "Compartió su pronóstico" in html
    assert "Registro de reciprocidad" in html and "Datos compartidos" in html
    assert "Reemplazar el puntaje calculado" not in html  # a KAM does not override
    html = (
        client_for(director)
        .get(reverse("selection:customer_tab", args=[account.pk]), HTTP_ACCEPT_LANGUAGE="es")
        .content.decode()
    )
    assert "Reemplazar el puntaje calculado" in html


def test_override_form_and_refusals(client_for, account, ana, director):
    url = reverse("selection:reciprocity_override", args=[account.pk])
    assert client_for(ana).post(url, {"override": "8", "reason": "x"}).status_code == 403
    r = client_for(director).post(url, {"override": "8,5", "reason": "Signed framework"})
    assert r.status_code == 302
    assert ReciprocityLedger.objects.get(customer=account).override == 8.5


def test_api_and_cli(client_for, account, ana, viewer):
    c = client_for(ana)
    base = f"/api/v1/selection/customers/{account.pk}/reciprocity"
    bad = c.post(
        base + "/evidence",
        {"kind": "gossip", "happened_on": TODAY.isoformat(), "note": "x"},
        content_type="application/json",
    )
    assert bad.status_code == 422 and "gossip" in bad.json()["detail"]
    ok = c.post(
        base + "/evidence",
        {"kind": "commitment", "happened_on": TODAY.isoformat(), "note": "Volume"},
        content_type="application/json",
    )
    assert ok.status_code == 200
    body = ok.json()
    assert body["items"][0]["kind"] == "commitment" and body["score"] > 0
    assert (
        c.put(
            base + "/override", {"score": 9, "reason": "x"}, content_type="application/json"
        ).status_code
        == 403
    )
    out = StringIO()
    call_command("reciprocity", "--json", "--customer", "76.123.456-0", stdout=out)
    data = json.loads(out.getvalue())
    [row] = data["customers"]
    assert row["customer"]["id"] == account.pk
    assert row["score"] == body["score"] and row["items"][0]["label"] == "Volume"
    out = StringIO()
    call_command(
        "reciprocity", "--json", "--customer", str(account.pk), "--as-of", "2000-01-01", stdout=out
    )
    assert json.loads(out.getvalue())["customers"][0]["score"] == 0  # nothing yet in 2000


def test_refresh_records_the_change(account, ana):
    add_evidence(ana, account, "commitment", TODAY, "Volume")
    row = refresh(ana, account)
    assert row.computed_on == TODAY and row.score > 0


def test_an_action_done_late_in_the_evening_of_its_due_day_is_on_time(account, ana):
    """The company's day, not UTC's: an action completed at 22:30 in Santiago on its due day
    (01:30 UTC the next day) was done on time; an initiative started that evening dates from
    that day."""
    from kamp.plans.models import ActionStatus, InitiativeStage, PlanAction
    from kamp.plans.models import Initiative as PlanInitiative
    from tests.plans.factories import ActionFactory, InitiativeFactory, PlanFactory

    due = TODAY - datetime.timedelta(days=20)
    evening = datetime.datetime.combine(due, datetime.time(22, 30), timezone.get_current_timezone())
    assert evening.astimezone(datetime.UTC).date() > due  # the UTC day is already the next
    plan = PlanFactory(customer=account)
    action = ActionFactory(
        plan=plan, due=due, status=ActionStatus.DONE, shared_with_customer=True, title="Pilot"
    )
    PlanAction.objects.filter(pk=action.pk).update(completed_at=evening)
    started = InitiativeFactory(plan=plan, stage=InitiativeStage.PILOT, title="Co-design")
    PlanInitiative.objects.filter(pk=started.pk).update(created_at=evening)
    found = {e.kind: e for e in ledger.evidence(account.pk)}
    assert found[reciprocity.ACTION_ON_TIME].on == due
    assert found[reciprocity.CO_CREATION].on == due
