"""kamp.core.fingerprints.summaries: the figures of several querysets (how many rows, the
largest of some fields) read in one statement, equal to what the ORM's aggregates give, on
SQLite and PostgreSQL; grouped_summaries: the same per group (an account)."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.db.models import Count, Max, TextField
from django.db.models.functions import Cast
from django.test.utils import CaptureQueriesContext

from kamp.core.fingerprints import grouped_summaries, summaries
from kamp.core.lookups import Ids
from kamp.customers.models import Contact, Customer
from tests.factories import ContactFactory, CustomerFactory

pytestmark = pytest.mark.django_db


def _as_written(value):
    """A value as the raw statement gives it: SQLite gives dates and times as their text."""
    if connection.vendor == "postgresql" or value is None or isinstance(value, (int, str)):
        return value
    return value.astimezone(datetime.UTC).replace(tzinfo=None).isoformat(" ")


def test_the_same_figures_as_the_orm_in_one_statement():
    a, b, c = CustomerFactory(), CustomerFactory(), CustomerFactory()
    for customer in (a, a, b):
        ContactFactory(customer=customer)
    parts = [
        (Contact.objects.filter(customer_id__any=Ids([a.pk, b.pk])), ("id", "updated_at")),
        (Contact.objects.filter(customer=c), ("id", "updated_at")),  # no rows
        (Customer.objects.filter(pk__in=[a.pk, c.pk]), ("id", "updated_at", "name")),
    ]
    with CaptureQueriesContext(connection) as ctx:
        found = summaries(*parts)
    assert len(ctx.captured_queries) == 1
    for (qs, fields), row in zip(parts, found, strict=True):
        aggregates = {"n": Count("id")} | {f: Max(f) for f in fields}
        want = qs.order_by().aggregate(**aggregates)
        assert row == tuple(_as_written(v) for v in want.values())
    assert found[0][0] == 3 and found[1] == (0, None, None) and found[2][0] == 2


def test_a_filter_that_matches_nothing_reads_nothing():
    with CaptureQueriesContext(connection) as ctx:
        found = summaries((Customer.objects.filter(pk__any=[]), ("id", "updated_at")))
    assert found == [(0, None, None)] and len(ctx.captured_queries) == 0


def test_grouped_figures_are_the_orms_per_group_in_one_statement():
    a, b, c = CustomerFactory(), CustomerFactory(), CustomerFactory()
    for customer in (a, a, b):
        ContactFactory(customer=customer)
    parts = [
        (
            Contact.objects.filter(customer_id__any=Ids([a.pk, b.pk, c.pk])),
            "customer_id",
            ("id", "updated_at"),
        ),
        (Customer.objects.filter(pk__in=[a.pk, c.pk]), "id", ("id", "updated_at")),
        (Contact.objects.filter(customer=c), "customer_id", ("id",)),  # no rows, fewer fields
    ]
    with CaptureQueriesContext(connection) as ctx:
        found = grouped_summaries(*parts)
    assert len(ctx.captured_queries) == 1
    for (qs, key, fields), groups in zip(parts, found, strict=True):
        want = {
            row[key]: (row["n"], *(row[f"m_{f}"] for f in fields))
            for row in qs.order_by()
            .values(key)
            .annotate(n=Count("id"), **{f"m_{f}": Cast(Max(f), TextField()) for f in fields})
        }
        assert groups == want
    assert set(found[0]) == {a.pk, b.pk} and found[0][a.pk][0] == 2
    assert set(found[1]) == {a.pk, c.pk} and found[2] == {}


def test_grouped_figures_of_a_filter_that_matches_nothing_read_nothing():
    with CaptureQueriesContext(connection) as ctx:
        found = grouped_summaries((Customer.objects.filter(pk__any=[]), "id", ("updated_at",)))
    assert found == [{}] and len(ctx.captured_queries) == 0
