"""The value parsers and readers: every number, date, encoding and delimiter a file may bring."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kamp.core.imports.parsers import (
    ParseError,
    choice_parser,
    decimal_text,
    fold,
    list_parser,
    parse_bool,
    parse_date,
    parse_decimal,
    parse_int,
)
from kamp.core.imports.readers import detect_encoding, open_table, sniff_delimiter

from .import_helpers import write_csv, write_xlsx


@pytest.mark.parametrize(
    "text, decimal, expected",
    [
        ("1.234.567,89", None, "1234567.89"),
        ("1,234,567.89", None, "1234567.89"),
        ("1234567.89", None, "1234567.89"),
        ("1234567,89", None, "1234567.89"),
        ("1.234", None, "1234"),  # Spanish thousands
        ("1,234", None, "1234"),
        ("1.234", ".", "1.234"),  # settled by the option
        ("1,234", ",", "1.234"),
        ("1.234", ",", "1234"),
        ("0.125", None, "0.125"),
        ("12,5", None, "12.5"),
        ("-1.234,5", None, "-1234.5"),
        ("1.234,5-", None, "-1234.5"),
        ("(1.234)", None, "-1234"),
        ("$ 1.234.567", None, "1234567"),
        ("CLP 1.000", None, "1000"),
        ("  42 ", None, "42"),
        ("1 234 567,5", None, "1234567.5"),
        ("+7", None, "7"),
    ],
)
def test_numbers_in_both_conventions(text, decimal, expected):
    assert parse_decimal(text, decimal) == Decimal(expected)


@pytest.mark.parametrize("text", ["abc", "1.2.3,4.5", "1,2,3.4,5", "--", "12a", ".", "1,234.5.6"])
def test_not_numbers(text):
    with pytest.raises(ParseError):
        parse_decimal(text)


def test_numbers_from_excel_cells():
    assert parse_decimal(1234) == 1234
    assert parse_decimal(1234.5) == Decimal("1234.5")
    assert parse_int("3") == 3
    with pytest.raises(ParseError):
        parse_int("3,5")


@given(st.decimals(min_value=-(10**12), max_value=10**12, places=2, allow_nan=False))
def test_spanish_and_english_formatting_round_trip(value):
    english = f"{value:,.2f}"
    spanish = english.replace(",", "_").replace(".", ",").replace("_", ".")
    assert parse_decimal(english) == value
    assert parse_decimal(spanish) == value


@pytest.mark.parametrize(
    "value, expected",
    [
        ("28-11-2026", dt.date(2026, 11, 28)),
        ("28/11/2026", dt.date(2026, 11, 28)),
        ("28.11.2026", dt.date(2026, 11, 28)),
        ("2026-11-28", dt.date(2026, 11, 28)),
        ("2026/11/28", dt.date(2026, 11, 28)),
        ("1-2-2026", dt.date(2026, 2, 1)),
        ("28-11-26", dt.date(2026, 11, 28)),
        ("2026-11-28 14:30:00", dt.date(2026, 11, 28)),
        ("46354", dt.date(2026, 11, 28)),  # an Excel serial typed as text
        (46354, dt.date(2026, 11, 28)),
        (46354.75, dt.date(2026, 11, 28)),
        (dt.datetime(2026, 11, 28, 9, 0), dt.date(2026, 11, 28)),
        (dt.date(2026, 11, 28), dt.date(2026, 11, 28)),
    ],
)
def test_dates(value, expected):
    assert parse_date(value) == expected


@pytest.mark.parametrize("value", ["31-02-2026", "2026-13-01", "yesterday", "12/2026", "0"])
def test_not_dates(value):
    with pytest.raises(ParseError):
        parse_date(value)


def test_choices_by_value_or_label_in_either_language():
    parse = choice_parser(
        [("key_account", "Key account"), ("candidate", "Candidate")],
        {"key_account": ["Cuenta clave"]},
    )
    assert parse("key_account") == "key_account"
    assert parse("KEY ACCOUNT") == "key_account"
    assert parse("cuenta  CLAVE") == "key_account"
    assert parse("Candidate") == "candidate"
    with pytest.raises(ParseError):
        parse("prospect")


def test_lists_and_booleans():
    roles = list_parser(
        choice_parser([("buyer", "Buyer"), ("decider", "Decider")], {"decider": ["Decisor"]})
    )
    assert roles("Buyer | decisor|buyer") == ["buyer", "decider"]
    assert parse_bool("Sí") is True and parse_bool("no") is False


def test_fold():
    assert fold("  Razón  Social ") == "razon social"
    assert fold("N° Documento") == "n documento"
    assert fold("MONTO_NETO") == "monto neto"


ROWS = [
    ["RUT", "Razón social", "Monto"],
    ["76.123.456-0", "Ñandú Ltda.", "1.234,5"],
    ["96.790.240-3", "Café São Paulo", "2,5"],
]


@pytest.mark.parametrize(
    "encoding, bom, expected",
    [
        ("utf-8", False, "utf-8"),
        ("utf-8", True, "utf-8-sig"),
        ("cp1252", False, "cp1252"),
        ("latin-1", False, "cp1252"),
    ],
)
@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_csv_encodings_and_delimiters(tmp_path, encoding, bom, expected, delimiter):
    path = write_csv(tmp_path / "f.csv", ROWS, encoding=encoding, delimiter=delimiter, bom=bom)
    assert detect_encoding(path) == expected
    table = open_table(path)
    assert table.delimiter == delimiter
    assert table.header == ["RUT", "Razón social", "Monto"]
    assert list(table.rows()) == [(2, ROWS[1]), (3, ROWS[2])]


def test_latin1_bytes_that_cp1252_does_not_know(tmp_path):
    path = tmp_path / "f.csv"
    path.write_bytes("a;b\n1;x\x81y\n".encode("latin-1"))
    assert detect_encoding(path) == "latin-1"
    assert list(open_table(path).rows()) == [(2, ["1", "x\x81y"])]


def test_csv_line_numbers_skip_blank_lines_and_count_quoted_newlines(tmp_path):
    path = tmp_path / "f.csv"
    path.write_text('Name,Notes\n\nA,"two\nlines"\n\nB,x\n', encoding="utf-8")
    assert list(open_table(path).rows()) == [(3, ["A", "two\nlines"]), (6, ["B", "x"])]


def test_header_after_blank_lines(tmp_path):
    path = tmp_path / "f.csv"
    path.write_text("\n\nName;Notes\nA;1\n", encoding="utf-8")
    table = open_table(path)
    assert table.header == ["Name", "Notes"] and list(table.rows()) == [(4, ["A", "1"])]


def test_sniffing_is_not_fooled_by_commas_inside_values():
    sample = "Cliente;Monto neto\nAcme, S.A.;1.234,5\nOtra;2,5\n"
    assert sniff_delimiter(sample) == ";"


def test_xlsx_streamed_with_typed_cells(tmp_path):
    path = write_xlsx(
        tmp_path / "f.xlsx",
        [
            ["RUT", "Fecha", "Monto"],
            ["76.123.456-0", dt.datetime(2026, 11, 28), 1234.5],
            [None, None, None],
            ["96.790.240-3", 46354, "1.234,5"],
        ],
    )
    table = open_table(path)
    assert table.format == "xlsx" and table.header == ["RUT", "Fecha", "Monto"]
    rows = list(table.rows())
    assert [line for line, _ in rows] == [2, 4]
    assert rows[0][1][1] == dt.datetime(2026, 11, 28)
    assert parse_date(rows[1][1][1]) == dt.date(2026, 11, 28)


@given(
    st.decimals(min_value=-(10**9), max_value=10**9, places=4, allow_nan=False),
    st.sampled_from([None, ",", "."]),
)
def test_fast_paths_agree_with_the_careful_path(value, decimal):
    """Whatever shortcut parse_decimal takes, an explicit decimal option is obeyed."""
    english = f"{value:,.4f}"
    spanish = english.replace(",", "_").replace(".", ",").replace("_", ".")
    if decimal != ",":
        assert parse_decimal(english, decimal) == value
    if decimal != ".":
        assert parse_decimal(spanish, decimal) == value


_PLAIN = re.compile(r"-?[0-9]+(\.[0-9]+)?", re.ASCII)


def _same_number(text, decimal):
    try:
        expected = parse_decimal(text, decimal)
    except ParseError:
        with pytest.raises(ParseError):
            decimal_text(text, decimal)
        return
    if not expected.is_finite():
        with pytest.raises(ParseError):
            decimal_text(text, decimal)
        return
    plain = decimal_text(text, decimal)
    assert _PLAIN.fullmatch(plain), plain  # what both databases take as a number
    assert Decimal(plain) == expected


@given(
    st.decimals(min_value=-(10**13), max_value=10**13, places=4, allow_nan=False),
    st.sampled_from([None, ",", "."]),
    st.sampled_from(["{:,.4f}", "{:,.2f}", "{:.2f}", "{:,.0f}", "{:.0f}", "{:.3f}"]),
)
def test_decimal_text_is_the_same_number_as_parse_decimal(value, decimal, shape):
    english = shape.format(value)
    spanish = english.replace(",", "_").replace(".", ",").replace("_", ".")
    _same_number(english, decimal)
    _same_number(spanish, decimal)


@given(st.text(alphabet="0123456789.,-+ ()$²٣e", max_size=12), st.sampled_from([None, ",", "."]))
def test_decimal_text_agrees_on_any_text(text, decimal):
    _same_number(text, decimal)


def test_decimal_text_of_excel_cells():
    assert decimal_text(1234) == "1234"
    assert decimal_text(1.5e-7) == "0.00000015"
    assert decimal_text(1e20) == "100000000000000000000"
    with pytest.raises(ParseError):
        decimal_text(float("nan"))


def test_a_column_mixing_iso_and_day_first_dates_reads_both():
    """A file written by hand mixes ``2026-10-01`` and ``01-10-2026`` in one column: the
    four-digit year says where the year is, so both are the first of October."""
    from kamp.core.imports.parsers import date_to_iso, decide_date_order

    column = ["2026-10-01", "01-10-2026", "15-09-2026"]
    order = decide_date_order(column)
    assert [date_to_iso(v, order or "dmy") for v in column] == [
        "2026-10-01",
        "2026-10-01",
        "2026-09-15",
    ]
    assert date_to_iso("01-10-2026", "ymd") == "2026-10-01"
