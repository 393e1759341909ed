"""Group accounts in the database: memberships kept in step with the parent chain and the mark,
moves dated so past months stay with the former group, the group's P&L equal to the sum of its
companies' (one definition), the Group tab, the API and the query bound of the page."""

import datetime
from decimal import Decimal

import pytest

from kamp.customers import actions, membership
from kamp.customers.models import CustomerStatus, GroupMembership
from kamp.economics import figures, services
from kamp.economics.group import group_figures, group_pnl
from kamp.economics.pnl import Period
from tests.factories import ContactFactory, CustomerFactory, SalesLineFactory

pytestmark = pytest.mark.django_db


def _month(months_back: int, day: int = 15) -> datetime.date:
    first = datetime.date.today().replace(day=1)
    for _ in range(months_back):
        first = (first - datetime.timedelta(days=1)).replace(day=1)
    return first.replace(day=day)


@pytest.fixture
def holding(director, ana):
    group = actions.do_create_customer(
        director, name="Grupo Andes Holding", owner=ana, is_group_account=True
    )
    a = actions.do_create_customer(director, name="Andes Energía", parent=group)
    b = actions.do_create_customer(director, name="Andes Minería", parent=group)
    # A company under a company of the group belongs to the group too (the parent chain).
    c = actions.do_create_customer(director, name="Andes Minería Norte", parent=b)
    return group, a, b, c


def test_marking_and_the_parent_chain_make_the_memberships(holding, director):
    group, a, b, c = holding
    assert set(membership.current_companies(group)) == {a, b, c}
    assert membership.current_group_id(a) == group.pk
    assert membership.current_group_id(group) == group.pk
    # The first membership has no start: the company's whole history counts for the group.
    assert GroupMembership.objects.get(company=a).valid_from is None
    # Unmarking the holding: its companies belong to no group any more (records closed).
    actions.do_update_customer(director, group, is_group_account=False)
    assert not membership.current_companies(group).exists()
    assert GroupMembership.objects.filter(group=group, valid_to=datetime.date.today()).count() == 3


def test_a_move_keeps_past_months_with_the_former_group(holding, director, bruno):
    group, a, b, c = holding
    other = actions.do_create_customer(
        director, name="Grupo Sur", owner=bruno, is_group_account=True
    )
    SalesLineFactory(customer=a, date=_month(3), net_amount=Decimal(100), cost=Decimal(40))
    SalesLineFactory(customer=a, date=_month(1), net_amount=Decimal(10), cost=Decimal(4))
    # Moved into Grupo Sur two months ago: the sales of three months ago stay with Andes.
    actions.do_update_customer(director, a, parent=other)
    GroupMembership.objects.filter(company=a, group=group).update(valid_to=_month(2, 1))
    GroupMembership.objects.filter(company=a, group=other).update(valid_from=_month(2, 1))
    period = figures.window(datetime.date.today())
    andes, sur = group_pnl(group, period), group_pnl(other, period)
    assert andes.total.net_revenue == Decimal(100)
    assert sur.total.net_revenue == Decimal(10)
    # Together they are the company's P&L: nothing counted twice, nothing lost.
    alone = services.portfolio_pnl(period, [a.pk], with_previous=False)[a.pk]
    assert andes.total.net_revenue + sur.total.net_revenue == alone.net_revenue
    assert andes.total.cost_of_goods + sur.total.cost_of_goods == alone.cost_of_goods


def test_the_group_figures_are_the_figures_of_the_sum_of_its_companies(holding):
    group, a, b, c = holding
    for company, amount in ((group, 1000), (a, 200), (b, 30), (c, 4)):
        SalesLineFactory(customer=company, net_amount=Decimal(amount), cost=Decimal(amount) / 2)
    today = datetime.date.today()
    found, rolled = group_figures(group, today)
    assert found["revenue"].value == Decimal(1234)
    assert found["margin"].value == Decimal(617)
    ids = [group.pk, a.pk, b.pk, c.pk]
    each = services.portfolio_pnl(figures.window(today), ids, with_previous=False)
    assert found["profit_after_kam"].value == sum(each[i].profit_after_kam for i in ids)
    assert set(rolled.parts) == set(ids)
    # The group account alone keeps its own figures on its Summary.
    assert figures.account_figures(group, today)["revenue"].value == Decimal(1000)


def test_the_group_tab_shows_companies_roll_up_interactions_and_people(
    holding, client_for, ana, viewer
):
    group, a, b, c = holding
    SalesLineFactory(customer=a, net_amount=Decimal(5_000_000), cost=Decimal(1))
    ContactFactory(customer=b, name="Rosa Compras", dmu_roles=["buyer"])
    page = client_for(ana).get(f"/customers/{group.pk}/group/")
    assert page.status_code == 200
    html = page.content.decode()
    for name in ("Andes Energía", "Andes Minería", "Andes Minería Norte", "Rosa Compras"):
        assert name in html
    assert "5,000,000" in html  # the owning KAM sees the roll-up's money
    # A viewer sees the group and its people, never its money.
    html = client_for(viewer).get(f"/customers/{group.pk}/group/").content.decode()
    assert "Rosa Compras" in html and "5,000,000" not in html
    # Each company links to its group account; a company is not a group: no Group tab.
    sub = client_for(ana).get(f"/customers/{c.pk}/").content.decode()
    assert f"/customers/{group.pk}/group/" in sub
    assert client_for(ana).get(f"/customers/{a.pk}/group/").status_code == 404


def test_the_group_page_queries_are_bounded(
    holding, client_for, ana, director, django_assert_max_num_queries
):
    group = holding[0]
    url = f"/customers/{group.pk}/group/"
    client = client_for(ana)
    client.get(url)
    with django_assert_max_num_queries(40) as few:
        client.get(url)
    for i in range(30):
        company = actions.do_create_customer(director, name=f"Filial {i}", parent=group)
        SalesLineFactory(customer=company)
        ContactFactory(customer=company)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(url).status_code == 200


def test_the_api_says_the_group_account(holding, client_for, ana):
    group, a, b, c = holding
    body = client_for(ana).get(f"/api/v1/customers/{c.pk}").json()
    assert body["group_account_id"] == group.pk
    rows = client_for(ana).get("/api/v1/customers/?q=Andes").json()
    assert {r["name"]: r["group_account_id"] for r in rows}["Grupo Andes Holding"] == group.pk
    lone = CustomerFactory(status=CustomerStatus.CANDIDATE)
    assert client_for(ana).get(f"/api/v1/customers/{lone.pk}").json()["group_account_id"] is None


def test_segments_cut_the_period_at_every_run():
    from kamp.economics.group import segments

    period = Period(100, 12)
    cuts = segments(period, [(100, 111), (100, 103), (106, 111)])
    assert [(p.first, p.months) for p in cuts] == [(100, 4), (104, 2), (106, 6)]


def test_the_group_roll_up_api_answers_money_only_to_who_may_see_it(
    holding, client_for, ana, viewer
):
    group, a, b, c = holding
    SalesLineFactory(customer=a, net_amount=Decimal(700), cost=Decimal(100))
    SalesLineFactory(customer=group, net_amount=Decimal(300), cost=Decimal(100))
    body = client_for(ana).get(f"/api/v1/customers/{group.pk}/group").json()
    assert body["group"]["name"] == "Grupo Andes Holding"
    assert body["figures"]["revenue"]["value"] == "1000.0000" or Decimal(
        body["figures"]["revenue"]["value"]
    ) == Decimal(1000)
    rows = {r["customer"]["name"]: r for r in body["companies"]}
    assert set(rows) == {"Andes Energía", "Andes Minería", "Andes Minería Norte"}
    assert Decimal(rows["Andes Energía"]["figures"]["revenue"]["value"]) == Decimal(700)
    assert Decimal(body["own_figures"]["revenue"]["value"]) == Decimal(300)
    seen = client_for(viewer).get(f"/api/v1/customers/{group.pk}/group").json()
    assert seen["figures"] is None and seen["companies"][0]["figures"] is None
    # Not a group account: a 404 that says so, never a 500.
    answer = client_for(ana).get(f"/api/v1/customers/{a.pk}/group")
    assert answer.status_code == 404 and "not a group account" in answer.json()["detail"]
    assert (
        client_for(ana).get(f"/api/v1/customers/{group.pk}/group?as_of=2025-13-01").status_code
        == 422
    )


def test_kamp_groups_json_names_the_group_of_a_company(holding):
    import json
    from io import StringIO

    from django.core.management import call_command

    group, a, b, c = holding
    SalesLineFactory(customer=b, net_amount=Decimal(50), cost=Decimal(10))
    out = StringIO()
    call_command("groups", "--customer", str(c.pk), "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert [g["group"]["id"] for g in data] == [group.pk]
    assert Decimal(data[0]["figures"]["revenue"]["value"]) == Decimal(50)
    text = StringIO()
    call_command("groups", stdout=text)
    assert "Grupo Andes Holding" in text.getvalue() and "\t3\t" in text.getvalue()


def test_the_demo_makes_grupo_andes_the_account_of_its_group(db, client_for):
    from kamp.core import demo
    from kamp.core.models import User
    from kamp.customers.models import Customer

    demo.load(today=datetime.date(2026, 11, 28), log=lambda *_: None, modules=[])
    holding = Customer.objects.get(name="Grupo Andes Holding")
    assert holding.is_group_account
    names = set(membership.current_companies(holding).values_list("name", flat=True))
    assert {"Andes Retail S.A.", "Andes Logística SpA"} <= names
    # The roll-up is visible: the group's sales are more than the holding's own.
    today = datetime.date(2026, 11, 28)
    found, rolled = group_figures(holding, today)
    own = figures.account_figures(holding, today)["revenue"].value
    assert found["revenue"].value > own > 0
    director = User.objects.filter(role="director").first()
    page = client_for(director).get(f"/customers/{holding.pk}/group/")
    assert page.status_code == 200 and "Andes Retail S.A." in page.content.decode()


def test_a_customers_import_that_changes_parents_moves_the_companies(holding, director, tmp_path):
    from kamp.core.imports import ImportOptions, run_import
    from tests.core.import_helpers import write_csv

    group, a, b, c = holding
    other = actions.do_create_customer(
        director, name="Grupo Sur", tax_id="96.704.330-3", is_group_account=True
    )
    path = write_csv(
        tmp_path / "customers.csv",
        [
            ["Name", "Parent company"],
            ["Andes Energía", "96.704.330-3"],
            ["Nueva Filial", "Grupo Sur"],
        ],
    )
    report = run_import("customers", path, user=director, options=ImportOptions())
    assert report.updated_count == 1 and report.created_count == 1
    assert membership.current_group_id(a) == other.pk
    assert set(membership.current_companies(other).values_list("name", flat=True)) == {
        "Andes Energía",
        "Nueva Filial",
    }
    # Its months until today stay with Grupo Andes.
    closed = GroupMembership.objects.get(company=a, group=group)
    assert closed.valid_to == datetime.date.today()
