"""The scoring run's fingerprint (``engine.fingerprint``): what a run is kept under, so it must
change with every change to what the run reads — and it must not count whole tables on every
page view. Rows added or changed show in a table's largest id and latest change; rows deleted
in the deletions counted by ``kamp.core.deletions`` (a deletion through Django, an import's
revert, the monthly sales sums' own SQL)."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from kamp.core import deletions
from kamp.customers.models import Customer
from kamp.economics.models import SalesLine, SalesMonth
from kamp.selection import engine
from kamp.selection.models import Assessment
from tests.factories import CustomerFactory, SalesLineFactory

from .factories import HIGH, score

pytestmark = pytest.mark.django_db


def _fingerprint() -> tuple[str, int]:
    return engine.fingerprint(engine.ensure_default_model(), timezone.localdate())


def test_unchanged_data_keep_their_fingerprint_and_no_table_is_counted(director, account):
    score(account, director, HIGH, co_investment=8)
    first = _fingerprint()
    with CaptureQueriesContext(connection) as queries:
        assert _fingerprint() == first
    # Read in one statement (beside the model and the settings). The large tables are not counted; the number of customers only
    # as far as it matters (a LIMIT in the count). (A model's few factors and the reciprocity
    # ledger are counted.)
    reading = [q["sql"].replace('"', "") for q in queries if "customers_customer" in q["sql"]]
    assert len(reading) == 1, reading
    sql = reading[0]
    for large in ("customers_customer", "selection_assessment", "economics_salesmonth"):
        assert not re.search(rf"COUNT\([^)]*\) FROM {large}\b", sql, re.IGNORECASE), sql
    assert re.search(r"COUNT\(\*\) FROM \(SELECT 1 FROM customers_customer LIMIT", sql), sql
    assert first[1] == Customer.objects.count()
    # A key any cache backend takes (memcached: no spaces or control characters, 250 bytes).
    assert not re.search(r"\s", first[0]) and len(first[0].encode()) < 200, first[0]


def test_an_assessment_deleted_changes_it(director, account):
    score(account, director, HIGH, co_investment=8)
    before = _fingerprint()
    # Not the newest one: the largest id and the latest change stay as they were.
    Assessment.objects.order_by("id").first().delete()
    assert _fingerprint()[0] != before[0]
    before = _fingerprint()
    Assessment.objects.filter(factor="co_investment").delete()  # a queryset, not one row
    assert _fingerprint()[0] != before[0]


def test_a_customer_deleted_changes_it_and_its_count(director, ana, account):
    from kamp.customers.actions import do_delete_customer

    first = CustomerFactory(name="Oldest", owner=ana)
    CustomerFactory(name="Newest", owner=ana)
    before = _fingerprint()
    do_delete_customer(director, Customer.objects.get(pk=first.pk))
    after = _fingerprint()
    assert after[0] != before[0]
    assert after[1] == before[1] - 1 == Customer.objects.count()


def test_an_imports_revert_changes_it(tmp_path, director, account):
    """A revert deletes the rows its import created in bulk, without signals."""
    from kamp.core.imports import ImportOptions, revert_batch, run_import

    score(account, director, HIGH)
    path = tmp_path / "a.csv"
    path.write_text("customer,factor,score\n76.123.456-0,co_investment,7\n")
    batch = run_import("assessments", str(path), user=director, options=ImportOptions())
    assert Assessment.objects.filter(factor="co_investment").exists()
    # Scored after the import: the newest assessment is not the one that goes.
    score(CustomerFactory(name="Later"), director, HIGH)
    before = _fingerprint()
    revert_batch(batch, director)
    assert not Assessment.objects.filter(factor="co_investment").exists()
    assert _fingerprint()[0] != before[0]


def test_a_months_sales_sums_gone_change_it(account):
    """A month's last sales line deleted (as a sales import's revert deletes its lines, then
    recomputes their months' sums): its monthly sum goes, nothing takes its place."""
    from kamp.economics import sales_months

    line = SalesLineFactory(
        customer=account, date=date(2026, 5, 10), net_amount=Decimal(500), currency="CLP"
    )
    # A later line: the newest monthly sum is not the one that goes.
    SalesLineFactory(
        customer=account, date=date(2026, 3, 10), net_amount=Decimal(1000), currency="CLP"
    )
    assert SalesMonth.objects.filter(customer=account).count() == 2
    before = _fingerprint()
    SalesLine.objects.filter(pk=line.pk).delete()
    sales_months.refresh([account.pk], line.date, line.date)
    assert SalesMonth.objects.filter(customer=account).count() == 1
    assert _fingerprint()[0] != before[0]


def test_deletions_are_counted_from_the_first(account):
    assert deletions.counts(Customer, Assessment) == (0, 0)
    deletions.bump(Assessment)
    deletions.bump(Assessment)
    assert deletions.counts(Customer, Assessment) == (0, 2)


def test_a_kept_run_is_used_until_a_deletion(director, account, other_account):
    """End to end: the matrix's run is kept while nothing changes, and a deleted assessment
    (not the newest) makes the next run read the data again."""
    score(account, director, HIGH, co_investment=8)
    score(other_account, director, HIGH, co_investment=8)
    run = engine.run()
    assert run.by_id[other_account.pk].recommended
    assert engine.run() is run
    Assessment.objects.filter(customer=account, factor="co_investment").delete()
    fresh = engine.run()
    assert fresh is not run
    assert fresh.by_id[account.pk].reason != run.by_id[account.pk].reason
