"""CSV files as real programs write them — a Salesforce report with its footer, Excel's "CSV
UTF-8" with a BOM and a ``sep=`` line, Excel for Mac's Mac Roman, UTF-16 "Unicode text",
US dates, quoted values over several lines — read exactly, or refused with a reason."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from kamp.core.imports import ImportOptions, ReadError, open_table, run_import
from kamp.core.imports.parsers import (
    ParseError,
    date_to_iso,
    decide_date_order,
    parse_date,
    parse_long_text,
)
from kamp.core.models import ImportBatch
from kamp.customers.models import Customer
from kamp.economics.models import SalesLine

S = ImportBatch.Status

SALESFORCE = (
    '"Account Name","Billing City","Type","Description"\r\n'
    '"Acme Chile SpA","Santiago","Customer - Direct","Main plant\r\nSecond line of the note"\r\n'
    '"Beta Ltda.","Valparaíso","Prospect",""\r\n'
    "\r\n"
    '"Grand Totals (2 records)"\r\n'
    "\r\n"
    '"Confidential Information - Do Not Distribute"\r\n'
    '"Copyright (c) 2000-2025 salesforce.com, inc. All rights reserved."\r\n'
)


def run(kind, path, user=None, **options):
    return run_import(kind, path, user=user, options=ImportOptions(**options))


def sales_csv(tmp_path, dates, name="ventas.csv"):
    """A US CRM's opportunity export: comma-separated, CRLF, every field quoted."""
    lines = ['"Account","Close Date","Amount"']
    lines += [f'"76.123.456-0","{d}","{100 + i}"' for i, d in enumerate(dates)]
    path = tmp_path / name
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("utf-8"))
    return path


SALES_MAP = {"Account": "customer", "Close Date": "date", "Amount": "net_amount"}


# --- report footers ----------------------------------------------------------------------------
@pytest.mark.django_db
def test_salesforce_report_footer_is_left_out_with_a_note(tmp_path, admin):
    path = tmp_path / "report.csv"
    path.write_bytes(SALESFORCE.encode("utf-8"))
    batch = run("customers", path, admin, mapping={"Account Name": "name", "Description": "notes"})
    assert batch.status == S.DONE, (batch.message, batch.errors)
    # The note's two lines stay two lines.
    assert Customer.objects.get(name="Acme Chile SpA").notes == (
        "Main plant\nSecond line of the note"
    )
    assert sorted(Customer.objects.values_list("name", flat=True)) == [
        "Acme Chile SpA",
        "Beta Ltda.",
    ]
    assert batch.total_rows == 2
    footer = batch.options["detected"]["footer"]
    assert [line for line, _text in footer] == [6, 8, 9]  # the lines an editor shows
    assert footer[0][1] == "Grand Totals (2 records)"


def test_rows_of_one_cell_are_data_when_every_row_is_so(tmp_path):
    # A one-column file, or a table whose rows fill one cell: nothing there is a footer.
    path = tmp_path / "names.csv"
    path.write_text("Name,City\nAcme,\nBeta,\n")
    table = open_table(path)
    assert [cells[0] for _line, cells in table.rows()] == ["Acme", "Beta"]
    assert "footer" not in table.extra


def test_a_company_called_total_is_not_a_footer(tmp_path):
    path = tmp_path / "c.csv"
    path.write_text("Name,City\nAcme,Lima\nTotal Chile S.A.,Santiago\n")
    assert [c[0] for _l, c in open_table(path).rows()] == ["Acme", "Total Chile S.A."]


def test_footer_like_rows_between_data_rows_are_data(tmp_path):
    path = tmp_path / "c.csv"
    path.write_text("Name,City\nAcme,Lima\nOnly a name\nBeta,Quito\n")
    assert [c[0] for _l, c in open_table(path).rows()] == ["Acme", "Only a name", "Beta"]


# --- quotes and line breaks ---------------------------------------------------------------------
def test_line_breaks_inside_quoted_values_are_kept(tmp_path):
    path = tmp_path / "report.csv"
    path.write_bytes(SALESFORCE.encode("utf-8"))
    rows = list(open_table(path).rows())
    assert rows[0][0] == 2 and rows[1][0] == 4  # the line each row starts on
    assert parse_long_text(rows[0][1][3]) == "Main plant\nSecond line of the note"
    assert parse_long_text("  a   b \r\n\r\n c  \n") == "a b\n\nc"


def test_an_unterminated_quote_is_refused_naming_its_line(tmp_path):
    path = tmp_path / "c.csv"
    path.write_text(
        'Name,City,Notes\r\nAcme,Lima,ok\r\nBeta,Quito,"says 5 screen\r\nGamma,Cusco,x\r\n'
    )
    with pytest.raises(ReadError) as exc:
        list(open_table(path).rows())
    assert "Line 3" in str(exc.value) and "never closed" in str(exc.value)
    # A quote closed too early, with text after it in the same cell.
    path.write_text('Name,City,Notes\r\nAcme,Lima,ok\r\nBeta,Quito,"says 5" screen\r\n')
    with pytest.raises(ReadError) as exc:
        list(open_table(path).rows())
    assert "Line 3" in str(exc.value) and "more text follows" in str(exc.value)


def test_a_stray_quote_that_swallows_rows_is_refused(tmp_path):
    # The quote closes three lines further on: those lines would be one value.
    path = tmp_path / "c.csv"
    path.write_text(
        'Name,City,Notes\nAcme,Lima,"big\nBeta,Quito,x\nGamma,Cusco,y"\nDelta,Tacna,z\n'
    )
    with pytest.raises(ReadError) as exc:
        list(open_table(path).rows())
    assert "Line 2" in str(exc.value) and "up to 4" in str(exc.value)


@pytest.mark.django_db
def test_a_stray_quote_refuses_the_import(tmp_path, admin):
    path = tmp_path / "c.csv"
    path.write_text('Name,City\nAcme,"Lima\nBeta,Quito\nGamma,Cusco\n')
    batch = run("customers", path, admin)
    assert batch.status == S.FAILED and "Line 2" in batch.message
    assert Customer.objects.count() == 0


# --- encodings and Excel's habits ---------------------------------------------------------------
@pytest.mark.django_db
def test_excel_csv_utf8_with_bom_and_sep_line(tmp_path, admin):
    path = tmp_path / "clientes.csv"
    path.write_bytes(
        b"\xef\xbb\xbf"
        + "sep=;\r\nRUT;Razón social;Región\r\n76.123.456-0;Compañía Ñandú;Biobío\r\n".encode()
    )
    table = open_table(path)
    assert (table.encoding, table.delimiter, table.header) == (
        "utf-8-sig",
        ";",
        ["RUT", "Razón social", "Región"],
    )
    batch = run("customers", path, admin)
    assert batch.status == S.DONE, (batch.message, batch.errors)
    assert Customer.objects.get().name == "Compañía Ñandú"


@pytest.mark.django_db
def test_csv_macintosh_is_read_as_mac_roman(tmp_path, admin):
    path = tmp_path / "clientes.csv"
    text = "RUT;Razón social;Región\r76.123.456-0;Constructora Núñez;Concepción\r"
    path.write_bytes(text.encode("mac_roman"))  # Excel for Mac: Mac Roman, CR line ends
    assert open_table(path).encoding == "mac_roman"
    batch = run("customers", path, admin)
    assert batch.status == S.DONE, (batch.message, batch.errors)
    assert Customer.objects.get().name == "Constructora Núñez"


def test_windows_1252_with_apostrophes_stays_windows_1252(tmp_path):
    path = tmp_path / "c.csv"
    path.write_bytes("Razón social;Nota\r\nO’Higgins Ltda.;don’t\r\n".encode("cp1252"))
    table = open_table(path)
    assert table.encoding == "cp1252"
    assert next(table.rows())[1] == ["O’Higgins Ltda.", "don’t"]


def test_latin1_and_utf16_unicode_text(tmp_path):
    latin = tmp_path / "l.csv"
    latin.write_bytes("Razón social;Ciudad\r\nAraucanía SpA;Temuco\r\n".encode("latin-1"))
    assert next(open_table(latin).rows())[1] == ["Araucanía SpA", "Temuco"]
    utf16 = tmp_path / "u.txt"  # Excel's "Unicode text": UTF-16 LE with a BOM, tabs
    utf16.write_bytes("Razón social\tCiudad\r\nÑuble SpA\tChillán\r\n".encode("utf-16"))
    table = open_table(utf16)
    assert table.delimiter == "\t" and next(table.rows())[1] == ["Ñuble SpA", "Chillán"]


def test_other_scripts_are_read_in_the_encoding_the_detector_finds(tmp_path):
    """A subsidiary's export in Cyrillic (Excel in Russian: windows-1251) or Japanese
    (Shift-JIS) is read as written, never as cp1252 mojibake."""
    ru = tmp_path / "ru.csv"
    ru.write_bytes("Клиент;Город\r\nООО Ромашка;Москва\r\nЗАО Вектор;Казань\r\n".encode("cp1251"))
    table = open_table(ru)
    assert table.encoding == "cp1251"
    assert next(table.rows())[1] == ["ООО Ромашка", "Москва"]
    ja = tmp_path / "ja.csv"
    ja.write_bytes("顧客;都市\r\n株式会社テスト;東京\r\n".encode("shift_jis"))
    assert next(open_table(ja).rows())[1] == ["株式会社テスト", "東京"]


def test_spanish_text_stays_cp1252_whatever_the_detector_guesses(tmp_path):
    """The detector calls Spanish cp1252 Central European (cp1250, where ñ is ń): kamp's own
    rule keeps the Latin family."""
    path = tmp_path / "es.csv"
    path.write_bytes(
        "Cliente;Comuna\r\nClínica Los Aromos;Ñuñoa\r\nConstrucción Peña;Viña\r\n".encode("cp1252")
    )
    table = open_table(path)
    assert table.encoding == "cp1252"
    assert next(table.rows())[1] == ["Clínica Los Aromos", "Ñuñoa"]


def test_title_lines_above_the_header_are_skipped(tmp_path):
    path = tmp_path / "c.csv"
    path.write_text("Customer list\nExported 2025-03-01\n\nName;City\nAcme;Lima\n")
    table = open_table(path)
    assert (table.header, table.header_line) == (["Name", "City"], 4)
    assert open_table(path, header_row=2).header == ["Exported 2025-03-01"]
    with pytest.raises(ReadError, match="Row 3 is empty"):
        open_table(path, header_row=3)


# --- dates --------------------------------------------------------------------------------------
@pytest.mark.django_db
def test_us_dates_are_read_month_first_when_a_day_over_12_says_so(tmp_path, account):
    path = sales_csv(tmp_path, ["3/4/2025", "3/14/2025"])
    batch = run("sales", path, mapping=SALES_MAP)
    assert batch.status == S.DONE, (batch.message, batch.errors)
    assert sorted(SalesLine.objects.values_list("date", flat=True)) == [
        dt.date(2025, 3, 4),  # 4 March, not 3 April
        dt.date(2025, 3, 14),
    ]
    assert batch.options["detected"]["date_orders"] == {"Close Date": "mdy"}


@pytest.mark.django_db
def test_day_first_dates_are_read_day_first(tmp_path, account):
    path = sales_csv(tmp_path, ["14/03/2025", "03/04/2025"])
    batch = run("sales", path, mapping=SALES_MAP)
    assert batch.status == S.DONE, (batch.message, batch.errors)
    assert dt.date(2025, 4, 3) in SalesLine.objects.values_list("date", flat=True)


@pytest.mark.django_db
def test_dates_that_fit_both_orders_are_refused_unless_the_order_is_given(tmp_path, account):
    path = sales_csv(tmp_path, ["3/4/2025", "5/6/2025"])
    refused = run("sales", path, mapping=SALES_MAP)
    assert refused.status == S.FAILED
    assert "Close Date" in refused.message and "3/4/2025" in refused.message
    assert SalesLine.objects.count() == 0
    batch = run("sales", path, mapping=SALES_MAP, date_order="mdy")
    assert batch.status == S.DONE, (batch.message, batch.errors)
    assert sorted(SalesLine.objects.values_list("date", flat=True)) == [
        dt.date(2025, 3, 4),
        dt.date(2025, 5, 6),
    ]


@pytest.mark.django_db
def test_a_sale_in_the_year_3025_or_before_1900_is_refused(tmp_path, account):
    path = sales_csv(tmp_path, ["3/14/2025", "3/4/3025", "1/2/1850"])
    batch = run("sales", path, mapping=SALES_MAP)
    assert batch.status == S.FAILED and SalesLine.objects.count() == 0
    messages = {e["line"]: e["message"] for e in batch.errors}
    assert "more than a year from today" in messages[3]
    assert "before 1900" in messages[4]
    # Each error quotes the date as the file writes it, not as kamp rewrote it to read it.
    assert messages[3].startswith("“3/4/3025”") and messages[4].startswith("“1/2/1850”")


@pytest.mark.django_db
def test_a_date_that_does_not_exist_is_quoted_as_the_file_writes_it(tmp_path, account):
    path = sales_csv(tmp_path, ["14/3/2025", "31/2/2025", "29/2/2024"])
    batch = run("sales", path, mapping=SALES_MAP)
    assert batch.status == S.FAILED and SalesLine.objects.count() == 0
    assert [(e["line"], e["message"]) for e in batch.errors] == [
        (3, "“31/2/2025” is not a valid date.")
    ]
    path = sales_csv(tmp_path, ["3/14/2025", "2/30/2025"], name="us.csv")
    batch = run("sales", path, mapping=SALES_MAP)
    assert [e["message"] for e in batch.errors] == ["“2/30/2025” is not a valid date."]


def test_date_order_rules():
    assert decide_date_order(["3/14/2025", "3/4/2025"]) == "mdy"
    assert decide_date_order(["14/3/2025", "3/4/2025"]) == "dmy"
    assert decide_date_order(["3/4/2025", "4/4/2025"]) == "ambiguous"
    assert decide_date_order(["3/14/2025", "14/3/2025"]) == "ambiguous"  # both: mixed up
    assert decide_date_order(["05-03-2025"]) is None  # dashes: kamp's dd-mm-yyyy
    assert decide_date_order(["2025-03-05"]) == "ymd"
    assert date_to_iso("3/4/25 10:30 AM", "mdy") == "2025-03-04"
    assert date_to_iso("3/4/2025", "dmy") == "2025-04-03"
    assert date_to_iso("45321", "mdy") == "45321"
    with pytest.raises(ParseError):
        parse_date(str(dt.date.today().year + 2) + "-01-01")


# --- the command line ---------------------------------------------------------------------------
@pytest.mark.django_db
def test_cli_date_order_and_header_row(tmp_path, account):
    path = tmp_path / "v.csv"
    path.write_text("Opportunities\n\nAccount,Close Date,Amount\n76.123.456-0,3/4/2025,100\n")
    maps = [a for k, v in SALES_MAP.items() for a in ("--map", f"{k}={v}")]
    out = StringIO()
    call_command(
        "import", "sales", str(path), *maps, "--date-order", "dmy", "--header-row", "3",
        "--no-progress", stdout=out,
    )  # fmt: skip
    assert SalesLine.objects.get().date == dt.date(2025, 4, 3)
    assert "Header: line 3" in out.getvalue() and "d/m/y" in out.getvalue()
    with pytest.raises(CommandError) as exc:
        call_command("import", "sales", str(path), "--header-row", "x", "--no-progress")
    assert "--header-row" in str(exc.value) and "not a line number" in str(exc.value)
