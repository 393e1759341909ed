"""Each shipped preset with a file in the shape its source exports it — all the columns the
program writes, not only the ones kamp keeps: the preset is found from the header, each kept
column lands in its field, the others are left out, and importing the same file again updates
instead of duplicating. (Salesforce report accounts, HubSpot contacts, Dynamics accounts and the
Spanish ERP sales export are in test_presets_and_tax_ids.py.)"""

from __future__ import annotations

import pytest

from kamp.core.imports import ImportOptions, run_import
from kamp.core.models import ImportBatch
from kamp.customers.models import Contact, Customer
from tests.core.import_helpers import write_csv, write_xlsx
from tests.factories import CustomerFactory

S = ImportBatch.Status
pytestmark = pytest.mark.django_db


def run(kind, path, **options):
    batch = run_import(kind, path, user=None, options=ImportOptions(**options))
    assert batch.status == S.DONE, batch.errors or batch.message
    return batch


def test_salesforce_report_of_contacts_joins_the_names_and_leaves_its_footer_out(tmp_path):
    CustomerFactory(name="Minera Atacama")
    path = tmp_path / "report1733418848123.csv"
    # "Contacts & Accounts" exported as Details Only: every value quoted, CRLF, and the
    # report's footer under the data.
    path.write_bytes(
        b'"Contact Owner","Salutation","First Name","Last Name","Title","Mailing City",'
        b'"Phone","Mobile","Email","Account Name","Account Owner"\r\n'
        b'"Ana Morales","Sra.","Mar\xc3\xada Jos\xc3\xa9","Gonz\xc3\xa1lez","CFO","Santiago",'
        b'"+56 2 2345 6789","","mj.gonzalez@atacama.cl","Minera Atacama","Ana Morales"\r\n'
        b'"Ana Morales","Sr.","","Pe\xc3\xb1a","Jefe de compras","Antofagasta","","+56 9 8765 4321",'
        b'"pena@atacama.cl","Minera Atacama","Ana Morales"\r\n'
        b"\r\n"
        b'"Grand Totals (2 records)"\r\n'
        b"\r\n"
        b'"Confidential Information - Do Not Distribute"\r\n'
        b'"Copyright (c) 2000-2026 salesforce.com, inc. All rights reserved."\r\n'
    )
    batch = run("contacts", path)
    detected = batch.options["detected"]
    assert detected["preset"] == "salesforce-report-contacts"
    assert [line for line, _text in detected["footer"]] == [5, 7, 8]
    assert sorted(Contact.objects.values_list("name", "title", "email", "phone")) == [
        ("María José González", "CFO", "mj.gonzalez@atacama.cl", "+56 2 2345 6789"),
        ("Peña", "Jefe de compras", "pena@atacama.cl", ""),  # no first name: the last alone
    ]
    assert {c.customer.name for c in Contact.objects.all()} == {"Minera Atacama"}
    assert run("contacts", path).created_count == 0
    assert Contact.objects.count() == 2


DATALOADER_ACCOUNTS = [
    "Id",
    "IsDeleted",
    "MasterRecordId",
    "Name",
    "Type",
    "ParentId",
    "BillingStreet",
    "BillingCity",
    "BillingState",
    "BillingPostalCode",
    "BillingCountry",
    "BillingCountryCode",
    "Phone",
    "Industry",
    "OwnerId",
    "CreatedDate",
]


def test_salesforce_data_loader_accounts_then_contacts_found_by_the_account_id(tmp_path):
    parent, child = "0015g00000Q1aBcAAB", "0015g00000Q1aBdAAB"
    accounts = write_csv(
        tmp_path / "extract.csv",
        [
            DATALOADER_ACCOUNTS,
            [parent, "false", "", "Grupo Andino S.A.", "Customer", "", "Av. Apoquindo 3000",
             "Las Condes", "Región Metropolitana", "7550000", "Chile", "CL", "", "Holding",
             "0055g00000A1b2CAAR", "2024-03-01T14:22:09.000Z"],
            [child, "false", "", "Andino Logística SpA", "Customer", parent, "", "Valparaíso",
             "Valparaíso", "", "Chile", "CL", "", "Transportation", "0055g00000A1b2CAAR",
             "2024-03-02T09:00:00.000Z"],
        ],
    )  # fmt: skip
    batch = run("customers", accounts)
    assert batch.options["detected"]["preset"] == "salesforce-dataloader-accounts"
    group = Customer.objects.get(external_id=parent)
    logistics = Customer.objects.get(external_id=child)
    assert (logistics.name, logistics.country, logistics.region, logistics.industry) == (
        "Andino Logística SpA",
        "CL",
        "Valparaíso",
        "Transportation",
    )
    assert logistics.parent_id == group.pk  # ParentId: the parent by its Salesforce Id

    # The Contact object's export names the account by its Id only; it also carries the
    # compound Name field beside FirstName and LastName.
    contacts = write_csv(
        tmp_path / "extract (1).csv",
        [
            ["Id", "IsDeleted", "AccountId", "LastName", "FirstName", "Salutation", "Name",
             "Title", "Phone", "Email", "Department", "OwnerId"],
            ["0035g00000B7xYzAAJ", "false", child, "Rojas", "Camila", "Ms.", "Camila Rojas",
             "Gerente de operaciones", "+56 32 234 5678", "crojas@andino.cl", "Operaciones",
             "0055g00000A1b2CAAR"],
        ],
    )  # fmt: skip
    batch = run("contacts", contacts)
    assert batch.options["detected"]["preset"] == "salesforce-dataloader-contacts"
    contact = Contact.objects.get()
    assert (contact.customer_id, contact.name, contact.title, contact.email) == (
        logistics.pk,
        "Camila Rojas",
        "Gerente de operaciones",
        "crojas@andino.cl",
    )
    # Both files again: updated, never duplicated.
    run("customers", accounts)
    run("contacts", contacts)
    assert Customer.objects.count() == 2 and Contact.objects.count() == 1


def test_hubspot_companies_keep_the_record_id(tmp_path):
    path = write_xlsx(
        tmp_path / "hubspot-crm-exports-all-companies-2026-12-04.xlsx",
        [
            ["Record ID", "Company name", "Company owner", "Create Date", "Phone Number",
             "Last Activity Date", "City", "Country/Region", "Industry", "State/Region",
             "Annual Revenue"],
            ["18234567890", "Salmones del Sur", "Ana Morales", "2025-01-10 10:22", "",
             "", "Puerto Montt", "Chile", "Fishery", "Los Lagos", "12000000"],
            ["18234567891", "Viña Colchagua", "", "2025-02-11 09:00", "", "", "Santa Cruz",
             "Chile", "Wine and Spirits", "O'Higgins", ""],
        ],
    )  # fmt: skip
    batch = run("customers", path)
    assert batch.options["detected"]["preset"] == "hubspot-companies"
    assert sorted(
        Customer.objects.values_list("external_id", "name", "country", "region", "industry")
    ) == [
        ("18234567890", "Salmones del Sur", "CL", "Los Lagos", "Fishery"),
        ("18234567891", "Viña Colchagua", "CL", "O'Higgins", "Wine and Spirits"),
    ]
    assert run("customers", path).updated_count == 2
    assert Customer.objects.count() == 2


def test_hubspot_contacts_prefer_the_associated_company(tmp_path):
    CustomerFactory(name="Salmones del Sur")
    CustomerFactory(name="Salmones del Sur Holding")
    path = write_csv(
        tmp_path / "hubspot-crm-exports-all-contacts-2026-12-04.csv",
        [
            ["Record ID", "First Name", "Last Name", "Email", "Phone Number", "Job Title",
             "Company Name", "Associated Company", "Contact owner"],
            # The typed company name is the holding; the record is associated with the firm.
            ["901", "Paula", "Herrera", "paula@salmones.cl", "", "COO",
             "Salmones del Sur Holding", "Salmones del Sur", "Ana Morales"],
        ],
    )  # fmt: skip
    batch = run("contacts", path)
    assert batch.options["detected"]["preset"] == "hubspot-contacts"
    contact = Contact.objects.get()
    assert (contact.name, contact.customer.name) == ("Paula Herrera", "Salmones del Sur")


def test_dynamics_contacts_by_full_name_and_company(tmp_path):
    CustomerFactory(name="Agrícola Valle")
    path = write_xlsx(
        tmp_path / "Active Contacts 12-04-2026 10-15-32.xlsx",
        [
            ["(Do Not Modify) Contact", "(Do Not Modify) Row Checksum",
             "(Do Not Modify) Modified On", "Full Name", "Email", "Company Name",
             "Business Phone", "Job Title"],
            ["3f2a9c10-1b2c-ef11-8a69-000d3a5a1b2c", "k3Jd9==", "2026-12-01 10:00",
             "Tomás Fuentes", "tfuentes@agrivalle.cl", "Agrícola Valle", "+56 71 234 5678",
             "Jefe de planta"],
        ],
    )  # fmt: skip
    batch = run("contacts", path)
    assert batch.options["detected"]["preset"] == "dynamics-contacts"
    contact = Contact.objects.get()
    assert (contact.name, contact.customer.name, contact.title, contact.phone) == (
        "Tomás Fuentes",
        "Agrícola Valle",
        "Jefe de planta",
        "+56 71 234 5678",
    )
    assert run("contacts", path).created_count == 0
