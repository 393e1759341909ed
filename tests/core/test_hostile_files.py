"""Files built to hurt: every one is read in bounded memory and time, and refused with a message
a person understands — on the Imports pages and on the command line."""

from __future__ import annotations

import io
import re
import time
import tracemalloc
import zipfile
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from kamp.core.imports import ImportOptions, ReadError, open_table, run_import
from kamp.core.models import ImportBatch

from .import_helpers import write_csv, write_xlsx

pytestmark = pytest.mark.django_db

SHEET = "xl/worksheets/sheet1.xml"


def _replace_sheet(path: Path, sheet_xml: bytes) -> Path:
    """The workbook at ``path`` with its first sheet's XML replaced (everything else as
    openpyxl wrote it: styles, shared strings, relationships)."""
    with zipfile.ZipFile(path) as src:
        parts = {i.filename: src.read(i.filename) for i in src.infolist()}
    parts[SHEET] = sheet_xml
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for name, data in parts.items():
            dst.writestr(name, data)
    return path


def _sheet(rows: bytes) -> bytes:
    return (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b'<dimension ref="A1:C2"/><sheetData>' + rows + b"</sheetData></worksheet>"
    )


def _text(value: str) -> bytes:
    return b'<c t="inlineStr"><is><t>' + value.encode() + b"</t></is></c>"


def _wide_header_xlsx(path: Path, cells: int) -> Path:
    """One header row of ``cells`` inline-string cells and one data row: a few hundred KB
    packed, tens of MB unpacked."""
    write_xlsx(path, [["x"]])
    rows = b'<row r="1">' + _text("h") * cells + b'</row><row r="2">' + _text("1") + b"</row>"
    return _replace_sheet(path, _sheet(rows))


def _bounded(fn) -> tuple[Exception, float, int]:
    """What ``fn`` raised, how long it took and the peak of memory Python allocated meanwhile."""
    tracemalloc.start()
    started = time.perf_counter()
    try:
        fn()
    except Exception as exc:
        raised = exc
    else:
        raise AssertionError("the file was accepted")
    finally:
        elapsed = time.perf_counter() - started
        _size, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    return raised, elapsed, peak


# --- XLSX -----------------------------------------------------------------------------------
def test_rows_are_read_whatever_the_dimension_declares(tmp_path):
    """openpyxl's read-only mode trusts ``<dimension>``: a sheet that declares A1:C2 and holds
    3,000 rows was read as one row (and reported good)."""
    path = write_xlsx(
        tmp_path / "lying.xlsx",
        [["RUT", "Razón social", "Región"]]
        + [[f"{i}-K", f"Cliente {i}", "Sur"] for i in range(3000)],
    )
    with zipfile.ZipFile(path) as z:
        xml = z.read(SHEET)
    lying, n = re.subn(rb'<dimension ref="[^"]*"/>', b'<dimension ref="A1:C2"/>', xml)
    assert n == 1
    _replace_sheet(path, lying)

    table = open_table(path)
    rows = list(table.rows())
    assert len(rows) == 3000
    assert rows[0] == (2, ["0-K", "Cliente 0", "Sur"])
    assert rows[-1] == (3001, ["2999-K", "Cliente 2999", "Sur"])

    batch = run_import("customers", path, options=ImportOptions(dry_run=True))
    assert batch.total_rows == batch.processed_rows == 3000  # every row was checked


def test_values_and_gaps_of_a_sheet_are_kept(tmp_path):
    """The sheet reader gives what openpyxl gives: numbers, dates by style, booleans, and an
    empty cell in the middle of a row as empty."""
    import datetime

    path = write_xlsx(
        tmp_path / "t.xlsx",
        [
            ["a", "b", "c", "d"],
            [1, None, datetime.date(2026, 3, 1), True],
            [],
            [2.5, "x"],
        ],
    )
    rows = list(open_table(path).rows())
    assert rows == [
        (2, [1, "", datetime.datetime(2026, 3, 1), True]),
        (4, [2.5, "x"]),  # a short row stays short: the engine reads a missing cell as empty
    ]


def test_a_million_header_cells_are_refused_quickly_in_bounded_memory(tmp_path):
    """A 100-odd KB XLSX whose header row has 1,000,000 cells cost about 1 GB and 18 s on the
    mapping page; it is refused at the 501st column."""
    path = _wide_header_xlsx(tmp_path / "wide.xlsx", 1_000_000)
    assert path.stat().st_size < 1_000_000  # small on disk …
    with zipfile.ZipFile(path) as z:
        assert z.getinfo(SHEET).file_size > 30_000_000  # … large unpacked

    exc, elapsed, peak = _bounded(lambda: open_table(path))
    assert isinstance(exc, ReadError)
    assert "more than 500 columns" in str(exc)
    assert elapsed < 5, elapsed
    assert peak < 30 * 1024 * 1024, peak


def test_the_mapping_page_and_the_command_refuse_the_wide_header(
    client_for, admin, tmp_path, settings
):
    settings.MEDIA_ROOT = tmp_path / "media"
    path = _wide_header_xlsx(tmp_path / "wide.xlsx", 200_000)
    c = client_for(admin)
    r = c.post(
        reverse("core:imports"),
        {"kind": "customers", "file": SimpleUploadedFile("wide.xlsx", path.read_bytes())},
    )
    batch = ImportBatch.objects.get()
    r = c.get(r["Location"], follow=True)
    assert "kamp reads at most 500" in r.content.decode()
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.FAILED

    with pytest.raises(CommandError, match="more than 500 columns"):
        call_command("import", "customers", str(path), "--no-progress", stdout=io.StringIO())


def test_a_header_of_501_columns_is_refused_and_500_are_read(tmp_path):
    write_xlsx(tmp_path / "ok.xlsx", [[f"c{i}" for i in range(500)], ["x"] * 500])
    assert len(open_table(tmp_path / "ok.xlsx").header) == 500
    write_xlsx(tmp_path / "wide.xlsx", [[f"c{i}" for i in range(501)]])
    with pytest.raises(ReadError, match="more than 500 columns"):
        open_table(tmp_path / "wide.xlsx")
    write_csv(tmp_path / "wide.csv", [[f"c{i}" for i in range(501)], ["x"] * 501])
    with pytest.raises(ReadError, match="more than 500 columns"):
        open_table(tmp_path / "wide.csv")


def test_a_cell_past_the_limit_is_refused(tmp_path):
    # openpyxl cuts what it writes at 32,767 characters: a hand-made sheet holds more.
    write_xlsx(tmp_path / "long.xlsx", [["x"]])
    _replace_sheet(
        tmp_path / "long.xlsx",
        _sheet(
            b"<row>" + _text("a") + _text("b") + b"</row>"
            b"<row>" + _text("x") + _text("y" * 40_000) + b"</row>"
        ),
    )
    with pytest.raises(ReadError, match="Line 2 has a cell longer than 32767"):
        list(open_table(tmp_path / "long.xlsx").rows())
    write_csv(tmp_path / "long.csv", [["a", "b"], ["x", "y"], ["x", "y" * 40_000]])
    with pytest.raises(ReadError, match="Line 3 has a cell longer than 32767"):
        list(open_table(tmp_path / "long.csv").rows())


def test_an_xlsx_that_unpacks_past_the_limit_is_refused(tmp_path, settings):
    path = _wide_header_xlsx(tmp_path / "bomb.xlsx", 100_000)
    settings.KAMP_IMPORT_MAX_UNPACKED_BYTES = 1_000_000
    with pytest.raises(ReadError, match="unpacks to more than"):
        open_table(path)


def test_the_import_of_a_hostile_file_fails_with_the_reason(tmp_path):
    """A file that turns out bad while its rows are read (a cell too long on line 3) fails the
    import with the reason, nothing written."""
    write_csv(
        tmp_path / "long.csv",
        [["RUT", "Razón social"], ["76.123.456-0", "CS"], ["96.790.240-3", "y" * 40_000]],
    )
    batch = run_import("customers", tmp_path / "long.csv")
    assert batch.status == ImportBatch.Status.FAILED
    assert "Line 3 has a cell longer than 32767 characters." in batch.message


# --- CSV ------------------------------------------------------------------------------------
def test_a_nul_byte_after_the_first_64_kb_is_refused(tmp_path):
    rows = [["RUT", "Razón social"]] + [[f"{i}", f"Cliente {i}"] for i in range(8000)]
    path = write_csv(tmp_path / "nul.csv", rows)
    assert path.stat().st_size > 100_000
    open_table(path)  # good as it is
    path.write_bytes(path.read_bytes() + b"1;\x00\r\n")
    with pytest.raises(ReadError, match="not a CSV or XLSX file"):
        open_table(path)


def test_utf16_is_read_and_a_nul_character_in_it_refused(tmp_path):
    """UTF-16 holds NUL bytes in every character: it is the decoded text that must not."""
    path = write_csv(tmp_path / "u.csv", [["RUT", "Nombre"], ["1", "Ñandú"]], encoding="utf-16")
    assert list(open_table(path).rows()) == [(2, ["1", "Ñandú"])]
    path.write_bytes(path.read_bytes() + "2,\x00\r\n".encode("utf-16-le"))
    with pytest.raises(ReadError, match="not a CSV or XLSX file"):
        open_table(path)


def test_a_line_of_megabytes_is_refused(tmp_path):
    path = tmp_path / "line.csv"
    path.write_bytes(b"a,b\r\n" + b"x," * 1_000_000 + b"\r\n")
    exc, elapsed, peak = _bounded(lambda: open_table(path))
    assert isinstance(exc, ReadError) and "longer than" in str(exc)
    assert peak < 20 * 1024 * 1024, peak


def test_the_mapping_page_says_why_a_nul_file_is_refused(client_for, admin, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    data = b"RUT;Nombre\r\n" + b"1;a\r\n" * 20_000 + b"2;\x00\r\n"
    c = client_for(admin)
    r = c.post(
        reverse("core:imports"),
        {"kind": "customers", "file": SimpleUploadedFile("x.csv", data)},
    )
    page = c.get(r["Location"], follow=True).content.decode()
    assert "This file cannot be read: This is not a CSV or XLSX file." in page


# --- upload size ----------------------------------------------------------------------------
@pytest.fixture
def own_media(settings, tmp_path):
    """Uploads of this test only: the xdist workers share var/media, and a file another test
    stores at the same moment must not count as this test's."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "media")},
        },
    }


def _stored_uploads() -> set[Path]:
    folder = Path(default_storage.path("imports"))
    return {p for p in folder.rglob("*") if p.is_file()} if folder.exists() else set()


def test_an_upload_over_the_limit_is_refused_and_not_kept(client_for, admin, settings, own_media):
    settings.KAMP_IMPORT_MAX_BYTES = 10_000
    before = _stored_uploads()
    data = b"RUT;Nombre\r\n" + b"76.123.456-0;Constructora CS\r\n" * 500
    r = client_for(admin).post(
        reverse("core:imports"),
        {"kind": "customers", "file": SimpleUploadedFile("big.csv", data)},
    )
    assert r.status_code == 200
    assert "kamp accepts files of up to 9.8" in r.content.decode()
    assert not ImportBatch.objects.exists()
    assert _stored_uploads() == before


def test_an_upload_under_the_limit_goes_on(client_for, admin, settings, own_media):
    settings.KAMP_IMPORT_MAX_BYTES = 10_000
    before = _stored_uploads()
    r = client_for(admin).post(
        reverse("core:imports"),
        {"kind": "customers", "file": SimpleUploadedFile("ok.csv", b"RUT;Nombre\r\n1;a\r\n")},
    )
    assert r.status_code == 302
    assert len(_stored_uploads() - before) == 1  # kept for the next steps


def test_a_lying_xlsx_goes_to_the_worker_by_what_it_unpacks_to(
    client_for, admin, tmp_path, settings
):
    """A sheet that declares two rows but unpacks to far more than a small file is checked by
    the worker, not inside the request."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.KAMP_IMPORT_INLINE_MAX_BYTES = 50_000
    path = write_xlsx(
        tmp_path / "lying.xlsx",
        [["RUT", "Razón social"]] + [["1-9", "Cliente"]] * 5000,
    )
    with zipfile.ZipFile(path) as z:
        xml = z.read(SHEET)
    _replace_sheet(path, re.sub(rb'<dimension ref="[^"]*"/>', b'<dimension ref="A1:B2"/>', xml))
    assert path.stat().st_size < 50_000
    c = client_for(admin)
    r = c.post(
        reverse("core:imports"),
        {"kind": "customers", "file": SimpleUploadedFile("lying.xlsx", path.read_bytes())},
    )
    batch = ImportBatch.objects.get()
    c.post(r["Location"], {"col_0": "tax_id", "col_1": "name", "decimal": ""})
    batch.refresh_from_db()
    assert batch.options.get("background") is True
    assert batch.total_rows == 5000


# --- calendars ------------------------------------------------------------------------------
@pytest.fixture
def calendar(ana, account):
    from tests.factories import ContactFactory
    from tests.interactions.test_imports import event, ics

    ContactFactory(customer=account, name="Jorge Pérez", email="jorge.perez@cs.cl")
    return ics(
        event("e1@test", "Prices with Jorge", [ana.email, "jorge.perez@cs.cl"]),
        event("e2@test", "Dentist", [ana.email]),
    )


def test_a_large_calendar_is_read_by_the_worker(
    client_for, ana, account, calendar, tmp_path, settings, django_capture_on_commit_callbacks
):
    """A calendar over KAMP_CALENDAR_INLINE_MAX_BYTES is kept and queued, not read inside the
    request; the review page waits for the worker, then shows the events."""
    from django_tasks import default_task_backend

    from kamp.interactions.tasks import plan_stored_calendar

    settings.MEDIA_ROOT = tmp_path
    settings.KAMP_CALENDAR_INLINE_MAX_BYTES = 200
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    assert len(calendar) > 200
    c = client_for(ana)
    with django_capture_on_commit_callbacks(execute=True):
        r = c.post(
            reverse("interactions:calendar_upload"),
            {"file": SimpleUploadedFile("cal.ics", calendar, "text/calendar")},
        )
    batch = ImportBatch.objects.get(kind="interactions_calendar")
    assert r["Location"] == reverse("interactions:calendar_review", args=[batch.pk])
    assert batch.status == ImportBatch.Status.VALIDATING and "plan" not in batch.options
    [queued] = default_task_backend.results  # type: ignore[attr-defined]
    assert queued.args == [batch.pk]
    stored = batch.stored_file
    with default_storage.open(stored, "rb") as f:
        assert f.read() == calendar

    page = c.get(r["Location"]).content.decode()
    assert "Reading the calendar" in page and "Prices with Jorge" not in page
    assert c.get(r["Location"], HTTP_HX_REQUEST="true").status_code == 204

    plan_stored_calendar(batch.pk)  # what the worker runs
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.PENDING and batch.stored_file == ""
    assert not default_storage.exists(stored)  # the plan is all that is kept
    polled = c.get(r["Location"], HTTP_HX_REQUEST="true")
    assert polled.status_code == 204 and polled["HX-Refresh"] == "true"
    page = c.get(r["Location"]).content.decode()
    assert "Prices with Jorge" in page and "Dentist" in page


def test_a_large_calendar_that_cannot_be_read_says_so(client_for, ana, account, tmp_path, settings):
    from kamp.interactions.tasks import plan_stored_calendar

    settings.MEDIA_ROOT = tmp_path
    settings.KAMP_CALENDAR_INLINE_MAX_BYTES = 10
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    c = client_for(ana)
    r = c.post(
        reverse("interactions:calendar_upload"),
        {"file": SimpleUploadedFile("x.ics", b"not a calendar at all", "text/calendar")},
    )
    batch = ImportBatch.objects.get(kind="interactions_calendar")
    plan_stored_calendar(batch.pk)
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.FAILED
    page = c.get(r["Location"]).content.decode()
    assert "This calendar could not be read" in page and "not a calendar" in page


def test_a_calendar_over_the_upload_limit_is_refused(client_for, ana, account, calendar, settings):
    settings.KAMP_IMPORT_MAX_BYTES = 100
    r = client_for(ana).post(
        reverse("interactions:calendar_upload"),
        {"file": SimpleUploadedFile("cal.ics", calendar, "text/calendar")},
    )
    assert r.status_code == 200 and "kamp accepts files of up to 100" in r.content.decode()
    assert not ImportBatch.objects.exists()
