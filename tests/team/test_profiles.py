"""KAM profiles in bulk (``kamp.team.profiles.build_profiles``): what the dashboard, the KAM list,
a KAM's profile and the API show of each KAM's key accounts."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kamp.customers.models import Customer, CustomerStatus
from kamp.team.profiles import build_profiles
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def _key_account(owner, name: str, **fields) -> Customer:
    return CustomerFactory(name=name, status=CustomerStatus.KEY_ACCOUNT, owner=owner, **fields)


def test_each_key_account_is_listed_by_name_with_its_identity(ana, bruno, account):
    second = _key_account(ana, "Acme Andes", tax_id="77.000.111-2", external_id="SAP-9")
    _key_account(bruno, "Minera Norte")
    CustomerFactory(name="A prospect", owner=ana)  # not a key account: only counted
    ana_profile, bruno_profile = build_profiles([ana, bruno], date(2026, 6, 1))
    listed = [a.customer for a in ana_profile.accounts]
    assert [c.name for c in listed] == ["Acme Andes", "Constructora CS"]
    assert (listed[0].pk, listed[0].tax_id, listed[0].external_id) == (
        second.pk,
        "77.000.111-2",
        "SAP-9",
    )
    assert (listed[1].pk, listed[1].tax_id) == (account.pk, "76.123.456-0")
    assert str(listed[0]) == "Acme Andes"
    assert ana_profile.key_accounts == 2 and ana_profile.other_accounts == 1
    assert [a.customer.name for a in bruno_profile.accounts] == ["Minera Norte"]


def test_an_accounts_tenure_starts_on_the_day_it_was_created_where_the_company_is(ana):
    # 01:30 UTC on 2 March is still 1 March in Santiago (UTC−3 then): the owner has held the
    # account since the 1st, as the rest of kamp counts days.
    customer = _key_account(ana, "Constructora CS")
    Customer.objects.filter(pk=customer.pk).update(
        created_at=datetime(2026, 3, 2, 1, 30, tzinfo=UTC)
    )
    (profile,) = build_profiles([ana], date(2026, 3, 11))
    (fit,) = profile.accounts
    assert fit.since == date(2026, 3, 1)
    assert fit.tenure_days == 10


def test_the_same_queries_for_one_account_or_many(ana, bruno):
    def read():
        build_profiles([ana, bruno], date(2026, 6, 1))  # the scoring run of these data, kept
        with CaptureQueriesContext(connection) as queries:
            profiles = build_profiles([ana, bruno], date(2026, 6, 1))
        return profiles, queries

    _key_account(ana, "Uno")
    _profiles, one = read()
    for i in range(6):
        _key_account(ana if i % 2 else bruno, f"Cuenta {i}")
    profiles, many = read()
    assert sum(p.key_accounts for p in profiles) == 7
    assert len(many) == len(one)
