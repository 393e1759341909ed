"""The pipeline's part of the demo shows a departed champion ready to follow."""

import datetime

import pytest

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 28)


@pytest.fixture
def demo(db):
    from kamp.core import demo

    return demo.load(
        today=TODAY,
        log=lambda *_: None,
        modules=["kamp.team.demo", "kamp.customers.demo", "kamp.pipeline.demo"],
    )


def test_demo_has_a_departed_champion_on_a_key_account(demo):
    from kamp.customers.models import Customer, CustomerStatus
    from kamp.pipeline.alerts import alerts
    from kamp.pipeline.views import departed_champions

    energia = demo.customers["energia"]
    assert energia.status == CustomerStatus.KEY_ACCOUNT
    assert [c.name for c in departed_champions(energia)] == ["Paula Muñoz"]
    found = alerts(Customer.objects.all(), TODAY)
    assert any(a.customer_name == energia.name and "champion" in a.kind for a in found)
