"""Re-importing sales lines that are already in kamp (same document and line number): the file's
values replace the lines' exactly — amounts, dates, customers —, the monthly sums and stored
figures follow both where a line was and where it is now, a revert puts every previous value
back, and the work is set-based: the number of queries does not grow with the lines."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kamp.core.imports import revert_batch, run_import
from kamp.core.models import ImportChange
from kamp.economics import sales_import
from kamp.economics.models import SalesLine
from tests.core.import_helpers import write_csv
from tests.economics.test_sales_months import (
    assert_figures_follow,
    lines_by_month,
    stored,
    stored_figures,  # noqa: F401 (the autouse fixture: two scoring months stored)
)
from tests.factories import CustomerFactory

D = Decimal
HEADER = ["RUT", "Fecha", "N° documento", "Línea", "Producto", "Cantidad", "Monto Neto", "Costo"]
FIRST = [
    ["76.123.456-0", "03-01-2026", "F-1", "1", "Cemento", "10", "1.000", "600"],
    ["76.123.456-0", "31-01-2026", "F-1", "2", "Acero", "2,5", "500", "100"],
    ["76.123.456-0", "01-02-2026", "F-2", "1", "Arena", "", "200", "50"],
    ["77.777.777-7", "15-02-2026", "F-3", "1", "Cal", "1", "9.999", "1"],
]
FIELDS = (
    "document_number",
    "line_number",
    "customer_id",
    "date",
    "net_amount",
    "cost",
    "currency",
    "product",
    "quantity",
)


def snapshot() -> dict:
    return {(r[0], r[1]): r[2:] for r in SalesLine.objects.order_by("id").values_list(*FIELDS)}


@pytest.fixture
def imported(tmp_path, account, admin):
    other = CustomerFactory(name="Otra", tax_id="77.777.777-7")
    path = write_csv(tmp_path / "first.csv", [HEADER, *FIRST], delimiter=";")
    batch = run_import("sales", path, user=admin)
    assert batch.status == "done", batch.errors
    return batch, other


def test_reimport_replaces_amounts_dates_and_customers_exactly(tmp_path, account, admin, imported):
    first, other = imported
    path = write_csv(
        tmp_path / "second.csv",
        [
            HEADER,
            # corrected amount and quantity
            ["76.123.456-0", "03-01-2026", "F-1", "1", "Cemento", "12", "1.234", "600"],
            # moved to the other customer and to March
            ["77.777.777-7", "10-03-2026", "F-1", "2", "Acero", "2,5", "600", "100"],
            # no cost and no quantity in the file: the line keeps its own
            ["76.123.456-0", "05-02-2026", "F-2", "1", "Arena fina", "", "210", ""],
            # a new line beside them
            ["76.123.456-0", "06-02-2026", "F-9", "1", "Yeso", "3", "30", "3"],
        ],
        delimiter=";",
    )
    before = snapshot()
    again = run_import("sales", path, user=admin)
    assert again.status == "done", again.errors
    assert (again.created_count, again.updated_count) == (1, 3)
    after = snapshot()
    assert after[("F-1", "1")] == (
        account.pk,
        dt.date(2026, 1, 3),
        D("1234"),
        D("600"),
        "CLP",
        "Cemento",
        D("12"),
    )
    assert after[("F-1", "2")] == (
        other.pk,
        dt.date(2026, 3, 10),
        D("600"),
        D("100"),
        "CLP",
        "Acero",
        D("2.5"),
    )
    assert after[("F-2", "1")] == (
        account.pk,
        dt.date(2026, 2, 5),
        D("210"),
        D("50"),
        "CLP",
        "Arena fina",
        None,
    )
    assert after[("F-3", "1")] == before[("F-3", "1")]  # not in the file: untouched
    assert after[("F-9", "1")][:3] == (account.pk, dt.date(2026, 2, 6), D("30"))
    assert SalesLine.objects.count() == 5
    # The sums and stored figures follow the lines: January lost a line, March got one.
    assert stored() == lines_by_month()
    assert_figures_follow()
    assert stored()[(account.pk, dt.date(2026, 1, 1), "CLP")] == (D("1234"), D(600), 1)
    assert stored()[(other.pk, dt.date(2026, 3, 1), "CLP")] == (D(600), D(100), 1)
    # The revert finds what it needs: one change per updated line, none for the new one.
    assert ImportChange.objects.filter(batch=again).count() == 3

    revert_batch(again, admin)
    assert snapshot() == before
    assert stored() == lines_by_month()
    assert_figures_follow()
    revert_batch(first, admin)
    assert snapshot() == {} and stored() == {}


def test_reimporting_the_same_file_changes_nothing_and_reverts_to_the_same(
    tmp_path, admin, imported
):
    first, _other = imported
    before, sums = snapshot(), stored()
    path = write_csv(tmp_path / "again.csv", [HEADER, *FIRST], delimiter=";")  # a re-export
    with CaptureQueriesContext(connection) as queries:
        again = run_import("sales", path, user=admin)
    # Every line is reported unchanged: none written, none kept for a revert.
    assert (again.created_count, again.updated_count) == (0, 0)
    assert again.options["unchanged"] == 4
    assert not ImportChange.objects.filter(batch=again).exists()
    table = SalesLine._meta.db_table
    assert not [q for q in queries if q["sql"].startswith(f'UPDATE "{table}"')]
    assert snapshot() == before and stored() == sums
    revert_batch(again, admin)
    assert snapshot() == before and stored() == sums


def test_reimport_with_half_the_lines_changed_writes_and_reverts_only_those(
    tmp_path, account, admin
):
    n = 40

    def make(name: str, amount_of):
        return write_csv(
            tmp_path / f"{name}.csv",
            [HEADER]
            + [
                ["76.123.456-0", f"{1 + i % 28:02d}-01-2026", f"H-{i}", "1", "P", "", amount_of(i)]
                + ["5"]
                for i in range(n)
            ],
            delimiter=";",
        )

    run_import("sales", make("first", lambda i: "10"), user=admin)
    before = snapshot()
    # Odd lines get a new amount; even lines are repeated as they are (one written as 10,00).
    again = run_import("sales", make("second", lambda i: "11" if i % 2 else "10,00"), user=admin)
    assert again.status == "done", again.errors
    assert (again.created_count, again.updated_count) == (0, n // 2)
    assert again.options["unchanged"] == n // 2
    changed = {(f"H-{i}", "1") for i in range(1, n, 2)}
    assert {
        (doc, line)
        for doc, line in SalesLine.objects.filter(
            pk__in=[
                int(x)
                for x in ImportChange.objects.filter(batch=again).values_list(
                    "object_id", flat=True
                )
            ]
        ).values_list("document_number", "line_number")
    } == changed
    after = snapshot()
    assert {k for k in after if after[k] != before[k]} == changed
    assert all(after[k][2] == D("11") for k in changed)
    assert stored() == lines_by_month()
    assert stored()[(account.pk, dt.date(2026, 1, 1), "CLP")][0] == D(10 * n + n // 2)
    revert_batch(again, admin)
    assert snapshot() == before
    assert stored() == lines_by_month()


def test_without_update_from_the_same_result(tmp_path, account, admin, imported):
    """SQLite before 3.33 has no UPDATE … FROM: the correlated form writes the same values."""
    _first, other = imported
    path = write_csv(
        tmp_path / "second.csv",
        [
            HEADER,
            ["77.777.777-7", "10-03-2026", "F-1", "2", "Acero", "", "600", ""],
            ["76.123.456-0", "04-01-2026", "F-1", "1", "Cemento", "11", "1.100", "650"],
        ],
        delimiter=";",
    )
    before = snapshot()
    with mock.patch.object(sales_import, "_SQLITE_UPDATE_FROM", False):
        again = run_import("sales", path, user=admin)
    assert again.updated_count == 2
    after = snapshot()
    assert after[("F-1", "2")] == (
        other.pk,
        dt.date(2026, 3, 10),
        D("600"),
        D("100"),
        "CLP",
        "Acero",
        D("2.5"),
    )
    assert after[("F-1", "1")][1:4] == (dt.date(2026, 1, 4), D("1100"), D("650"))
    assert stored() == lines_by_month()
    revert_batch(again, admin)
    assert snapshot() == before


def test_reimport_queries_do_not_grow_with_the_lines(tmp_path, account, admin):
    def make(n: int, name: str, amount: str):
        return write_csv(
            tmp_path / name,
            [HEADER]
            + [
                ["76.123.456-0", "01-01-2026", f"{name}-{i}", "1", "P", "1", amount, "5"]
                for i in range(n)
            ],
            delimiter=";",
        )

    counts, reverts = {}, {}
    for n in (10, 1500):
        assert run_import("sales", make(n, f"d{n}", "10"), user=admin).created_count == n
        with CaptureQueriesContext(connection) as queries:
            again = run_import("sales", make(n, f"d{n}", "20"), user=admin)
        assert again.updated_count == n
        counts[n] = len(queries)
        these = SalesLine.objects.filter(document_number__startswith=f"d{n}-")
        assert set(these.values_list("net_amount", flat=True)) == {D(20)}
        assert stored() == lines_by_month()
        # The revert puts every line back set-based too.
        with CaptureQueriesContext(connection) as queries:
            reverted = revert_batch(again, admin)
        reverts[n] = len(queries)
        assert reverted.options["reverted"]["restored"] == n
        assert set(these.values_list("net_amount", flat=True)) == {D(10)}
        assert stored() == lines_by_month()
    assert counts[1500] == counts[10], counts
    assert reverts[1500] == reverts[10], reverts


def test_a_line_moved_alone_leaves_its_old_customer_and_month(tmp_path, account, admin, imported):
    """The only line of a customer's month moves to another customer: the month it left is
    emptied, though nothing else in the file touches that customer."""
    _first, other = imported
    path = write_csv(
        tmp_path / "moved.csv",
        [HEADER, ["76.123.456-0", "20-04-2026", "F-3", "1", "Cal", "1", "9.999", "1"]],
        delimiter=";",
    )
    assert run_import("sales", path, user=admin).updated_count == 1
    assert (other.pk, dt.date(2026, 2, 1), "CLP") not in stored()
    assert stored()[(account.pk, dt.date(2026, 4, 1), "CLP")] == (D(9999), D(1), 1)
    assert stored() == lines_by_month()
    assert_figures_follow()


def test_revert_of_a_large_reimport_restores_every_line(tmp_path, account, admin):
    """More changes than the revert reads at once (2,000): restored chunk by chunk, while the
    revert is still reading the rest."""
    n = 2600

    def make(amount: str):
        return write_csv(
            tmp_path / f"big-{amount}.csv",
            [HEADER]
            + [
                [
                    "76.123.456-0",
                    f"{1 + i % 28:02d}-0{1 + i % 3}-2026",
                    f"B-{i}",
                    "1",
                    "P",
                    "1",
                    amount,
                    "5",
                ]
                for i in range(n)
            ],
            delimiter=";",
        )

    run_import("sales", make("10"), user=admin)
    before = snapshot()
    again = run_import("sales", make("20"), user=admin)
    assert again.updated_count == n
    assert revert_batch(again, admin).options["reverted"]["restored"] == n
    assert snapshot() == before
    assert stored() == lines_by_month()


def test_the_report_and_the_cli_say_how_many_lines_were_unchanged(
    tmp_path, admin, imported, client_for
):
    from io import StringIO

    from django.core.management import call_command
    from django.urls import reverse

    path = write_csv(tmp_path / "again.csv", [HEADER, *FIRST], delimiter=";")
    out = StringIO()
    call_command("import", "sales", str(path), "--no-progress", stdout=out)
    assert "0 created, 0 updated, 4 unchanged" in out.getvalue()
    again = imported[0].__class__.objects.order_by("-pk").first()
    assert again.options["unchanged"] == 4
    c = client_for(admin)
    c.post(reverse("set_language"), {"language": "es", "next": "/"})
    page = c.get(reverse("core:import_batch", args=[again.pk])).content.decode()
    assert '<span class="kpi">4</span><span class="kpi-label">sin cambios</span>' in page


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's planner and JIT")
def test_on_postgresql_the_staging_joins_are_never_jit_compiled(tmp_path, account, admin):
    """The joins with the staging table are forced onto the indexes (the planner has no
    statistics for it), which prices them above ``jit_above_cost``: compiled first, they cost
    100–200 ms each instead of 15 ms, most of a re-import's time. Each statement of a re-import
    and of its revert is explained as it runs: none may plan JIT."""

    def make(name: str, amount_of):
        return write_csv(
            tmp_path / f"{name}.csv",
            [HEADER]
            + [
                ["76.123.456-0", f"{1 + i % 28:02d}-0{1 + i % 3}-2026", f"J-{i}", "1", "P", ""]
                + [amount_of(i), "5"]
                for i in range(60)
            ],
            delimiter=";",
        )

    jitted, explained = [], []

    def explain(execute, sql, params, many, context):
        if not many and sql.startswith(
            ("UPDATE", "DELETE FROM kamp_sales_stage", 'INSERT INTO "core_importchange"')
        ):
            cur = context["cursor"]
            cur.execute("EXPLAIN (FORMAT JSON) " + sql, params)
            explained.append(sql)
            if "JIT" in cur.fetchone()[0][0]:
                jitted.append(sql)
        return execute(sql, params, many, context)

    run_import("sales", make("first", lambda i: "10"), user=admin)
    before = snapshot()
    with connection.execute_wrapper(explain):
        again = run_import("sales", make("second", lambda i: "11" if i % 2 else "10"), user=admin)
        assert (again.updated_count, again.options["unchanged"]) == (30, 30)
        after = snapshot()
        revert_batch(again, admin)
    assert {k for k in after if after[k] != before[k]} == {(f"J-{i}", "1") for i in range(1, 60, 2)}
    assert len(explained) >= 4 and not jitted, jitted
    assert snapshot() == before and stored() == lines_by_month()
    # The switches are the transaction's only: the next statements plan as the server says.
    with connection.cursor() as cur:
        cur.execute("SELECT current_setting('enable_seqscan'), current_setting('jit')")
        assert cur.fetchone() == ("on", "on")
