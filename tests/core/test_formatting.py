"""The one formatting layer (kamp.core.formatting): every figure a person reads, in Spanish
(es-CL) and English, from Babel's CLDR data. The template filters of ``{% load kamp %}`` say
the same as the functions, and no template formats a figure another way."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from decimal import Decimal as D
from pathlib import Path

import pytest
from django.template import Context, Template
from django.utils import translation

from kamp.core import formatting as f
from kamp.economics.pnl import Period

NBSP = "\u00a0"


# --- numbers --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "value,decimals,es,en",
    [
        (D("1234567.5"), 1, "1.234.567,5", "1,234,567.5"),
        (D("1234567.45"), 1, "1.234.567,5", "1,234,567.5"),  # half up, not half even
        (D("2.25"), 1, "2,3", "2.3"),
        (D("-1234.5"), 0, "-1.235", "-1,235"),  # a negative rounds away from zero
        (D("-0.04"), 1, "0,0", "0.0"),  # never "-0,0"
        (7, 2, "7,00", "7.00"),
        ("3.333", 2, "3,33", "3.33"),
        (1e6, 0, "1.000.000", "1,000,000"),
        (D("1E+3"), 0, "1.000", "1,000"),
    ],
)
def test_numbers_in_both_languages(value, decimals, es, en):
    assert f.format_number(value, decimals, lang="es") == es
    assert f.format_number(value, decimals, lang="en") == en


@pytest.mark.parametrize("lang", ["es", "en"])
def test_numbers_are_babels_own(lang):
    """The layer writes what Babel's ``format_decimal`` writes (CLDR groups kamp's locales by
    three; the fast path swaps in CLDR's symbols)."""
    from babel.numbers import format_decimal

    loc = f.locale(lang)
    assert loc.decimal_formats[None].grouping == (3, 3)
    for value in (D("0"), D("-1234567.891"), D("999.995"), D("12"), D("-0.5"), D("1e15")):
        for places in (0, 1, 2, 4):
            rounded = f._round(value, places)
            expected = format_decimal(
                rounded, "#,##0." + "0" * places if places else "#,##0", locale=loc
            )
            assert f.format_number(value, places, lang=lang) == expected, (value, places)


def test_trimmed_numbers_drop_trailing_zeros():
    assert f.format_number(D("7.50"), 2, trim=True, lang="es") == "7,5"
    assert f.format_number(D("7.00"), 2, trim=True, lang="es") == "7"
    assert f.format_number(D("1234.25"), 2, trim=True, lang="en") == "1,234.25"


def test_empty_and_unreadable_values():
    assert f.format_number(None, 1) == ""
    assert f.format_number("", 1) == ""
    assert f.format_number("n/a", 1) == "n/a"
    assert f.format_number(D("NaN"), 1) == "NaN"
    assert f.format_money(None, "CLP") == ""
    assert f.format_percent(None) == ""
    assert f.format_date(None) == ""


def test_a_huge_stored_figure_still_formats():
    assert f.format_number(D("1e30"), 0, lang="en").startswith("1,000,000,000,000")
    assert f.format_money(D("1e30"), "USD", lang="es").endswith(",00")


# --- money ----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "value,currency,es,en",
    [
        # CLP has no minor unit (CLDR): no decimals, rounded half up.
        (D("309287703.4"), "CLP", "CLP 309.287.703", "CLP 309,287,703"),
        (D("1234567.5"), "clp", "CLP 1.234.568", "CLP 1,234,568"),
        # USD has cents.
        (D("1234.5"), "USD", "USD 1.234,50", "USD 1,234.50"),
        (D("0.005"), "USD", "USD 0,01", "USD 0.01"),
        # CLF (unidad de fomento) has four.
        (D("35.12345"), "CLF", "CLF 35,1235", "CLF 35.1235"),
        # Negative: the code still leads.
        (D("-4567507"), "CLP", "CLP -4.567.507", "CLP -4,567,507"),
        (D("-12.3"), "USD", "USD -12,30", "USD -12.30"),
        (D("-0.001"), "USD", "USD 0,00", "USD 0.00"),
    ],
)
def test_money_in_both_languages(value, currency, es, en):
    assert f.format_money(value, currency, lang="es") == es.replace(" ", NBSP)
    assert f.format_money(value, currency, lang="en") == en.replace(" ", NBSP)


def test_the_amount_alone_has_the_currency_precision():
    assert f.format_amount(D("1234.5"), "CLP", lang="es") == "1.235"
    assert f.format_amount(D("1234.5"), "USD", lang="es") == "1.234,50"
    assert f.minor_units("CLP") == 0 and f.minor_units("USD") == 2 and f.minor_units("BHD") == 3


# --- percentages ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    "ratio,decimals,es,en",
    [
        (D("0.125"), 1, "12,5 %", "12.5 %"),
        (D("0.2429"), 1, "24,3 %", "24.3 %"),  # half up: the API's 0.243 reads 24,3 %
        (D("-0.05"), 1, "-5,0 %", "-5.0 %"),
        (D("0.63"), 0, "63 %", "63 %"),
        (D("12.5"), 0, "1.250 %", "1,250 %"),
    ],
)
def test_percentages_in_both_languages(ratio, decimals, es, en):
    assert f.format_percent(ratio, decimals, lang="es") == es.replace(" ", NBSP)
    assert f.format_percent(ratio, decimals, lang="en") == en.replace(" ", NBSP)


# --- dates and periods ----------------------------------------------------------------------
def test_dates_in_both_languages():
    day = date(2026, 11, 28)
    assert f.format_date(day, lang="es") == "28-11-2026"
    assert f.format_date(day, lang="en") == "2026-11-28"
    assert f.format_date(datetime(2026, 3, 4, 15, 30), lang="es") == "04-03-2026"
    assert f.format_month(date(2025, 12, 1), lang="es") == "dic 2025"
    assert f.format_month(date(2025, 12, 1), lang="en") == "Dec 2025"


def test_the_date_format_is_djangos_too():
    """A date printed by ``|date:"SHORT_DATE_FORMAT"`` and by the layer read the same."""
    from django.utils.formats import date_format

    for lang in ("es", "en"):
        with translation.override(lang):
            day = date(2026, 1, 9)
            assert date_format(day, "SHORT_DATE_FORMAT") == f.format_date(day)
            assert date_format(day, "DATE_FORMAT") == f.format_date(day)


@pytest.mark.parametrize(
    "period,es,en",
    [
        ("2025-12..2026-11", "dic 2025 – nov 2026", "Dec 2025 – Nov 2026"),
        (Period.parse("2025-Q3"), "T3 2025", "Q3 2025"),
        ("2025-07", "jul 2025", "Jul 2025"),
        ("2025", "2025", "2025"),
        (Period.trailing(date(2026, 12, 4), 12), "dic 2025 – nov 2026", "Dec 2025 – Nov 2026"),
        ("2026-09-01..2026-11-30", "01-09-2026 – 30-11-2026", "2026-09-01 – 2026-11-30"),
        (
            (date(2026, 9, 1), date(2026, 9, 30)),
            "01-09-2026 – 30-09-2026",
            "2026-09-01 – 2026-09-30",
        ),
        ("plan 2026", "plan 2026", "plan 2026"),  # not a period: left as it is
    ],
)
def test_periods_in_both_languages(period, es, en):
    assert f.format_period(period, lang="es") == es
    assert f.format_period(period, lang="en") == en


def test_the_active_language_is_the_default():
    with translation.override("es"):
        assert f.format_number(D("1234.5"), 1) == "1.234,5"
        assert f.language() == "es"
    with translation.override("en"):
        assert f.format_number(D("1234.5"), 1) == "1,234.5"
    assert f.language("es-cl") == "es" and f.language("fr") == "en"


# --- charts and spreadsheets ----------------------------------------------------------------
def test_plotly_gets_the_languages_separators_and_month_names():
    es, en = f.plotly_locale("es"), f.plotly_locale("en")
    assert es["separators"] == ",." and en["separators"] == ".,"
    assert es["format"]["shortMonths"][11] == "dic" and en["format"]["shortMonths"][11] == "Dec"
    # d3 weeks start on Sunday.
    assert es["format"]["days"][0] == "domingo" and en["format"]["shortDays"][1] == "Mon"
    assert es["format"]["date"] == "%d-%m-%Y"


def test_excel_number_formats():
    assert f.excel_money_format("CLP") == '"CLP "#,##0;"CLP "-#,##0'
    assert f.excel_money_format("usd") == '"USD "#,##0.00;"USD "-#,##0.00'
    assert f.excel_percent_format(1) == "0.0%" and f.excel_percent_format(0) == "0%"
    assert f.excel_date_format("es") == "dd-mm-yyyy" and f.excel_date_format("en") == "yyyy-mm-dd"
    assert f.excel_number_format(2) == "#,##0.00"


# --- the template filters -------------------------------------------------------------------
def render(text: str, lang: str, **context) -> str:
    with translation.override(lang):
        return Template(text).render(Context(context))


@pytest.mark.parametrize(
    "template,context,es,en",
    [
        ("{{ x|number:1 }}", {"x": D("7.5")}, "7,5", "7.5"),
        ('{{ x|number:"-2" }}', {"x": D("7.50")}, "7,5", "7.5"),
        ("{{ x|number }}", {"x": 1234567}, "1.234.567", "1,234,567"),
        ('{{ x|number:1|default:"—" }}', {"x": None}, "—", "—"),
        ('{{ x|money:"CLP" }}', {"x": D("309287703")}, "CLP 309.287.703", "CLP 309,287,703"),
        ("{{ x|percent }}", {"x": D("0.125")}, "12,5 %", "12.5 %"),
        ("{{ d|day }}", {"d": date(2026, 11, 28)}, "28-11-2026", "2026-11-28"),
        ("{{ d|month }}", {"d": date(2026, 11, 28)}, "nov 2026", "Nov 2026"),
        # A moment stored in UTC is shown on the company's day (America/Santiago): 01:30 UTC
        # on the 1st is still 30 November there.
        (
            "{{ d|day }}",
            {"d": datetime(2026, 12, 1, 1, 30, tzinfo=UTC)},
            "30-11-2026",
            "2026-11-30",
        ),
        ("{{ d|month }}", {"d": datetime(2026, 12, 1, 1, 30, tzinfo=UTC)}, "nov 2026", "Nov 2026"),
        ("{{ p|period }}", {"p": "2025-12..2026-11"}, "dic 2025 – nov 2026", "Dec 2025 – Nov 2026"),
    ],
)
def test_template_filters(db, template, context, es, en):
    got_es, got_en = render(template, "es", **context), render(template, "en", **context)
    assert got_es.replace(NBSP, " ") == es
    assert got_en.replace(NBSP, " ") == en


def test_the_score_input_and_the_label_beside_it_agree():
    """``<input type=number>`` takes the machine form (7.5); the mean beside it is in the
    reader's (7,5): the same number, each in the form its reader expects."""
    html = render(
        '<input type="number" value="{{ v|unlocalize }}"> {{ v|number:"-1" }}', "es", v=D("7.5")
    )
    assert html == '<input type="number" value="7.5"> 7,5'


def test_plotly_scripts_tag_writes_the_locale_before_the_charts(db):
    html = render("{% plotly_scripts %}", "es")
    assert 'id="kamp-plotly-locale"' in html
    assert html.index("vendor/plotly.min.js") < html.index("kamp/plotly-locale.js")
    assert '"separators": ",."' in html


# --- no other way of formatting a figure in a template --------------------------------------
TEMPLATES = Path(__file__).resolve().parents[2] / "kamp"
# ``floatformat`` rounds half even and knows no currency; ``|date:"Y-m-d"`` / ``"Y-m"`` show
# people the machine form. Inside ``value="…"`` (a date input), ``datetime=`` and URLs the ISO
# form is right.
FORBIDDEN = [
    (re.compile(r"\|\s*floatformat"), "use |number (kamp.core.formatting), not floatformat"),
    (re.compile(r"\|\s*intcomma"), "use |number, not intcomma"),
    (
        re.compile(r"\|\s*date:\s*[\"'](?:Y-m-d|Y-m|c)[\"']"),
        'use |day, |month or |period for people, not |date:"Y-m-d"',
    ),
    (re.compile(r"plotly\.min\.js"), "load charts with {% plotly_scripts %} (the page's locale)"),
    (re.compile(r"\}\}%"), "use |percent or |points (12,5 %), not a % glued to the number"),
]
MACHINE = re.compile(r"""(?:value|datetime|href|hx-\w+|data-[\w-]+)=["'][^"']*$""")


def forbidden_uses() -> list[str]:
    found = []
    for path in sorted(TEMPLATES.rglob("templates/**/*")):
        if path.suffix not in {".html", ".txt"}:
            continue
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            for pattern, why in FORBIDDEN:
                for m in pattern.finditer(line):
                    if MACHINE.search(line[: m.start()]):
                        continue  # inside an attribute a machine reads
                    found.append(f"{path.relative_to(TEMPLATES.parent)}:{n}: {why}")
    return found


def test_no_template_formats_a_figure_another_way():
    assert forbidden_uses() == []


def test_the_scan_catches_a_new_one(tmp_path, monkeypatch):
    app = tmp_path / "kamp" / "x" / "templates" / "x"
    app.mkdir(parents=True)
    (app / "page.html").write_text(
        '{{ a|floatformat:1 }} {{ d|date:"Y-m-d" }}\n<input type="date" value="{{ d|date:\'Y-m-d\' }}">\n'
    )
    monkeypatch.setattr(__import__(__name__, fromlist=["x"]), "TEMPLATES", tmp_path / "kamp")
    found = forbidden_uses()
    assert len(found) == 2 and all(":1:" in line for line in found), found
