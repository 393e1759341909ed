"""One formatting layer for every figure a person reads: numbers, money, percentages, dates and
periods, in the reader's language, from Babel's CLDR data (number symbols and patterns, currency
precision, month names) rather than hand-kept tables.

Every surface calls it: the template filters of ``{% load kamp %}`` (``number``, ``money``,
``amount``, ``percent``, ``day``, ``month``, ``period``), the chart payloads (Plotly's
``separators`` and month names: :func:`plotly_locale`), the Excel exports (number formats:
:func:`excel_money_format` …) and the e-mails (rendered in the recipient's language).

Conventions (docs/style.md, "Formatting figures"):

============  ==========================  ==========================
              Spanish (es-CL)             English
============  ==========================  ==========================
number        ``1.234.567,5``             ``1,234,567.5``
money         ``CLP 1.234.567``           ``CLP 1,234,567``
              ``USD 1.234,50``            ``USD 1,234.50``
percent       ``12,5 %``                  ``12.5 %``
date          ``28-11-2026``              ``2026-11-28``
month         ``nov 2026``                ``Nov 2026``
period        ``dic 2025 – nov 2026``     ``Dec 2025 – Nov 2026``
============  ==========================  ==========================

Money always puts the ISO code in front, in both languages (CLDR's own placement differs by
locale — ``$309.287.703`` in es-CL, ``309.287.703 CLP`` in es — and a bare ``$`` is ambiguous
between pesos and dollars). Rounding is half up everywhere (Babel's default is half even: 2,25
would read 2,2 beside an API's 2.3). ISO forms (``2026-11-28``, ``2025-12..2026-11``) stay only
in ``<input type="date">`` values, URLs, the API and the CLI's JSON.

The functions are pure given a language (``lang="es"``); without one they use the active one.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Context, Decimal, InvalidOperation, localcontext
from functools import lru_cache
from typing import Any

from babel import Locale
from babel.dates import format_date as _babel_date
from babel.dates import get_day_names, get_month_names, get_period_names, get_quarter_names
from babel.numbers import get_currency_precision

#: kamp's languages and the CLDR locale each is formatted with.
LOCALES = {"es": "es_CL", "en": "en"}

#: Date patterns (CLDR syntax) per language: Chile's day-month-year; English keeps the ISO
#: order, unambiguous for a team spread across countries. Same as ``kamp/formats/*/formats.py``
#: (Django's ``|date`` filter), so a date reads the same from either path.
DATE_PATTERNS = {"es": "dd-MM-y", "en": "y-MM-dd"}
#: The same, as Excel ``number_format`` and d3 (Plotly) formats.
EXCEL_DATE_FORMATS = {"es": "dd-mm-yyyy", "en": "yyyy-mm-dd"}
D3_DATE_FORMATS = {"es": "%d-%m-%Y", "en": "%Y-%m-%d"}
#: A day and month on a chart axis ("28 nov" / "Nov 28").
D3_DAY_MONTH_FORMATS = {"es": "%-d %b", "en": "%b %-d"}
#: A month on a chart axis ("dic 2025"), in d3 syntax with Plotly's locale month names.
D3_MONTH_FORMAT = "%b %Y"

NBSP = "\u00a0"
EN_DASH = "\u2013"

_PERIOD = re.compile(r"^(\d{4})(?:-Q([1-4])|-(\d{2}))?$")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


# --- the language ---------------------------------------------------------------------------
def language(lang: str | None = None) -> str:
    """``"es"`` or ``"en"``: ``lang`` if given (``es-cl`` → ``es``), else the active one."""
    if not lang:
        from django.utils.translation import get_language

        lang = get_language() or "en"
    return _language_code(lang)


@lru_cache(maxsize=64)
def _language_code(lang: str) -> str:
    # Asked for every number a page writes (hundreds on the matrix): the few codes worked out
    # once.
    code = lang.replace("_", "-").split("-")[0].lower()
    return code if code in LOCALES else "en"


@lru_cache(maxsize=8)
def _locale(lang: str) -> Locale:
    return Locale.parse(LOCALES[lang])


def locale(lang: str | None = None) -> Locale:
    """The Babel locale of ``lang`` (or of the active language)."""
    return _locale(language(lang))


# --- numbers --------------------------------------------------------------------------------
def to_decimal(value: Any) -> Decimal | None:
    """``value`` as a finite Decimal, or None for an empty value or something not a number."""
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError, TypeError):
        return None
    return number if number.is_finite() else None


def _wide(number: Decimal, places: int) -> Context:
    # A context as wide as the number: the default 28 digits make ``quantize`` raise on a very
    # large figure stored before amounts were checked, and a page must still show it.
    return Context(prec=max(28, number.adjusted() + places + 4), rounding=ROUND_HALF_UP)


def _round(number: Decimal, places: int) -> Decimal:
    wide = _wide(number, places)
    rounded = number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP, context=wide)
    return abs(rounded) if rounded == 0 else rounded  # never "-0"


@lru_cache(maxsize=8)
def _symbols(lang: str) -> dict[int, str]:
    """CLDR's decimal, group and minus symbols of ``lang``, as a ``str.translate`` table from
    Python's own (``.``, ``,``, ``-``)."""
    symbols = _locale(lang).number_symbols["latn"]
    return {
        ord("."): symbols["decimal"],
        ord(","): symbols["group"],
        ord("-"): symbols["minusSign"],
    }


def _pattern(decimals: int, trim: bool) -> str:
    if decimals <= 0:
        return "#,##0"
    return "#,##0." + ("#" if trim else "0") * decimals


def format_number(
    value: Any, decimals: int = 0, *, trim: bool = False, lang: str | None = None
) -> str:
    """``1234567.45`` → ``1.234.567,5`` (es, ``decimals=1``) / ``1,234,567.5`` (en).

    ``decimals`` digits after the separator, rounded half up; ``trim=True`` drops trailing
    zeros (7.50 → ``7,5``, 7.00 → ``7``). Always grouped by thousands. Empty for no value;
    a value that is not a number comes back as its text."""
    number = to_decimal(value)
    if number is None:
        return "" if value is None or value == "" else str(value)
    places = max(0, int(decimals))
    number = _round(number, places)
    # Python groups by three with "," and ".", then CLDR's symbols replace them: the same text
    # as Babel's ``format_decimal`` with ``#,##0.0`` (kamp's locales group by three:
    # tests/core/test_formatting.py checks CLDR says so), at a third of its cost on a long table.
    with localcontext(_wide(number, places)):
        text = f"{number:,.{places}f}"
    if trim and places:
        text = text.rstrip("0").rstrip(".")
    return text.translate(_symbols(language(lang)))


def format_percent(
    ratio: Any, decimals: int = 1, *, trim: bool = False, lang: str | None = None
) -> str:
    """A ratio as a percentage: ``0.125`` → ``12,5 %`` (es) / ``12.5 %`` (en), with a
    non-breaking space before the sign so it never wraps alone."""
    number = to_decimal(ratio)
    if number is None:
        return ""
    return f"{format_number(number * 100, decimals, trim=trim, lang=lang)}{NBSP}%"


def format_points(value: Any, decimals: int = 0, *, lang: str | None = None) -> str:
    """A value already in percent (``63``) as ``63 %``."""
    number = to_decimal(value)
    if number is None:
        return ""
    return f"{format_number(number, decimals, lang=lang)}{NBSP}%"


# --- money ----------------------------------------------------------------------------------
@lru_cache(maxsize=256)
def minor_units(currency: str) -> int:
    """Decimals of ``currency``'s minor unit (ISO 4217, from CLDR): CLP 0, USD 2, CLF 4; an
    unknown or empty code gets the usual two."""
    code = (currency or "").strip().upper()
    return get_currency_precision(code) if code else 2


def format_amount(value: Any, currency: str, *, lang: str | None = None) -> str:
    """The amount alone at ``currency``'s precision: ``1.234.567`` (CLP), ``1.234,50`` (USD)."""
    number = to_decimal(value)
    if number is None:
        return "" if value is None or value == "" else str(value)
    return format_number(number, minor_units(currency), lang=lang)


def format_money(value: Any, currency: str, *, lang: str | None = None) -> str:
    """``CLP 1.234.567`` / ``USD 1,234.50``: the ISO code in front, then the amount at the
    currency's precision (``CLP -1.234`` when negative: the code always leads). Empty for no
    value."""
    number = to_decimal(value)
    if number is None:
        return "" if value is None or value == "" else str(value)
    code = (currency or "").strip().upper()
    if not code:
        return format_number(number, 2, lang=lang)
    return f"{code}{NBSP}{format_number(number, minor_units(code), lang=lang)}"


# --- dates and periods ----------------------------------------------------------------------
def format_date(value: date | datetime | None, *, lang: str | None = None) -> str:
    """``28-11-2026`` (es) / ``2026-11-28`` (en); empty for no date."""
    if value is None or value == "":
        return ""
    if isinstance(value, datetime):
        value = value.date()
    lang = language(lang)
    return _babel_date(value, DATE_PATTERNS[lang], locale=locale(lang))


def format_month(value: date, *, lang: str | None = None) -> str:
    """A month: ``nov 2026`` (es) / ``Nov 2026`` (en)."""
    return _babel_date(value, "MMM y", locale=locale(lang))


def format_period(value: Any, *, lang: str | None = None) -> str:
    """A run of months as people read it: ``2025`` → ``2025``, ``2025-Q3`` → ``T3 2025`` /
    ``Q3 2025``, ``2025-07`` → ``jul 2025``, ``2025-12..2026-11`` → ``dic 2025 – nov 2026``;
    also takes a P&L ``Period`` or a ``(start, end)`` pair of dates (a day range:
    ``01-09-2026 – 30-11-2026``). Anything else comes back as its text."""
    if value is None or value == "":
        return ""
    if isinstance(value, tuple) and len(value) == 2:
        start, end = value
        return f"{format_date(start, lang=lang)} {EN_DASH} {format_date(end, lang=lang)}"
    text = str(value).strip()
    if ".." in text:
        first, _sep, last = text.partition("..")
        if _MONTH.match(first) and _MONTH.match(last):
            a, b = _month_start(first), _month_start(last)
            if a == b:
                return format_month(a, lang=lang)
            return f"{format_month(a, lang=lang)} {EN_DASH} {format_month(b, lang=lang)}"
        try:
            a_day, b_day = date.fromisoformat(first), date.fromisoformat(last)
        except ValueError:
            return text
        return format_period((a_day, b_day), lang=lang)
    m = _PERIOD.match(text.upper())
    if not m:
        return text
    year = int(m.group(1))
    if m.group(2):
        quarter = get_quarter_names("abbreviated", locale=locale(lang))[int(m.group(2))]
        return f"{quarter} {year}"
    if m.group(3):
        return format_month(date(year, int(m.group(3)), 1), lang=lang)
    return str(year)


def _month_start(key: str) -> date:
    year, month = key.split("-")
    return date(int(year), int(month), 1)


def month_date(key: str) -> str:
    """A month key (``2025-12``) as the ISO date of its first day (``2025-12-01``), the form a
    chart's date axis takes; other text (``2025-Q3``) is returned as the first day of the
    period it names, or unchanged."""
    text = str(key).strip()
    if _MONTH.match(text):
        return f"{text}-01"
    m = _PERIOD.match(text.upper())
    if m and m.group(2):
        return f"{m.group(1)}-{3 * int(m.group(2)) - 2:02d}-01"
    return text


# --- charts (Plotly) ------------------------------------------------------------------------
def plotly_separators(lang: str | None = None) -> str:
    """Plotly's ``layout.separators``: the decimal then the group symbol (``",."`` in Spanish,
    ``".,"`` in English), from CLDR's number symbols."""
    symbols = locale(lang).number_symbols["latn"]
    return symbols["decimal"] + symbols["group"]


def plotly_locale(lang: str | None = None) -> dict:
    """What a chart needs to read like the page around it, for ``kamp/plotly-locale.js``:
    Plotly's separators, a locale (month and day names from CLDR, registered as Plotly's
    ``locale`` so date axes say "dic 2025"), and the date formats for axes and hover text."""
    lang = language(lang)
    loc = locale(lang)
    symbols = loc.number_symbols["latn"]
    return {
        "locale": lang,
        "separators": plotly_separators(lang),
        "format": {
            "decimal": symbols["decimal"],
            "thousands": symbols["group"],
            "months": list(get_month_names("wide", locale=loc).values()),
            "shortMonths": list(get_month_names("abbreviated", locale=loc).values()),
            # CLDR's weeks start on Monday; d3's list starts on Sunday.
            "days": [get_day_names("wide", locale=loc)[i] for i in (6, 0, 1, 2, 3, 4, 5)],
            "shortDays": [
                get_day_names("abbreviated", locale=loc)[i] for i in (6, 0, 1, 2, 3, 4, 5)
            ],
            "date": D3_DATE_FORMATS[lang],
            # The rest of Plotly's locale format, complete: registering "en" replaces Plotly's
            # own, and a missing key breaks every chart.
            "periods": [get_period_names(locale=loc)["am"], get_period_names(locale=loc)["pm"]],
            "dateTime": D3_DATE_FORMATS[lang] + " %H:%M:%S",
            "time": "%H:%M:%S",
            "grouping": [3],
            "currency": ["", ""],
            "year": "%Y",
            "month": D3_MONTH_FORMAT,
            "dayMonth": D3_DAY_MONTH_FORMATS[lang],
            "dayMonthYear": D3_DAY_MONTH_FORMATS[lang] + " %Y",
        },
        "dateFormat": D3_DATE_FORMATS[lang],
        "monthFormat": D3_MONTH_FORMAT,
    }


# --- Excel (openpyxl number formats) --------------------------------------------------------
def excel_number_format(decimals: int = 0) -> str:
    """``#,##0.0``: Excel shows it with the reader's own separators."""
    return _pattern(decimals, False)


def excel_money_format(currency: str) -> str:
    """``"CLP "#,##0`` / ``"USD "#,##0.00``: the cell stays a number, the code in front as the
    pages show it, a negative too (``CLP -1,234``)."""
    code = (currency or "").strip().upper()
    number = _pattern(minor_units(code), False)
    return f'"{code} "{number};"{code} "-{number}' if code else number


def excel_percent_format(decimals: int = 1) -> str:
    """``0.0%`` for a ratio cell (0.125 shows 12.5%)."""
    return "0" + ("." + "0" * decimals if decimals > 0 else "") + "%"


def excel_date_format(lang: str | None = None) -> str:
    """``dd-mm-yyyy`` (es) / ``yyyy-mm-dd`` (en), for a real date cell."""
    return EXCEL_DATE_FORMATS[language(lang)]


def excel_datetime_format(lang: str | None = None) -> str:
    return excel_date_format(lang) + " hh:mm"
