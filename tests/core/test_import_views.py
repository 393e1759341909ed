"""The Imports pages: who may use them, and the upload → mapping → check → import flow."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from kamp.core.models import ImportBatch
from kamp.customers.models import Customer

CSV = (
    "RUT;Razón social;Región;Notas\n"
    "76.123.456-0;Constructora CS;Metropolitana;x\n"
    "96.790.240-3;Minera Norte;Antofagasta;y\n"
).encode("cp1252")


def upload(client, data=CSV, name="clientes.csv", kind="customers"):
    return client.post(
        reverse("core:imports"),
        {"kind": kind, "file": SimpleUploadedFile(name, data, content_type="text/csv")},
    )


def mapping_post(batch, **extra):
    data = {"col_0": "tax_id", "col_1": "name", "col_2": "region", "col_3": "", "decimal": ""}
    data.update(extra)
    return data


@pytest.fixture
def batch(admin):
    return ImportBatch.objects.create(
        kind="customers", filename="x.csv", created_by=admin, status=ImportBatch.Status.DONE
    )


@pytest.mark.parametrize(
    "person, status",
    [
        ("admin", 200),
        ("director", 200),
        ("ana", 200),
        ("bruno", 200),
        ("member", 403),
        ("viewer", 403),
    ],
)
def test_who_opens_the_imports_page(request, client_for, person, status):
    user = request.getfixturevalue(person)
    assert client_for(user).get(reverse("core:imports")).status_code == status


@pytest.mark.parametrize(
    "person, status",
    [("admin", 302), ("director", 302), ("ana", 302), ("member", 403), ("viewer", 403)],
)
def test_who_uploads(request, client_for, person, status, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    user = request.getfixturevalue(person)
    assert upload(client_for(user)).status_code == status


def test_anonymous_is_sent_to_login(anonymous, batch):
    for name in ["core:imports"]:
        r = anonymous.get(reverse(name))
        assert r.status_code == 302 and "/login/" in r["Location"]
    for name in ["core:import_batch", "core:import_mapping", "core:import_progress"]:
        r = anonymous.get(reverse(name, args=[batch.pk]))
        assert r.status_code == 302 and "/login/" in r["Location"]


@pytest.mark.parametrize(
    "person, status",
    [("admin", 200), ("director", 200), ("ana", 404), ("member", 403), ("viewer", 403)],
)
def test_who_sees_a_batch(request, client_for, batch, person, status):
    """Admins and directors see every import; a KAM sees their own."""
    user = request.getfixturevalue(person)
    assert client_for(user).get(reverse("core:import_batch", args=[batch.pk])).status_code == status


@pytest.mark.parametrize("view", ["core:import_run", "core:import_discard", "core:import_revert"])
@pytest.mark.parametrize("person", ["member", "viewer"])
def test_members_and_viewers_cannot_post(request, client_for, batch, view, person):
    user = request.getfixturevalue(person)
    assert client_for(user).post(reverse(view, args=[batch.pk])).status_code == 403


@pytest.mark.parametrize(
    "person, status",
    [("admin", 302), ("director", 403), ("ana", 403), ("member", 403), ("viewer", 403)],
)
def test_only_admins_revert(request, client_for, batch, person, status):
    user = request.getfixturevalue(person)
    assert (
        client_for(user).post(reverse("core:import_revert", args=[batch.pk])).status_code == status
    )


def test_the_whole_flow(client_for, admin, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    c = client_for(admin)
    r = upload(c)
    batch = ImportBatch.objects.get()
    assert r["Location"] == reverse("core:import_mapping", args=[batch.pk])
    page = c.get(r["Location"])
    assert page.status_code == 200
    html = page.content.decode()
    assert "Constructora CS" in html  # the preview
    form = page.context["form"]
    assert form["col_0"].initial == "tax_id" and form["col_1"].initial == "name"
    assert form["col_3"].initial == "notes"  # recognised; the post below leaves it out
    r = c.post(r["Location"], mapping_post(batch))
    assert r["Location"] == reverse("core:import_batch", args=[batch.pk])
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.VALIDATED, batch.message
    assert Customer.objects.count() == 0
    assert "All 2 rows are correct" in c.get(r["Location"]).content.decode()
    r = c.post(reverse("core:import_run", args=[batch.pk]))
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.DONE and batch.created_count == 2
    assert set(Customer.objects.values_list("region", flat=True)) == {
        "Metropolitana",
        "Antofagasta",
    }
    assert Customer.objects.filter(notes="").count() == 2  # the column was left out


def test_bad_rows_are_listed_and_block_the_import(client_for, admin, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    c = client_for(admin)
    data = CSV + b"76.123.456-1;Bad RUT;Sur;z\n"
    upload(c, data)
    batch = ImportBatch.objects.get()
    c.post(reverse("core:import_mapping", args=[batch.pk]), mapping_post(batch))
    batch.refresh_from_db()
    assert batch.invalid_count == 1
    page = c.get(reverse("core:import_batch", args=[batch.pk])).content.decode()
    assert "wrong check digit" in page and ">4<" in page and "RUT" in page
    c.post(reverse("core:import_run", args=[batch.pk]))
    assert Customer.objects.count() == 0
    c.post(reverse("core:import_run", args=[batch.pk]), {"skip_invalid": "on"})
    assert Customer.objects.count() == 2


def test_mapping_requires_the_required_fields(client_for, admin, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    c = client_for(admin)
    upload(c)
    batch = ImportBatch.objects.get()
    r = c.post(reverse("core:import_mapping", args=[batch.pk]), mapping_post(batch, col_1=""))
    assert r.status_code == 200 and "Choose a column for" in r.content.decode()


def test_large_files_go_to_the_worker(client_for, admin, tmp_path, settings):
    """With the immediate backend of the test settings the task runs at once; what matters is
    that the view hands it over and the page then shows the result."""
    settings.MEDIA_ROOT = tmp_path
    settings.KAMP_IMPORT_INLINE_MAX_ROWS = 1
    c = client_for(admin)
    upload(c)
    batch = ImportBatch.objects.get()
    c.post(reverse("core:import_mapping", args=[batch.pk]), mapping_post(batch))
    batch.refresh_from_db()
    assert batch.options.get("background") and batch.status == ImportBatch.Status.VALIDATED
    c.post(reverse("core:import_run", args=[batch.pk]))
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.DONE


def test_progress_fragment(client_for, admin, batch):
    c = client_for(admin)
    r = c.get(reverse("core:import_progress", args=[batch.pk]))
    assert r.status_code == 204 and r["HX-Refresh"] == "true"
    batch.status = ImportBatch.Status.RUNNING
    batch.total_rows, batch.processed_rows = 10, 4
    batch.save()
    r = c.get(reverse("core:import_progress", args=[batch.pk]))
    assert r.status_code == 200 and b"<progress" in r.content


def test_the_report_speaks_the_uploaders_language(client_for, admin, tmp_path, settings):
    """Checked in Spanish (also by the worker, which has no request): the errors are in Spanish."""
    from django.utils import translation

    settings.KAMP_IMPORT_INLINE_MAX_ROWS = 1  # the worker's path
    c = client_for(admin)
    c.cookies[settings.LANGUAGE_COOKIE_NAME] = "es"
    upload(c, CSV + b"76.123.456-1;Bad RUT;Sur;z\n")
    batch = ImportBatch.objects.get()
    assert batch.options["language"] == "es"
    with translation.override("en"):
        c.post(reverse("core:import_mapping", args=[batch.pk]), mapping_post(batch))
    batch.refresh_from_db()
    assert batch.invalid_count == 1


@pytest.fixture
def anas_upload(ana, client_for):
    upload(client_for(ana))
    return ImportBatch.objects.get()


@pytest.mark.parametrize(
    "person, status",
    [
        ("admin", 200),
        ("director", 200),
        ("ana", 200),
        ("bruno", 404),
        ("member", 403),
        ("viewer", 403),
    ],
)
@pytest.mark.parametrize("view", ["core:import_mapping", "core:import_progress"])
def test_who_reaches_an_upload(request, client_for, anas_upload, person, status, view):
    """A KAM's upload is theirs (and the programme's): another KAM does not even see it."""
    user = request.getfixturevalue(person)
    r = client_for(user).get(reverse(view, args=[anas_upload.pk]))
    expected = 204 if (view == "core:import_progress" and status == 200) else status
    assert r.status_code == expected


@pytest.mark.parametrize("person, status", [("bruno", 404), ("member", 403), ("viewer", 403)])
@pytest.mark.parametrize("view", ["core:import_run", "core:import_discard"])
def test_who_cannot_run_or_discard_an_upload(
    request, client_for, anas_upload, person, status, view
):
    user = request.getfixturevalue(person)
    assert client_for(user).post(reverse(view, args=[anas_upload.pk])).status_code == status
    assert ImportBatch.objects.filter(pk=anas_upload.pk).exists()


def test_history_lists_a_kams_own_imports_only(client_for, anas_upload, bruno, ana):
    assert anas_upload.filename in client_for(ana).get(reverse("core:imports")).content.decode()
    assert (
        anas_upload.filename not in client_for(bruno).get(reverse("core:imports")).content.decode()
    )


def test_revert_from_the_history(client_for, admin, tmp_path):
    c = client_for(admin)
    upload(c)
    batch = ImportBatch.objects.get()
    c.post(reverse("core:import_mapping", args=[batch.pk]), mapping_post(batch))
    c.post(reverse("core:import_run", args=[batch.pk]))
    assert Customer.objects.count() == 2
    page = c.get(reverse("core:imports")).content.decode()
    assert reverse("core:import_revert", args=[batch.pk]) in page
    r = c.post(reverse("core:import_revert", args=[batch.pk]), follow=True)
    assert "reverted" in r.content.decode() and Customer.objects.count() == 0


def test_sample_file_imports_cleanly(client_for, admin, ana, tmp_path):
    """The sample the page offers is itself a valid file (the example row's KAM aside)."""
    from kamp.core.imports import ImportOptions, run_import

    r = client_for(admin).get(reverse("core:import_sample", args=["customers"]))
    assert r.status_code == 200 and r["Content-Type"].startswith("text/csv")
    path = tmp_path / "sample.csv"
    path.write_bytes(r.content.replace(b"ana@example.com", ana.email.encode()))
    batch = run_import("customers", path, options=ImportOptions())
    assert batch.status == ImportBatch.Status.DONE, batch.errors
    assert Customer.objects.get().name == "Constructora Andes SpA"
    assert client_for(admin).get(reverse("core:import_sample", args=["nope"])).status_code == 404


@pytest.mark.parametrize("person, status", [("member", 403), ("viewer", 403)])
def test_sample_file_access(request, client_for, person, status):
    user = request.getfixturevalue(person)
    r = client_for(user).get(reverse("core:import_sample", args=["customers"]))
    assert r.status_code == status


def test_a_run_whose_process_died_says_so_and_a_live_or_queued_one_does_not(
    client_for, admin, settings, tmp_path
):
    from kamp.core.imports import liveness

    settings.MEDIA_ROOT = str(tmp_path)
    client = client_for(admin)
    # Queued for the worker: no run has started, the batch just waits.
    queued = ImportBatch.objects.create(
        kind="customers", filename="q.csv", created_by=admin, status=ImportBatch.Status.RUNNING
    )
    # A run started (it left its note) and its process died without a word.
    died = ImportBatch.objects.create(
        kind="customers",
        filename="d.csv",
        created_by=admin,
        status=ImportBatch.Status.RUNNING,
        options={liveness.NOTE: {"host": "h", "pid": 1}},
    )
    live = ImportBatch.objects.create(
        kind="customers", filename="l.csv", created_by=admin, status=ImportBatch.Status.VALIDATING
    )
    with liveness.running(live):  # holds the lock, as the importing process does
        live.save()
        assert client.get(reverse("core:import_batch", args=[live.pk])).status_code == 200
        live.refresh_from_db()
        assert live.status == ImportBatch.Status.VALIDATING
        page = client.get(reverse("core:imports"))
    assert page.status_code == 200
    died.refresh_from_db()
    assert died.status == ImportBatch.Status.FAILED
    assert "nothing was written" in died.message and "importing" in died.message
    assert liveness.NOTE not in died.options
    queued.refresh_from_db()
    assert queued.status == ImportBatch.Status.RUNNING
    # The run ended: the note goes with it, so its batch is never taken for a dead one.
    live.refresh_from_db()
    assert liveness.NOTE not in live.options and live.status == ImportBatch.Status.VALIDATING


def test_the_progress_poll_of_a_dead_run_shows_the_report(client_for, admin):
    from kamp.core.imports import liveness

    died = ImportBatch.objects.create(
        kind="customers",
        filename="d.csv",
        created_by=admin,
        status=ImportBatch.Status.VALIDATING,
        options={liveness.NOTE: {"host": "h", "pid": 1}},
    )
    response = client_for(admin).get(reverse("core:import_progress", args=[died.pk]))
    assert response.status_code == 204 and response["HX-Refresh"] == "true"
    page = client_for(admin).get(reverse("core:import_batch", args=[died.pk]))
    assert "nothing was written" in page.content.decode()


@pytest.mark.parametrize("language", ["en", "es"])
def test_a_sales_file_imported_before_may_be_imported_again_from_the_page(
    client_for, admin, account, tmp_path, settings, language
):
    """The command line's --force on the mapping step: a sales file without document numbers
    that was imported before is refused (its lines would count twice), naming when in the
    reader's way, and imported again only when the person ticks it."""
    from django.utils import timezone

    from kamp.core.formatting import format_date
    from kamp.economics.models import SalesLine

    settings.MEDIA_ROOT = tmp_path
    admin.language = language
    admin.save()
    c = client_for(admin)
    sales = b"Cliente;Fecha;Monto neto\n76.123.456-0;03-11-2025;1000\n"
    post = {"col_0": "customer", "col_1": "date", "col_2": "net_amount", "decimal": ""}
    upload(c, sales, "ventas.csv", "sales")
    first = ImportBatch.objects.get()
    c.post(reverse("core:import_mapping", args=[first.pk]), post)
    c.post(reverse("core:import_run", args=[first.pk]))
    first.refresh_from_db()
    assert first.status == ImportBatch.Status.DONE and SalesLine.objects.count() == 1

    upload(c, sales, "ventas.csv", "sales")
    again = ImportBatch.objects.latest("pk")
    mapping = c.get(reverse("core:import_mapping", args=[again.pk]))
    assert "force" in mapping.context["form"].fields
    c.post(reverse("core:import_mapping", args=[again.pk]), post)
    again.refresh_from_db()
    assert again.status == ImportBatch.Status.FAILED
    local = timezone.localtime(first.created_at)
    assert f"{format_date(local, lang=language)} {local:%H:%M}" in again.message
    assert SalesLine.objects.count() == 1

    upload(c, sales, "ventas.csv", "sales")
    forced = ImportBatch.objects.latest("pk")
    c.post(reverse("core:import_mapping", args=[forced.pk]), {**post, "force": "on"})
    c.post(reverse("core:import_run", args=[forced.pk]))
    forced.refresh_from_db()
    assert forced.status == ImportBatch.Status.DONE, forced.message
    assert SalesLine.objects.count() == 2


def test_the_force_option_is_offered_only_where_a_file_may_be_refused(
    client_for, admin, tmp_path, settings
):
    settings.MEDIA_ROOT = tmp_path
    c = client_for(admin)
    upload(c)
    batch = ImportBatch.objects.get()
    page = c.get(reverse("core:import_mapping", args=[batch.pk]))
    assert "force" not in page.context["form"].fields  # customers are matched, never doubled
