"""One figure, every surface, each in the reader's language: the Economics tab, its Excel
export and its chart payload show the same net revenue — formatted by kamp.core.formatting on
the page, a number with a currency format in the spreadsheet, a number with the language's
separators on the chart."""

from __future__ import annotations

import datetime
import io
import json
import re
from decimal import Decimal as D

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from kamp.core import formatting
from kamp.core.models import SiteSettings
from kamp.economics.pnl import Period
from tests.factories import SalesLineFactory

pytestmark = pytest.mark.django_db

NBSP = "\u00a0"
QUARTER = Period.parse("2025-Q3")


@pytest.fixture
def sales(account):
    site = SiteSettings.load()
    site.base_currency = "CLP"
    site.save()
    for n, day in enumerate((datetime.date(2025, 7, 10), datetime.date(2025, 8, 10))):
        SalesLineFactory(
            customer=account,
            date=day,
            net_amount=D("1234567.4") + n * D("100000"),
            cost=D(600_000),
            currency="CLP",
        )
    return D("1234567.4") + D("1334567.4")  # 2.569.135 once rounded to the peso


def speaking(client, user, lang):
    user.language = lang
    user.save(update_fields=["language"])
    client.cookies["django_language"] = lang
    return client


def net_revenue_cell(html: str) -> str:
    row = html.split('data-line="net_revenue"')[1].split("</tr>")[0]
    return re.findall(r'<td class="num">([^<]*)</td>', row)[0]


@pytest.mark.parametrize(
    "lang,amount,period,quarter,date_format",
    [
        ("es", "2.569.135", "jul 2025", "T3 2025", "dd-mm-yyyy"),
        ("en", "2,569,135", "Jul 2025", "Q3 2025", "yyyy-mm-dd"),
    ],
)
def test_page_export_and_chart_say_the_same_figure(
    client_for, ana, account, sales, lang, amount, period, quarter, date_format
):
    client = speaking(client_for(ana), ana, lang)
    url = reverse("economics:customer_tab", args=[account.pk]) + f"?period={QUARTER}"
    response = client.get(url)
    html = response.content.decode()

    # The page: the P&L table and its column, as the formatting layer writes them.
    assert net_revenue_cell(html) == amount
    assert formatting.format_money(sales, "CLP", lang=lang) == f"CLP{NBSP}{amount}"
    assert f'<th scope="col" class="num">{quarter}</th>' in html  # the URL keeps 2025-Q3

    # The chart: the numbers the chart draws, its quarters in words, the language's separators.
    chart = json.loads(html.split('id="pnl-trend-data" type="application/json">')[1].split("<")[0])
    locale = json.loads(
        html.split('id="kamp-plotly-locale" type="application/json">')[1].split("<")[0]
    )
    assert locale["separators"] == (",." if lang == "es" else ".,")
    assert locale["format"]["shortMonths"][6] == period.split()[0]
    assert all(re.fullmatch(r"[TQ][1-4] \d{4}", label) for label in chart["labels"])
    assert chart["labels"][0][0] == quarter[0]

    # The Excel export: numbers and dates as cells of their type, formatted, never text.
    export = client.get(
        reverse("economics:customer_export", args=[account.pk]) + f"?period={QUARTER}"
    )
    ws = load_workbook(io.BytesIO(export.content)).active
    rows: dict = {}
    for row in ws.iter_rows():
        if row[0].value:
            rows.setdefault(row[0].value, row)  # the P&L's line, not the headline figure
    revenue = next(r for label, r in rows.items() if label in ("Net revenue", "Ingresos netos"))
    cell = revenue[1]
    assert cell.data_type == "n" and D(str(cell.value)) == D(
        amount.replace(".", "").replace(",", "")
    )
    assert cell.number_format == '"CLP "#,##0;"CLP "-#,##0'
    period_row = rows["Period" if lang == "en" else "Periodo"]
    assert period_row[1].value == f"{quarter}"
    first, last = period_row[2], period_row[3]
    assert first.is_date and first.value.date() == datetime.date(2025, 7, 1)
    assert last.is_date and last.value.date() == datetime.date(2025, 9, 30)
    assert first.number_format == date_format
    exported = rows["Exported" if lang == "en" else "Exportado"][1]
    assert exported.is_date and exported.number_format == f"{date_format} hh:mm"
    header = next(r for label, r in rows.items() if label in ("Line", "Línea"))
    assert header[1].value == f"{quarter} (CLP)"


def test_the_programme_check_writes_its_average_in_the_readers_format(ana, bruno):
    """ "3.33 cuentas" was the raw float: the average reads 3,3 in Spanish, 3.3 in English."""
    from django.utils import translation

    from kamp.customers.models import CustomerStatus
    from kamp.programme import service
    from tests.factories import CustomerFactory, UserFactory

    carol = UserFactory(email="carol@supplier.test", name="Carol KAM", role="kam")
    for kam, n in ((ana, 4), (bruno, 3), (carol, 3)):
        for i in range(n):
            CustomerFactory(name=f"{kam.name} {i}", status=CustomerStatus.KEY_ACCOUNT, owner=kam)
    for lang, figure in (("es", "3,3"), ("en", "3.3")):
        with translation.override(lang):
            check = next(c for c in service.programme_checks() if c.key == "right_kams")
            assert any(f" {figure} " in line for line in check.lines), check.lines
