"""Counting only as far as a threshold needs (kamp.core.counting)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kamp.core.counting import count_up_to
from kamp.customers.models import Customer
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def test_counts_up_to_the_limit_and_no_further():
    for i in range(5):
        CustomerFactory(name=f"C{i}")
    everyone = Customer.objects.all()
    assert count_up_to(everyone, 10) == 5
    assert count_up_to(everyone, 5) == 5
    assert count_up_to(everyone, 3) == 3
    assert count_up_to(everyone.filter(name__in=["C1", "C2"]), 3) == 2
    assert count_up_to(everyone.none(), 3) == 0
    with CaptureQueriesContext(connection) as queries:
        count_up_to(everyone.order_by("name"), 3)
    [query] = queries
    # The database stops after the limit (and does not sort what it counts).
    assert "LIMIT 3" in query["sql"].upper() and "ORDER BY" not in query["sql"].upper()
