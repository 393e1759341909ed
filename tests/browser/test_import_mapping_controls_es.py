"""The mapping step's sheet, header row and date order controls in Spanish, on one workbook as a
US subsidiary sends it: a hidden sheet of lists first, a summary sheet Excel opens on, and the
sales on a third sheet under two title rows, the customer merged over its rows and the dates
written as text month first."""

import datetime as dt
import re

import openpyxl
from playwright.sync_api import expect

from kamp.economics.models import SalesLine


def test_sheet_header_row_merged_cells_and_date_order_in_spanish(
    page, live_server, login, admin, account, shot, tmp_path
):
    wb = openpyxl.Workbook()
    lists = wb.active
    lists.title = "Listas"
    lists.append(["Código", "Familia"])
    lists.sheet_state = "hidden"
    summary = wb.create_sheet("Resumen")
    summary.append(["Ventas", "Total"])
    summary.append([2, 300])
    sales = wb.create_sheet("Ventas marzo")
    sales["A1"] = "Ventas por cliente — filial EE. UU."
    sales["A2"] = "Exportado del CRM"
    sales.append(["RUT Cliente", "Fecha", "Monto neto", "Folio"])
    sales.append([account.tax_id, "3/4/2026", 100, "F-1"])
    sales.append([None, "5/6/2026", 200, "F-2"])
    sales.merge_cells("A4:A5")  # the customer written once for its two lines
    wb.active = 1
    path = tmp_path / "ventas.xlsx"
    wb.save(path)

    login(admin, language="es")
    page.goto(live_server.url + "/imports/")
    page.get_by_label("Qué contiene el archivo").select_option("sales")
    page.get_by_label("Planilla").set_input_files(str(path))
    page.get_by_role("button", name="Subir y continuar").click()
    expect(page.get_by_role("heading", name="Asigne las columnas")).to_be_visible()

    sheet = page.get_by_label("Hoja")
    expect(sheet).to_have_value("Resumen")  # the sheet Excel opens on, not the hidden first
    expect(sheet.locator("option", has_text="Listas (oculta)")).to_have_count(1)
    sheet.select_option("Ventas marzo")
    page.get_by_role("button", name="Leer el archivo de nuevo").click()
    expect(page.get_by_label("Fila de encabezado")).to_have_attribute("placeholder", "3")
    expect(page.get_by_text("Nombres de columnas en la fila 3.")).to_be_visible()
    shot("import-mapping-sheet-es")

    page.get_by_role("button", name="Revisar el archivo").click()
    # 3/4/2026 and 5/6/2026 read both ways: refused in Spanish, naming the column and a date.
    expect(page.locator(".alert.danger")).to_contain_text(
        re.compile(r"Columna «Fecha».*3/4/2026.*Elija el orden de las fechas")
    )
    assert SalesLine.objects.count() == 0
    page.get_by_role("button", name="Cambiar la asignación de columnas").click()
    date_order = page.get_by_label("Orden de las fechas")
    expect(date_order.locator("option", has_text="Mes/día/año: 12/31/2025")).to_have_count(1)
    date_order.select_option("mdy")
    page.get_by_role("button", name="Revisar el archivo").click()
    expect(page.get_by_text("Las 2 filas son correctas")).to_be_visible()
    page.get_by_role("button", name="Importar 2 filas").click()
    expect(page.get_by_text("Importado: 2 creados, 0 actualizados.")).to_be_visible()
    lines = SalesLine.objects.order_by("date")
    assert [(x.customer_id, x.date, x.document_number) for x in lines] == [
        (account.pk, dt.date(2026, 3, 4), "F-1"),
        (account.pk, dt.date(2026, 5, 6), "F-2"),  # the merged customer filled down
    ]


def test_a_sales_file_imported_before_is_imported_again_only_when_ticked_in_spanish(
    page, live_server, login, admin, account, tmp_path
):
    from django.utils import timezone

    from kamp.core.formatting import format_date
    from kamp.core.imports import run_import
    from kamp.core.models import ImportBatch

    path = tmp_path / "ventas.csv"
    path.write_bytes(b"Cliente;Fecha;Monto neto\r\n76.123.456-0;03-11-2025;1000\r\n")
    first = run_import("sales", path, user=admin)
    assert first.status == ImportBatch.Status.DONE and SalesLine.objects.count() == 1
    when = timezone.localtime(first.created_at)

    login(admin, language="es")
    page.goto(live_server.url + "/imports/")
    page.get_by_label("Qué contiene el archivo").select_option("sales")
    page.get_by_label("Planilla").set_input_files(str(path))
    page.get_by_role("button", name="Subir y continuar").click()
    page.get_by_role("button", name="Revisar el archivo").click()
    expect(page.locator(".alert.danger")).to_contain_text(
        f"Este archivo ya se importó el {format_date(when, lang='es')} {when:%H:%M}"
    )
    assert SalesLine.objects.count() == 1
    page.get_by_role("button", name="Cambiar la asignación de columnas").click()
    page.get_by_label("Importarlo aunque ya se haya importado").check()
    page.get_by_role("button", name="Revisar el archivo").click()
    page.get_by_role("button", name="Importar 1 fila").click()
    expect(page.get_by_text("Importado: 1 creado, 0 actualizados.")).to_be_visible()
    assert SalesLine.objects.count() == 2
