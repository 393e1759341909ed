"""The economics pages and endpoints: who may see the money (every role), what they show,
forms, exports and query counts."""

import datetime
import io
import json
from decimal import Decimal as D

import pytest
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook

from kamp.customers.models import CustomerStatus
from kamp.economics import actions
from kamp.economics.exports import safe
from kamp.economics.models import (
    ActivityRecord,
    CategorySpend,
    EconomicsSettings,
    ExchangeRate,
    Investment,
)
from tests.factories import CustomerFactory, SalesLineFactory

from .factories import ActivityTypeFactory, month

pytestmark = pytest.mark.django_db

MONEY_PAGES = ["economics:customer_tab", "economics:customer_export"]
ALLOWED = ["admin", "director", "ana"]
DENIED = ["bruno", "member", "viewer"]


@pytest.fixture
def people(admin, director, ana, bruno, member, viewer):
    return {
        "admin": admin,
        "director": director,
        "ana": ana,
        "bruno": bruno,
        "member": member,
        "viewer": viewer,
    }


@pytest.fixture
def sales(account):
    SalesLineFactory(
        customer=account,
        date=datetime.date(2025, 8, 1),
        net_amount=D(5_000_000),
        cost=D(3_000_000),
        currency="CLP",
    )
    return account


@pytest.mark.parametrize("who", ALLOWED)
@pytest.mark.parametrize("page", MONEY_PAGES)
def test_money_pages_for_who_may_see_them(client_for, people, sales, who, page):
    response = client_for(people[who]).get(reverse(page, args=[sales.pk]) + "?period=2025-Q3")
    assert response.status_code == 200


@pytest.mark.parametrize("who", DENIED)
@pytest.mark.parametrize("page", MONEY_PAGES)
def test_money_pages_refused_to_the_others(client_for, people, sales, who, page):
    response = client_for(people[who]).get(reverse(page, args=[sales.pk]))
    # The member sees the account (404 would hide it), not its money.
    assert response.status_code == 403


def test_anonymous_is_sent_to_login(anonymous, account):
    response = anonymous.get(reverse("economics:customer_tab", args=[account.pk]))
    assert response.status_code == 302 and "/login/" in response["Location"]
    assert (
        anonymous.get(f"/api/v1/economics/customers/{account.pk}/pnl?period=2025").status_code
        == 401
    )


@pytest.mark.parametrize(
    "who,status",
    [
        ("admin", 200),
        ("director", 200),
        ("ana", 200),
        ("bruno", 403),
        ("member", 403),
        ("viewer", 403),
    ],
)
def test_api_pnl_access(client_for, people, sales, who, status):
    url = f"/api/v1/economics/customers/{sales.pk}/pnl?period=2025-Q3"
    response = client_for(people[who]).get(url)
    assert response.status_code == status
    if status == 200:
        body = response.json()
        assert body["net_revenue"] == "5000000" and body["gross_margin"] == "2000000"
        assert body["previous"]["period"] == "2025-Q2"


@pytest.mark.parametrize(
    "who,status",
    [
        ("admin", 200),
        ("director", 200),
        ("ana", 200),
        ("bruno", 200),
        ("member", 403),
        ("viewer", 403),
    ],
)
def test_portfolio_access(client_for, people, sales, who, status):
    for page in ("economics:portfolio", "economics:portfolio_export"):
        assert client_for(people[who]).get(reverse(page) + "?period=2025").status_code == status
    assert (
        client_for(people[who]).get("/api/v1/economics/portfolio?period=2025").status_code == status
    )


def test_kam_sees_only_own_accounts_in_the_portfolio(client_for, ana, sales, other_account):
    SalesLineFactory(customer=other_account, date=datetime.date(2025, 8, 1), net_amount=D(7))
    body = client_for(ana).get("/api/v1/economics/portfolio?period=2025").json()
    assert [(r["customer_id"], r["customer"]["id"], r["pnl"]["customer"]["id"]) for r in body] == [
        (sales.pk, sales.pk, sales.pk)
    ]
    page = client_for(ana).get(reverse("economics:portfolio") + "?period=2025").content.decode()
    assert "Constructora CS" in page and "Minera Norte" not in page


@pytest.mark.parametrize(
    "who,status",
    [("admin", 200), ("director", 200), ("ana", 403), ("member", 403), ("viewer", 403)],
)
def test_settings_and_programme_investments_for_managers_only(client_for, people, who, status):
    for page in ("economics:settings", "economics:programme_investments"):
        assert client_for(people[who]).get(reverse(page)).status_code == status


def test_tab_shows_the_pnl_and_explains_it(client_for, ana, sales):
    html = (
        client_for(ana)
        .get(reverse("economics:customer_tab", args=[sales.pk]) + "?period=2025-Q3")
        .content.decode()
    )
    for text in (
        "Net revenue",
        "Cost to serve",
        "Profit after KAM",
        "Gross margin − cost to serve.",
        "CLP\u00a02,000,000",
        "pnl-trend-data",
    ):
        assert text in html
    assert "<script>" not in html.replace("<script src=", "")  # CSP: no inline scripts


def test_tab_in_spanish_formats_money(client_for, ana, sales):
    client = client_for(ana)
    client.cookies["django_language"] = "es"
    html = client.get(
        reverse("economics:customer_tab", args=[sales.pk]) + "?period=2025-Q3",
        HTTP_ACCEPT_LANGUAGE="es",
    ).content.decode()
    assert "2.000.000" in html


def test_tab_forms_record_inputs(client_for, ana, sales):
    visit = ActivityTypeFactory(name="Visit", driver="minute", rate=D(500))
    url = reverse("economics:customer_tab", args=[sales.pk]) + "?period=2025-Q3"
    client = client_for(ana)
    r = client.post(
        url,
        {
            "form": "activity",
            "act-activity": visit.pk,
            "act-month": "2025-08",
            "act-count": "2",
            "act-minutes": "30",
        },
    )
    assert r.status_code == 302
    assert ActivityRecord.objects.get().cost == D(30_000)
    r = client.post(
        url,
        {"form": "activity", "act-activity": visit.pk, "act-month": "2025-08", "act-count": "2"},
    )
    assert r.status_code == 422 and "costed per minute" in r.content.decode()
    r = client.post(
        url,
        {
            "form": "investment",
            "inv-kind": "competences",
            "inv-amount": "1200000",
            "inv-date": "2025-09-01",
        },
    )
    assert r.status_code == 302 and Investment.objects.get().currency == "CLP"
    r = client.post(url, {"form": "spend", "sow-period": "2025-Q3", "sow-amount": "20000000"})
    assert r.status_code == 302 and CategorySpend.objects.get().months == 3
    html = client.get(url).content.decode()
    assert "25.0" in html  # 5,000,000 of 20,000,000


def test_member_cannot_post_inputs(client_for, member, account):
    visit = ActivityTypeFactory()
    r = client_for(member).post(
        reverse("economics:customer_tab", args=[account.pk]),
        {
            "form": "activity",
            "act-activity": visit.pk,
            "act-month": "2025-08",
            "act-count": "1",
            "act-minutes": "5",
        },
    )
    assert r.status_code == 403 and not ActivityRecord.objects.exists()


def test_settings_page_saves_base_currency_rates_and_activities(client_for, admin):
    client = client_for(admin)
    url = reverse("economics:settings")
    r = client.post(
        url,
        {
            "form": "settings",
            "s-base_currency": "usd",
            "s-clv_retention": "0.8",
            "s-clv_discount": "0.12",
            "s-clv_years": "4",
            "s-alert_unit": "month",
            "s-alert_periods": "3",
            "s-version": EconomicsSettings.load().version,
        },
    )
    assert r.status_code == 302
    from kamp.core.models import SiteSettings

    assert SiteSettings.load().base_currency == "USD"
    r = client.post(
        url, {"form": "rate", "r-currency": "clp", "r-period": "2025", "r-rate": "0.00105"}
    )
    assert r.status_code == 302 and ExchangeRate.objects.get().currency == "CLP"
    r = client.post(
        url,
        {
            "form": "activity",
            "a-name": "Delivery",
            "a-driver": "event",
            "a-rate": "25",
            "a-currency": "",
            "a-active": "on",
        },
    )
    assert r.status_code == 302
    r = client.post(
        url, {"form": "rate", "r-currency": "CLP", "r-period": "2025-13", "r-rate": "1"}
    )
    assert r.status_code == 422


def test_summary_card_only_for_who_may_see_money(client_for, ana, member, sales):
    today = datetime.date.today()
    SalesLineFactory(
        customer=sales,
        date=today.replace(day=1) - datetime.timedelta(days=20),
        net_amount=D(123_456_789),
        cost=D(0),
        currency="CLP",
    )
    url = reverse("customers:detail", args=[sales.pk])
    assert "Profit after KAM · last 12 complete months" in client_for(ana).get(url).content.decode()
    assert "Profit after KAM" not in client_for(member).get(url).content.decode()


def test_badges_need_a_user_who_may_see_money(ana, bruno, member, sales):
    from kamp.economics.summary import badges

    SalesLineFactory(
        customer=sales,
        date=datetime.date.today().replace(day=1) - datetime.timedelta(days=20),
        net_amount=D(1000),
        cost=D(0),
        currency="CLP",
    )
    assert badges([sales.pk]) == {}
    assert badges([sales.pk], user=member) == {}
    assert badges([sales.pk], user=bruno) == {}
    out = badges([sales.pk], user=ana)
    assert out[sales.pk][0]["css"] == "profit-positive"


def test_excel_export_neutralises_formulas(client_for, ana, account):
    account.name = '=HYPERLINK("http://evil")'
    account.save()
    visit = ActivityTypeFactory(name="@SUM(A1)", driver="event", rate=D(1))
    actions.do_record_activity(ana, account, visit, month(2025, 8), D(1))
    actions.do_record_investment(
        ana,
        customer=account,
        kind="people",
        amount=D(5),
        date=datetime.date(2025, 8, 1),
        note="-2+3",
    )
    SalesLineFactory(
        customer=account,
        date=datetime.date(2025, 8, 1),
        net_amount=D(-100),
        cost=D(0),
        currency="CLP",
    )
    r = client_for(ana).get(
        reverse("economics:customer_export", args=[account.pk]) + "?period=2025-Q3"
    )
    assert r["Content-Type"].startswith("application/vnd.openxmlformats")
    wb = load_workbook(io.BytesIO(r.content))
    ws = wb.active
    cells = [c.value for row in ws.iter_rows() for c in row if c.value is not None]
    assert '\'=HYPERLINK("http://evil")' in cells
    assert not any(isinstance(v, str) and v.startswith(("=", "+", "-", "@")) for v in cells)
    assert -100 in cells  # numbers stay numbers (a negative revenue is not text)
    r = client_for(ana).get(reverse("economics:portfolio_export") + "?period=2025")
    ws = load_workbook(io.BytesIO(r.content)).active
    cells = [c.value for row in ws.iter_rows() for c in row if c.value is not None]
    assert '\'=HYPERLINK("http://evil")' in cells


@pytest.mark.parametrize(
    "value,expected",
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@x", "'@x"),
        ("\tx", "'\tx"),
        ("ok", "ok"),
        (D("-5"), D("-5")),
        (None, None),
    ],
)
def test_safe_cell(value, expected):
    assert safe(value) == expected


def test_whale_page_constant_queries(client_for, director, django_assert_max_num_queries):
    for i in range(40):
        c = CustomerFactory(
            status=CustomerStatus.KEY_ACCOUNT if i % 10 == 0 else CustomerStatus.CANDIDATE
        )
        SalesLineFactory(
            customer=c,
            date=datetime.date(2025, 3, 1),
            net_amount=D(1000 - 50 * i),
            cost=D(600),
            currency="CLP",
        )
    client = client_for(director)
    url = reverse("economics:portfolio") + "?period=2025"
    client.get(url)
    with django_assert_max_num_queries(20):
        html = client.get(url).content.decode()
    assert "whale-data" in html
    data = json.loads(
        html.split('id="whale-data" type="application/json">')[1].split("</script>")[0]
    )
    assert len(data["keys"]) == 4 and len(data["x"]) == 41


def test_cli_pnl_json(account, capsys):
    SalesLineFactory(
        customer=account,
        date=datetime.date(2025, 7, 1),
        net_amount=D(1000),
        cost=D(400),
        currency="CLP",
    )
    call_command("pnl", "--customer", str(account.pk), "--period", "2025-07", "--json")
    out = json.loads(capsys.readouterr().out)
    # Beside the period's P&L, the headline figures over the last 12 complete months
    # (docs/figures.md; compared with every other surface in tests/reports).
    figures = out[0].pop("figures")
    assert set(figures) == {
        "revenue",
        "margin",
        "profit_after_kam",
        "share_of_wallet",
        "rqi",
        "diamond_index",
        "plan_completeness",
    }
    assert out == [
        {
            "customer": {
                "id": account.pk,
                "tax_id": "76.123.456-0",
                "external_id": account.external_id,
                "name": "Constructora CS",
            },
            "customer_id": account.pk,
            "period": "2025-07",
            "currency": "CLP",
            "net_revenue": "1000",
            "cost_of_goods": "400",
            "gross_margin": "600",
            "cost_to_serve": "0",
            "contribution": "600",
            "kam_investments": "0",
            "profit_after_kam": "600",
            "share_of_wallet": None,
        }
    ]
    call_command("pnl", "--period", "2025", "--json")
    assert json.loads(capsys.readouterr().out)[0]["period"] == "2025"
    call_command("pnl", "--period", "2025")
    header, line = capsys.readouterr().out.splitlines()
    assert header.split("\t")[:5] == ["id", "tax_id", "external_id", "name", "period"]
    assert line.split("\t")[:5] == [
        str(account.pk),
        "76.123.456-0",
        account.external_id,
        "Constructora CS",
        "2025",
    ]


def test_cli_pnl_rejects_bad_period():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("pnl", "--period", "2025-7")


def test_api_inputs(client_for, admin, ana, account):
    client = client_for(admin)
    r = client.post(
        "/api/v1/economics/activity-types",
        {"name": "Visit", "driver": "minute", "rate": "100"},
        content_type="application/json",
    )
    assert r.status_code == 201
    act = r.json()["id"]
    ana_client = client_for(ana)
    r = ana_client.post(
        f"/api/v1/economics/customers/{account.pk}/activities",
        {"activity_id": act, "month": "2025-07", "count": "2", "minutes": "15"},
        content_type="application/json",
    )
    assert r.status_code == 201 and D(r.json()["cost"]) == 3000
    r = ana_client.post(
        f"/api/v1/economics/customers/{account.pk}/investments",
        {"kind": "people", "amount": "1000", "date": "2025-07-10"},
        content_type="application/json",
    )
    assert r.status_code == 201 and r.json()["allocations"][0]["customer_id"] == account.pk
    r = ana_client.post(
        f"/api/v1/economics/customers/{account.pk}/category-spend",
        {"period": "2025-07", "amount": "100000"},
        content_type="application/json",
    )
    assert r.status_code == 201
    body = ana_client.get(f"/api/v1/economics/customers/{account.pk}/pnl?period=2025-07").json()
    assert body["cost_to_serve"] == "3000" and body["kam_investments"] == "1000"
    assert body["share_of_wallet"] == "0.0000"
    assert (
        ana_client.post(
            "/api/v1/economics/investments",
            {"kind": "people", "amount": "1", "date": "2025-07-10"},
            content_type="application/json",
        ).status_code
        == 403
    )
    assert (
        ana_client.post(
            "/api/v1/economics/rates",
            {"currency": "USD", "period": "2025", "rate": "900"},
            content_type="application/json",
        ).status_code
        == 403
    )
    series = ana_client.get(
        f"/api/v1/economics/customers/{account.pk}/pnl/series?unit=month&count=3"
    ).json()
    assert len(series) == 3
    assert (
        client_for(admin).get(f"/api/v1/economics/customers/{account.pk}/pnl?period=x").status_code
        == 422
    )


@pytest.mark.parametrize(
    "who,status",
    [
        ("admin", 200),
        ("director", 200),
        ("ana", 200),
        ("bruno", 403),
        ("member", 403),
        ("viewer", 403),
    ],
)
def test_every_customer_endpoint_checks_money_access(client_for, people, account, who, status):
    client = client_for(people[who])
    base = f"/api/v1/economics/customers/{account.pk}"
    for path in (
        "/pnl?period=2025",
        "/pnl/series",
        "/activities",
        "/investments",
        "/category-spend",
    ):
        assert client.get(base + path).status_code == status, path
    write = client.post(
        base + "/category-spend", {"period": "2025", "amount": "1"}, content_type="application/json"
    )
    assert write.status_code == (201 if status == 200 else 403)


def test_portfolio_snapshot_is_shown_at_once_and_refreshed_when_data_change(
    client_for, director, monkeypatch
):
    from django.core.cache import cache

    from kamp.economics import portfolio
    from kamp.economics.models import PortfolioSnapshot

    monkeypatch.setattr(portfolio, "INLINE_CUSTOMERS", 0)  # a large portfolio: the worker

    c = CustomerFactory(status=CustomerStatus.KEY_ACCOUNT)
    SalesLineFactory(
        customer=c, date=datetime.date(2025, 3, 1), net_amount=D(1000), cost=D(0), currency="CLP"
    )
    client = client_for(director)
    url = reverse("economics:portfolio") + "?period=2025"
    assert "1,000" in client.get(url).content.decode()
    assert PortfolioSnapshot.objects.count() == 1
    SalesLineFactory(
        customer=c, date=datetime.date(2025, 4, 1), net_amount=D(500), cost=D(0), currency="CLP"
    )
    cache.clear()  # another process: only the database is shared
    html = client.get(url).content.decode()
    assert "being updated" in html and "CLP\u00a01,000" in html  # the last figures, said so
    html = client.get(url).content.decode()  # the worker (immediate in tests) has recomputed
    assert "being updated" not in html and "CLP\u00a01,500" in html


def test_small_portfolio_is_recomputed_in_the_request(client_for, director):
    from django.core.cache import cache

    c = CustomerFactory(status=CustomerStatus.KEY_ACCOUNT)
    SalesLineFactory(
        customer=c, date=datetime.date(2025, 3, 1), net_amount=D(1000), cost=D(0), currency="CLP"
    )
    client = client_for(director)
    url = reverse("economics:portfolio") + "?period=2025"
    client.get(url)
    SalesLineFactory(
        customer=c, date=datetime.date(2025, 4, 1), net_amount=D(500), cost=D(0), currency="CLP"
    )
    cache.clear()
    html = client.get(url).content.decode()
    assert "being updated" not in html and "CLP\u00a01,500" in html
