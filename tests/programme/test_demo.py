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
