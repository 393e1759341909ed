"""``field__any=ids`` (kamp.core.lookups) finds exactly what ``field__in=ids`` finds, on
SQLite and PostgreSQL (the suite runs on both): one array parameter on PostgreSQL."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kamp.core.lookups import Ids
from kamp.customers.models import Contact, Customer
from tests.factories import ContactFactory, CustomerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def customers():
    out = [CustomerFactory() for _ in range(6)]
    for c in out[:4]:
        ContactFactory(customer=c)
        ContactFactory(customer=c)
    return out


def test_the_same_rows_as_in(customers):
    ids = [c.pk for c in customers[1:5]] + [10**9]  # one that does not exist
    for field in ("customer_id", "customer"):
        found = set(Contact.objects.filter(**{f"{field}__any": ids}).values_list("pk", flat=True))
        expected = set(Contact.objects.filter(customer_id__in=ids).values_list("pk", flat=True))
        assert found == expected and len(found) == 6
    assert set(Customer.objects.filter(pk__any=ids).values_list("pk", flat=True)) == set(ids[:-1])


def test_no_ids_find_nothing(customers):
    assert not Contact.objects.filter(customer_id__any=[]).exists()
    assert Customer.objects.exclude(pk__any=[]).count() == len(customers)


def test_the_ids_go_as_one_parameter_on_postgresql(customers):
    ids = [c.pk for c in customers]
    with CaptureQueriesContext(connection) as ctx:
        assert Customer.objects.filter(pk__any=ids).count() == len(ids)
    sql = ctx.captured_queries[-1]["sql"]
    if connection.vendor == "postgresql":
        assert "= ANY(" in sql
    else:
        assert " IN (" in sql


def test_a_query_is_refused_with_a_clear_error(customers):
    with pytest.raises(TypeError, match="use __in"):
        Contact.objects.filter(customer_id__any=Customer.objects.values("pk"))


def test_ids_of_any_size_and_spelling(customers):
    # Ids read from a form (strings), and one past 32 bits: PostgreSQL gets them as one array
    # of bigints, so neither is refused nor matches a wrong row.
    ids = [str(customers[0].pk), customers[1].pk, 2**40]
    assert set(Customer.objects.filter(pk__any=ids).values_list("pk", flat=True)) == {
        customers[0].pk,
        customers[1].pk,
    }
    assert Customer.objects.exclude(pk__any=ids).count() == len(customers) - 2


def test_ids_given_as_one_value_find_the_same_rows(customers):
    ids = [c.pk for c in customers[1:5]]
    wanted = Ids(ids)
    # one Ids serves several queries, on a key and on a foreign key
    assert set(Customer.objects.filter(pk__any=wanted).values_list("pk", flat=True)) == set(ids)
    found = set(Contact.objects.filter(customer_id__any=wanted).values_list("pk", flat=True))
    assert found == set(Contact.objects.filter(customer_id__in=ids).values_list("pk", flat=True))
    assert not Customer.objects.filter(pk__any=Ids([])).exists()


def test_the_filter_builder_does_not_visit_each_id(customers, monkeypatch):
    # The reason Ids exists: Django's filter builder resolves and checks each item of a list
    # (about 2 µs an id, ten queries of 500 ids on the dashboard); an Ids is one value to it.
    from django.db.models.sql.query import Query

    visits = []
    original = Query.check_query_object_type

    def counting(self, value, opts, field):
        visits.append(value)
        return original(self, value, opts, field)

    monkeypatch.setattr(Query, "check_query_object_type", counting)
    many = Ids([c.pk for c in customers] + list(range(10**9, 10**9 + 500)))
    assert Contact.objects.filter(customer_id__any=many).count() == 8
    assert visits == []
    Contact.objects.filter(customer_id__any=[c.pk for c in customers]).count()
    assert len(visits) == len(customers)  # a list: each id visited
