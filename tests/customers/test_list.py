"""The customer list: search, filters, sorting that keeps the filters, HTMX live search,
pagination, and a query count that does not grow with the number of customers."""

from __future__ import annotations

import pytest
from django.urls import reverse

from kamp.customers.models import Customer, CustomerStatus
from tests.factories import CustomerFactory, UserFactory

URL = reverse("customers:list")


@pytest.fixture
def portfolio(ana, bruno):
    CustomerFactory(
        name="Constructora CS",
        tax_id="76.543.210-3",
        industry="Construcción",
        region="Metropolitana",
        status=CustomerStatus.KEY_ACCOUNT,
        owner=ana,
    )
    CustomerFactory(
        name="Minera Norte",
        industry="Minería",
        region="Antofagasta",
        status=CustomerStatus.KEY_ACCOUNT,
        owner=bruno,
        external_id="ERP-77",
    )
    CustomerFactory(name="Agrícola Sur", industry="Agroindustria", region="Maule")


def names(response):
    return [c.name for c in response.context["page"]]


def test_search_by_name_tax_id_and_code(client_for, viewer, portfolio):
    c = client_for(viewer)
    assert names(c.get(URL, {"q": "minera"})) == ["Minera Norte"]
    assert names(c.get(URL, {"q": "543.210"})) == ["Constructora CS"]
    assert names(c.get(URL, {"q": "ERP-77"})) == ["Minera Norte"]
    r = c.get(URL, {"q": "nothing like it"})
    assert "No customer matches these filters." in r.content.decode()


def test_filters(client_for, ana, portfolio):
    c = client_for(ana)
    assert names(c.get(URL, {"status": "key_account"})) == ["Constructora CS", "Minera Norte"]
    assert names(c.get(URL, {"industry": "Minería"})) == ["Minera Norte"]
    assert names(c.get(URL, {"region": "Maule"})) == ["Agrícola Sur"]
    assert names(c.get(URL, {"owner": "me"})) == ["Constructora CS"]
    r = c.get(URL)
    assert list(r.context["industries"]()) == ["Agroindustria", "Construcción", "Minería"]


def test_sorting_toggles_and_keeps_the_filters(client_for, ana, portfolio):
    c = client_for(ana)
    r = c.get(URL, {"status": "key_account", "sort": "-name"})
    assert names(r) == ["Minera Norte", "Constructora CS"]
    text = r.content.decode()
    assert 'aria-sort="descending"' in text
    assert "?status=key_account&amp;sort=name" in text  # the name head sorts back up, same filter
    assert names(c.get(URL, {"sort": "region"})) == [
        "Minera Norte",
        "Agrícola Sur",
        "Constructora CS",
    ]
    assert names(c.get(URL, {"sort": "bogus"})) == sorted(names(c.get(URL)))


def test_htmx_gets_only_the_results(client_for, ana, portfolio):
    r = client_for(ana).get(URL, {"q": "cs"}, headers={"HX-Request": "true"})
    text = r.content.decode()
    assert text.lstrip().startswith('<div id="results">')
    assert "<html" not in text and "Constructora CS" in text


def test_pagination_keeps_the_filters(client_for, ana):
    for i in range(60):
        CustomerFactory(name=f"Empresa {i:03d}", region="Biobío")
    r = client_for(ana).get(URL, {"region": "Biobío"})
    assert len(r.context["page"]) == 50
    assert "?region=Bio" in r.content.decode() and "page=2" in r.content.decode()
    r = client_for(ana).get(URL, {"region": "Biobío", "page": 2})
    assert len(r.context["page"]) == 10


def test_empty_list_teaches(client_for, ana):
    text = client_for(ana).get(URL).content.decode()
    assert "No customers yet" in text and "Add a customer" in text


@pytest.mark.parametrize("person", ["ana", "member", "viewer"])
def test_query_count_does_not_grow_with_customers(
    request, client_for, person, member, django_assert_max_num_queries
):
    from tests.factories import TeamMemberFactory

    user = request.getfixturevalue(person)
    owner = UserFactory(role="kam")

    def add(n, start):
        rows = Customer.objects.bulk_create(
            [
                Customer(
                    name=f"Cliente {start + i:05d}",
                    industry=f"Industria {i % 7}",
                    region=f"Región {i % 5}",
                    owner=owner,
                    status=CustomerStatus.CANDIDATE,
                )
                for i in range(n)
            ]
        )
        for row in rows[:5]:
            TeamMemberFactory(customer=row, user=member)

    add(20, 0)
    c = client_for(user)
    c.get(URL)
    with django_assert_max_num_queries(12) as few:
        c.get(URL, {"sort": "owner"})
    add(400, 20)
    with django_assert_max_num_queries(len(few.captured_queries)):
        r = c.get(URL, {"sort": "owner"})
    assert r.status_code == 200


def test_filter_menus_follow_changes(client_for, ana, portfolio):
    c = client_for(ana)
    assert "Pesca" not in c.get(URL).content.decode()
    CustomerFactory(name="Pesquera Sur", industry="Pesca")
    assert "Pesca" in c.get(URL).content.decode()


def test_htmx_update_skips_the_menus(client_for, ana, portfolio, django_assert_max_num_queries):
    c = client_for(ana)
    c.get(URL)
    from django.core.cache import cache

    cache.clear()
    # 6: the session is read, not saved (renewed at most once a minute).
    with django_assert_max_num_queries(6) as captured:
        c.get(URL, {"q": "cs"}, headers={"HX-Request": "true"})
    assert not any("DISTINCT" in q["sql"] for q in captured.captured_queries)
