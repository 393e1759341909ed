"""Cost-to-serve records imported from a file fit their columns as the form and the API make
them: the count (14 digits, 2 decimals), the minutes (12, 2) and the cost computed from them."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from kamp.core.imports import run_import
from kamp.economics.models import ActivityRecord, ActivityType
from tests.core.import_helpers import write_csv

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("count", "minutes", "field"),
    [
        ("10000000000000", "1", "count"),  # 14 whole digits: the count keeps 12
        ("1.2345", "1", "count"),  # 4 decimals: the count keeps 2
        ("1", "12345678901", "minutes"),  # 11 whole digits: the minutes keep 10
        ("1", "1.0055", "minutes"),
        ("999999999999", "9999999999", "count"),  # each fits; the cost (≈10^25) does not
    ],
)
def test_an_activity_import_refuses_what_its_columns_cannot_keep(
    tmp_path, admin, account, count, minutes, field
):
    ActivityType.objects.create(name="Visit", driver="minute", rate=Decimal(1000), currency="CLP")
    path = write_csv(
        tmp_path / "acts.csv",
        [
            ["customer", "period", "activity", "count", "minutes"],
            [account.tax_id, "2025-07", "Visit", count, minutes],
        ],
    )
    batch = run_import("activities", path, user=admin)
    assert batch.status != "done"
    assert not ActivityRecord.objects.exists()
    errors = json.dumps(batch.errors, default=str)
    assert field in errors.lower(), errors


def test_an_activity_import_keeps_the_largest_that_fits(tmp_path, admin, account):
    ActivityType.objects.create(name="Visit", driver="minute", rate=Decimal(1), currency="CLP")
    path = write_csv(
        tmp_path / "acts.csv",
        [
            ["customer", "period", "activity", "count", "minutes"],
            [account.tax_id, "2025-07", "Visit", "999999999.99", "9999.99"],
        ],
    )
    batch = run_import("activities", path, user=admin)
    assert batch.status == "done", batch.errors
    record = ActivityRecord.objects.get()
    assert record.count == Decimal("999999999.99") and record.minutes == Decimal("9999.99")
