"""One customer identity: ``--customer`` by any of kamp's id, tax id or external id, and the
four identity fields in every command's JSON and TSV."""

from __future__ import annotations

import io
import json
from datetime import date

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from kamp.customers import identity
from kamp.customers.identity import customer_refs, resolve_customer
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def ref(c) -> dict:
    return {"id": c.pk, "tax_id": c.tax_id, "external_id": c.external_id, "name": c.name}


def run(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


# --- resolving ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text", ["76.123.456-0", "76123456-0", "761234560", " 76.123.456-0 ", "tax_id:761234560"]
)
def test_by_tax_id_with_or_without_dots_and_dash(account, text):
    assert resolve_customer(text) == account


def test_a_foreign_tax_id_is_matched_without_its_punctuation():
    pe = CustomerFactory(country="PE", tax_id="20-100047218")
    assert resolve_customer("20100047218") == pe
    assert resolve_customer("20.100.047.218") == pe


def test_by_id_and_by_external_id(account):
    account.external_id = "ERP-77"
    account.save()
    assert resolve_customer(str(account.pk)) == account
    assert resolve_customer("ERP-77") == account
    assert resolve_customer("external_id:ERP-77") == account


def test_unknown_and_empty_are_clear_errors(account):
    with pytest.raises(CommandError, match="No customer “nope”: give kamp's id"):
        resolve_customer("nope")
    with pytest.raises(CommandError, match="An empty --customer"):
        resolve_customer("  ")


def test_a_text_naming_two_customers_is_refused_and_a_prefix_settles_it(account):
    other = CustomerFactory(name="Homonym", external_id=str(account.pk))
    with pytest.raises(CommandError, match="names more than one customer") as exc:
        resolve_customer(str(account.pk))
    assert "Constructora CS" in str(exc.value) and "Homonym" in str(exc.value)
    assert resolve_customer(f"id:{account.pk}") == account
    assert resolve_customer(f"external_id:{account.pk}") == other


def test_a_user_resolves_only_what_they_may_read(account, other_account, member, ana):
    assert resolve_customer(str(other_account.pk), user=ana) == other_account
    assert resolve_customer(str(account.pk), user=member) == account
    with pytest.raises(CommandError, match="No customer"):
        resolve_customer(str(other_account.pk), user=member)


def test_refs_in_one_query_however_many(
    account, other_account, monkeypatch, django_assert_num_queries
):
    with django_assert_num_queries(1):
        assert customer_refs([account.pk, other_account.pk]) == {
            account.pk: ref(account),
            other_account.pk: ref(other_account),
        }
    monkeypatch.setattr(identity, "_IN_LIMIT", 1)  # the whole-table read of a big selection
    with django_assert_num_queries(1):
        assert customer_refs([account.pk]) == {account.pk: ref(account)}


# --- the commands' output ----------------------------------------------------------------------


@pytest.fixture
def with_money(account, other_account):
    from tests.factories import SalesLineFactory

    for c in (account, other_account):
        SalesLineFactory(
            customer=c, date=date(2025, 7, 10), net_amount=1000, cost=400, currency="CLP"
        )
    account.external_id = "ERP-1"
    account.save()
    return account


@pytest.mark.parametrize("given", ["76123456-0", "ERP-1", "id"])
def test_pnl_customer_by_any_identity(with_money, given):
    text = str(with_money.pk) if given == "id" else given
    rows = json.loads(run("pnl", "--period", "2025-07", "--customer", text, "--json"))
    assert [r["customer"] for r in rows] == [ref(with_money)]


def test_pnl_unknown_customer(with_money):
    with pytest.raises(CommandError, match="No customer “99-9”"):
        run("pnl", "--period", "2025-07", "--customer", "99-9")


def test_pnl_tsv_starts_with_the_four_identity_columns(with_money, other_account):
    header, *lines = run("pnl", "--period", "2025-07").splitlines()
    assert header.split("\t")[:4] == ["id", "tax_id", "external_id", "name"]
    assert [line.split("\t")[:4] for line in lines] == [
        [str(with_money.pk), "76.123.456-0", "ERP-1", "Constructora CS"],
        [str(other_account.pk), "", "", "Minera Norte"],
    ]


def test_select_json_and_tsv_name_customers_alike(account, other_account):
    data = json.loads(run("select", "--json"))
    assert {json.dumps(r["customer"], sort_keys=True) for r in data["results"]} == {
        json.dumps(ref(c), sort_keys=True) for c in (account, other_account)
    }
    header, *lines = run("select").splitlines()
    assert header.split("\t")[:4] == ["id", "tax_id", "external_id", "name"]
    assert sorted(line.split("\t")[:4] for line in lines) == sorted(
        [[str(c.pk), c.tax_id, c.external_id, c.name] for c in (account, other_account)]
    )
    only = json.loads(run("select", "--json", "--customer", "761234560"))
    assert [r["customer"] for r in only["results"]] == [ref(account)]


def test_relationships_json_tsv_and_customer(account, other_account, ana, bruno):
    from kamp.relationships import actions

    actions.do_assess(ana, account, ro=6, ds=5, db=5.5, date=date(2026, 1, 1))
    actions.do_assess(bruno, other_account, ro=2, ds=2, db=6, date=date(2026, 1, 1))
    rows = json.loads(run("relationships", "--json"))
    assert [r["customer"] for r in rows] == [ref(account), ref(other_account)]
    header, first, _second = run("relationships").splitlines()
    assert header.split("\t") == [
        "id",
        "tax_id",
        "external_id",
        "name",
        "date",
        "ro",
        "ds",
        "db",
        "relative_power",
        "type",
    ]
    assert first.split("\t")[:5] == [
        str(account.pk),
        "76.123.456-0",
        "",
        "Constructora CS",
        "2026-01-01",
    ]
    only = json.loads(run("relationships", "--json", "--customer", str(other_account.pk)))
    assert [r["customer"] for r in only] == [ref(other_account)]


def test_interactions_analyse_by_tax_id(account, other_account):
    rows = json.loads(run("interactions", "analyse", "--customer", "76.123.456-0", "--json"))
    assert [r["customer"] for r in rows] == [ref(account)]
    with pytest.raises(CommandError, match="No customer"):
        run("interactions", "analyse", "--customer", "ghost")
