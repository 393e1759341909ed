"""The mapping step offers the command line's presets and combined columns: a HubSpot export
is recognised by its columns and its first and last names joined; a file no preset fits gets
its columns joined by hand."""

from playwright.sync_api import expect

from kamp.customers.models import Contact
from tests.factories import CustomerFactory


def upload(page, live_server, kind, path):
    page.goto(live_server.url + "/imports/")
    page.get_by_label("What the file holds").select_option(kind)
    page.get_by_label("Spreadsheet").set_input_files(str(path))
    page.get_by_role("button", name="Upload and continue").click()
    expect(page.get_by_role("heading", name="Match the columns")).to_be_visible()


def test_a_hubspot_export_is_recognised_and_its_names_joined(
    page, live_server, login, admin, shot, tmp_path
):
    CustomerFactory(name="Constructora Andes")
    path = tmp_path / "hubspot-crm-exports-all-contacts-2026-12-04.csv"
    path.write_text(
        "Record ID,First Name,Last Name,Email,Job Title,Company Name\r\n"
        "51,María,González,maria@andes.cl,CFO,Constructora Andes\r\n"
        "52,Jorge,Pérez,jorge@andes.cl,Purchasing manager,Constructora Andes\r\n",
        encoding="utf-8",
    )
    login(admin)
    upload(page, live_server, "contacts", path)
    picker = page.get_by_label("Saved mapping for the file's source")
    expect(picker.locator("option:checked")).to_have_text(
        "Found from the columns: HubSpot — contacts"
    )
    # The preset joins the two name columns into the name, and maps the company to the customer.
    combined = page.locator("#id_combine_0_columns")
    expect(page.locator("#id_combine_0_field")).to_have_value("name")
    expect(combined.locator("option:checked")).to_have_text(["First Name", "Last Name"])
    expect(page.get_by_label("Company Name")).to_have_value("customer")
    expect(page.get_by_label("Record ID")).to_have_value("")
    shot("import-preset-hubspot")
    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_text("All 2 rows are correct")).to_be_visible()
    page.get_by_role("button", name="Import 2 rows").click()
    expect(page.get_by_text("Imported: 2 created, 0 updated.")).to_be_visible()
    assert sorted(Contact.objects.values_list("name", "title")) == [
        ("Jorge Pérez", "Purchasing manager"),
        ("María González", "CFO"),
    ]


def test_columns_joined_by_hand_when_no_preset_fits(page, live_server, login, admin, tmp_path):
    CustomerFactory(name="Salmones Austral")
    path = tmp_path / "personas.csv"
    path.write_text(
        "Empresa;Nombres;Apellidos;Cargo\r\nSalmones Austral;Paula;Herrera;Gerente de operaciones\r\n",
        encoding="utf-8",
    )
    login(admin, language="es")
    page.goto(live_server.url + "/imports/")
    page.locator("#id_kind").select_option("contacts")
    page.locator("#id_file").set_input_files(str(path))
    page.locator("form[enctype] button[type=submit]").click()
    picker = page.locator("#id_where_preset")
    expect(picker.locator("option:checked")).to_have_text(
        "Hallado por las columnas (ninguno calza)"
    )
    # "Nombres" alone is not the name: without joining, the check asks for a name column.
    page.locator("#id_combine_0_field").select_option("name")
    page.locator("#id_combine_0_columns").select_option(["1"])
    page.get_by_role("button", name="Revisar el archivo").click()
    expect(page.get_by_text("Elija al menos dos columnas para unir.")).to_be_visible()
    page.locator("#id_combine_0_columns").select_option(["1", "2"])
    page.get_by_role("button", name="Revisar el archivo").click()
    expect(page.get_by_text("La fila es correcta")).to_be_visible()
    page.get_by_role("button", name="Importar 1 fila").click()
    expect(page.get_by_text("Importado: 1 creado, 0 actualizados.")).to_be_visible()
    assert Contact.objects.get().name == "Paula Herrera"
