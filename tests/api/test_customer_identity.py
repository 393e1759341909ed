"""Every API object that names a customer carries the same identity: a nested ``customer``
object ``{"id", "tax_id", "external_id", "name"}`` (the one ``CustomerRef`` schema), with the
older fields (``customer_id``…) kept beside it; lists read the customers in constant queries."""

from __future__ import annotations

import pytest

from kamp.customers.identity import REF_FIELDS
from tests.factories import ContactFactory
from tests.plans.factories import ActionFactory, PlanFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def cs(account):
    account.external_id = "ERP-17"
    account.save()
    return {
        "id": account.pk,
        "tax_id": "76.123.456-0",
        "external_id": "ERP-17",
        "name": account.name,
    }


def test_interactions_analysis_and_log(client_for, ana, account, cs):
    c = client_for(ana)
    rows = c.get("/api/v1/interactions/analysis").json()
    assert next(r for r in rows if r["customer_id"] == account.pk)["customer"] == cs
    assert c.get(f"/api/v1/interactions/customers/{account.pk}/analysis").json()["customer"] == cs
    made = c.post(
        f"/api/v1/interactions/customers/{account.pk}/interactions",
        {
            "date": "2026-01-05",
            "topic": "Prices",
            "our_people": [ana.pk],
            "their_contacts": [ContactFactory(customer=account).pk],
        },
        content_type="application/json",
    )
    assert made.status_code == 201 and made.json()["customer"] == cs
    listed = c.get(f"/api/v1/interactions/customers/{account.pk}/interactions").json()
    assert [i["customer"] for i in listed] == [cs]


def test_selection_results_robustness_and_one_customer(client_for, director, account, cs):
    c = client_for(director)
    results = c.get("/api/v1/selection/results").json()
    assert [r["customer"] for r in results["results"]] == [cs]
    assert all(set(r) == set(REF_FIELDS) for r in results["recommended"])
    rob = c.get("/api/v1/selection/robustness").json()
    for ref in rob["recommended"] + rob["robust"]:
        assert ref == cs
    assert c.get(f"/api/v1/selection/customers/{account.pk}").json()["customer"] == cs


def test_plans(client_for, ana, account, cs):
    plan = PlanFactory(customer=account)
    ActionFactory(plan=plan, owner=ana)
    c = client_for(ana)
    assert [p["customer"] for p in c.get("/api/v1/plans/").json()] == [cs]
    assert c.get(f"/api/v1/plans/{plan.pk}").json()["customer"] == cs
    assert [a["customer"] for a in c.get("/api/v1/plans/my-actions").json()] == [cs]


def test_plan_list_reads_the_customers_at_once(client_for, ana):
    """As many queries for six plans of six customers as for one."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import CustomerFactory

    c = client_for(ana)
    counts = []
    for n in (1, 5):
        for _ in range(n):
            PlanFactory(customer=CustomerFactory(owner=ana))
        c.get("/api/v1/plans/")  # the session settles
        with CaptureQueriesContext(connection) as ctx:
            rows = c.get("/api/v1/plans/").json()
        assert all(set(r["customer"]) == set(REF_FIELDS) for r in rows)
        counts.append(len(ctx.captured_queries))
    assert len(rows) == 6 and counts[0] == counts[1]


def test_team(client_for, ana, account, cs):
    data = client_for(ana).get(f"/api/v1/team/customers/{account.pk}").json()
    assert data["customer"] == cs and data["customer_id"] == account.pk


def test_programme(client_for, director, account, cs):
    c = client_for(director)
    health = c.get("/api/v1/programme/health").json()
    accounts = [a for check in health["checks"] for a in check["accounts"]]
    assert accounts and all(a["customer"] == cs for a in accounts)
    benefits = c.get("/api/v1/programme/benefits").json()
    assert [a["customer"] for a in benefits["accounts"]] == [cs]
    alerts = c.get("/api/v1/programme/alerts").json()["open"]
    about_cs = [a for a in alerts if a["customer_id"] == account.pk]
    assert about_cs and all(a["customer"] == cs for a in about_cs)
    assert all(a["customer_name"] == account.name for a in about_cs)


def test_openapi_names_one_customer_schema(client_for, director):
    schemas = client_for(director).get("/api/v1/openapi.json").json()["components"]["schemas"]
    assert schemas["CustomerRef"]["required"] == list(REF_FIELDS)
    for name in ("AnalysisOut", "InteractionOut", "PlanOut", "MyActionOut"):
        assert schemas[name]["properties"]["customer"] == {
            "$ref": "#/components/schemas/CustomerRef"
        }


def test_economics(client_for, admin, account, cs):
    from datetime import date
    from decimal import Decimal

    from tests.factories import SalesLineFactory

    SalesLineFactory(customer=account, date=date(2025, 7, 1), net_amount=Decimal(1000))
    c = client_for(admin)
    one = c.get(f"/api/v1/economics/customers/{account.pk}/pnl", {"period": "2025"}).json()
    assert one["customer"] == cs and one["customer_id"] == account.pk
    assert one["previous"]["customer"] == cs
    series = c.get(f"/api/v1/economics/customers/{account.pk}/pnl/series").json()
    assert series and all(p["customer"] == cs for p in series)
    rows = c.get("/api/v1/economics/portfolio", {"period": "2025"}).json()
    assert [(r["customer"], r["pnl"]["customer"]) for r in rows] == [(cs, cs)]
    made = c.post(
        f"/api/v1/economics/customers/{account.pk}/investments",
        {"kind": "people", "amount": "500", "date": "2025-07-01"},
        content_type="application/json",
    )
    assert made.status_code == 201, made.content
    assert made.json()["customer"] == cs
    assert [a["customer"] for a in made.json()["allocations"]] == [cs]
    shares = c.get(f"/api/v1/economics/customers/{account.pk}/investments").json()
    assert [a["customer"] for a in shares] == [cs]


def test_relationships_and_contacts(client_for, ana, director, account, cs):
    from kamp.relationships import actions

    actions.do_assess(ana, account, ro=6, ds=5, db=5.5)
    c = client_for(ana)
    rel = c.get(f"/api/v1/relationships/customers/{account.pk}").json()
    assert rel["customer"] == cs and rel["assessment"]["customer"] == cs
    listed = c.get(f"/api/v1/relationships/customers/{account.pk}/assessments").json()
    assert [a["customer"] for a in listed] == [cs]
    portfolio = client_for(director).get("/api/v1/relationships/portfolio").json()
    assert [r["customer"] for r in portfolio] == [cs]
    contact = ContactFactory(customer=account)
    contacts = c.get(f"/api/v1/customers/{account.pk}/contacts").json()
    assert [(x["id"], x["customer"]) for x in contacts] == [(contact.pk, cs)]


def test_every_schema_naming_a_customer_carries_the_identity(client_for, director):
    """Walks the served OpenAPI schema: an object with a customer_id also has ``customer``,
    the one CustomerRef; and no two areas' schemas share a name (the portfolio rows did)."""
    schemas = client_for(director).get("/api/v1/openapi.json").json()["components"]["schemas"]
    ref = {"$ref": "#/components/schemas/CustomerRef"}
    naming = [n for n, s in schemas.items() if "customer_id" in s.get("properties", {})]
    assert len(naming) >= 10
    for name in naming:
        if name.endswith(("In", "Patch")):
            continue  # what a client sends names the customer by its id
        prop = schemas[name]["properties"].get("customer")
        assert prop in (ref, {"anyOf": [ref, {"type": "null"}]}), f"{name}.customer: {prop}"
    assert {"PnLPortfolioRow", "RelationshipPortfolioRow"} <= set(schemas)
    assert "PortfolioRow" not in schemas
