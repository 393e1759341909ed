"""kamp.core.fingerprints.summaries: the figures of several querysets (how many rows, the
largest of some fields) read in one statement, equal to what the ORM's aggregates give, on
SQLite and PostgreSQL."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.db.models import Count, Max
from django.test.utils import CaptureQueriesContext

from kamp.core.fingerprints import summaries
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
