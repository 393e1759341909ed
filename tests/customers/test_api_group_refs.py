"""The API names a customer's parent and group account as every API object names a customer —
``{"id", "tax_id", "external_id", "name"}`` — beside the older ``parent_id`` and
``group_account_id``; the list reads them at once (its query count does not grow with the
customers) and a reader who may not read the parent gets its id only."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kamp.customers import actions
from kamp.customers.identity import REF_FIELDS, customer_ref
from tests.factories import TeamMemberFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def group(director, ana):
    holding = actions.do_create_customer(
        director,
        name="Grupo Andes Holding",
        owner=ana,
        is_group_account=True,
        tax_id="76.000.001-9",
        external_id="ERP-1",
    )
    retail = actions.do_create_customer(director, name="Andes Retail", parent=holding)
    north = actions.do_create_customer(director, name="Andes Retail Norte", parent=retail)
    return holding, retail, north


def test_parent_and_group_account_are_customer_objects(group, client_for, ana):
    holding, retail, north = group
    body = client_for(ana).get(f"/api/v1/customers/{north.pk}").json()
    assert body["parent_id"] == retail.pk and body["parent"] == customer_ref(retail)
    assert body["group_account_id"] == holding.pk
    assert body["group_account"] == customer_ref(holding)
    assert body["group_account"]["external_id"] == "ERP-1"
    own = client_for(ana).get(f"/api/v1/customers/{holding.pk}").json()
    assert own["parent"] is None and own["group_account"] == customer_ref(holding)
    rows = {r["name"]: r for r in client_for(ana).get("/api/v1/customers/?q=Andes").json()}
    assert rows["Andes Retail"]["parent"] == customer_ref(holding)
    assert rows["Andes Retail Norte"]["group_account"]["name"] == "Grupo Andes Holding"


def test_a_parent_the_reader_may_not_read_is_named_by_id_only(group, client_for, member):
    holding, retail, north = group
    TeamMemberFactory(customer=north, user=member)
    body = client_for(member).get(f"/api/v1/customers/{north.pk}").json()
    assert body["parent_id"] == retail.pk and body["parent"] is None
    assert body["group_account_id"] == holding.pk and body["group_account"] is None
    [row] = client_for(member).get("/api/v1/customers/").json()
    assert row["parent"] is None and row["group_account"] is None


def test_the_list_reads_parents_and_groups_in_flat_queries(group, client_for, ana, director):
    holding = group[0]
    c = client_for(ana)
    counts = []
    for n in (1, 12):
        for i in range(n):
            sub = actions.do_create_customer(director, name=f"Filial {n}-{i}", parent=holding)
            actions.do_create_customer(director, name=f"Filial {n}-{i} Sur", parent=sub)
        c.get("/api/v1/customers/")  # the session settles
        with CaptureQueriesContext(connection) as ctx:
            rows = c.get("/api/v1/customers/").json()
        assert all(set(r["group_account"]) == set(REF_FIELDS) for r in rows)
        counts.append(len(ctx.captured_queries))
    assert len(rows) == 3 + 2 + 24 and counts[0] == counts[1]


def test_openapi_names_the_parent_and_group_with_the_one_schema(client_for, director):
    schemas = client_for(director).get("/api/v1/openapi.json").json()["components"]["schemas"]
    props = schemas["CustomerOut"]["properties"]
    for name in ("parent", "group_account"):
        assert {"$ref": "#/components/schemas/CustomerRef"} in props[name]["anyOf"]
    assert "parent_id" in props and "group_account_id" in props
