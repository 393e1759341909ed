"""The pipeline API's changes: a bid updated and deleted, a contract created and updated —
through the same actions as the pages, with the money rule and a 4xx with its reason."""

from __future__ import annotations

from decimal import Decimal

import pytest

from kamp.core.models import AuditEvent
from kamp.pipeline import actions
from kamp.pipeline.models import Bid, Contract
from tests.factories import CustomerFactory, TeamMemberFactory

JSON = "application/json"


@pytest.fixture
def candidate(db, ana, member):
    c = CustomerFactory(name="Constructora Nueva", owner=ana, currency="CLP")
    TeamMemberFactory(customer=c, user=member)
    return c


def test_patch_bid_changes_only_what_is_sent(client_for, ana, candidate):
    bid = actions.do_save_bid(ana, candidate, title="Tender", scope="Works", value="1000")
    r = client_for(ana).patch(
        f"/api/v1/pipeline/bids/{bid.pk}", {"stage": "negotiation"}, content_type=JSON
    )
    assert r.status_code == 200, r.content
    assert (r.json()["stage"], r.json()["probability"], r.json()["scope"]) == (
        "negotiation",
        75,
        "Works",
    )
    bid.refresh_from_db()
    assert (bid.stage, bid.value) == ("negotiation", Decimal(1000))
    assert AuditEvent.objects.filter(
        object_type="pipeline.bid", object_id=str(bid.pk), action="update"
    ).exists()


def test_patch_bid_refuses_bad_input_with_its_reason(client_for, ana, member, candidate):
    bid = actions.do_save_bid(ana, candidate, title="Tender", value="700")
    url = f"/api/v1/pipeline/bids/{bid.pk}"
    # Pesos have no cents: refused with the reason, nothing changed.
    r = client_for(ana).patch(url, {"value": "100.5", "currency": "CLP"}, content_type=JSON)
    assert r.status_code == 422 and "CLP" in r.content.decode()
    r = client_for(ana).patch(url, {"title": "  "}, content_type=JSON)
    assert r.status_code == 422 and "title" in r.json()["detail"]
    r = client_for(ana).patch(url, {"stage": "maybe"}, content_type=JSON)
    assert r.status_code == 422
    # A team member who may not see the economics enters no amount.
    r = client_for(member).patch(url, {"value": "100"}, content_type=JSON)
    assert r.status_code == 403
    # ... nor clears one.
    r = client_for(member).patch(url, {"value": None}, content_type=JSON)
    assert r.status_code == 403
    r = client_for(member).patch(url, {"rivals": "Big Firm"}, content_type=JSON)
    assert r.status_code == 200 and r.json()["value"] is None
    bid.refresh_from_db()
    assert (bid.title, bid.value, bid.rivals) == ("Tender", Decimal(700), "Big Firm")


def test_delete_bid(client_for, ana, bruno, candidate):
    bid = actions.do_save_bid(ana, candidate, title="Tender")
    url = f"/api/v1/pipeline/bids/{bid.pk}"
    assert client_for(bruno).delete(url).status_code in (403, 404)
    assert Bid.objects.filter(pk=bid.pk).exists()
    assert client_for(ana).delete(url).status_code == 204
    assert not Bid.objects.filter(pk=bid.pk).exists()
    assert AuditEvent.objects.filter(object_type="pipeline.bid", action="delete").exists()
    assert client_for(ana).delete(url).status_code == 404


def test_create_and_patch_contract(client_for, ana, member, candidate):
    url = f"/api/v1/pipeline/customers/{candidate.pk}/contracts"
    body = {"title": "Framework", "starts_on": "2026-01-01", "ends_on": "2026-12-31"}
    r = client_for(ana).post(url, {**body, "value": "5000000"}, content_type=JSON)
    assert r.status_code == 201, r.content
    assert (r.json()["currency"], Decimal(r.json()["value"])) == ("CLP", 5000000)
    cid = r.json()["id"]
    # Ending before it starts: refused with the reason, nothing changed.
    r = client_for(ana).patch(
        f"/api/v1/pipeline/contracts/{cid}", {"ends_on": "2025-06-30"}, content_type=JSON
    )
    assert r.status_code == 422 and "ends_on" in r.json()["detail"]
    r = client_for(member).post(url, {**body, "value": "1"}, content_type=JSON)
    assert r.status_code == 403
    r = client_for(member).patch(
        f"/api/v1/pipeline/contracts/{cid}", {"title": "Framework 2026"}, content_type=JSON
    )
    assert r.status_code == 200 and r.json()["value"] is None
    r = client_for(member).patch(
        f"/api/v1/pipeline/contracts/{cid}", {"value": None}, content_type=JSON
    )
    assert r.status_code == 403
    contract = Contract.objects.get(pk=cid)
    assert contract.value == 5000000
    assert (contract.title, str(contract.ends_on)) == ("Framework 2026", "2026-12-31")
    other = CustomerFactory(owner=ana)
    foreign = actions.do_save_bid(ana, other, title="Elsewhere")
    r = client_for(ana).patch(
        f"/api/v1/pipeline/contracts/{cid}", {"bid_id": foreign.pk}, content_type=JSON
    )
    assert r.status_code == 422 and "bid_id" in r.json()["detail"]


def test_delete_bid_from_its_page_asks_in_spanish(client_for, ana, candidate):
    from django.urls import reverse

    bid = actions.do_save_bid(ana, candidate, title="Tender")
    client = client_for(ana)
    client.cookies["django_language"] = "es"
    page = client.get(reverse("pipeline:bid_edit", args=[bid.pk]), HTTP_ACCEPT_LANGUAGE="es")
    html = page.content.decode()
    assert "¿Eliminar esta licitación" in html
    assert reverse("pipeline:bid_delete", args=[bid.pk]) in html
    r = client.post(reverse("pipeline:bid_delete", args=[bid.pk]))
    assert r.status_code == 302 and not Bid.objects.filter(pk=bid.pk).exists()


def test_delete_contract_from_its_page_asks_in_spanish(client_for, ana, member, bruno, candidate):
    from django.urls import reverse

    contract = actions.do_save_contract(
        ana, candidate, title="Framework", starts_on="2026-01-01", ends_on="2026-12-31"
    )
    client = client_for(ana)
    client.cookies["django_language"] = "es"
    url = reverse("pipeline:contract_delete", args=[contract.pk])
    html = client.get(reverse("pipeline:contract_edit", args=[contract.pk])).content.decode()
    assert "¿Eliminar este contrato?" in html and url in html
    assert client_for(bruno).post(url).status_code in (403, 404)
    assert Contract.objects.filter(pk=contract.pk).exists()
    r = client.post(url)
    assert r.status_code == 302 and not Contract.objects.filter(pk=contract.pk).exists()
    assert AuditEvent.objects.filter(object_type="pipeline.contract", action="delete").exists()
