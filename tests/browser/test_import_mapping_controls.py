"""The mapping step offers what the command line does: the sheet of a workbook, the header row
under a report's title rows, and the order of the file's dates."""

import datetime as dt
import re

import openpyxl
from playwright.sync_api import expect

from kamp.customers.models import Customer
from kamp.economics.models import SalesLine


def upload(page, live_server, kind, path):
    page.goto(live_server.url + "/imports/")
    page.get_by_label("What the file holds").select_option(kind)
    page.get_by_label("Spreadsheet").set_input_files(str(path))
    page.get_by_role("button", name="Upload and continue").click()
    expect(page.get_by_role("heading", name="Match the columns")).to_be_visible()


def test_sheet_and_header_row_chosen_on_the_mapping_step(
    page, live_server, login, admin, shot, tmp_path
):
    wb = openpyxl.Workbook()
    hidden = wb.active
    hidden.title = "Listas"
    hidden.append(["Código", "Región"])
    hidden.sheet_state = "hidden"
    first = wb.create_sheet("Resumen")
    first.append(["Clientes", "Total"])
    first.append([2, 3])
    data = wb.create_sheet("Clientes nuevos")
    data["A1"] = "Clientes nuevos — informe de marzo"
    data["A2"] = "Preparado por ventas"
    data.append(["RUT", "Razón social", "Región"])
    data.append(["76.123.456-0", "Constructora Andes SpA", "Metropolitana"])
    data.append(["96.790.240-3", "Minera Cóndor S.A.", "Antofagasta"])
    wb.active = 1
    path = tmp_path / "clientes.xlsx"
    wb.save(path)

    login(admin)
    upload(page, live_server, "customers", path)
    # Excel's open sheet is read first; the hidden one is offered, and says it is hidden.
    sheet = page.get_by_label("Sheet")
    expect(sheet).to_have_value("Resumen")
    expect(sheet.locator("option", has_text="Listas (hidden)")).to_have_count(1)
    sheet.select_option("Clientes nuevos")
    page.get_by_role("button", name="Read the file again").click()
    # The title rows above the header are skipped by themselves: row 3 holds the names.
    expect(page.get_by_label("Header row")).to_have_attribute("placeholder", "3")
    expect(page.get_by_text("Column names on row 3.")).to_be_visible()
    expect(page.locator("table.preview")).to_contain_text("Minera Cóndor S.A.")
    expect(page.get_by_label("Razón social")).to_have_value("name")
    shot("import-mapping-sheet")
    # A wrong header row is the person's to correct: the page reads what they asked for.
    page.get_by_label("Header row").fill("2")
    page.get_by_role("button", name="Read the file again").click()
    expect(page.locator("table.preview thead")).to_contain_text("Preparado por ventas")
    page.get_by_label("Header row").fill("3")
    page.get_by_role("button", name="Read the file again").click()
    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_text("All 2 rows are correct")).to_be_visible()
    page.get_by_role("button", name="Import 2 rows").click()
    expect(page.get_by_text("Imported: 2 created, 0 updated.")).to_be_visible()
    assert sorted(Customer.objects.values_list("name", flat=True)) == [
        "Constructora Andes SpA",
        "Minera Cóndor S.A.",
    ]


def test_date_order_chosen_when_the_dates_cannot_tell(
    page, live_server, login, admin, account, shot, tmp_path
):
    path = tmp_path / "ventas.csv"
    path.write_bytes(
        b"Cliente,Fecha,Monto neto\r\n76.123.456-0,3/4/2025,100\r\n76.123.456-0,5/6/2025,200\r\n"
    )
    login(admin)
    upload(page, live_server, "sales", path)
    page.get_by_role("button", name="Check the file").click()
    # Refused, naming the column and a date that reads both ways; nothing saved.
    expect(page.locator(".alert.danger")).to_contain_text(re.compile(r"Column “Fecha”.*3/4/2025"))
    assert SalesLine.objects.count() == 0
    shot("import-date-order-refused")
    page.get_by_role("button", name="Change the column matching").click()
    page.get_by_label("Date order").select_option("mdy")
    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_text("All 2 rows are correct")).to_be_visible()
    page.get_by_role("button", name="Import 2 rows").click()
    expect(page.get_by_text("Imported: 2 created, 0 updated.")).to_be_visible()
    assert sorted(SalesLine.objects.values_list("date", flat=True)) == [
        dt.date(2025, 3, 4),
        dt.date(2025, 5, 6),
    ]
