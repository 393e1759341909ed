"""Value parsers for imported cells: pure functions, no Django import.

Each parser takes the raw cell (a ``str`` from a CSV, or whatever openpyxl gives for an XLSX cell:
``str``, ``int``, ``float``, ``datetime``…) and returns the Python value, or raises
:class:`ParseError` with a message a person can act on. Empty cells never reach a parser: the
engine turns them into the field's default (or a "required" error) first.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any


class ParseError(ValueError):
    """A cell that cannot be read as the field's type. ``args[0]`` is the message; ``params`` are
    interpolated into it (after translation) by the engine."""

    def __init__(self, message: str, **params: Any) -> None:
        super().__init__(message)
        self.message = message
        self.params = params

    def __str__(self) -> str:
        return self.message % self.params if self.params else self.message


def fold(text: Any) -> str:
    """Case-, accent- and punctuation-insensitive key: 'Razón  Social' → 'razon social'."""
    text = unicodedata.normalize("NFKD", str(text or ""))
    text = "".join(c for c in text if not unicodedata.combining(c))
    return " ".join(re.sub(r"[^0-9a-z]+", " ", text.lower()).split())


# --- numbers ----------------------------------------------------------------------------------
_NUMBER = re.compile(r"^[+-]?[0-9.,\s ']+$")
_CURRENCY_MARKS = re.compile(r"[$€£\s  ]|CLP|USD|EUR|UF", re.IGNORECASE)


_FAST_PLAIN = re.compile(r"-?\d+(?:\.\d{1,2}|\.\d{4,})?")
_FAST_ES = re.compile(
    r"-?\d{1,3}(?:\.\d{3})*,\d{1,2}|-?\d{1,3}(?:\.\d{3})*,\d{4,}|-?\d{1,3}(?:\.\d{3}){2,}"
)
_FAST_EN = re.compile(
    r"-?\d{1,3}(?:,\d{3})*\.\d{1,2}|-?\d{1,3}(?:,\d{3})*\.\d{4,}|-?\d{1,3}(?:,\d{3}){2,}"
)


def parse_decimal(value: Any, decimal: str | None = None) -> Decimal:
    """Read a number written in either convention.

    ``1.234.567,89`` and ``1,234,567.89`` are unambiguous; ``1.234`` and ``1,234`` are not, and
    ``decimal`` ("," or ".") settles them; without it a single separator followed by exactly three
    digits is a thousands separator (what Spanish-speaking exports mean by ``1.234``), otherwise a
    decimal point. Currency signs, spaces and a trailing or leading minus (``(1.234)``) are fine.
    """
    if value.__class__ is not str:
        if isinstance(value, bool):
            raise ParseError("“%(value)s” is not a number.", value=value)
        if isinstance(value, int):
            return Decimal(value)
        if isinstance(value, float):
            return Decimal(repr(value))
        if isinstance(value, Decimal):
            return value
    text = str(value).strip()
    # Fast paths for the unambiguous shapes a million-line export is made of; everything else
    # (and anything ambiguous such as 1.234) takes the careful path below.
    if text.isdigit() and text.isascii():  # "²".isdigit() too
        return Decimal(text)
    if decimal != "." and "," in text and _FAST_ES.fullmatch(text):
        return Decimal(text.replace(".", "").replace(",", "."))
    if decimal != ",":
        if _FAST_PLAIN.fullmatch(text):
            return Decimal(text)
        if _FAST_EN.fullmatch(text):
            return Decimal(text.replace(",", ""))
    if decimal != "." and _FAST_ES.fullmatch(text):
        return Decimal(text.replace(".", "").replace(",", "."))
    negative = False
    if text.startswith("(") and text.endswith(")"):
        negative, text = True, text[1:-1]
    text = _CURRENCY_MARKS.sub("", text)
    if text.endswith("-"):
        negative, text = not negative, text[:-1]
    if text.startswith("-"):
        negative, text = not negative, text[1:]
    elif text.startswith("+"):
        text = text[1:]
    text = text.replace("'", "")
    if not text or not _NUMBER.match(text) or not any(c.isdigit() for c in text):
        raise ParseError("“%(value)s” is not a number.", value=value)
    dots, commas = text.count("."), text.count(",")
    if dots and commas:
        dec = "," if text.rfind(",") > text.rfind(".") else "."
    elif dots > 1:
        dec = ","  # 1.234.567: dots group thousands
    elif commas > 1:
        dec = "."
    elif dots == 1 or commas == 1:
        sep = "." if dots else ","
        if decimal in (",", "."):
            dec = decimal if decimal == sep else ("," if sep == "." else ".")
        else:
            head, tail = text.split(sep)
            dec = ("," if sep == "." else ".") if len(tail) == 3 and head and head != "0" else sep
    else:
        dec = "."
    thousands = "." if dec == "," else ","
    body = text.replace(thousands, "")
    if body.count(dec) > 1:
        raise ParseError("“%(value)s” is not a number.", value=value)
    body = body.replace(",", ".").replace(" ", "").replace("\u00a0", "")
    if body.count(".") > 1:
        raise ParseError("“%(value)s” is not a number.", value=value)
    try:
        number = Decimal(body)
    except InvalidOperation:
        raise ParseError("“%(value)s” is not a number.", value=value) from None
    return -number if negative else number


def decimal_text(value: Any, decimal: str | None = None) -> str:
    """:func:`parse_decimal`'s number as plain text (``-1234.5``: ASCII digits, no exponent,
    no grouping) — what the database takes, without making a Decimal of every cell. The shapes
    a large export is made of are rewritten as text; the rest goes through
    :func:`parse_decimal`."""
    if value.__class__ is str:
        text = value.strip()
        if text.isascii():  # \d below would match other scripts' digits too
            if text.isdigit():
                return text
            if decimal != "." and "," in text and _FAST_ES.fullmatch(text):
                return text.replace(".", "").replace(",", ".")
            if decimal != ",":
                if _FAST_PLAIN.fullmatch(text):
                    return text
                if _FAST_EN.fullmatch(text):
                    return text.replace(",", "")
            if decimal != "." and _FAST_ES.fullmatch(text):
                return text.replace(".", "")
    number = parse_decimal(value, decimal)
    if not number.is_finite():
        raise ParseError("“%(value)s” is not a number.", value=value)
    return format(number, "f")


def parse_int(value: Any, decimal: str | None = None) -> int:
    number = parse_decimal(value, decimal)
    if number != number.to_integral_value():
        raise ParseError("“%(value)s” is not a whole number.", value=value)
    return int(number)


# --- dates ------------------------------------------------------------------------------------
_EXCEL_EPOCH = dt.date(1899, 12, 30)
_DMY = re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{2}|\d{4})(?:[ T].*)?$")
_YMD = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T].*)?$")


#: The earliest date a file's row may carry; later than a year from today is refused too (a
#: sale "in 3025" is a typing slip, never a plan).
EARLIEST_DATE = dt.date(1900, 1, 1)
LATEST_AHEAD = dt.timedelta(days=366)


def parse_date(value: Any, decimal: str | None = None) -> dt.date:
    """``dd-mm-yyyy``, ``dd/mm/yyyy``, ``dd.mm.yyyy``, ``yyyy-mm-dd`` (a time after it is
    ignored), Excel serial numbers (``45321``) and date/datetime cells; a date before 1900 or
    more than a year ahead is refused. (The engine rewrites a column of ``m/d/yyyy`` dates as
    ``yyyy-mm-dd`` before they get here: see :func:`decide_date_order`.)"""
    if value.__class__ is str:
        date = _parse_date_text(value)
    elif isinstance(value, AsWritten):  # rewritten by its column's order: quote the file's text
        try:
            date = _parse_date_text(str(value))
        except ParseError as exc:
            raise ParseError(exc.message, value=value.written) from None
        value = value.written
    elif isinstance(value, dt.datetime):
        date = value.date()
    elif isinstance(value, dt.date):
        date = value
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        date = _from_serial(value, value)
    else:
        date = _parse_date_text(str(value))
    if date < EARLIEST_DATE:
        raise ParseError("“%(value)s” is before 1900: check the year.", value=value)
    if date > dt.date.today() + LATEST_AHEAD:
        raise ParseError("“%(value)s” is more than a year from today: check the year.", value=value)
    return date


_ORDERED = re.compile(r"^\s*(\d{1,4})([-/.])(\d{1,2})([-/.])(\d{1,4})(?=$|[ T])")


def decide_date_order(values: Iterable[str]) -> str | None:
    """Which order the dates of one column are written in, from their values: ``"dmy"``,
    ``"mdy"``, ``"ymd"``, ``None`` (no such dates, or only ``yyyy-mm-dd``-like ones), or
    ``"ambiguous"``. A first number over 12 means day first (``14/3/2025``), a second over 12
    month first (``3/14/2025``); with dashes or dots and nothing to settle it, day first
    (``05-03-2025``: how dates are written where a dash separates them); with slashes and
    nothing to settle it (``3/4/2025`` only), it is ambiguous."""
    day_first = month_first = slashed_unsettled = year_first = False
    for value in values:
        m = _ORDERED.match(value)
        if not m:
            continue
        a, b, c = m[1], m[3], m[5]
        if len(a) == 4:
            year_first = True
            continue
        if len(c) not in (2, 4) or len(a) > 2:
            continue
        x, y = int(a), int(b)
        if x > 12 and y <= 12:
            day_first = True
        elif y > 12 and x <= 12:
            month_first = True
        elif x != y and m[2] == "/":
            slashed_unsettled = True
    if day_first and not month_first:
        return "dmy"
    if month_first and not day_first:
        return "mdy"
    if day_first and month_first:
        return "ambiguous"
    if slashed_unsettled:
        return "ambiguous"
    return "ymd" if year_first else None


def date_to_iso(value: str, order: str) -> str:
    """``value`` as ``yyyy-mm-dd`` when it is a date written in ``order`` ("dmy", "mdy",
    "ymd"); anything else (a serial number, text that is no date) as it is, for the parser to
    judge. A time after the date is dropped."""
    m = _ORDERED.match(value)
    if not m:
        return value
    a, b, c = m[1], m[3], m[5]
    if len(a) == 4:
        year, month, day = a, b, c
    elif order == "mdy":
        month, day, year = a, b, c
    elif order == "ymd" and len(c) != 4:
        year, month, day = a, b, c
    else:
        # Day first: the column's order, or a dashed date beside ISO ones in a "ymd" column
        # (``01-10-2026`` next to ``2026-10-01``), whose four-digit year says where the year is.
        day, month, year = a, b, c
    if len(year) == 2:
        y = int(year)
        year = str(y + (2000 if y < 70 else 1900))
    elif len(year) != 4:
        return value
    y, mo, d = int(year), int(month), int(day)
    iso = f"{year}-{mo:02d}-{d:02d}"
    if 1900 <= y <= _THIS_YEAR and 1 <= mo <= 12 and 1 <= d <= 28:
        return iso  # a date that is surely good: a plain string, the fast path of the parsers
    # One that may be refused (31 February, a sale in 3025) keeps what the file says, so that
    # the error quotes "15/03/3025" and not a rewrite the person never typed.
    return AsWritten(iso, value)


class AsWritten(str):
    """A date rewritten as ``yyyy-mm-dd`` by its column's day/month order, carrying the text the
    file holds (``written``) for an error to quote."""

    written: str

    def __new__(cls, iso: str, written: str) -> AsWritten:
        obj = super().__new__(cls, iso)
        obj.written = written
        return obj

    def __reduce__(self) -> tuple[Any, ...]:  # rows go to worker processes pickled
        return (AsWritten, (str(self), self.written))


# The year this process started in: a later year is only looked at more closely (see
# date_to_iso), so a process running into a new year stays right.
_THIS_YEAR = dt.date.today().year


@lru_cache(maxsize=8192)
def _parse_date_text(value: str) -> dt.date:
    # Cached: a sales file has a few thousand distinct dates over a million lines.
    text = value.strip()
    try:
        m = _YMD.match(text)
        if m:
            return dt.date(int(m[1]), int(m[2]), int(m[3]))
        m = _DMY.match(text)
        if m:
            year = int(m[3])
            if len(m[3]) == 2:
                year += 2000 if year < 70 else 1900
            return dt.date(year, int(m[2]), int(m[1]))
    except ValueError:
        raise ParseError("“%(value)s” is not a valid date.", value=value) from None
    if re.fullmatch(r"\d{4,6}(\.\d+)?", text):
        return _from_serial(float(text), value)
    raise ParseError("“%(value)s” is not a date (use dd-mm-yyyy or yyyy-mm-dd).", value=value)


def _from_serial(serial: float, original: Any) -> dt.date:
    # Excel's day 60 is the 29th of February 1900 that never was; every later serial counts it.
    if not 1 <= serial < 2958466:
        raise ParseError("“%(value)s” is not a date.", value=original)
    return _EXCEL_EPOCH + dt.timedelta(days=int(serial))


# --- text, choices, lists -----------------------------------------------------------------------
def parse_long_text(value: Any, decimal: str | None = None) -> str:
    """Text of several lines (a description, notes): its line breaks kept (``\\r\\n`` and
    ``\\r`` made ``\\n``), the spaces within each line tidied, empty lines at either end
    dropped."""
    if value.__class__ is not str:
        return parse_text(value, decimal)
    lines = [" ".join(line.split()) for line in value.splitlines()]
    while lines and not lines[0]:
        lines.pop(0)
    while lines and not lines[-1]:
        lines.pop()
    return "\n".join(lines)


def parse_text(value: Any, decimal: str | None = None) -> str:
    """Text with its spaces tidied: trimmed, runs of white space made one space."""
    if value.__class__ is str:
        text = value.strip()
        if "  " not in text and "\t" not in text and "\n" not in text and "\r" not in text:
            return text
        return " ".join(text.split())
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # an XLSX code column read as 1234.0
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    return " ".join(str(value).split())


def parse_bool(value: Any, decimal: str | None = None) -> bool:
    if isinstance(value, bool):
        return value
    key = fold(value)
    if key in {"1", "true", "yes", "y", "si", "s", "x", "verdadero"}:
        return True
    if key in {"0", "false", "no", "n", "falso"}:
        return False
    raise ParseError("“%(value)s” is not yes or no.", value=value)


def choice_parser(
    choices: Iterable[tuple[str, Any]], labels: Mapping[str, Iterable[str]] | None = None
) -> Callable[..., str]:
    """A parser accepting a choice's value or its label (in any language given: pass the labels
    of each value in ``labels``, e.g. ``{"buyer": ["Comprador"]}``), accent- and case-blind."""
    lookup: dict[str, str] = {}
    for value, label in choices:
        lookup[fold(value)] = value
        lookup[fold(label)] = value
    for value, extra in (labels or {}).items():
        for label in extra:
            lookup[fold(label)] = value
    valid = ", ".join(str(v) for v, _ in choices)

    def parse(value: Any, decimal: str | None = None) -> str:
        key = fold(value)
        if key in lookup:
            return lookup[key]
        raise ParseError("“%(value)s” is not one of: %(valid)s.", value=value, valid=valid)

    return parse


def list_parser(item: Callable[..., Any], separator: str = "|") -> Callable[..., list[Any]]:
    """A parser for ``a|b|c`` cells: each item through ``item``, duplicates dropped, order kept."""

    def parse(value: Any, decimal: str | None = None) -> list[Any]:
        out: list[Any] = []
        for part in str(value).split(separator):
            part = part.strip()
            if part:
                parsed = item(part, decimal)
                if parsed not in out:
                    out.append(parsed)
        return out

    return parse
