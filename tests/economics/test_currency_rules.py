"""Currency rules a director can trust (docs/economics.md, "Currencies"): a sales line without a
currency takes its customer's, else the company's base currency from Settings (the environment
only gives the default before Settings is saved); an amount has no more decimals than its
currency's minor unit (ISO 4217: CLP none); one amount is never labelled with two currencies;
``kamp check_data`` lists and relabels the lines that disagree, audited, sums in step."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import translation

from kamp.core.imports import run_import
from kamp.core.models import AuditEvent
from kamp.core.money import AmountError, check_minor_unit, format_money, minor_units
from kamp.economics import summary
from kamp.economics.models import CategorySpend, Investment, SalesLine, SalesMonth
from tests.core.import_helpers import write_csv
from tests.factories import CustomerFactory, SalesLineFactory
from tests.pages import html

HEADER = ["customer", "date", "net_amount"]


@pytest.fixture(autouse=True)
def env_default_is_usd(settings):
    """The environment says USD; the company saved CLP in Settings (conftest): CLP wins."""
    settings.KAMP_BASE_CURRENCY = "USD"


def _last_month() -> date:
    return (date.today().replace(day=1) - date.resolution).replace(day=10)


def _import(tmp_path, rows, user, header=HEADER):
    path = write_csv(tmp_path / "sales.csv", [header, *rows])
    return run_import("sales", path, user=user)


# --- the minor unit ----------------------------------------------------------------------------
def test_minor_units_come_from_iso_4217():
    assert minor_units("CLP") == 0 and minor_units("clp") == 0
    assert minor_units("USD") == 2 and minor_units("CLF") == 4 and minor_units("BHD") == 3


def test_minor_unit_check():
    assert check_minor_unit("2500000", "CLP") == Decimal("2500000")
    assert check_minor_unit("2500000.00", "CLP") == Decimal("2500000")  # zeros are no cents
    assert check_minor_unit("2500.50", "USD") == Decimal("2500.50")
    with pytest.raises(AmountError, match="CLP has no decimals"):
        check_minor_unit("2500000.50", "CLP")
    with pytest.raises(AmountError, match="USD"):
        check_minor_unit("1.005", "USD")


# --- import: which currency a line without one takes -------------------------------------------
def test_import_without_currency_takes_the_base_currency_from_settings(tmp_path, admin, account):
    batch = _import(tmp_path, [[account.tax_id, "2026-03-02", "2500000"]], admin)
    assert batch.status == "done", batch.errors
    line = SalesLine.objects.get(customer=account)
    assert line.currency == "CLP"  # Settings' base currency, not the environment's USD
    with translation.override("es"):
        page = _get(admin, reverse("customers:sales", args=[account.pk]))
    assert "CLP\u00a02.500.000" in page and "USD" not in page


def test_import_without_currency_takes_the_customers_currency(tmp_path, admin):
    customer = CustomerFactory(currency="USD", tax_id="77.777.777-7")
    batch = _import(tmp_path, [[customer.tax_id, "2026-03-02", "1200.50"]], admin)
    assert batch.status == "done", batch.errors
    line = SalesLine.objects.get(customer=customer)
    assert (line.currency, line.net_amount) == ("USD", Decimal("1200.50"))


def test_a_currency_in_the_file_is_kept(tmp_path, admin, account):
    batch = _import(
        tmp_path,
        [[account.tax_id, "2026-03-02", "1200.55", "USD"]],
        admin,
        header=[*HEADER, "currency"],
    )
    assert batch.status == "done", batch.errors  # USD has cents
    line = SalesLine.objects.get(customer=account)
    assert (line.currency, line.net_amount) == ("USD", Decimal("1200.55"))


def test_clp_with_cents_is_refused_naming_the_row(tmp_path, admin, account):
    batch = _import(
        tmp_path,
        [
            [account.tax_id, "2026-03-02", "2500000"],
            [account.tax_id, "2026-03-03", "2500000.50"],
        ],
        admin,
    )
    assert batch.status != "done"
    (error,) = batch.errors
    assert error["line"] == 3  # the header is line 1
    assert "net" in json.dumps(error).lower()
    assert "CLP has no decimals" in error["message"]
    assert not SalesLine.objects.exists()  # all or nothing


def test_clp_cost_with_cents_is_refused_too(tmp_path, admin, account):
    batch = _import(
        tmp_path,
        [[account.tax_id, "2026-03-02", "2500000", "1000.4"]],
        admin,
        header=[*HEADER, "cost"],
    )
    assert batch.status != "done"
    assert batch.errors[0]["line"] == 2 and "CLP" in batch.errors[0]["message"]


def test_whole_clp_written_with_zero_cents_is_accepted(tmp_path, admin, account):
    batch = _import(tmp_path, [[account.tax_id, "2026-03-02", "2500000.00"]], admin)
    assert batch.status == "done", batch.errors
    assert SalesLine.objects.get(customer=account).net_amount == Decimal("2500000")


@pytest.mark.parametrize(
    ("kind", "header", "row"),
    [
        ("category-spend", ["customer", "period", "amount"], ["2025", "1000000.5"]),
        ("investments", ["customer", "kind", "date", "amount"], ["people", "2025-03-01", "99.9"]),
    ],
)
def test_other_money_imports_refuse_clp_with_cents(tmp_path, admin, account, kind, header, row):
    path = write_csv(tmp_path / "money.csv", [header, [account.tax_id, *row]])
    batch = run_import(kind, path, user=admin)
    assert batch.status != "done"
    assert batch.errors[0]["line"] == 2 and "CLP has no decimals" in batch.errors[0]["message"]
    assert not CategorySpend.objects.exists() and not Investment.objects.exists()


def test_a_line_saved_by_hand_follows_the_same_rules(account):
    from django.core.exceptions import ValidationError

    line = SalesLine(customer=account, date=_last_month(), net_amount=Decimal("10.5"))
    with pytest.raises(ValidationError) as caught:
        line.full_clean()
    assert "CLP has no decimals" in caught.value.message_dict["net_amount"][0]
    assert line.currency == "CLP"  # the base currency from Settings, not the environment's
    line.net_amount = Decimal("10")
    line.full_clean()


def test_an_investment_or_estimate_saved_by_hand_follows_the_same_rules(account):
    from django.core.exceptions import ValidationError

    for obj in (
        Investment(customer=account, kind="people", amount=Decimal("99.9"), date=_last_month()),
        CategorySpend(customer=account, period="2025", amount=Decimal("1000000.5")),
    ):
        with pytest.raises(ValidationError) as caught:
            obj.clean()
        assert "CLP has no decimals" in caught.value.message_dict["amount"][0]
        assert obj.currency == "CLP"  # the customer's (Settings' base), not the environment's
        obj.amount = Decimal("100")
        obj.clean()


def test_the_admin_refuses_a_clp_investment_with_cents(client_for, admin, account):
    c = client_for(admin)
    url = reverse("admin:economics_investment_add")
    body = {
        "customer": account.pk,
        "kind": "people",
        "amount": "1500.25",
        "currency": "",
        "date": "2025-03-01",
        "note": "",
        "allocation": "",
        "allocations-TOTAL_FORMS": "0",
        "allocations-INITIAL_FORMS": "0",
        "allocations-MIN_NUM_FORMS": "0",
        "allocations-MAX_NUM_FORMS": "1000",
    }
    refused = c.post(url, body)
    assert refused.status_code == 200
    assert "CLP has no decimals" in refused.content.decode()
    assert not Investment.objects.exists()
    body["currency"] = "USD"  # a currency with cents keeps them
    kept = c.post(url, body)
    assert kept.status_code == 302, kept.content.decode()[:2000]
    assert Investment.objects.get().amount == Decimal("1500.25")


# --- form and API ------------------------------------------------------------------------------
def test_the_spend_form_refuses_clp_with_cents(client_for, ana, account):
    response = client_for(ana).post(
        reverse("economics:customer_tab", args=[account.pk]),
        {"form": "spend", "sow-period": "2025", "sow-amount": "1000000.5", "sow-currency": "CLP"},
    )
    assert response.status_code == 422
    assert "CLP has no decimals" in response.content.decode()
    assert not CategorySpend.objects.exists()


def test_the_api_refuses_clp_with_cents_and_keeps_usd_cents(client_for, ana, account):
    c = client_for(ana)
    url = f"/api/v1/economics/customers/{account.pk}/investments"
    body = {"kind": "people", "amount": "1500.25", "date": "2025-03-01"}
    refused = c.post(url, json.dumps(body), content_type="application/json")
    assert refused.status_code == 422
    assert "CLP has no decimals" in json.dumps(refused.json()["detail"])
    assert not Investment.objects.exists()
    body["currency"] = "USD"
    kept = c.post(url, json.dumps(body), content_type="application/json")
    assert kept.status_code == 201, kept.content
    assert Investment.objects.get().amount == Decimal("1500.25")


# --- one amount, one currency ------------------------------------------------------------------
def _get(user, url) -> str:
    """The page as ``user`` reads it, in the active language (their own preference)."""
    from django.test import Client

    user.language = translation.get_language()
    user.save(update_fields=["language"])
    c = Client()
    c.force_login(user)
    response = c.get(url)
    assert response.status_code == 200, url
    return html(response)


@pytest.mark.parametrize("language", ["es", "en"])
def test_summary_and_economics_tab_show_the_same_amount(admin, account, language):
    # A line imported before lines got a currency, with cents: read as CLP and shown without.
    SalesLineFactory(customer=account, net_amount=Decimal("3734567.89"), cost=Decimal("0"))
    value = summary.last_12_months(account)
    assert value.currency == "CLP" and value.net_revenue == Decimal("3734568")
    with translation.override(language):
        shown = format_money(value.net_revenue, "CLP")
        page = _get(admin, reverse("customers:detail", args=[account.pk]))
        tab = _get(admin, reverse("economics:customer_tab", args=[account.pk]))
    assert shown in page and shown in tab
    assert page.count(shown) >= 2  # the glance and the economics card: the same figure
    assert "USD" not in page
    assert "3734567" not in page.replace(".", "").replace(",", "")  # no cents anywhere


def test_the_tab_counts_unlabelled_lines_under_the_customers_currency(client_for, ana, account):
    SalesLineFactory(customer=account, currency="", net_amount=Decimal("1000"))
    SalesLineFactory(customer=account, currency="CLP", net_amount=Decimal("500"))
    response = client_for(ana).get(reverse("economics:customer_tab", args=[account.pk]))
    (row,) = response.context["sales"]  # one row: not "" and CLP side by side
    assert (row["currency"], row["lines"], row["net"]) == ("CLP", 2, Decimal("1500"))


# --- kamp check_data ---------------------------------------------------------------------------
def _net_12m(customer) -> Decimal:
    return summary.last_12_months(customer).net_revenue


def _check(*args) -> list[dict]:
    out = StringIO()
    call_command("check_data", "--json", *args, stdout=out)
    return json.loads(out.getvalue())


def test_check_data_lists_and_fixes_lines_without_a_currency(director, account):
    usd_customer = CustomerFactory(currency="USD")
    day = _last_month()
    SalesLineFactory(customer=account, date=day, currency="", net_amount=Decimal("1000"))
    SalesLineFactory(customer=account, date=day, currency="CLP", net_amount=Decimal("500"))
    SalesLineFactory(customer=usd_customer, date=day, currency="", net_amount=Decimal("10.5"))
    SalesLineFactory(customer=usd_customer, date=day, currency="USD", net_amount=Decimal("1"))
    before = {c.pk: _net_12m(c) for c in (account, usd_customer)}

    found = _check()
    assert {(r["customer_id"], r["currency"], r["expected"], r["action"]) for r in found} == {
        (account.pk, "", "CLP", "relabel"),
        (usd_customer.pk, "", "USD", "relabel"),
    }
    assert found[0]["customer"]["id"] == found[0]["customer_id"]
    assert SalesLine.objects.filter(currency="").count() == 2  # listing changes nothing

    fixed = _check("--fix", "--user", director.email)
    assert {r["action"] for r in fixed} == {"relabelled"}
    assert not SalesLine.objects.filter(currency="").exists()
    assert set(SalesLine.objects.filter(customer=account).values_list("currency", flat=True)) == {
        "CLP"
    }
    # The monthly sums follow the lines: one CLP row for the month, with both lines' amount.
    month = SalesMonth.objects.get(customer=account)
    assert (month.currency, month.net_amount, month.lines) == ("CLP", Decimal("1500"), 2)
    assert not SalesMonth.objects.filter(currency="").exists()
    # Labels, not amounts: the P&L is what it was.
    after = {c.pk: _net_12m(c) for c in (account, usd_customer)}
    assert after == before
    events = AuditEvent.objects.filter(object_type="economics.salesline", customer_id=account.pk)
    (event,) = events
    assert event.actor == director and event.money
    assert event.changes == [{"field": "currency", "old": "", "new": "CLP"}]
    assert _check() == []


def test_check_data_never_relabels_a_currency_the_file_gave_unless_told(director, account):
    SalesLineFactory(customer=account, date=_last_month(), currency="USD")
    (row,) = _check("--fix", "--user", director.email)
    assert (row["currency"], row["expected"], row["action"]) == ("USD", "CLP", "check")
    assert SalesLine.objects.get().currency == "USD"
    (row,) = _check("--fix", "--user", director.email, "--relabel", "usd")
    assert row["action"] == "relabelled" and SalesLine.objects.get().currency == "CLP"
    assert SalesMonth.objects.get(customer=account).currency == "CLP"


def test_check_data_fix_needs_a_director_or_admin(ana, account):
    SalesLineFactory(customer=account, currency="")
    with pytest.raises(CommandError, match="--user"):
        _check("--fix")
    with pytest.raises(CommandError, match="director or an admin"):
        _check("--fix", "--user", ana.email)
    with pytest.raises(CommandError, match="--relabel only goes with --fix"):
        _check("--relabel", "USD")
    assert SalesLine.objects.get().currency == ""
    assert not AuditEvent.objects.filter(object_type="economics.salesline").exists()


def test_check_data_text_output(account):
    SalesLineFactory(customer=account, currency="")
    out = StringIO()
    call_command("check_data", "--customer", str(account.pk), stdout=out)
    header, line = out.getvalue().splitlines()
    assert header.split("\t")[:4] == ["id", "tax_id", "external_id", "name"]
    assert line.split("\t")[0] == str(account.pk) and line.endswith("relabel")


# --- the demo ----------------------------------------------------------------------------------
@pytest.mark.parametrize("language", ["es", "en"])
def test_the_demo_tells_cs_story_in_one_currency(language):
    """SAF's demo (CLP company, CS in CLP): no line disagrees with its customer, and CS's
    summary shows the Economics tab's figure, in CLP, in both languages."""
    from kamp.core import demo

    ctx = demo.load(log=lambda _msg: None, modules=["kamp.economics.demo"])
    assert ctx is not None
    assert _check() == []
    cs = ctx.customers["cs"]
    value = summary.last_12_months(cs)
    assert value.currency == "CLP" and value.net_revenue > 0
    with translation.override(language):
        shown = format_money(value.net_revenue, "CLP")
        page = _get(ctx.users["director"], reverse("customers:detail", args=[cs.pk]))
        tab = _get(ctx.users["director"], reverse("economics:customer_tab", args=[cs.pk]))
    assert page.count(shown) >= 2 and shown in tab
    assert "USD" not in page
