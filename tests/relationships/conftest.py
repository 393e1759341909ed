import datetime

import pytest
from django.utils import timezone

from kamp.relationships import actions
from tests.factories import ContactFactory


@pytest.fixture
def contacts(account):
    return [
        ContactFactory(customer=account, name="Jorge Pérez", email="jorge.perez@cs.cl"),
        ContactFactory(customer=account, name="María González", email="maria.gonzalez@cs.cl"),
    ]


@pytest.fixture
def survey(account, ana, member, contacts):
    """An open round: Ana and Marta (team), Jorge (es) and María (en) through links."""
    return actions.do_start_round(
        ana,
        account,
        closes_on=timezone.localdate() + datetime.timedelta(days=14),
        team_users=[ana, member],
        contacts=[(contacts[0], "es"), (contacts[1], "en")],
    )


def raw_answer(item, value):
    """The answer that scores ``value`` on the item's construct after reverse-coding (conflict
    gets 8 − value, so every construct's contribution to the RQI is ``value``)."""
    target = 8 - value if item.construct == "conflict" else value
    return 8 - target if item.reversed else target


def answer_all(rnd, value=5):
    return {i.pk: raw_answer(i, value) for i in rnd.template.items.all()}


def post_data(rnd, value="5", comment=""):
    data = {f"item_{i.pk}": str(value) for i in rnd.template.items.all()}
    data["comment"] = comment
    return data


def counting_with(min_team, min_customer):
    """Set the answers a round needs per side before it counts (the test rounds are small)."""
    from kamp.relationships.models import RelationshipSettings

    settings = RelationshipSettings.load()
    settings.min_team_answers, settings.min_customer_answers = min_team, min_customer
    settings.save()


def answer_and_close(rnd, by, value=5, *, values_for=None):
    """Everyone asked answers ``value`` (or ``values_for(respondent)``), then the round closes."""
    for r in rnd.respondents.all():
        actions.do_answer(r.user, r, values=answer_all(rnd, values_for(r) if values_for else value))
    rnd.refresh_from_db()
    return actions.do_close_round(by, rnd)
