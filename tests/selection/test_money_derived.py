"""A factor derived from money (revenue, margin…) scores everyone, but its raw figure, the
matrix's bubble size and the order by revenue are only for who may see the economics."""

from __future__ import annotations

import json
import re
from decimal import Decimal

import pytest
from django.core.cache import cache

from kamp.core.choices import Role
from kamp.customers.models import CustomerStatus
from kamp.selection import actions
from kamp.selection.modelfile import parse_toml
from tests.factories import CustomerFactory, SalesLineFactory, TeamMemberFactory, UserFactory

from .factories import HIGH, LOW, score

REVENUE = 309287703
FORMS = [str(REVENUE), f"{REVENUE:,}", f"{REVENUE:,}".replace(",", ".")]

SPEC = """
name = "Derived"
[[factor]]
key = "revenue"
dimension = "attractiveness"
weight = 1
source = "derived"
metric = "revenue_12m"
[[factor]]
key = "customer_knowledge"
dimension = "position"
weight = 1
"""


@pytest.fixture
def derived_model(db, admin, director, account, other_account):
    SalesLineFactory(customer=account, net_amount=Decimal(REVENUE), cost=Decimal(0))
    SalesLineFactory(customer=other_account, net_amount=Decimal(1000), cost=Decimal(0))
    small = CustomerFactory(name="Small SA", status=CustomerStatus.CANDIDATE)
    SalesLineFactory(customer=small, net_amount=Decimal(10), cost=Decimal(0))
    model = actions.do_save_model(admin, parse_toml(SPEC), activate=True)
    for c, level in [(account, HIGH), (other_account, LOW), (small, HIGH)]:
        score(c, director, level, co_investment=6)
    cache.clear()
    return model


@pytest.fixture
def kam_on_team(db, account):
    carla = UserFactory(email="carla@supplier.test", name="Carla KAM", role=Role.KAM)
    TeamMemberFactory(customer=account, user=carla)
    return carla


def _shows_revenue(text: str) -> bool:
    return any(form in text for form in FORMS)


@pytest.mark.parametrize("who", ["viewer", "member", "bruno", "kam_on_team"])
def test_raw_revenue_hidden_from_who_may_not_see_money(
    request, client_for, derived_model, account, who
):
    client = client_for(request.getfixturevalue(who))
    tab = client.get(f"/selection/customer/{account.pk}/")
    assert tab.status_code == 200
    assert not _shows_revenue(tab.content.decode())
    assert "Derived" in tab.content.decode()  # the factor is there, its figure is not
    api = client.get(f"/api/v1/selection/customers/{account.pk}")
    assert api.status_code == 200
    factors = {f["key"]: f for f in api.json()["factors"]}
    assert factors["revenue"]["raw"] is None
    assert factors["revenue"]["score"] is not None  # the score stays: it is not money
    assert not _shows_revenue(api.content.decode())


@pytest.mark.parametrize("who", ["ana", "director"])
def test_raw_revenue_shown_to_who_may_see_money(request, client_for, derived_model, account, who):
    client = client_for(request.getfixturevalue(who))
    assert _shows_revenue(client.get(f"/selection/customer/{account.pk}/").content.decode())
    api = client.get(f"/api/v1/selection/customers/{account.pk}").json()
    raw = {f["key"]: f["raw"] for f in api["factors"]}["revenue"]
    assert raw == pytest.approx(REVENUE)


def _bubbles(client) -> dict[int, float]:
    body = client.get("/selection/").content.decode()
    data = re.search(r'<script id="matrix-data" type="application/json">(.*?)</script>', body, re.S)
    assert data, "the matrix data is on the page"
    return {p["id"]: p["size"] for p in json.loads(data.group(1))["points"]}


def test_bubble_size_by_revenue_only_for_who_sees_every_account(
    client_for, derived_model, viewer, member, director, account, other_account
):
    sizes = _bubbles(client_for(director))
    assert sizes[account.pk] > sizes[other_account.pk]
    for person in (viewer, member):
        sizes = _bubbles(client_for(person))
        assert len(set(sizes.values())) == 1, sizes  # one size: nothing to rank by


def test_a_kam_sees_bubbles_sized_by_own_accounts_only(
    client_for, derived_model, ana, bruno, account, other_account
):
    sizes = _bubbles(client_for(bruno))
    # Bruno's account is sized by its revenue; Ana's bigger one tells him nothing.
    assert sizes[other_account.pk] > sizes[account.pk]


def _table_order(client, sort: str) -> list[str]:
    body = client.get(f"/selection/?sort={sort}").content.decode()
    table = body.split('id="table"')[1]
    return re.findall(r"(Constructora CS|Minera Norte|Small SA)</a>", table)


def test_ordering_by_revenue_only_for_who_sees_every_account(
    client_for, derived_model, viewer, director
):
    assert _table_order(client_for(director), "-revenue")[0] == "Constructora CS"
    viewer_client = client_for(viewer)
    assert _table_order(viewer_client, "-revenue") == _table_order(viewer_client, "rank")
