"""Look-backs of key-account decisions with the database: due dates before their day, controls
matched by quadrant and size at the decision, the flag and its alert when the account did worse,
money only to who may see it, the API and ``kamp lookback --json``; the demo's CS decision reads as
the improvement the lecture tells."""

import datetime
import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from kamp.customers.models import Customer, CustomerSize, CustomerStatus
from kamp.selection import alerts, lookbacks
from kamp.selection.models import Decision, SelectionModel, Snapshot, SnapshotPoint
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def _world(account, director, days_ago):
    on = TODAY - datetime.timedelta(days=days_ago)
    account.size = CustomerSize.LARGE
    account.save()
    model = SelectionModel.objects.create(name="m", is_active=True)
    snap = Snapshot.objects.create(model=model, taken_on=on)
    twin = CustomerFactory(name="Twin", size=CustomerSize.LARGE, status=CustomerStatus.CANDIDATE)
    small = CustomerFactory(name="Small", size=CustomerSize.SMALL, status=CustomerStatus.CANDIDATE)
    other_q = CustomerFactory(name="Elsewhere", size=CustomerSize.LARGE)
    for c, q in (
        (account, "strategic"),
        (twin, "strategic"),
        (small, "strategic"),
        (other_q, "star"),
    ):
        SnapshotPoint.objects.create(
            snapshot=snap, customer=c, attractiveness=8, position=8, quadrant=q
        )
    d = Decision.objects.create(
        customer=account,
        kind=Decision.Kind.MAKE,
        from_status="candidate",
        to_status="key_account",
        rationale="Strategic",
        decided_by=director,
        decided_on=on,
        quadrant="strategic",
    )
    return d, twin


def _fake_values(account_id, account_change, control_change):
    def values(ids, day):
        late = day > TODAY - datetime.timedelta(days=300)
        out = {}
        for cid in ids:
            step = account_change if cid == account_id else control_change
            v = 100.0 + (step if late else 0)
            out[cid] = {
                "profit_after_kam": v,
                "share_of_wallet": None,
                "diamond_index": None,
                "rqi": None,
            }
        return out

    return values


def test_a_recent_decision_says_when_its_lookbacks_are_due(client_for, account, director):
    d, _twin = _world(account, director, days_ago=30)
    lb = lookbacks.for_decision(d)
    assert [h.due for h in lb.horizons] == [False, False]
    assert lb.horizons[0].due_on == lookbacks.lookback.due_on(d.decided_on, 12)
    html = (
        client_for(director)
        .get(reverse("selection:customer_tab", args=[account.pk]), HTTP_ACCEPT_LANGUAGE="es")
        .content.decode()
    )
    from kamp.core.formatting import format_date

    assert f"Vence el {format_date(lb.horizons[0].due_on, lang='es')}." in html


def test_controls_share_quadrant_and_size_and_are_not_key_accounts(account, director):
    d, twin = _world(account, director, days_ago=400)
    [twelve, twenty_four] = lookbacks.for_decision(d).horizons
    assert twelve.due and not twenty_four.due
    assert twelve.controls == [twin.pk]
    # A matched customer made a key account meanwhile is no control.
    twin.status = CustomerStatus.KEY_ACCOUNT
    twin.save()
    assert lookbacks.for_decision(d).horizons[0].controls == []


def test_worse_than_its_matches_is_flagged_and_alerted(monkeypatch, account, director):
    d, _twin = _world(account, director, days_ago=400)
    monkeypatch.setattr(lookbacks, "_values", _fake_values(account.pk, -10, 20))
    lb = lookbacks.for_decision(d)
    assert lb.flagged and lb.horizons[0].verdict == "worse"
    found = [
        a
        for a in alerts.alerts(Customer.objects.filter(pk=account.pk))
        if a.kind == "lookback_worse"
    ]
    assert found and found[0].url.endswith(f"#lookback-{d.pk}")
    monkeypatch.setattr(lookbacks, "_values", _fake_values(account.pk, 30, 20))
    assert not lookbacks.for_decision(d).flagged


def test_api_hides_money_from_who_may_not_see_it(
    monkeypatch, client_for, account, director, viewer
):
    d, _twin = _world(account, director, days_ago=400)
    monkeypatch.setattr(lookbacks, "_values", _fake_values(account.pk, 30, 20))
    url = f"/api/v1/selection/customers/{account.pk}/lookbacks"
    body = client_for(director).get(url).json()
    twelve = body["decisions"][0]["lookbacks"][0]
    assert twelve["figures"]["profit_after_kam"]["change"] == 30
    assert twelve["verdict"] == "better" and twelve["controls"] == 1
    r = client_for(viewer).get(url)
    assert r.status_code == 200
    figures = r.json()["decisions"][0]["lookbacks"][0]["figures"]
    assert figures["profit_after_kam"] is None and figures["rqi"] is not None
    out = StringIO()
    call_command("lookback", "--json", "--customer", account.tax_id, stdout=out)
    [row] = json.loads(out.getvalue())["decisions"]
    assert row["customer"]["id"] == account.pk and row["lookbacks"][1]["due"] is False
    assert row["lookbacks"][1]["due_on"] == lookbacks.lookback.due_on(d.decided_on, 24).isoformat()


def test_the_demo_tells_cs_improvement():
    from kamp.core.demo import load

    ctx = load(log=lambda *_: None)
    cs = ctx.customers["cs"]
    out = StringIO()
    call_command("lookback", "--json", "--customer", str(cs.pk), stdout=out)
    [row] = json.loads(out.getvalue())["decisions"]
    twelve = row["lookbacks"][0]
    assert twelve["due"] and twelve["verdict"] == "better" and twelve["controls"] >= 3
    profit = twelve["figures"]["profit_after_kam"]
    assert profit["change"] > profit["controls_change"]
    assert not row["flagged"]
    out = StringIO()
    call_command("reciprocity", "--json", "--customer", str(cs.pk), stdout=out)
    [rec] = json.loads(out.getvalue())["customers"]
    kinds = {i["kind"] for i in rec["items"]}
    assert {"commitment", "data_shared", "co_creation", "executive_meeting", "survey"} <= kinds
    assert rec["stored_score"] == pytest.approx(rec["score"], abs=0.01)
    assert rec["score"] >= 7


def test_programme_benefits_summarise_the_lookbacks(monkeypatch, client_for, account, director):
    d, _twin = _world(account, director, days_ago=400)
    monkeypatch.setattr(lookbacks, "_values", _fake_values(account.pk, -10, 20))
    html = (
        client_for(director)
        .get(reverse("programme:benefits"), HTTP_ACCEPT_LANGUAGE="es")
        .content.decode()
    )
    assert "¿Fue acertada la decisión? Revisiones" in html
    assert "peor que sus comparables" in html and "marcada para revisión" in html
    assert f"#lookback-{d.pk}" in html
