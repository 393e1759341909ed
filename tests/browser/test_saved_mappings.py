"""Saved mappings in Spanish: a KAM saves the mapping of her ERP's export on the mapping step,
the next month's file with the same columns gets it by itself, and she deletes it."""

from playwright.sync_api import expect

from kamp.core.models import SavedMapping
from kamp.customers.models import Customer

HEADER = "Cod;Denominación;Territorio;Obs\r\n"


def upload(page, live_server, path):
    page.goto(live_server.url + "/imports/")
    page.locator("#id_kind").select_option("customers")
    page.locator("#id_file").set_input_files(str(path))
    page.locator("form[enctype] button[type=submit]").click()
    expect(page.get_by_role("heading", name="Asigne las columnas")).to_be_visible()


def test_a_mapping_saved_in_spanish_is_chosen_for_the_next_file(
    page, live_server, login, ana, shot, tmp_path
):
    first = tmp_path / "erp-noviembre.csv"
    first.write_text(HEADER + "76.123.456-0;Constructora CS;Metropolitana;x\r\n", "utf-8")
    second = tmp_path / "erp-diciembre.csv"
    second.write_text(HEADER + "96.790.240-3;Minera Norte;Antofagasta;y\r\n", "utf-8")
    login(ana, language="es")
    upload(page, live_server, first)
    page.get_by_label("Cod", exact=True).select_option("tax_id")
    page.get_by_label("Denominación", exact=True).select_option("name")
    page.get_by_label("Territorio", exact=True).select_option("region")
    page.get_by_label("Obs", exact=True).select_option("")
    page.get_by_label("Guardar este mapeo como…").fill("ERP mensual")
    shot("saved-mapping-save-es")
    page.get_by_role("button", name="Revisar el archivo").click()
    expect(page.get_by_text("Mapeo “ERP mensual” guardado.")).to_be_visible()
    expect(page.get_by_text("La fila es correcta")).to_be_visible()
    assert SavedMapping.objects.get().name == "ERP mensual"

    upload(page, live_server, second)
    expect(page.locator(".saved-chosen")).to_contain_text(
        "Mapeo guardado “ERP mensual” elegido solo"
    )
    picker = page.locator("#id_where_preset")
    expect(picker.locator("option:checked")).to_have_text("Hallado por las columnas: ERP mensual")
    expect(page.get_by_label("Cod", exact=True)).to_have_value("tax_id")
    expect(page.get_by_label("Territorio", exact=True)).to_have_value("region")
    page.set_viewport_size({"width": 390, "height": 844})
    shot("saved-mapping-reused-es-phone")
    page.set_viewport_size({"width": 1366, "height": 900})
    page.get_by_role("button", name="Revisar el archivo").click()
    expect(page.get_by_text("La fila es correcta")).to_be_visible()
    page.get_by_role("button", name="Importar 1 fila").click()
    expect(page.get_by_text("Importado: 1 creado, 0 actualizados.")).to_be_visible()
    assert Customer.objects.get().region == "Antofagasta"

    # Deleted from the mapping step of a third upload.
    upload(page, live_server, second)
    page.locator("details.saved-mappings summary").click()
    page.get_by_role("button", name="Eliminar “ERP mensual”").click()
    expect(page.get_by_text("Mapeo “ERP mensual” eliminado.")).to_be_visible()
    expect(page.get_by_role("heading", name="Asigne las columnas")).to_be_visible()
    assert not SavedMapping.objects.exists()
