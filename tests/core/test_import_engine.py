"""The import engine end to end: kinds, matching, two passes, one transaction, revert."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from unittest import mock

import pytest

from kamp.core.imports import ImportOptions, RevertError, revert_batch, run_import
from kamp.core.models import AuditEvent, ImportBatch, ImportChange
from kamp.customers.models import Contact, Customer
from kamp.economics.models import SalesLine
from tests.factories import ContactFactory, CustomerFactory

from .import_helpers import write_csv, write_xlsx

S = ImportBatch.Status
pytestmark = pytest.mark.django_db


def run(kind, path, user=None, **options):
    return run_import(kind, path, user=user, options=ImportOptions(**options))


# --- customers ----------------------------------------------------------------------------------
def test_customers_csv_semicolon_cp1252(tmp_path, admin, ana):
    path = write_csv(
        tmp_path / "clientes.csv",
        [
            ["RUT", "Razón social", "Industria", "Región", "Estado", "KAM", "Tamaño", "País"],
            [
                "76.123.456-0",
                "Constructora Ñandú",
                "Construcción",
                "Metropolitana",
                "Cuenta clave",
                ana.email.upper(),
                "Grande",
                "cl",
            ],
            ["77123456-9", "Minera Cóndor", "Minería", "Antofagasta", "Candidato", "", "", ""],
        ],
        encoding="cp1252",
        delimiter=";",
    )
    batch = run("customers", path, admin)
    assert batch.status == S.DONE, (batch.message, batch.errors)
    assert (batch.created_count, batch.updated_count, batch.total_rows) == (2, 0, 2)
    c = Customer.objects.get(tax_id="76.123.456-0")
    assert (c.name, c.owner, c.status, c.size, c.country) == (
        "Constructora Ñandú",
        ana,
        "key_account",
        "large",
        "CL",
    )
    assert c.import_batch == batch
    assert Customer.objects.get(name="Minera Cóndor").tax_id == "77.123.456-9"  # normalised
    events = AuditEvent.objects.filter(object_type="core.importbatch")
    assert [(e.action, e.object_id) for e in events] == [("import", str(batch.pk))]


@pytest.mark.parametrize(
    "header",
    [
        ["rut", "RAZON SOCIAL"],
        ["Tax ID", "Company name"],
        ["tax_id", "name"],
        ["  R.U.T. ", "Razón Social"],
        ["NIT", "Nombre"],
    ],
)
def test_alias_headers(tmp_path, header):
    path = write_csv(tmp_path / "c.csv", [header, ["76.123.456-0", "Acme"]])
    batch = run("customers", path)
    assert batch.status == S.DONE, batch.message
    assert Customer.objects.get().name == "Acme"


def test_mapping_override_by_header_and_by_number(tmp_path):
    path = write_csv(
        tmp_path / "c.csv",
        [["Código", "Cliente", "Alias", "Comentario"], ["A-1", "Legal name", "Short", "hello"]],
    )
    batch = run("customers", path, mapping={"Cliente": "", "Alias": "name", "4": "notes"})
    assert batch.status == S.DONE, batch.message
    c = Customer.objects.get()
    assert (c.external_id, c.name, c.notes) == ("A-1", "Short", "hello")


def test_unknown_override_is_a_clear_refusal(tmp_path):
    path = write_csv(tmp_path / "c.csv", [["RUT", "Nombre"], ["76.123.456-0", "A"]])
    batch = run("customers", path, mapping={"Nope": "name"})
    assert batch.status == S.FAILED and "no column “Nope”" in batch.message
    batch = run("customers", path, mapping={"Nombre": "shoe size"})
    assert batch.status == S.FAILED and "not a field" in batch.message


def test_missing_required_column(tmp_path):
    path = write_csv(tmp_path / "c.csv", [["RUT", "Región"], ["76.123.456-0", "Sur"]])
    batch = run("customers", path)
    assert batch.status == S.FAILED and "name" in batch.message and "RUT, Región" in batch.message
    assert Customer.objects.count() == 0


def test_bad_rows_are_reported_with_line_and_column_and_nothing_is_written(tmp_path, ana):
    path = write_csv(
        tmp_path / "c.csv",
        [
            ["RUT", "Razón social", "Estado", "KAM", "País"],
            ["76.123.456-0", "Good", "", "", ""],
            ["76.123.456-1", "Bad RUT", "", "", ""],
            ["", "Bad status", "Maybe", "", ""],
            ["", "Unknown KAM", "", "nobody@x.test", ""],
            ["", "", "", "", "Narnia"],  # a name no country has
            ["76123456-0", "Duplicate of line 2", "", "", ""],
        ],
    )
    batch = run("customers", path)
    assert batch.status == S.FAILED
    assert batch.invalid_count == 5 and Customer.objects.count() == 0
    errors = {(e["line"], e["column"]) for e in batch.errors}
    assert {
        (3, "RUT"),
        (4, "Estado"),
        (5, "KAM"),
        (6, "País"),
        (6, "Razón social"),
        (7, "RUT"),
    } <= errors
    messages = " ".join(e["message"] for e in batch.errors)
    assert "check digit" in messages and "line 2" in messages


def test_skip_invalid_writes_the_good_rows(tmp_path):
    path = write_csv(
        tmp_path / "c.csv",
        [
            ["RUT", "Nombre"],
            ["76.123.456-0", "Good"],
            ["76.123.456-1", "Bad"],
            ["96.790.240-3", "Good too"],
        ],
    )
    batch = run("customers", path, skip_invalid=True)
    assert batch.status == S.DONE
    assert (batch.created_count, batch.skipped_count, batch.invalid_count) == (2, 1, 1)
    assert batch.errors[0]["line"] == 3


def test_dry_run_writes_nothing(tmp_path):
    path = write_csv(tmp_path / "c.csv", [["RUT", "Nombre"], ["76.123.456-0", "A"]])
    batch = run("customers", path, dry_run=True)
    assert batch.status == S.VALIDATED and batch.invalid_count == 0
    assert Customer.objects.count() == 0


def test_reimport_updates_by_tax_id_then_external_id_and_revert_restores(tmp_path, admin, ana):
    old = CustomerFactory(name="Old name", tax_id="76.123.456-0", region="Norte", owner=None)
    by_code = CustomerFactory(name="Coded", external_id="C-9", region="Sur")
    path = write_csv(
        tmp_path / "c.csv",
        [
            ["RUT", "Código", "Nombre", "Región", "KAM"],
            ["76123456-0", "", "New name", "", ana.email],  # empty region: kept
            ["", "C-9", "Coded", "Centro", ""],
            ["96.790.240-3", "", "Brand new", "Este", ""],
        ],
    )
    batch = run("customers", path, admin)
    assert (batch.created_count, batch.updated_count) == (1, 2)
    old.refresh_from_db()
    by_code.refresh_from_db()
    assert (old.name, old.region, old.owner) == ("New name", "Norte", ana)
    assert by_code.region == "Centro"
    assert Customer.objects.count() == 3
    # Importing the same file again changes nothing and duplicates nothing.
    again = run("customers", path, admin)
    assert (again.created_count, again.updated_count) == (0, 3) and Customer.objects.count() == 3
    revert_batch(again, admin)
    revert_batch(batch, admin)
    old.refresh_from_db()
    by_code.refresh_from_db()
    assert (old.name, old.region, old.owner) == ("Old name", "Norte", None)
    assert by_code.region == "Sur"
    assert not Customer.objects.filter(name="Brand new").exists()
    batch.refresh_from_db()
    assert batch.status == S.REVERTED and not ImportChange.objects.filter(batch=batch).exists()
    assert AuditEvent.objects.filter(action="revert", object_id=str(batch.pk)).count() == 1
    with pytest.raises(RevertError):
        revert_batch(batch, admin)


def test_parent_by_tax_id_or_name_also_later_in_the_file(tmp_path):
    CustomerFactory(name="Holding Existing", tax_id="96.790.240-3")
    path = write_csv(
        tmp_path / "c.csv",
        [
            ["RUT", "Nombre", "Matriz"],
            ["76.123.456-0", "Child A", "Grupo Nuevo"],
            ["77.123.456-9", "Child B", "96790240-3"],
            ["78.123.456-7", "Grupo Nuevo", ""],
            ["79.123.456-5", "Orphan", "Nobody SA"],
        ],
    )
    batch = run("customers", path)
    assert batch.status == S.FAILED
    assert [(e["line"], e["column"]) for e in batch.errors] == [(5, "Matriz")]
    batch = run("customers", path, skip_invalid=True)
    assert batch.status == S.DONE, batch.errors
    assert Customer.objects.get(name="Child A").parent.name == "Grupo Nuevo"
    assert Customer.objects.get(name="Child B").parent.name == "Holding Existing"


def test_customers_from_xlsx(tmp_path):
    path = write_xlsx(
        tmp_path / "c.xlsx",
        [["RUT", "Razón social", "Código"], ["76.123.456-0", "Acme", 1234], [None, None, None]],
    )
    batch = run("customers", path)
    assert batch.status == S.DONE, batch.errors
    assert Customer.objects.get().external_id == "1234"


# --- contacts -----------------------------------------------------------------------------------
def test_contacts_with_roles_and_reports_to_in_the_same_file(tmp_path, account):
    path = write_csv(
        tmp_path / "p.csv",
        [
            [
                "Cliente",
                "Nombre",
                "Cargo",
                "Función",
                "Roles DMU",
                "Reporta a",
                "Actitud",
                "Influencia",
                "Correo",
            ],
            [
                "76.123.456-0",
                "Jorge Pérez",
                "Jefe de compras",
                "Compras",
                "Comprador|Influenciador",
                "maria@cs.cl",
                "Neutral",
                "3",
                "jorge@cs.cl",
            ],
            [
                "Constructora CS",
                "María González",
                "CFO",
                "Finanzas",
                "decider",
                "",
                "Partidario",
                "5",
                "MARIA@cs.cl",
            ],
        ],
        delimiter="\t",
    )
    batch = run("contacts", path)
    assert batch.status == S.DONE, batch.errors
    jorge = Contact.objects.get(name="Jorge Pérez")
    assert jorge.customer == account and jorge.function == "purchasing"
    assert jorge.dmu_roles == ["buyer", "influencer"]
    assert jorge.reports_to.name == "María González"
    assert Contact.objects.get(name="María González").attitude == "supporter"


def test_contacts_match_by_email_then_name_and_errors(tmp_path, account):
    by_mail = ContactFactory(customer=account, name="J. Perez", email="jorge@cs.cl")
    by_name = ContactFactory(customer=account, name="Paula Herrera", email="")
    path = write_csv(
        tmp_path / "p.csv",
        [
            ["RUT", "Nombre", "Correo", "Influencia", "Reporta a"],
            ["76.123.456-0", "Jorge Pérez", "jorge@cs.cl", "4", ""],
            ["76.123.456-0", "Paula Herrera", "paula@cs.cl", "", "Jorge Pérez"],
            ["76.123.456-0", "Nueva Persona", "", "7", ""],
            ["Unknown SA", "X", "", "", ""],
            ["76.123.456-0", "Y", "not-an-email", "", "Ghost"],
        ],
    )
    batch = run("contacts", path)
    assert batch.status == S.FAILED
    lines = {(e["line"], e["field"]) for e in batch.errors}
    assert {(4, "influence"), (5, "customer"), (6, "email")} <= lines
    batch = run("contacts", path, skip_invalid=True)
    assert (batch.created_count, batch.updated_count) == (0, 2), batch.errors
    by_mail.refresh_from_db()
    by_name.refresh_from_db()
    assert (by_mail.name, by_mail.influence) == ("Jorge Pérez", 4)
    assert (by_name.email, by_name.reports_to) == ("paula@cs.cl", by_mail)
    revert_batch(batch, None)
    by_name.refresh_from_db()
    assert (by_name.email, by_name.reports_to) == ("", None)


def test_reports_to_unknown_is_an_error(tmp_path, account):
    path = write_csv(
        tmp_path / "p.csv", [["RUT", "Nombre", "Reporta a"], ["76.123.456-0", "A", "Ghost"]]
    )
    batch = run("contacts", path)
    assert batch.status == S.FAILED and batch.errors[0]["column"] == "Reporta a"


# --- sales ----------------------------------------------------------------------------------------
SALES_HEADER = [
    "RUT Cliente",
    "Fecha",
    "N° Documento",
    "Línea",
    "Producto",
    "Cantidad",
    "Monto Neto",
    "Costo",
]


def test_sales_spanish_format_and_reimport_by_document(tmp_path, account, admin):
    path = write_csv(
        tmp_path / "v.csv",
        [
            SALES_HEADER,
            ["76.123.456-0", "28-11-2026", "F-1", "1", "Cemento", "10", "1.234.567,89", "800.000"],
            ["76.123.456-0", "2026-11-29", "F-1", "2", "Acero", "2,5", "1.000", "600,5"],
            ["Constructora CS", "46354", "F-2", "", "", "", "50", ""],
        ],
        delimiter=";",
    )
    batch = run("sales", path, admin)
    assert batch.status == S.DONE, batch.errors
    line = SalesLine.objects.get(document_number="F-1", line_number="1")
    assert (line.net_amount, line.cost, line.date, line.quantity) == (
        Decimal("1234567.89"),
        Decimal("800000"),
        dt.date(2026, 11, 28),
        Decimal("10"),
    )
    assert SalesLine.objects.get(line_number="2").quantity == Decimal("2.5")
    # The ERP corrected a line: re-importing updates it, duplicates nothing.
    path2 = write_csv(
        tmp_path / "v2.csv",
        [
            SALES_HEADER,
            ["76.123.456-0", "28-11-2026", "F-1", "1", "Cemento", "10", "1.000.000", "800.000"],
        ],
        delimiter=";",
    )
    again = run("sales", path2, admin)
    assert (again.created_count, again.updated_count) == (0, 1)
    assert SalesLine.objects.count() == 3
    assert SalesLine.objects.get(line_number="1").net_amount == Decimal("1000000")
    revert_batch(again, admin)
    assert SalesLine.objects.get(line_number="1").net_amount == Decimal("1234567.89")
    revert_batch(batch, admin)
    assert SalesLine.objects.count() == 0


def test_sales_decimal_option_settles_ambiguity(tmp_path, account):
    # In CLF (four decimals): 1.234 is a possible amount either way.
    path = write_csv(
        tmp_path / "v.csv",
        [["Cliente", "Fecha", "Monto", "Moneda"], ["76.123.456-0", "01-01-2026", "1.234", "CLF"]],
    )
    run("sales", path)
    run("sales", path, decimal=".", force=True)
    assert sorted(SalesLine.objects.values_list("net_amount", flat=True)) == [
        Decimal("1.234"),
        Decimal("1234"),
    ]


def test_sales_file_without_documents_refused_twice_unless_forced(tmp_path, account):
    path = write_csv(
        tmp_path / "v.csv",
        [["Cliente", "Fecha", "Monto neto"], ["76.123.456-0", "01-01-2026", "100"]],
    )
    assert run("sales", path).status == S.DONE
    refused = run("sales", path)
    assert refused.status == S.FAILED and "already imported" in refused.message
    assert SalesLine.objects.count() == 1
    assert run("sales", path, force=True).status == S.DONE
    assert SalesLine.objects.count() == 2


def test_sales_errors(tmp_path, account):
    path = write_csv(
        tmp_path / "v.csv",
        [
            ["Cliente", "Fecha", "Monto neto", "Documento", "Línea", "Moneda"],
            ["76.123.456-0", "31-02-2026", "100", "A", "1", "CLP"],
            ["76.123.456-0", "01-02-2026", "cien", "A", "2", "CLP"],
            ["Nadie", "01-02-2026", "1", "A", "3", "CLP"],
            ["76.123.456-0", "01-02-2026", "1", "A", "4", "pesos"],
            ["76.123.456-0", "01-02-2026", "1", "A", "5", ""],
            ["76.123.456-0", "01-02-2026", "1", "A", "5", ""],
            ["76.123.456-0", "", "1", "B", "1", ""],
        ],
    )
    batch = run("sales", path)
    assert batch.status == S.FAILED and SalesLine.objects.count() == 0
    assert [(e["line"], e["column"]) for e in batch.errors] == [
        (2, "Fecha"),
        (3, "Monto neto"),
        (4, "Cliente"),
        (5, "Moneda"),
        (7, "Línea"),
        (8, "Fecha"),
    ]


def test_sales_amounts_up_to_what_the_database_holds(tmp_path, account):
    path = write_csv(
        tmp_path / "v.csv",
        [
            ["Cliente", "Fecha", "Monto neto", "Costo", "Cantidad"],
            ["76.123.456-0", "01-01-2026", "99.999.999.999.999,99", "", ""],
            ["76.123.456-0", "01-01-2026", "100.000.000.000.000", "", ""],
            ["76.123.456-0", "01-01-2026", "1", "-100000000000000", ""],
            ["76.123.456-0", "01-01-2026", "12.345,67", "-0,5", "0007"],
        ],
    )
    batch = run("sales", path, dry_run=True)
    assert [(e["line"], e["column"]) for e in batch.errors] == [(3, "Monto neto"), (4, "Costo")]
    assert "too large" in batch.errors[0]["message"]
    path = write_csv(
        tmp_path / "v2.csv",
        [
            ["Cliente", "Fecha", "Monto neto", "Costo", "Cantidad"],
            ["76.123.456-0", "01-01-2026", "12.345,67", "-0,5", "0007"],
        ],
    )
    assert run("sales", path).status == S.DONE
    line = SalesLine.objects.get()
    assert (line.net_amount, line.cost, line.quantity) == (
        Decimal("12345.67"),
        Decimal("-0.5"),
        Decimal(7),
    )


def test_a_kam_imports_sales_only_for_their_accounts(tmp_path, ana, account, other_account):
    path = write_csv(
        tmp_path / "v.csv",
        [
            ["Cliente", "Fecha", "Monto"],
            ["Constructora CS", "01-01-2026", "1"],
            ["Minera Norte", "01-01-2026", "1"],
        ],
    )
    batch = run("sales", path, ana)
    assert batch.status == S.FAILED and [e["line"] for e in batch.errors] == [3]


def test_a_kam_cannot_overwrite_someone_elses_customer(tmp_path, ana, other_account):
    other_account.tax_id = "96.790.240-3"
    other_account.save()
    path = write_csv(tmp_path / "c.csv", [["RUT", "Nombre"], ["96.790.240-3", "Hijacked"]])
    batch = run("customers", path, ana)
    assert batch.status == S.FAILED and "may not change" in batch.errors[0]["message"]


def test_deleting_a_batch_unlinks_its_rows_and_keeps_them(tmp_path, account):
    # The link has no database constraint (see import_batch_field): the ORM must still null it.
    path = write_csv(
        tmp_path / "v.csv",
        [["Cliente", "Fecha", "Monto neto"], ["76.123.456-0", "01-01-2026", "100"]],
    )
    batch = run("sales", path)
    assert SalesLine.objects.get().import_batch_id == batch.pk
    batch.delete()
    line = SalesLine.objects.get()
    assert line.import_batch_id is None and line.net_amount == Decimal(100)
    customers = run(
        "customers", write_csv(tmp_path / "c.csv", [["RUT", "Nombre"], ["96.790.240-3", "X"]])
    )
    assert Customer.objects.get(name="X").import_batch_id == customers.pk
    customers.delete()
    assert Customer.objects.get(name="X").import_batch_id is None


# --- transactions and performance -------------------------------------------------------------
def test_a_crash_half_way_leaves_the_database_as_before(tmp_path, account):
    rows = [SALES_HEADER] + [
        ["76.123.456-0", "01-01-2026", f"D{i}", "1", "", "", "10", ""] for i in range(50)
    ]
    path = write_csv(tmp_path / "v.csv", rows)
    from kamp.economics.sales_import import SalesImport

    real_write = SalesImport.write
    calls = []

    def write_then_crash(self, chunk, ctx):
        calls.append(len(chunk))
        real_write(self, chunk, ctx)
        if len(calls) == 2:
            raise RuntimeError("disk full")

    with (
        mock.patch.object(SalesImport, "batch_size", 20),
        mock.patch.object(SalesImport, "write", write_then_crash),
        pytest.raises(RuntimeError),
    ):
        run("sales", path)
    assert calls == [20, 20]
    assert SalesLine.objects.count() == 0
    batch = ImportBatch.objects.get()
    assert batch.status == S.FAILED and "disk full" in batch.message
    assert not AuditEvent.objects.filter(action="import").exists()


def test_write_queries_are_bounded_per_batch(tmp_path, account, django_assert_max_num_queries):
    """The number of queries grows with the number of batches, not of rows."""
    from kamp.economics.sales_import import SalesImport

    def make(n, name, amount="10"):
        return write_csv(
            tmp_path / f"{name}-{amount}",
            [SALES_HEADER]
            + [
                ["76.123.456-0", "01-01-2026", f"{name}-{i}", "1", "P", "1", amount, "5"]
                for i in range(n)
            ],
        )

    # A constant per run (the batch, its audit, the currencies of the customers and of the
    # company, the refresh of the monthly sums and stored sales figures…) plus a few per batch
    # of 1,000 rows.
    with mock.patch.object(SalesImport, "batch_size", 1000):
        with django_assert_max_num_queries(35):
            run("sales", make(900, "a"))
        with django_assert_max_num_queries(35):
            assert run("sales", make(900, "a", "11")).updated_count == 900  # re-import: updates
        with django_assert_max_num_queries(35):
            again = run("sales", make(900, "a", "11"))  # the same again: nothing to write
            assert (again.updated_count, again.options["unchanged"]) == (0, 900)
    assert SalesLine.objects.count() == 900


def test_customer_import_queries_do_not_grow_with_rows(
    tmp_path, django_assert_max_num_queries, ana
):
    rows = [["Código", "Nombre", "KAM", "Matriz"]] + [
        [f"C{i}", f"Customer {i}", ana.email, "C0" if i else ""] for i in range(600)
    ]
    path = write_csv(tmp_path / "c.csv", rows)
    with django_assert_max_num_queries(40):
        batch = run("customers", path)
    assert batch.created_count == 600
    assert Customer.objects.filter(parent__external_id="C0").count() == 599


# --- checking a large file in worker processes -------------------------------------------------
def _sales_with_errors(path):
    """60 lines in 9 chunks of 7 (with batch_size 7), errors scattered over them: the expected
    (line, column) of each error, in order."""
    rows = [["Cliente", "Fecha", "Documento", "Línea", "Monto neto", "Moneda"]]
    for i in range(60):
        rows.append(["76.123.456-0", "01-02-2026", f"D{i // 3}", str(i % 3 + 1), "1.234,5", ""])
    # Lines are 1-based and the header is line 1: data row k is line k + 2.
    rows[5 - 1][1] = "31-02-2026"
    rows[12 - 1][0] = "Nadie"
    rows[20 - 1][2:4] = ["D0", "2"]  # repeats line 3, two chunks earlier
    rows[33 - 1][4:6] = ["cien", "pesos"]  # two errors on one line, in column order
    rows[40 - 1][2] = ""  # a line number without a document
    rows[47 - 1][2:4] = rows[46 - 1][2:4]  # repeats the line before, same chunk
    write_csv(path, rows)
    return [
        (5, "Fecha"),
        (12, "Cliente"),
        (20, "Línea"),
        (33, "Monto neto"),
        (33, "Moneda"),
        (40, "Documento"),
        (47, "Línea"),
    ]


def _run_checked(path, parallel, **options):
    """Run with or without worker processes; the processes that checked the chunks."""
    from kamp.core.imports import base
    from kamp.economics.sales_import import SalesImport

    pids = []
    absorb = base._absorb

    def spy(kind, ctx, result, seen, spill):
        pids.append(result.pid)
        return absorb(kind, ctx, result, seen, spill)

    with (
        mock.patch.object(SalesImport, "batch_size", 7),
        mock.patch.object(base, "PARALLEL_MIN_ROWS", 10 if parallel else 10**9),
        mock.patch.object(base, "_cpu_count", return_value=2),
        mock.patch.object(base, "_absorb", spy),
    ):
        return run("sales", path, **options), pids


def test_a_large_file_is_checked_in_worker_processes_with_the_same_report(tmp_path, account):
    import os

    path = tmp_path / "v.csv"
    expected = _sales_with_errors(path)
    serial, pids = _run_checked(path, parallel=False, dry_run=True)
    assert set(pids) == {os.getpid()}
    parallel, pids = _run_checked(path, parallel=True, dry_run=True)
    assert len(pids) == 9 and os.getpid() not in pids
    for batch in (serial, parallel):
        assert [(e["line"], e["column"]) for e in batch.errors] == expected
        assert batch.invalid_count == 6 and batch.total_rows == 60
    assert parallel.errors == serial.errors
    assert "D0 line 2 appears twice" in parallel.errors[2]["message"]

    # The good lines (and the first of each repeated pair) are written; a re-import updates.
    batch, _ = _run_checked(path, parallel=True, skip_invalid=True)
    assert (batch.status, batch.created_count, batch.skipped_count) == (S.DONE, 54, 6)
    assert SalesLine.objects.filter(document_number="D0").count() == 3
    assert SalesLine.objects.get(document_number="D15", line_number="2").net_amount == Decimal(
        "1234.5"
    )
    again, _ = _run_checked(path, parallel=True, skip_invalid=True)
    # The same lines again: every one found, none with a new value.
    assert (again.created_count, again.updated_count) == (0, 0)
    assert again.options["unchanged"] == 54
    assert SalesLine.objects.count() == 54


def test_worker_processes_keep_the_error_cap_and_the_language(tmp_path, account):
    from django.utils import translation

    from kamp.core.imports import base

    path = tmp_path / "v.csv"
    expected = _sales_with_errors(path)
    with mock.patch.object(base, "MAX_STORED_ERRORS", 3):
        for parallel in (False, True):
            batch, _ = _run_checked(path, parallel=parallel)
            assert batch.status == S.FAILED and SalesLine.objects.count() == 0
            assert [(e["line"], e["column"]) for e in batch.errors] == expected[:3]
            assert batch.invalid_count == 6
    with translation.override("es"):
        batch, _ = _run_checked(path, parallel=True, dry_run=True)
    messages = [e["message"] for e in batch.errors]
    assert "no es una fecha válida" in messages[0]  # from a worker
    assert "aparece dos veces" in messages[2]  # from this process


def test_sales_import_keeps_the_monthly_sums_of_every_month_it_touched(
    tmp_path, account, other_account
):
    from kamp.economics.models import SalesMonth

    def months():
        return sorted(
            (m.customer_id, m.month.isoformat(), m.net_amount, m.lines)
            for m in SalesMonth.objects.all()
        )

    header = ["Cliente", "Fecha", "Documento", "Línea", "Monto neto", "Moneda"]
    first = write_csv(
        tmp_path / "v1.csv",
        [
            header,
            ["76.123.456-0", "15-01-2026", "F-1", "1", "100", "CLP"],
            ["76.123.456-0", "10-03-2026", "F-1", "2", "50", "CLP"],
            ["76.123.456-0", "20-03-2026", "F-2", "1", "7", "CLP"],
        ],
    )
    assert run("sales", first).status == S.DONE
    a, o = account.pk, other_account.pk
    assert months() == [
        (a, "2026-01-01", Decimal(100), 1),
        (a, "2026-03-01", Decimal(57), 2),
    ]
    # A corrected line moves to another customer and month: both the old and the new month.
    moved = write_csv(
        tmp_path / "v2.csv",
        [header, ["Minera Norte", "01-02-2026", "F-1", "2", "50", "CLP"]],
    )
    assert run("sales", moved).updated_count == 1
    assert months() == [
        (a, "2026-01-01", Decimal(100), 1),
        (a, "2026-03-01", Decimal(7), 1),
        (o, "2026-02-01", Decimal(50), 1),
    ]


def test_every_app_registers_its_own_kinds_and_core_none():
    """The engine finds each app's kinds by the app's ``imports`` module: nothing listed in
    settings, no kind left in core, the foundation's three first."""
    from kamp.core.imports import all_kinds

    homes = {kind.name: type(kind).__module__ for kind in all_kinds()}
    assert [kind.name for kind in all_kinds()][:3] == ["customers", "contacts", "sales"]
    assert homes["customers"] == "kamp.customers.imports.customers"
    assert homes["contacts"] == "kamp.customers.imports.contacts"
    assert homes["sales"] == "kamp.economics.sales_import"
    assert {"interactions", "assessments", "relationship", "investments"} <= set(homes)
    assert not [name for name, module in homes.items() if module.startswith("kamp.core")]
