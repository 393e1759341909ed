"""A customer's address: typed in the form, shown on the customer's page, read and changed
through the API, and filled by imports — a CRM's street and city columns joined into one."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

from kamp.core.imports import ImportOptions, run_import
from kamp.core.models import ImportBatch
from kamp.customers.forms import CustomerForm
from kamp.customers.models import Customer
from tests.core.import_helpers import write_csv

S = ImportBatch.Status
pytestmark = pytest.mark.django_db


def run(kind, path, **options):
    batch = run_import(kind, path, user=None, options=ImportOptions(**options))
    assert batch.status == S.DONE, batch.errors or batch.message
    return batch


def test_cli_map_joins_street_and_city_into_the_address(tmp_path):
    path = write_csv(
        tmp_path / "clientes.csv",
        [
            ["Razón social", "Calle", "Comuna"],
            ["Pesquera Sur", "Av. Costanera 120", "Puerto Montt"],
            ["Viña del Valle", "", "Talca"],  # no street: the city alone
        ],
    )
    out = io.StringIO()
    call_command(
        "import",
        "customers",
        str(path),
        "--map",
        "Calle+Comuna=address",
        "--no-progress",
        stdout=out,
    )
    assert dict(Customer.objects.values_list("name", "address")) == {
        "Pesquera Sur": "Av. Costanera 120 Puerto Montt",
        "Viña del Valle": "Talca",
    }


def test_a_spanish_direccion_column_is_the_address_and_an_update_keeps_it(tmp_path):
    path = write_csv(
        tmp_path / "a.csv", [["Razón social", "Dirección"], ["Pesquera Sur", "Av. Angelmó 1800"]]
    )
    run("customers", path)
    assert Customer.objects.get().address == "Av. Angelmó 1800"
    moved = write_csv(
        tmp_path / "b.csv", [["Razón social", "Direccion"], ["Pesquera Sur", "Ruta 5 Sur km 1020"]]
    )
    assert run("customers", moved).updated_count == 1
    assert Customer.objects.get().address == "Ruta 5 Sur km 1020"


def test_an_address_too_long_is_a_row_error_and_nothing_is_stored(tmp_path):
    path = write_csv(tmp_path / "a.csv", [["Nombre", "Dirección"], ["Larga SpA", "x" * 501]])
    batch = run_import("customers", path, user=None, options=ImportOptions())
    assert batch.status == S.FAILED and not Customer.objects.exists()
    (error,) = batch.errors
    assert error["field"] == "address" and "500" in error["message"]


@pytest.mark.parametrize(
    "header, row, preset",
    [
        (
            ["Account Name", "Account Owner", "Billing Street", "Billing City", "Type"],
            ["Minera Atacama", "Ana Morales", "Av. Grecia 1900", "Antofagasta", "Customer"],
            "salesforce-report-accounts",
        ),
        (
            ["Id", "Name", "BillingStreet", "BillingCity", "BillingCountry"],
            ["0015g00000Q1aBcAAB", "Minera Atacama", "Av. Grecia 1900", "Antofagasta", "Chile"],
            "salesforce-dataloader-accounts",
        ),
        (
            ["Record ID", "Company name", "Street Address", "City", "Phone Number"],
            ["9001", "Minera Atacama", "Av. Grecia 1900", "Antofagasta", "+56 55 212 3456"],
            "hubspot-companies",
        ),
        (
            [
                "(Do Not Modify) Account",
                "Account Name",
                "Address 1: Street 1",
                "Address 1: City",
                "Main Phone",
            ],
            [
                "4a1f0c2e-8b1d-ef11-840a-000d3a5a1b2c",
                "Minera Atacama",
                "Av. Grecia 1900",
                "Antofagasta",
                "",
            ],
            "dynamics-accounts",
        ),
    ],
)
def test_each_crm_preset_joins_street_and_city_into_the_address(tmp_path, header, row, preset):
    path = write_csv(tmp_path / "export.csv", [header, row])
    batch = run("customers", path)
    assert batch.options["detected"]["preset"] == preset
    assert Customer.objects.get().address == "Av. Grecia 1900 Antofagasta"


def test_the_form_round_trip_keeps_the_address_and_the_page_shows_it(client_for, director):
    c = client_for(director)
    r = c.post(
        reverse("customers:create"),
        {
            "name": "Pesquera Sur",
            "country": "CL",
            "status": "candidate",
            "address": "Av. Angelmó 1800\nPuerto Montt",
        },
    )
    assert r.status_code == 302
    customer = Customer.objects.get(name="Pesquera Sur")
    assert customer.address == "Av. Angelmó 1800\nPuerto Montt"
    edit = c.get(reverse("customers:edit", args=[customer.pk])).content.decode()
    assert "Av. Angelmó 1800\nPuerto Montt</textarea>" in edit
    r = c.post(
        reverse("customers:edit", args=[customer.pk]),
        {
            "name": "Pesquera Sur",
            "country": "CL",
            "address": "Ruta 5 Sur km 1020",
            "version": customer.version,
        },
    )
    assert r.status_code == 302
    customer.refresh_from_db()
    assert customer.address == "Ruta 5 Sur km 1020"
    page = c.get(reverse("customers:detail", args=[customer.pk])).content.decode()
    assert "Ruta 5 Sur km 1020" in page


def test_the_form_refuses_an_address_too_long_keeping_what_was_typed(client_for, director):
    r = client_for(director).post(
        reverse("customers:create"),
        {"name": "Larga SpA", "country": "CL", "status": "candidate", "address": "x" * 501},
    )
    assert r.status_code == 200 and 'id="id_address_error"' in r.content.decode()
    assert not Customer.objects.exists()


def test_the_address_label_is_spanish_on_a_spanish_page(director):
    with translation.override("es"):
        form = CustomerForm(user=director)
        assert str(form.fields["address"].label) == "Dirección"


def call(c, method, url, body):
    return getattr(c, method)(url, data=json.dumps(body), content_type="application/json")


def test_api_reads_creates_and_patches_the_address(client_for, director):
    c = client_for(director)
    r = call(c, "post", "/api/v1/customers/", {"name": "Pesquera Sur", "address": " Calle 1 "})
    assert r.status_code == 201 and r.json()["address"] == "Calle 1"
    data = r.json()
    r = call(
        c,
        "patch",
        f"/api/v1/customers/{data['id']}",
        {"address": "Av. Angelmó 1800, Puerto Montt", "version": data["version"]},
    )
    assert r.status_code == 200
    assert r.json()["address"] == "Av. Angelmó 1800, Puerto Montt"
    assert r.json()["version"] == data["version"] + 1
    assert Customer.objects.get().address == "Av. Angelmó 1800, Puerto Montt"
    # The version read before the change is stale now: refused, nothing overwritten.
    r = call(c, "patch", f"/api/v1/customers/{data['id']}", {"address": "Otra", "version": 1})
    assert r.status_code in (409, 412)
    r = call(c, "patch", f"/api/v1/customers/{data['id']}", {"address": "x" * 501})
    assert r.status_code == 422
    assert Customer.objects.get().address == "Av. Angelmó 1800, Puerto Montt"
