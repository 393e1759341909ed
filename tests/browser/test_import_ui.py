"""A CSV imported through the web UI: upload, change one column's mapping, check, import, and
find the customers in the list."""

import re

from playwright.sync_api import expect

from kamp.customers.models import Customer

CSV = (
    "RUT;Razón social;Región;Ejecutivo comercial\r\n"
    "76.123.456-0;Constructora Andes SpA;Metropolitana;ana@supplier.test\r\n"
    "96.790.240-3;Minera Cóndor S.A.;Antofagasta;ana@supplier.test\r\n"
    "77.123.456-9;Agrícola Maipo Ltda.;O'Higgins;\r\n"
)


def test_import_customers_with_a_mapping_step(page, live_server, login, admin, ana, shot, tmp_path):
    path = tmp_path / "clientes.csv"
    path.write_bytes(CSV.encode("cp1252"))
    login(admin)
    page.goto(live_server.url + "/customers/")
    # The empty customer list offers the import (the top bar's "Imports" leads there too).
    page.get_by_role("button", name="Import a spreadsheet").click()
    expect(page.get_by_role("heading", name="Imports", exact=True)).to_be_visible()
    page.get_by_label("What the file holds").select_option("customers")
    page.get_by_label("Spreadsheet").set_input_files(str(path))
    shot("import-1-upload")
    page.get_by_role("button", name="Upload and continue").click()

    expect(page.get_by_role("heading", name="Match the columns")).to_be_visible()
    expect(page.locator("table.preview")).to_contain_text("Minera Cóndor S.A.")
    # Recognised columns come pre-selected; the KAM column has an unusual name: map it by hand.
    expect(page.get_by_label("Razón social")).to_have_value("name")
    expect(page.get_by_label("Ejecutivo comercial")).to_have_value("")
    page.get_by_label("Ejecutivo comercial").select_option("owner")
    shot("import-2-mapping")
    page.get_by_role("button", name="Check the file").click()

    expect(page.get_by_text("All 3 rows are correct")).to_be_visible()
    shot("import-3-checked")
    assert Customer.objects.count() == 0
    page.get_by_role("button", name="Import 3 rows").click()
    expect(page.get_by_text("Imported: 3 created, 0 updated.")).to_be_visible()
    shot("import-4-done")

    page.get_by_role("button", name="See the customers").click()
    expect(page.get_by_role("link", name="Minera Cóndor S.A.")).to_be_visible()
    expect(page.get_by_role("link", name="Agrícola Maipo Ltda.")).to_be_visible()
    shot("import-5-customers")
    assert Customer.objects.get(tax_id="96.790.240-3").owner == ana


def test_bad_rows_are_shown_with_line_and_column(page, live_server, login, admin, shot, tmp_path):
    path = tmp_path / "clientes.csv"
    path.write_bytes((CSV + "76.123.456-1;RUT equivocado;Sur;\r\n").encode("cp1252"))
    login(admin)
    page.goto(live_server.url + "/imports/")
    page.get_by_label("What the file holds").select_option("customers")
    page.get_by_label("Spreadsheet").set_input_files(str(path))
    page.get_by_role("button", name="Upload and continue").click()
    page.get_by_role("button", name="Check the file").click()
    shot("import-6-errors")
    errors = page.locator("table.errors")
    expect(errors).to_contain_text("wrong check digit")
    expect(errors.locator("tbody tr").first).to_contain_text(re.compile(r"5\s*RUT"))
    page.get_by_label(re.compile("Import the 3 good rows")).check()
    page.get_by_role("button", name="Import", exact=True).click()
    expect(page.get_by_text("Imported: 3 created, 0 updated.")).to_be_visible()
