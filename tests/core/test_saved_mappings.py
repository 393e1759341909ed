"""Saved mappings: a person saves the mapping step's plan under a name, a file with the same
columns gets it by itself next time (before a shipped preset), private ones stay with their
author, only the author or an admin deletes one; the CLI uses and lists them."""

from __future__ import annotations

import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from kamp.core.models import AuditEvent, ImportBatch, SavedMapping
from kamp.core.saved_mappings import MappingError, do_save_mapping
from kamp.customers.models import Customer
from tests.factories import CustomerFactory

# An ERP export whose column names kamp does not know by itself.
HEADER = "Cod;Denominación;Territorio;Obs"
FIRST = (HEADER + "\n76.123.456-0;Constructora CS;Metropolitana;x\n").encode("utf-8")
SECOND = (HEADER + "\n96.790.240-3;Minera Norte;Antofagasta;y\n").encode("utf-8")
PLAN = {"col_0": "tax_id", "col_1": "name", "col_2": "region", "col_3": "", "decimal": ""}


@pytest.fixture(autouse=True)
def media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path


def upload(client, data, name="erp.csv", kind="customers") -> ImportBatch:
    r = client.post(
        reverse("core:imports"),
        {"kind": kind, "file": SimpleUploadedFile(name, data, content_type="text/csv")},
    )
    assert r.status_code == 302, r.content.decode()[:500]
    return ImportBatch.objects.latest("id")


def mapping_url(batch) -> str:
    return reverse("core:import_mapping", args=[batch.pk])


def save_from_page(client, name="ERP Norte", shared=False, data=FIRST):
    batch = upload(client, data)
    post = {**PLAN, "save_as": name, "date_order": "dmy"}
    if shared:
        post["save_shared"] = "on"
    r = client.post(mapping_url(batch), post)
    assert r.status_code == 302, r.context["form"].errors if r.context else r
    return batch


def initial(page) -> dict[str, str]:
    form = page.context["form"]
    return {name: form[name].initial for name in form.columns}


def test_a_mapping_saved_from_the_page_keeps_the_plan_and_is_audited(client_for, ana):
    c = client_for(ana)
    batch = save_from_page(c)
    saved = SavedMapping.objects.get()
    assert (saved.name, saved.kind, saved.created_by, saved.shared) == (
        "ERP Norte",
        "customers",
        ana,
        False,
    )
    assert saved.columns == {
        "Cod": "tax_id",
        "Denominación": "name",
        "Territorio": "region",
        "Obs": "",
    }
    assert saved.header == ["Cod", "Denominación", "Territorio", "Obs"]
    assert saved.options == {"date_order": "dmy"}
    assert AuditEvent.objects.filter(
        object_type="core.savedmapping", action=AuditEvent.Action.CREATE, actor=ana
    ).exists()
    batch.refresh_from_db()
    # The check went on as usual, and the report names the mapping used.
    assert batch.status == ImportBatch.Status.VALIDATED, batch.message
    assert batch.options["preset"] == "ERP Norte"


def test_a_second_file_with_the_same_columns_gets_the_saved_mapping_by_itself(client_for, ana):
    c = client_for(ana)
    before = c.get(mapping_url(upload(c, SECOND)))
    assert initial(before)["col_0"] != "tax_id"  # kamp alone does not know "Cod"
    save_from_page(c)
    page = c.get(mapping_url(upload(c, SECOND, name="erp-march.csv")))
    assert initial(page) == {"col_0": "tax_id", "col_1": "name", "col_2": "region", "col_3": ""}
    assert page.context["form"]["date_order"].initial == "dmy"
    html = page.content.decode()
    assert "Saved mapping “ERP Norte” chosen by itself" in html
    # Checked and imported with it, unchanged.
    batch = ImportBatch.objects.latest("id")
    c.post(mapping_url(batch), {**PLAN, "date_order": "dmy"})
    c.post(reverse("core:import_run", args=[batch.pk]))
    assert Customer.objects.get().name == "Minera Norte"


def test_a_saved_mapping_comes_before_the_shipped_preset_of_its_source(client_for, ana):
    CustomerFactory(name="Constructora Andes")
    hubspot = (
        "Record ID,First Name,Last Name,Email,Job Title,Company Name\r\n"
        "51,María,González,maria@andes.cl,CFO,Constructora Andes\r\n"
    ).encode()
    c = client_for(ana)
    page = c.get(mapping_url(upload(c, hubspot, "hubspot.csv", kind="contacts")))
    assert page.context["preset"].name == "hubspot-contacts"
    do_save_mapping(
        ana,
        kind="contacts",
        name="HubSpot sin cargo",
        columns={"Email": "email", "Company Name": "customer", "First Name+Last Name": "name"},
        header=["Record ID", "First Name", "Last Name", "Email", "Job Title", "Company Name"],
    )
    page = c.get(mapping_url(upload(c, hubspot, "hubspot2.csv", kind="contacts")))
    assert page.context["preset"].name == "HubSpot sin cargo"
    assert page.context["preset"].saved


def test_a_private_mapping_is_its_authors_a_shared_one_everyones(client_for, ana, bruno):
    save_from_page(client_for(ana), "Privado de Ana")
    cb = client_for(bruno)
    page = cb.get(mapping_url(upload(cb, SECOND)))
    assert page.context["preset"] is None or not page.context["preset"].saved
    assert "Privado de Ana" not in page.content.decode()
    # Asked for by name, it is not there for Bruno.
    page = cb.get(mapping_url(ImportBatch.objects.latest("id")), {"preset": "Privado de Ana"})
    assert "No preset or saved mapping “Privado de Ana”" in page.content.decode()

    save_from_page(client_for(ana), "Compartido", shared=True)
    page = cb.get(mapping_url(upload(cb, SECOND, "otra.csv")))
    assert page.context["preset"].name == "Compartido"
    assert [p.name for p in page.context["saved_presets"]] == ["Compartido"]
    assert page.context["deletable"] == []  # Bruno uses it but may not delete it


def test_ones_own_mapping_comes_before_a_shared_one(client_for, ana, bruno):
    save_from_page(client_for(bruno), "De Bruno", shared=True)
    save_from_page(client_for(ana), "De Ana")
    c = client_for(ana)
    assert c.get(mapping_url(upload(c, SECOND))).context["preset"].name == "De Ana"


@pytest.mark.parametrize(
    "person, status, kept",
    [
        ("ana", 302, False),
        ("admin", 302, False),
        ("bruno", 403, True),  # sees the shared mapping, may not delete it
        ("director", 403, True),
        ("member", 403, True),
    ],
)
def test_who_deletes_a_shared_mapping(request, client_for, ana, person, status, kept):
    mapping = do_save_mapping(
        ana, kind="customers", name="ERP", columns={"Cod": "tax_id"}, header=["Cod"], shared=True
    )
    user = request.getfixturevalue(person)
    r = client_for(user).post(reverse("core:delete_saved_mapping", args=[mapping.pk]))
    assert r.status_code == status
    assert SavedMapping.objects.filter(pk=mapping.pk).exists() is kept
    if not kept:
        assert AuditEvent.objects.filter(
            object_type="core.savedmapping", action=AuditEvent.Action.DELETE, actor=user
        ).exists()


def test_a_private_mapping_is_not_found_by_others_and_deleted_back_to_the_page(
    client_for, ana, bruno, admin
):
    mapping = do_save_mapping(
        ana, kind="customers", name="ERP", columns={"Cod": "tax_id"}, header=["Cod"]
    )
    url = reverse("core:delete_saved_mapping", args=[mapping.pk])
    assert client_for(bruno).post(url).status_code == 404
    assert client_for(ana).get(url).status_code == 405
    r = client_for(admin).post(url, {"next": "/imports/?x=1"})
    assert r["Location"] == "/imports/?x=1"
    assert not SavedMapping.objects.exists()
    # An address elsewhere is not followed.
    other = do_save_mapping(ana, kind="customers", name="B", columns={}, header=["Cod"])
    r = client_for(ana).post(
        reverse("core:delete_saved_mapping", args=[other.pk]), {"next": "https://evil.test/"}
    )
    assert r["Location"] == reverse("core:imports")


def test_names_that_cannot_be_used(ana, bruno, admin):
    do_save_mapping(ana, kind="customers", name="ERP", columns={"Cod": "tax_id"}, header=["Cod"])
    with pytest.raises(MappingError, match="preset kamp ships"):
        do_save_mapping(ana, kind="customers", name="hubspot-companies", columns={}, header=[])
    with pytest.raises(MappingError, match="preset kamp ships"):
        do_save_mapping(ana, kind="customers", name="None", columns={}, header=[])
    with pytest.raises(MappingError, match="someone else saved"):
        do_save_mapping(bruno, kind="customers", name="ERP", columns={}, header=[])
    with pytest.raises(MappingError, match="Give the mapping a name"):
        do_save_mapping(ana, kind="customers", name="   ", columns={}, header=[])
    # Saving under one's own name replaces it (an admin may replace anyone's).
    do_save_mapping(ana, kind="customers", name="ERP", columns={"Cod": "name"}, header=["Cod"])
    do_save_mapping(
        admin, kind="customers", name="ERP", columns={"Cod": "external_id"}, header=["Cod"]
    )
    assert SavedMapping.objects.get().columns == {"Cod": "external_id"}
    assert SavedMapping.objects.get().created_by == ana


def test_a_name_someone_else_took_is_an_error_on_the_page_and_nothing_is_checked(
    client_for, ana, bruno
):
    do_save_mapping(ana, kind="customers", name="ERP", columns={}, header=["Cod"], shared=True)
    c = client_for(bruno)
    batch = upload(c, FIRST)
    r = c.post(mapping_url(batch), {**PLAN, "save_as": "ERP"})
    assert r.status_code == 200
    assert "“ERP” is a mapping someone else saved" in r.content.decode()
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.PENDING


def run(*args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import", *args, "--no-progress", stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_the_cli_imports_with_a_saved_mapping_by_name_or_by_its_columns(ana, tmp_path):
    do_save_mapping(
        ana,
        kind="customers",
        name="ERP Norte",
        columns={"Cod": "tax_id", "Denominación": "name", "Territorio": "region", "Obs": ""},
        header=["Cod", "Denominación", "Territorio", "Obs"],
    )
    path = tmp_path / "erp.csv"
    path.write_bytes(FIRST)
    # Private: without --user (the shared ones only) the name is not found.
    with pytest.raises(CommandError, match="No preset or saved mapping “ERP Norte”"):
        run("customers", str(path), "--preset", "ERP Norte")
    out, _err = run("customers", str(path), "--preset", "ERP Norte", "--user", ana.email)
    assert "Preset: ERP Norte" in out
    c = Customer.objects.get()
    assert (c.name, c.region, c.notes) == ("Constructora CS", "Metropolitana", "")
    # Found by itself from the columns.
    path.write_bytes(SECOND)
    out, _err = run("customers", str(path), "--user", ana.email)
    assert "Preset: ERP Norte" in out
    assert Customer.objects.count() == 2


def test_a_saved_mapping_brings_its_date_order_and_header_row_to_the_cli(ana, tmp_path):
    import datetime as dt

    from kamp.economics.models import SalesLine

    CustomerFactory(name="Constructora CS", tax_id="76.123.456-0")
    path = tmp_path / "ventas.csv"
    # A title above the header, and 3/4/2025 that could be either order.
    path.write_text("Ventas\n\nCuenta,Cierre,Monto\n76.123.456-0,3/4/2025,100\n")
    with pytest.raises(CommandError):
        run("sales", str(path), "--preset", "none", "--map", "Cuenta=customer")
    do_save_mapping(
        ana,
        kind="sales",
        name="Ventas US",
        columns={"Cuenta": "customer", "Cierre": "date", "Monto": "net_amount"},
        header=["Cuenta", "Cierre", "Monto"],
        options={"date_order": "mdy", "header_row": 3},
        shared=True,
    )
    out, _err = run("sales", str(path), "--preset", "Ventas US")  # shared: no --user needed
    assert "Preset: Ventas US" in out and "Header: line 3" in out
    assert SalesLine.objects.get().date == dt.date(2025, 3, 4)


def test_the_cli_lists_presets_and_saved_mappings(ana, bruno):
    do_save_mapping(ana, kind="customers", name="Privado", columns={}, header=["Cod"])
    do_save_mapping(
        bruno,
        kind="customers",
        name="Compartido",
        columns={"Cod": "tax_id"},
        header=["Cod"],
        shared=True,
    )
    rows = json.loads(run("mappings", "--json", "--user", ana.email)[0])
    saved = {r["name"]: r for r in rows if r["source"] == "saved"}
    assert set(saved) == {"Privado", "Compartido"}
    assert saved["Compartido"]["saved_by"] == bruno.email and saved["Compartido"]["shared"]
    assert saved["Compartido"]["plan"] == {"Cod": "tax_id"}
    presets = {r["name"] for r in rows if r["source"] == "preset"}
    assert {"hubspot-contacts", "salesforce-report-accounts"} <= presets
    # Without --user: the shared ones; one kind only.
    rows = json.loads(run("mappings", "customers", "--json")[0])
    assert {r["kind"] for r in rows} == {"customers"}
    assert [r["name"] for r in rows if r["source"] == "saved"] == ["Compartido"]
    text = run("mappings", "--user", bruno.email)[0]
    assert "saved   Compartido (shared, by bruno@supplier.test): columns Cod" in text
    assert "Privado" not in text
