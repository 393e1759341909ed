"""Real-world files: presets for the usual CRM and ERP exports (chosen from the headers), columns
combined into one field, tax ids of every country python-stdnum knows, and customers without
a tax id or an external id found again by their exact name."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from kamp.core.imports import ImportOptions, run_import
from kamp.core.imports.presets import all_presets, find_preset
from kamp.core.models import ImportBatch
from kamp.customers.models import Contact, Customer
from kamp.customers.validators import normalise_tax_id
from kamp.economics.models import SalesLine
from tests.core.import_helpers import write_csv, write_xlsx
from tests.factories import CustomerFactory

S = ImportBatch.Status
pytestmark = pytest.mark.django_db


def run(kind, path, user=None, **options):
    return run_import(kind, path, user=user, options=ImportOptions(**options))


# --- tax ids -------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("typed", "country", "canonical"),
    [
        ("20267565393", "AR", "20-26756539-3"),  # CUIT
        ("20-26756539-3", "AR", "20-26756539-3"),
        ("20512333797", "PE", "20512333797"),  # RUC
        ("2131234321", "CO", "213.123.432-1"),  # NIT
        ("213.123.432-1", "CO", "213.123.432-1"),
        ("gode 561231 gr8", "MX", "GODE561231GR8"),  # RFC
        ("16727230000197", "BR", "16.727.230/0001-97"),  # CNPJ
        ("16.727.230/0001-97", "BR", "16.727.230/0001-97"),
        ("B-58378431", "ES", "B58378431"),  # CIF
        ("ES 54362315K", "ES", "54362315K"),  # NIF of a person
        ("761234560", "CL", "76.123.456-0"),  # the RUT as kamp always wrote it
        ("Z-123", "ZZ", "Z-123"),  # no rule known: kept as typed
    ],
)
def test_tax_ids_are_validated_and_written_one_way(typed, country, canonical):
    assert normalise_tax_id(typed, country) == canonical


@pytest.mark.parametrize(
    ("typed", "country", "name"),
    [
        ("20-26756539-4", "AR", "CUIT"),
        ("20512333798", "PE", "RUC"),
        ("2131234322", "CO", "NIT"),
        ("GODE561331GR8", "MX", "RFC"),  # no 13th month
        ("16727230000198", "BR", "CNPJ"),
        ("B58378432", "ES", "NIF"),
        ("1234", "AR", "CUIT"),
    ],
)
def test_a_wrong_tax_id_is_refused_naming_the_rule(typed, country, name):
    with pytest.raises(ValidationError) as exc:
        normalise_tax_id(typed, country)
    message = exc.value.messages[0]
    assert typed in message and name in message and country in message


def test_the_customer_form_rule_follows_the_country(admin):
    customer = CustomerFactory.build(name="Andes Argentina SA", country="AR", tax_id="20267565393")
    customer.full_clean()
    assert customer.tax_id == "20-26756539-3"
    customer.tax_id = "20267565394"
    with pytest.raises(ValidationError) as exc:
        customer.full_clean()
    assert "tax_id" in exc.value.message_dict


def test_reimport_finds_a_foreign_customer_by_its_canonical_tax_id(tmp_path):
    first = write_csv(
        tmp_path / "a.csv",
        [["Tax ID", "Name", "Country"], ["20267565393", "Andes Argentina SA", "Argentina"]],
    )
    assert run("customers", first).status == S.DONE
    customer = Customer.objects.get()
    assert (customer.tax_id, customer.country) == ("20-26756539-3", "AR")
    again = write_csv(
        tmp_path / "b.csv",
        [["CUIT", "Name", "Country"], ["20-26756539-3", "Andes Argentina S.A.", "AR"]],
    )
    batch = run("customers", again)
    assert (batch.status, batch.created_count, batch.updated_count) == (S.DONE, 0, 1)
    assert Customer.objects.get().name == "Andes Argentina S.A."


def test_an_invalid_foreign_tax_id_is_a_row_error(tmp_path):
    path = write_csv(
        tmp_path / "c.csv",
        [["RFC", "Name", "Country"], ["GODE561331GR8", "Grupo Norte", "MX"]],
    )
    batch = run("customers", path)
    assert batch.status == S.FAILED and not Customer.objects.exists()
    (error,) = batch.errors
    assert (error["line"], error["field"]) == (2, "tax_id")
    assert "RFC" in error["message"]


def test_api_refuses_a_wrong_tax_id_with_a_message(client_for, admin):
    response = client_for(admin).post(
        "/api/v1/customers/",
        {"name": "Brasil Ltda", "country": "BR", "tax_id": "16727230000198"},
        content_type="application/json",
    )
    assert 400 <= response.status_code < 500
    assert "CNPJ" in response.content.decode()


# --- re-import without keys ----------------------------------------------------------------------
def test_a_customer_without_keys_is_matched_by_its_exact_name(tmp_path):
    path = write_csv(tmp_path / "a.csv", [["Razón social", "Industria"], ["Pesquera Sur", "Pesca"]])
    assert run("customers", path).created_count == 1
    again = write_csv(
        tmp_path / "b.csv", [["Razón social", "Industria"], ["  PESQUERA   súr ", "Acuicultura"]]
    )
    batch = run("customers", again)
    assert (batch.status, batch.created_count, batch.updated_count) == (S.DONE, 0, 1)
    customer = Customer.objects.get()
    assert customer.industry == "Acuicultura"
    assert batch.options["matched_by_name"] == {"count": 1, "lines": [2]}


def test_the_cli_report_says_which_rows_were_matched_by_name(tmp_path):
    CustomerFactory(name="Viña del Valle")
    path = write_csv(tmp_path / "a.csv", [["Nombre", "Región"], ["Viña del Valle", "Maule"]])
    out = io.StringIO()
    call_command("import", "customers", str(path), "--no-progress", stdout=out)
    assert "Matched by name (no tax id or external id): 1 rows (lines 2)" in out.getvalue()
    assert Customer.objects.get().region == "Maule"


def test_two_customers_of_one_name_are_refused_naming_both(tmp_path):
    a = CustomerFactory(name="Comercial Norte", tax_id="76.123.456-0")
    b = CustomerFactory(name="Comercial  norte", external_id="ERP-7")
    path = write_csv(tmp_path / "a.csv", [["Nombre", "Región"], ["Comercial Norte", "Biobío"]])
    batch = run("customers", path)
    assert batch.status == S.FAILED
    (error,) = batch.errors
    assert error["field"] == "name"
    assert "76.123.456-0" in error["message"] and "ERP-7" in error["message"]
    assert str(a.pk) in error["message"] and str(b.pk) in error["message"]
    assert Customer.objects.count() == 2


def test_a_keyless_name_twice_in_one_file_is_one_customer(tmp_path):
    path = write_csv(tmp_path / "a.csv", [["Nombre"], ["Agrícola Sol"], ["agricola sol"]])
    batch = run("customers", path)
    assert batch.status == S.FAILED
    assert batch.errors[0]["line"] == 3 and "line 2" in batch.errors[0]["message"]


def test_a_row_with_a_tax_id_is_not_matched_by_name(tmp_path):
    CustomerFactory(name="Transportes Lago")
    path = write_csv(tmp_path / "a.csv", [["RUT", "Nombre"], ["76.123.456-0", "Transportes Lago"]])
    batch = run("customers", path)
    assert (batch.status, batch.created_count) == (S.DONE, 1)
    assert "matched_by_name" not in batch.options


# --- presets and combined columns ----------------------------------------------------------------
def test_every_preset_names_fields_of_its_kind():
    from kamp.core.imports import get_kind

    presets = all_presets()
    assert {p.kind for p in presets} == {"customers", "contacts", "sales"}
    for preset in presets:
        names = {f.name for f in get_kind(preset.kind).fields}
        assert set(preset.columns.values()) - {""} <= names, preset.name
        assert preset.fits(preset.detect and list(preset.detect))


SALESFORCE_ACCOUNTS = [
    "Account Owner",
    "Account Name",
    "Type",
    "Industry",
    "Billing State/Province",
    "Billing Country",
    "Account ID",
]


def test_a_salesforce_report_is_imported_with_its_preset_found_from_the_header(tmp_path):
    path = write_csv(
        tmp_path / "report1733.csv",
        [
            SALESFORCE_ACCOUNTS,
            [
                "Ana Morales",
                "Minera Atacama",
                "Customer",
                "Mining",
                "Antofagasta",
                "Chile",
                "0015g00000XyZaBAAV",
            ],
        ],
    )
    batch = run("customers", path)
    assert batch.status == S.DONE, batch.errors or batch.message
    assert batch.options["detected"]["preset"] == "salesforce-report-accounts"
    c = Customer.objects.get()
    assert (c.name, c.external_id, c.country, c.region, c.industry) == (
        "Minera Atacama",
        "0015g00000XyZaBAAV",
        "CL",
        "Antofagasta",
        "Mining",
    )
    assert c.owner_id is None  # the report's owner is a name, not a KAM's e-mail


def test_hubspot_contacts_combine_first_and_last_name(tmp_path):
    CustomerFactory(name="Constructora Andes")
    path = write_xlsx(
        tmp_path / "hubspot-crm-exports-all-contacts.xlsx",
        [
            ["Record ID", "First Name", "Last Name", "Email", "Job Title", "Company Name"],
            [
                "51",
                "María",
                "González",
                "maria@andes.cl",
                "CFO",
                "Constructora Andes",
            ],
            ["52", "Jorge", "", "jorge@andes.cl", "", "Constructora Andes"],
        ],
    )
    batch = run("contacts", path)
    assert batch.status == S.DONE, batch.errors or batch.message
    assert batch.options["detected"]["preset"] == "hubspot-contacts"
    assert batch.options["detected"]["columns"]["First Name + Last Name"] == "name"
    assert sorted(Contact.objects.values_list("name", "email", "title")) == [
        ("Jorge", "jorge@andes.cl", ""),
        ("María González", "maria@andes.cl", "CFO"),
    ]


def test_dynamics_accounts_keep_the_record_guid_as_external_id(tmp_path):
    guid = "7d5ab6ce-3a9e-ef11-8a69-000d3a5a1b2c"
    path = write_xlsx(
        tmp_path / "Active Accounts 12-04-2026.xlsx",
        [
            [
                "(Do Not Modify) Account",
                "(Do Not Modify) Row Checksum",
                "(Do Not Modify) Modified On",
                "Account Name",
                "Main Phone",
                "Address 1: City",
                "Address 1: Country/Region",
                "Primary Contact",
            ],
            [guid, "abc==", "2026-12-01", "Agrícola Valle", "+56 2 2345", "Talca", "Chile", "X"],
        ],
    )
    batch = run("customers", path)
    assert batch.status == S.DONE, batch.errors or batch.message
    assert batch.options["detected"]["preset"] == "dynamics-accounts"
    c = Customer.objects.get()
    assert (c.external_id, c.name, c.country) == (guid, "Agrícola Valle", "CL")
    # Re-imported, the GUID finds it: updated, not duplicated.
    assert run("customers", path).updated_count == 1
    assert Customer.objects.count() == 1


def test_spanish_erp_sales_join_document_type_and_folio(tmp_path):
    CustomerFactory(name="Constructora Andes", tax_id="76.123.456-0", currency="CLP")
    path = write_csv(
        tmp_path / "libro_ventas.csv",
        [
            [
                "Tipo Documento",
                "Folio",
                "Fecha Emisión",
                "RUT Cliente",
                "Razón Social",
                "Total Neto",
            ],
            ["FAC", "1234", "03-11-2026", "76123456-0", "Constructora Andes", "1.500.000"],
            ["NC", "1234", "04-11-2026", "76123456-0", "Constructora Andes", "-200.000"],
        ],
        delimiter=";",
    )
    batch = run("sales", path)
    assert batch.status == S.DONE, batch.errors or batch.message
    assert batch.options["detected"]["preset"] == "erp-ventas-es"
    assert sorted(SalesLine.objects.values_list("document_number", "net_amount")) == [
        ("FAC 1234", Decimal("1500000")),
        ("NC 1234", Decimal("-200000")),
    ]


def test_preset_none_and_an_unknown_preset(tmp_path):
    path = write_csv(
        tmp_path / "a.csv", [SALESFORCE_ACCOUNTS, ["x", "Minera", "", "", "", "CL", "001"]]
    )
    batch = run("customers", path, preset="none")
    assert "preset" not in batch.options["detected"]
    batch = run("customers", path, preset="hubspot-contacts")
    assert batch.status == S.FAILED and "hubspot-contacts" in batch.message
    assert not Customer.objects.exists()


def test_cli_map_combines_columns_and_preset_by_name(tmp_path):
    CustomerFactory(name="Salmones Austral")
    path = write_csv(
        tmp_path / "people.csv",
        [
            ["Empresa", "Nombres", "Apellidos", "Cargo"],
            ["Salmones Austral", "Paula", "Herrera", "COO"],
        ],
    )
    out = io.StringIO()
    call_command(
        "import",
        "contacts",
        str(path),
        "--map",
        "Nombres+Apellidos=name",
        "--no-progress",
        stdout=out,
    )
    assert Contact.objects.get().name == "Paula Herrera"
    with pytest.raises(CommandError) as exc:
        call_command(
            "import",
            "contacts",
            str(path),
            "--map",
            "Nombres+Segundo apellido=name",
            "--no-progress",
            stdout=io.StringIO(),
        )
    assert "Segundo apellido" in str(exc.value)


def test_find_preset_prefers_the_most_telling_one():
    header = ["Id", "Name", "BillingCountry", "Industry"]
    assert find_preset("customers", header).name == "salesforce-dataloader-accounts"
    assert find_preset("customers", ["RUT", "Razón social"]) is None


def test_cli_fields_lists_the_presets_of_a_kind():
    out = io.StringIO()
    call_command("import", "fields", "contacts", stdout=out)
    text = out.getvalue()
    assert "preset hubspot-contacts: HubSpot — contacts (columns Record ID, First Name" in text
    assert "preset salesforce-report-accounts" not in text  # a customers preset


def test_the_batch_page_says_which_rows_were_matched_by_name_and_the_preset(
    tmp_path, client_for, admin
):
    from django.urls import reverse

    CustomerFactory(name="Minera Atacama")
    path = write_csv(
        tmp_path / "report.csv",
        [SALESFORCE_ACCOUNTS, ["Ana Morales", "Minera Atacama", "", "Mining", "", "Chile", ""]],
    )
    batch = run("customers", path, user=admin, dry_run=True)
    assert batch.status == S.VALIDATED
    page = client_for(admin).get(reverse("core:import_batch", args=[batch.pk])).content.decode()
    assert "One row has no tax id or external id: it found its customer by the exact name." in page
    assert "saved mapping “salesforce-report-accounts”" in page


def test_tax_id_errors_in_spanish():
    from django.utils import translation

    with translation.override("es"), pytest.raises(ValidationError) as exc:
        normalise_tax_id("20-26756539-4", "AR")
    assert exc.value.messages == [
        "“20-26756539-4” no es un CUIT válido (AR): el dígito verificador no corresponde."
    ]


def test_the_parent_field_finds_a_foreign_customer_by_its_tax_id_as_typed():
    from kamp.customers.forms import CustomerLookupField

    parent = CustomerFactory(name="Holding Pampa", country="AR", tax_id="20-26756539-3")
    CustomerFactory(name="Otra", country="CL", tax_id="76.123.456-0")
    field = CustomerLookupField(required=False)
    assert field.clean("20267565393") == parent
    assert field.clean("761234560").name == "Otra"
