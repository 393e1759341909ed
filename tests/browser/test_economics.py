"""Economics in a real browser: the Economics tab with its P&L and trend chart, the Excel export
download, and the whale curve; screenshots in English and Spanish."""

import datetime
import io
import re
from decimal import Decimal as D
from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from kamp.core.models import SiteSettings
from kamp.customers.models import CustomerStatus
from kamp.economics import actions
from kamp.economics.pnl import Period
from tests.economics.factories import ActivityTypeFactory
from tests.factories import CustomerFactory, SalesLineFactory


@pytest.fixture(autouse=True)
def patient(page):
    """Plotly is 4 MB of JavaScript: give a busy machine time to parse it."""
    page.set_default_timeout(30_000)


@pytest.fixture
def economy(db, account, director, ana):
    site = SiteSettings.load()
    site.base_currency = "CLP"
    site.save()
    today = datetime.date.today()
    window = Period.trailing(today, 24)
    visit = ActivityTypeFactory(name="KAM visit", driver="minute", rate=D(1400), kam_time=True)
    report = ActivityTypeFactory(name="Monthly report", driver="event", rate=D(180_000))
    for n, index in enumerate(window.month_indexes()):
        month = datetime.date(index // 12, index % 12 + 1, 1)
        SalesLineFactory(
            customer=account,
            date=month.replace(day=10),
            net_amount=D(20_000_000 + 400_000 * n),
            cost=D(12_000_000),
            currency="CLP",
        )
        actions.do_record_activity(ana, account, visit, month, D(3), D(120))
        actions.do_record_activity(ana, account, report, month, D(1))
        actions.do_record_investment(
            director,
            customer=account,
            kind="people",
            amount=D(1_500_000),
            date=month,
            note="Dedicated KAM",
        )
    actions.do_set_category_spend(ana, account, str(today.year), D(900_000_000))
    actions.do_set_category_spend(ana, account, str(today.year - 1), D(880_000_000))
    for i in range(30):
        c = CustomerFactory(
            name=f"Cliente {i:02d}",
            status=CustomerStatus.KEY_ACCOUNT if i % 9 == 0 else CustomerStatus.CANDIDATE,
        )
        SalesLineFactory(
            customer=c,
            date=today.replace(day=1) - datetime.timedelta(days=40),
            net_amount=D(1_000_000 * (30 - i)),
            cost=D(600_000 * (30 - i)),
            currency="CLP",
        )
        if i > 24:
            actions.do_record_activity(
                director, c, report, today.replace(day=1) - datetime.timedelta(days=40), D(40)
            )
    return account


def test_economics_tab_shows_the_pnl_and_the_chart(page, live_server, login, ana, economy, shot):
    login(ana)
    page.goto(f"{live_server.url}/customers/{economy.pk}/")
    page.get_by_role("link", name="Economics").click()
    expect(page.get_by_role("heading", name="Account P&L")).to_be_visible()
    table = page.locator("#pnl-table")
    expect(table.get_by_text("Profit after KAM")).to_be_visible()
    expect(table.get_by_text("Contribution − KAM investments")).to_be_visible()
    expect(page.locator("#pnl-trend .main-svg").first).to_be_attached(timeout=30_000)
    shot("economics-tab-en")
    # A quarter, picked in the period picker.
    page.get_by_label("or another period").fill(
        str(Period.containing("quarter", datetime.date.today()).previous())
    )
    page.get_by_label("or another period").press("Enter")
    expect(page).to_have_url(re.compile(r"period=\d{4}-Q\d"))
    expect(page.locator("#pnl-table")).to_contain_text("Net revenue")
    # The summary card answers "does it pay?" in five seconds.
    page.goto(f"{live_server.url}/customers/{economy.pk}/")
    card = page.locator(".economics-card")
    expect(card).to_contain_text("Profit after KAM · last 12 complete months")
    card.screenshot(path=str(Path("var/screenshots") / "economics-summary-card-en.png"))


def test_economics_tab_in_spanish(page, live_server, login, ana, economy, shot):
    login(ana, language="es")
    page.goto(f"{live_server.url}/economics/customer/{economy.pk}/")
    expect(page.get_by_role("heading", name="Estado de resultados de la cuenta")).to_be_visible()
    expect(page.locator("#pnl-table")).to_contain_text("Utilidad después de KAM")
    # Spanish number format: dots group thousands.
    expect(page.locator(".kpi").first).to_contain_text(re.compile(r"CLP\s[\d.]+\.\d{3}"))
    expect(page.locator("#pnl-trend .main-svg").first).to_be_attached(timeout=30_000)
    shot("economics-tab-es")


def test_excel_export_download(page, live_server, login, ana, economy):
    login(ana)
    page.goto(f"{live_server.url}/economics/customer/{economy.pk}/")
    with page.expect_download() as info:
        page.get_by_role("button", name="Export to Excel").click()
    download = info.value
    assert download.suggested_filename.endswith(".xlsx")
    wb = load_workbook(io.BytesIO(Path(download.path()).read_bytes()))
    values = [c.value for row in wb.active.iter_rows() for c in row]
    assert "Profit after KAM" in values


def test_whale_curve(page, live_server, login, director, economy, shot):
    login(director)
    page.goto(f"{live_server.url}/customers/")
    page.get_by_role("link", name="Profitability").click()
    expect(page.get_by_role("heading", name="Whale curve")).to_be_visible()
    expect(page.locator("#whale .main-svg").first).to_be_attached(timeout=30_000)
    expect(page.locator("#whale .scatterlayer .trace, #whale .gl-container").first).to_be_attached(
        timeout=30_000
    )
    expect(page.get_by_role("heading", name="Key accounts", exact=True)).to_be_visible()
    shot("economics-whale-en")
    login(director, language="es")
    page.goto(f"{live_server.url}/economics/portfolio/")
    expect(page.get_by_role("heading", name="Curva de la ballena")).to_be_visible()
    shot("economics-whale-es")
