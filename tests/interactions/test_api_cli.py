import datetime
import json
from io import StringIO

import pytest
from django.core.management import call_command

from kamp.interactions.models import Interaction

from .factories import log


def test_api_requires_login(anonymous):
    assert anonymous.get("/api/v1/interactions/analysis").status_code == 401


def _diamond(account, ana, p):
    log(account, [ana], [p["jorge"]])
    log(account, [p["felipe"]], [p["maria"]])
    log(account, [p["rodrigo"]], [p["andres"]])


def test_api_analysis_shape(client_for, ana, account, cs_people):
    _diamond(account, ana, cs_people)
    rows = client_for(ana).get("/api/v1/interactions/analysis").json()
    row = next(r for r in rows if r["customer_id"] == account.pk)
    assert row["customer"] == {
        "id": account.pk,
        "tax_id": account.tax_id,
        "external_id": account.external_id,
        "name": account.name,
    }
    assert row["form"] == "B"
    assert row["functional_pairs"] == [["finance", "finance"], ["management", "management"]]
    assert 0 < row["diamond_index"] <= 1
    assert {r["kind"] for r in row["risks"]} >= {"dmu_gap"}
    assert all(set(r) == {"kind", "detail"} for r in row["risks"])


def test_api_one_customer_and_as_of(client_for, ana, account, cs_people):
    _diamond(account, ana, cs_people)
    old = (datetime.date.today() - datetime.timedelta(days=400)).isoformat()
    r = client_for(ana).get(f"/api/v1/interactions/customers/{account.pk}/analysis", {"as_of": old})
    assert r.status_code == 200 and r.json()["form"] == "A"


def test_api_hides_accounts_from_a_member(client_for, member, account, other_account):
    rows = client_for(member).get("/api/v1/interactions/analysis").json()
    assert [r["customer"]["id"] for r in rows] == [account.pk]
    assert (
        client_for(member)
        .get(f"/api/v1/interactions/customers/{other_account.pk}/analysis")
        .status_code
        == 404
    )


@pytest.mark.parametrize(
    "person, status",
    [("ana", 201), ("member", 201), ("director", 201), ("bruno", 403), ("viewer", 403)],
)
def test_api_create(request, client_for, account, cs_people, person, status):
    user = request.getfixturevalue(person)
    r = client_for(user).post(
        f"/api/v1/interactions/customers/{account.pk}/interactions",
        {
            "date": "2026-11-01",
            "kind": "call",
            "topic": "API call",
            "our_people": [user.pk],
            "their_contacts": [cs_people["jorge"].pk],
        },
        content_type="application/json",
    )
    assert r.status_code == status
    assert Interaction.objects.filter(topic="API call").exists() == (status == 201)


def test_api_refuses_a_contact_of_another_customer(client_for, ana, account, other_account):
    from tests.factories import ContactFactory

    stranger = ContactFactory(customer=other_account)
    r = client_for(ana).post(
        f"/api/v1/interactions/customers/{account.pk}/interactions",
        {
            "date": "2026-11-01",
            "topic": "x",
            "our_people": [ana.pk],
            "their_contacts": [stranger.pk],
        },
        content_type="application/json",
    )
    assert r.status_code == 422


def test_api_list(client_for, viewer, ana, account, cs_people):
    log(account, [ana], [cs_people["jorge"]], topic="Listed")
    rows = (
        client_for(viewer).get(f"/api/v1/interactions/customers/{account.pk}/interactions").json()
    )
    assert rows[0]["topic"] == "Listed" and rows[0]["their_contacts"] == [cs_people["jorge"].pk]


def test_cli_analyse_json(ana, account, other_account, cs_people):
    _diamond(account, ana, cs_people)
    out = StringIO()
    call_command("interactions", "analyse", "--json", stdout=out)
    rows = json.loads(out.getvalue())
    assert {r["customer"]["id"] for r in rows} == {account.pk, other_account.pk}
    row = next(r for r in rows if r["customer_id"] == account.pk)
    assert set(row) == {
        "customer",
        "customer_id",
        "form",
        "diamond_index",
        "functional_pairs",
        "risks",
    }
    assert row["customer"] == {
        "id": account.pk,
        "tax_id": account.tax_id,
        "external_id": account.external_id,
        "name": account.name,
    }
    assert row["form"] == "B"


def test_cli_analyse_one_customer_as_of(ana, account, other_account, cs_people):
    _diamond(account, ana, cs_people)
    out = StringIO()
    old = (datetime.date.today() - datetime.timedelta(days=400)).isoformat()
    call_command(
        "interactions",
        "analyse",
        "--customer",
        str(account.pk),
        "--as-of",
        old,
        "--json",
        stdout=out,
    )
    rows = json.loads(out.getvalue())
    assert len(rows) == 1 and rows[0]["form"] == "A"


def test_cli_analyse_text(ana, account, cs_people):
    log(account, [ana], [cs_people["jorge"]])
    out = StringIO()
    call_command("interactions", "analyse", stdout=out)
    assert "Constructora CS" in out.getvalue() and "single_threaded" in out.getvalue()
