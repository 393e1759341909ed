"""Excel files as real programs write them — a hidden lookup sheet first, a report's title rows
above the header, a customer merged over its rows, formulas written by pandas or openpyxl
without the value Excel would compute — read exactly, or refused with a reason; and the
spreadsheets kamp does not read (.ods, .xls) refused in the user's words."""

from __future__ import annotations

import datetime as dt
import zipfile
from io import StringIO

import openpyxl
import pytest
from django.core.management import call_command

from kamp.core.imports import ImportOptions, ReadError, open_table, run_import
from kamp.core.models import ImportBatch
from kamp.customers.models import Customer
from kamp.economics.models import SalesLine

S = ImportBatch.Status


def run(kind, path, user=None, **options):
    return run_import(kind, path, user=user, options=ImportOptions(**options))


def workbook_with_hidden_first_sheet(path):
    """An ERP's export: a hidden sheet of lookups first, the data on the second, which Excel
    opens on."""
    wb = openpyxl.Workbook()
    lookups = wb.active
    lookups.title = "Listas"
    lookups.append(["Código", "Región"])
    lookups.append(["RM", "Metropolitana"])
    lookups.sheet_state = "hidden"
    data = wb.create_sheet("Clientes")
    data.append(["RUT", "Razón social", "Región"])
    data.append(["76.123.456-0", "Constructora Andes SpA", "Metropolitana"])
    other = wb.create_sheet("Resumen")
    other.append(["Total", "Clientes"])
    other.append(["1", "x"])
    wb.active = 1
    wb.save(path)
    return path


@pytest.mark.django_db
def test_the_visible_sheet_excel_opens_on_is_read_not_a_hidden_first_one(tmp_path, admin):
    path = workbook_with_hidden_first_sheet(tmp_path / "clientes.xlsx")
    table = open_table(path)
    assert table.sheet == "Clientes" and table.header == ["RUT", "Razón social", "Región"]
    assert table.extra["sheets"] == [("Listas", False), ("Clientes", True), ("Resumen", True)]
    batch = run("customers", path, admin)
    assert batch.status == S.DONE, (batch.message, batch.errors)
    assert Customer.objects.get().name == "Constructora Andes SpA"
    assert batch.options["detected"]["sheet"] == "Clientes"


def test_a_hidden_active_sheet_gives_way_to_the_first_visible_one(tmp_path):
    path = workbook_with_hidden_first_sheet(tmp_path / "c.xlsx")
    wb = openpyxl.load_workbook(path)
    wb.active = 0  # what a library may write: the hidden sheet marked active
    wb.save(path)
    assert open_table(path).sheet == "Clientes"


def test_a_sheet_is_chosen_by_name_or_refused_listing_the_sheets(tmp_path):
    path = workbook_with_hidden_first_sheet(tmp_path / "c.xlsx")
    assert open_table(path, sheet="Resumen").header == ["Total", "Clientes"]
    assert open_table(path, sheet="Listas").header == ["Código", "Región"]  # asked for: read
    with pytest.raises(ReadError) as exc:
        open_table(path, sheet="Ventas")
    assert "no sheet “Ventas”" in str(exc.value) and "Listas, Clientes, Resumen" in str(exc.value)


def report_with_title_rows_and_merged_customer(path):
    """A sales report as a person formats it: a merged title, a blank row, the header on row
    3, and the customer's cell merged down over its three lines."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Ventas"
    ws["A1"] = "Ventas por cliente — marzo 2025"
    ws.merge_cells("A1:D1")
    ws.append([])
    ws.append(["Cliente", "Fecha", "Documento", "Monto neto"])
    ws.append(["76.123.456-0", dt.datetime(2025, 3, 3), "F-1", 100])
    ws.append([None, dt.datetime(2025, 3, 4), "F-2", 200])
    ws.append([None, dt.datetime(2025, 3, 5), "F-3", 300])
    ws.merge_cells("A4:A6")
    wb.save(path)
    return path


@pytest.mark.django_db
def test_title_rows_are_skipped_and_merged_cells_fill_their_rows(tmp_path, account):
    path = report_with_title_rows_and_merged_customer(tmp_path / "ventas.xlsx")
    table = open_table(path)
    assert (table.header_line, table.header) == (3, ["Cliente", "Fecha", "Documento", "Monto neto"])
    assert [cells[0] for _row, cells in table.rows()] == ["76.123.456-0"] * 3
    batch = run("sales", path)
    assert batch.status == S.DONE, (batch.message, batch.errors)
    assert SalesLine.objects.filter(customer=account).count() == 3


def test_the_header_row_can_be_given(tmp_path):
    path = report_with_title_rows_and_merged_customer(tmp_path / "ventas.xlsx")
    assert open_table(path, header_row=3).header[0] == "Cliente"
    assert open_table(path, header_row=1).header == ["Ventas por cliente — marzo 2025"]
    with pytest.raises(ReadError, match="Row 2 is empty"):
        open_table(path, header_row=2)


def sales_with_formulas(path):
    """What openpyxl (and pandas through it) writes: the formula, no computed value."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Cliente", "Fecha", "Cantidad", "Precio", "Monto neto", "Nota"])
    ws.append(["76.123.456-0", dt.date(2025, 3, 3), 2, 50, "=C2*D2", '=CONCAT("a","b")'])
    ws.append(["76.123.456-0", dt.date(2025, 3, 4), 3, 50, "=C3*D3", '=CONCAT("a","b")'])
    wb.save(path)
    return path


@pytest.mark.django_db
def test_a_formula_without_a_computed_value_is_refused_in_plain_words(tmp_path, account):
    path = sales_with_formulas(tmp_path / "ventas.xlsx")
    batch = run("sales", path)
    assert batch.status == S.FAILED and SalesLine.objects.count() == 0
    assert "formula without a computed value: open and save the file in Excel" in batch.message
    assert "Row 2" in batch.message and "Monto neto" in batch.message
    # The preview shows the rest of the file (the formula's cell empty): the person sees why.
    assert open_table(path).preview()[0][4] == ""


@pytest.mark.django_db
def test_formulas_in_columns_not_imported_do_not_matter(tmp_path, account):
    path = sales_with_formulas(tmp_path / "ventas.xlsx")
    batch = run("sales", path, mapping={"Monto neto": "", "Precio": "net_amount"})
    assert batch.status == S.DONE, (batch.message, batch.errors)
    assert SalesLine.objects.count() == 2


def test_a_formula_with_its_value_computed_is_read(tmp_path):
    # What Excel saves: the formula and, beside it, its value.
    path = sales_with_formulas(tmp_path / "ventas.xlsx")
    with zipfile.ZipFile(path) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    sheet = "xl/worksheets/sheet1.xml"
    parts[sheet] = (
        parts[sheet]
        .replace(b"<f>C2*D2</f><v></v>", b"<f>C2*D2</f><v>100</v>")
        .replace(b"<f>C2*D2</f>", b"<f>C2*D2</f><v>100</v>", 1)
    )
    with zipfile.ZipFile(path, "w") as z:
        for name, data in parts.items():
            z.writestr(name, data)
    table = open_table(path)
    table.extra["columns"] = {4}
    rows = table.rows()
    assert next(rows)[1][4] == 100
    with pytest.raises(ReadError, match="Row 3"):
        next(rows)


def test_an_ods_file_is_refused_in_the_users_words(tmp_path):
    path = tmp_path / "clientes.ods"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("content.xml", "<office:document-content/>")
    with pytest.raises(ReadError) as exc:
        open_table(path)
    message = str(exc.value)
    assert "OpenDocument spreadsheet (.ods" in message and "Save it as" in message
    assert "openpyxl" not in message and "XLSX file cannot" not in message


def test_an_excel_97_file_is_refused_in_the_users_words(tmp_path):
    path = tmp_path / "clientes.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512)
    with pytest.raises(ReadError, match=r"Excel 97-2003 workbook \(\.xls\)"):
        open_table(path)


@pytest.mark.django_db
def test_cli_sheet_option(tmp_path, admin):
    path = workbook_with_hidden_first_sheet(tmp_path / "c.xlsx")
    out = StringIO()
    call_command(
        "import", "customers", str(path), "--sheet", "Clientes", "--no-progress",
        "--user", admin.email, stdout=out,
    )  # fmt: skip
    assert "sheet 'Clientes'" in out.getvalue() and Customer.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["clientes.ods", "clientes.xls", "clientes.numbers"])
def test_spreadsheets_kamp_does_not_read_are_refused_on_upload(client_for, admin, name):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    response = client_for(admin).post(
        reverse("core:imports"),
        {"kind": "customers", "file": SimpleUploadedFile(name, b"PK\x03\x04 not read")},
    )
    assert response.status_code == 200  # the form again, with the reason beside the file
    assert "save it as “Excel Workbook (.xlsx)” or CSV" in response.content.decode()
    assert not ImportBatch.objects.exists()


@pytest.mark.django_db
def test_a_sheet_that_is_not_there_is_refused_on_the_mapping_step(client_for, admin, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    path = workbook_with_hidden_first_sheet(tmp_path / "c.xlsx")
    client = client_for(admin)
    client.post(
        reverse("core:imports"),
        {"kind": "customers", "file": SimpleUploadedFile("c.xlsx", path.read_bytes())},
    )
    batch = ImportBatch.objects.get()
    url = reverse("core:import_mapping", args=[batch.pk])
    page = client.get(url, {"sheet": "Ventas", "header_row": "x"}).content.decode()
    # Both wrong: each said, and the file read as found (the sheet Excel opens on).
    assert "no sheet “Ventas”" in page and "is not a row number" in page
    assert "Constructora Andes SpA" in page
