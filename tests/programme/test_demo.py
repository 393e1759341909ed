"""The team and programme parts of the demo tell their story."""

import datetime

import pytest

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(db):
    from kamp.core import demo

    return demo.load(
        today=datetime.date(2026, 11, 28),
        log=lambda *_: None,
        modules=["kamp.team.demo", "kamp.programme.demo"],
    )


def test_demo_flags(demo):
    from kamp.customers.models import Customer
    from kamp.team.alerts import alerts

    found = alerts(Customer.objects.all(), datetime.date(2026, 11, 28))
    kinds = {(a.kind, a.customer_name or a.data.get("kam_id")) for a in found}
    assert ("kam_turnover", "Clínica Los Aromos") in kinds
    assert ("no_sponsor", "Minera Altos del Norte") in kinds
    assert ("salesperson_only", demo.users["bruno"].pk) in kinds


def test_demo_readiness_and_team(demo):
    from kamp.programme.models import ReadinessAssessment
    from kamp.team.models import AccountTeamMember

    takes = list(ReadinessAssessment.objects.order_by("taken_on"))
    assert len(takes) == 2 and takes[1].overall > takes[0].overall and len(takes[1].steps) == 3
    cs = demo.customers["cs"]
    team = {
        (m.user.name, m.role)
        for m in AccountTeamMember.objects.filter(customer=cs).select_related("user")
    }
    assert ("Felipe Araya", "member") in team and ("Rodrigo Lagos", "sponsor") in team


@pytest.fixture
def demo_with_relationships(db):
    from kamp.core import demo

    return demo.load(
        today=datetime.date(2026, 11, 28),
        log=lambda *_: None,
        modules=["kamp.team.demo", "kamp.relationships.demo", "kamp.programme.demo"],
    )


def test_health_figures_name_customers_by_their_identity(demo_with_relationships, client_for):
    """The figures that list accounts (KAM turnover, RQI falling, perception gaps) name each
    as every machine output does, in `kamp programme --json` and GET /programme/health alike;
    the figures that list KAMs keep their user ids."""
    import json
    from io import StringIO

    from django.core.management import call_command

    from kamp.customers.identity import REF_FIELDS
    from kamp.programme.api import CUSTOMER_FIGURES

    d = demo_with_relationships
    out = StringIO()
    call_command("programme", "--json", "--as-of", "2026-11-28", stdout=out)
    cli = json.loads(out.getvalue())
    api = (
        client_for(d.users["director"])
        .get("/api/v1/programme/health", {"as_of": "2026-11-28"})
        .json()
    )
    assert cli == api
    figures = {c["key"]: c["figures"] for c in cli["checks"]}
    listed = {key: f[key] for f in figures.values() for key in CUSTOMER_FIGURES if key in f}
    assert set(listed) == set(CUSTOMER_FIGURES)
    assert any(listed.values())
    for key, refs in listed.items():
        assert all(isinstance(r, dict) and list(r) == list(REF_FIELDS) for r in refs), key
    assert [r["name"] for r in listed["turnover_accounts"]] == ["Clínica Los Aromos"]
    clinica = d.customers["clinica"]
    assert listed["turnover_accounts"][0] == {
        "id": clinica.pk,
        "tax_id": clinica.tax_id,
        "external_id": clinica.external_id,
        "name": clinica.name,
    }
    assert d.users["bruno"].pk in figures["right_kams"]["salesperson_only"]
