"""Who an address is (mail capture, the calendar import) is found through the contacts' index
of lower-case addresses, not by reading the whole contact table for each chunk of a mailbox."""

from __future__ import annotations

import pytest
from django.db import connection

from kamp.interactions.imports import contacts_at, people_by_email
from tests.factories import ContactFactory, CustomerFactory

pytestmark = pytest.mark.django_db


def test_an_address_is_matched_whatever_its_case(account):
    other = CustomerFactory()
    ContactFactory(customer=account, email="Maria.Gonzalez@Constructora.cl")
    ContactFactory(customer=other, email="maria.gonzalez@constructora.cl")
    ContactFactory(customer=other, email="gone@constructora.cl", active=False)
    _ours, contacts = people_by_email(["MARIA.GONZALEZ@constructora.cl", "gone@constructora.cl"])
    assert sorted(c.customer_id for c in contacts["maria.gonzalez@constructora.cl"]) == sorted(
        [account.pk, other.pk]
    )
    assert "gone@constructora.cl" not in contacts  # inactive contacts are not matched


def test_the_lookup_reads_the_index():
    ContactFactory(email="ana@example.com")
    query = contacts_at({"ana@example.com", "bruno@example.com"})
    if connection.vendor == "postgresql":
        # A table of a few rows is read whole by choice; the index must be usable all the same.
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
    plan = query.explain()
    assert "contact_email_lower" in plan, plan
