"""kamp import activity-types | activities | investments | category-spend: all-or-nothing, errors
with line, column and reason; the CLI."""

from decimal import Decimal as D

import pytest
from django.core.management import call_command

from kamp.core.imports import revert_batch, run_import
from kamp.economics import services
from kamp.economics.models import (
    ActivityRecord,
    ActivityType,
    CategorySpend,
    Investment,
    InvestmentAllocation,
)
from tests.core.import_helpers import write_csv

pytestmark = pytest.mark.django_db


def test_activity_types_then_activities(tmp_path, admin, account):
    types = write_csv(
        tmp_path / "types.csv",
        [
            ["activity", "driver", "rate", "currency"],
            ["Visita técnica", "minute", "500", "CLP"],
            ["Informe mensual", "evento", "150000", ""],
        ],
    )
    batch = run_import("activity-types", types, user=admin)
    assert batch.status == "done", batch.errors
    assert ActivityType.objects.get(name="Informe mensual").driver == "event"
    acts = write_csv(
        tmp_path / "acts.csv",
        [
            ["customer", "period", "activity", "count", "minutes"],
            [account.tax_id, "2025-07", "visita tecnica", "4", "90"],
            ["Constructora CS", "2025-08", "Informe mensual", "1", ""],
        ],
    )
    batch = run_import("activities", acts, user=admin)
    assert batch.status == "done", batch.errors
    assert sorted(ActivityRecord.objects.values_list("cost", flat=True)) == [D(150_000), D(180_000)]
    assert services.account_pnl(account, "2025-Q3").cost_to_serve == D(330_000)
    # Re-importing the types updates the rate; revert restores it.
    types2 = write_csv(
        tmp_path / "types2.csv",
        [["activity", "driver", "rate"], ["Visita técnica", "minute", "650"]],
    )
    batch2 = run_import("activity-types", types2, user=admin)
    assert batch2.updated_count == 1 and ActivityType.objects.get(name="Visita técnica").rate == 650
    revert_batch(batch2, admin)
    assert ActivityType.objects.get(name="Visita técnica").rate == 500


def test_activities_all_or_nothing_with_line_column_reason(tmp_path, admin, account):
    ActivityType.objects.create(name="Visit", driver="minute", rate=D(10), currency="CLP")
    acts = write_csv(
        tmp_path / "bad.csv",
        [
            ["customer", "period", "activity", "count", "minutes"],
            [account.tax_id, "2025-07", "Visit", "1", "30"],
            [account.tax_id, "2025-Q3", "Visit", "1", "30"],
            [account.tax_id, "2025-07", "Unknown", "1", "30"],
            [account.tax_id, "2025-07", "Visit", "1", ""],
            ["Nobody SA", "2025-07", "Visit", "1", "30"],
        ],
    )
    batch = run_import("activities", acts, user=admin)
    assert batch.status != "done"
    assert not ActivityRecord.objects.exists()
    by_line = {e["line"]: e for e in batch.errors}
    assert set(by_line) == {3, 4, 5, 6}
    assert by_line[3]["column"] == "period" and "month" in by_line[3]["message"]
    assert by_line[4]["column"] == "activity"
    assert by_line[5]["column"] == "minutes"
    assert by_line[6]["column"] == "customer"


def test_kam_imports_only_own_accounts(tmp_path, ana, account, other_account):
    ActivityType.objects.create(name="Visit", driver="event", rate=D(10), currency="CLP")
    acts = write_csv(
        tmp_path / "a.csv",
        [["customer", "period", "activity", "count"], ["Minera Norte", "2025-07", "Visit", "1"]],
    )
    batch = run_import("activities", acts, user=ana)
    assert batch.status != "done" and batch.errors[0]["line"] == 2


def test_investments_per_account_and_programme_wide(tmp_path, admin, account, other_account):
    path = write_csv(
        tmp_path / "inv.csv",
        [
            ["customer", "date", "kind", "amount", "currency", "note"],
            [account.tax_id, "2025-03-01", "sponsorship", "1.000.000", "CLP", "=cmd|' /C calc'!A0"],
            ["", "15-03-2025", "Estructura de ventas", "1000001", "", "programme"],
        ],
    )
    batch = run_import("investments", path, user=admin)
    assert batch.status == "done", batch.errors
    programme = Investment.objects.get(customer__isnull=True)
    parts = list(
        InvestmentAllocation.objects.filter(investment=programme).values_list("amount", flat=True)
    )
    assert sum(parts) == D(1_000_001) and len(parts) == 2
    assert services.account_pnl(account, "2025-03").kam_investments == D(1_000_000) + max(parts)
    revert_batch(batch, admin)
    assert not Investment.objects.exists() and not InvestmentAllocation.objects.exists()


def test_investment_kind_errors(tmp_path, admin, account):
    path = write_csv(
        tmp_path / "inv.csv",
        [["customer", "date", "kind", "amount"], [account.tax_id, "2025-03-01", "lunch", "10"]],
    )
    batch = run_import("investments", path, user=admin)
    assert batch.errors[0]["column"] == "kind" and "sponsorship" in batch.errors[0]["message"]


def test_category_spend_upserts(tmp_path, admin, account):
    path = write_csv(
        tmp_path / "sow.csv",
        [
            ["customer", "period", "amount", "currency"],
            [account.tax_id, "2025", "120000000", "CLP"],
        ],
    )
    assert run_import("category-spend", path, user=admin).status == "done"
    path2 = write_csv(
        tmp_path / "sow2.csv",
        [["cliente", "periodo", "monto"], [account.tax_id, "2025", "150.000.000"]],
    )
    batch = run_import("category-spend", path2, user=admin)
    assert batch.updated_count == 1
    assert CategorySpend.objects.get().amount == D(150_000_000)


def test_cli(tmp_path, admin, account, capsys):
    path = write_csv(
        tmp_path / "types.csv",
        [["activity", "driver", "rate", "currency"], ["Call", "event", "1000", "CLP"]],
    )
    call_command("import", "activity-types", str(path))
    assert ActivityType.objects.filter(name="Call").exists()
    path = write_csv(
        tmp_path / "acts.csv",
        [["customer", "period", "activity", "count"], [account.tax_id, "2025-07", "Call", "3"]],
    )
    call_command("import", "activities", str(path))
    capsys.readouterr()
    call_command("pnl", "--customer", account.tax_id, "--period", "2025-Q3", "--json")
    import json

    assert json.loads(capsys.readouterr().out)[0]["cost_to_serve"] == "3000"
