"""The selection model's "score groups as one account" (docs/groups.md): a group account is
scored with its companies' sales summed, its companies are not scored apart, and the cap counts
accounts — a group with two key-account companies counts once."""

import datetime
from decimal import Decimal

import pytest

from kamp.customers import actions as customer_actions
from kamp.customers.models import Customer, CustomerStatus
from kamp.selection import actions, engine, grouping
from kamp.selection.modelfile import parse_toml, spec_of, to_toml
from tests.factories import CustomerFactory, SalesLineFactory

pytestmark = pytest.mark.django_db

MODEL = """
name = "{name}"
cap = {cap}
score_groups = {groups}
[[factor]]
key = "revenue"
dimension = "attractiveness"
weight = 1
source = "derived"
metric = "revenue_12m"
[[factor]]
key = "knowledge"
dimension = "position"
weight = 1
"""


@pytest.fixture
def andes(director, bruno):
    holding = customer_actions.do_create_customer(
        director, name="Grupo Andes Holding", is_group_account=True
    )
    subs = [
        customer_actions.do_create_customer(director, name=n, parent=holding, owner=bruno)
        for n in ("Andes Retail", "Andes Logística")
    ]
    # Key accounts by earlier decisions (the status changes only by a decision: set here).
    Customer.objects.filter(pk__in=[s.pk for s in subs]).update(status=CustomerStatus.KEY_ACCOUNT)
    last_month = datetime.date.today().replace(day=1) - datetime.timedelta(days=1)
    for customer, amount in ((holding, 10), (subs[0], 300), (subs[1], 200)):
        SalesLineFactory(customer=customer, net_amount=Decimal(amount), date=last_month)
    lone = CustomerFactory(name="Minera Sola")
    SalesLineFactory(customer=lone, net_amount=Decimal(400), date=last_month)
    return holding, subs, lone


def _model(admin, groups: bool, cap: int = 10):
    spec = parse_toml(
        MODEL.format(name=f"Groups {groups} {cap}", cap=cap, groups="true" if groups else "false")
    )
    return actions.do_save_model(admin, spec, activate=True)


def test_a_group_is_scored_with_its_companies_sales_and_they_are_not_scored_apart(admin, andes):
    holding, subs, lone = andes
    apart = engine.run(_model(admin, groups=False))
    assert apart.revenue[holding.pk] == 10
    assert all(s.pk in apart.by_id for s in subs)
    together = engine.run(_model(admin, groups=True))
    assert together.revenue[holding.pk] == 510  # 10 + 300 + 200: the group outsells Minera Sola
    assert together.inputs[holding.pk]["revenue"][0] > together.inputs[lone.pk]["revenue"][0]
    assert not any(s.pk in together.by_id for s in subs)
    assert together.account_of == {s.pk: holding.pk for s in subs}


def test_the_cap_counts_accounts_not_legal_entities(admin, director, andes):
    holding, subs, lone = andes
    assert len(engine.run(_model(admin, groups=False, cap=1)).key_account_ids) == 2
    run = engine.run(_model(admin, groups=True, cap=1))
    assert run.key_account_ids == [holding.pk]
    # Making the holding itself a key account adds no account: the group is already one.
    outcome = actions.do_decide(director, holding, "make", "The group is the account")
    assert not any("beyond the cap" in w for w in outcome.warnings)
    other = actions.do_decide(director, lone, "make", "A second account")
    assert any("beyond the cap of 1" in w for w in other.warnings)


def test_the_setting_travels_in_the_model_file(admin):
    model = _model(admin, groups=True)
    assert spec_of(model).score_groups is True
    assert "score_groups = true" in to_toml(model)
    assert parse_toml(to_toml(model)).score_groups is True
    with pytest.raises(Exception, match="score_groups must be true or false"):
        parse_toml(MODEL.format(name="G", cap=3, groups='"yes"'))


def test_roll_sales_sums_companies_into_their_group():
    rows = [(1, 10.0, 5.0, 1.0), (2, 20.0, 5.0, 2.0), (3, 30.0, 5.0, 3.0)]
    assert grouping.roll_sales(rows, {}) == rows
    assert grouping.roll_sales(rows, {2: 1, 3: 1}) == [(1, 60.0, 15.0, 6.0)]


def test_pages_and_api_work_when_companies_are_scored_as_their_group(admin, andes, client_for):
    holding, subs, lone = andes
    _model(admin, groups=True)
    client = client_for(admin)
    for url in (
        "/selection/",
        "/selection/grid/",
        f"/selection/customer/{subs[0].pk}/",
        f"/selection/customer/{holding.pk}/",
        f"/customers/{subs[0].pk}/",
    ):
        assert client.get(url).status_code == 200, url
    assert client.get("/api/v1/selection/").status_code in (200, 404)
