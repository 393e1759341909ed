"""Fixtures for the whole-API tests: a small, varied data set (one of most things each area's
endpoints read), a logged-in director's session, and the OpenAPI schema kamp serves, loaded
in-process from the WSGI application with schemathesis."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

import pytest
from django.core import signals
from django.db import close_old_connections
from django.middleware.csrf import _get_new_csrf_string
from django.test import Client
from django.utils import timezone

from kamp.customers.models import CustomerStatus
from tests.factories import ContactFactory, CustomerFactory, SalesLineFactory, UserFactory

SCHEMA_PATH = "/api/v1/openapi.json"


@dataclass
class ApiSession:
    """What a browser logged in as ``user`` sends: the session cookie, and for unsafe methods
    the CSRF cookie with its header (django-ninja's ``django_auth`` checks CSRF)."""

    user: object
    sessionid: str
    csrftoken: str = field(default_factory=_get_new_csrf_string)

    @property
    def cookies(self) -> dict[str, str]:
        return {"sessionid": self.sessionid, "csrftoken": self.csrftoken}

    @property
    def headers(self) -> dict[str, str]:
        return {"X-CSRFToken": self.csrftoken}


def session_for(user) -> ApiSession:
    client = Client()
    client.force_login(user)
    return ApiSession(user=user, sessionid=client.cookies["sessionid"].value)


@pytest.fixture
def wsgi_app(db):
    """Django's WSGI application, called in the test's own thread and database transaction.
    Like Django's test client, keep the request signals from closing the test's connection
    (it would end the transaction every test runs in)."""
    from kamp.wsgi import application

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield application
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@pytest.fixture
def director_session(director) -> ApiSession:
    return session_for(director)


@pytest.fixture
def api_schema(wsgi_app, director_session, api_data):
    """The schema kamp serves (behind the login, like everything)."""
    import schemathesis

    def logged_in(environ, start_response):
        # werkzeug's test client replaces a ``Cookie`` header with its own (empty) jar
        environ["HTTP_COOKIE"] = f"sessionid={director_session.sessionid}"
        return wsgi_app(environ, start_response)

    config = schemathesis.Config.from_dict({"phases": {"coverage": {"enabled": False}}})
    loaded = schemathesis.openapi.from_wsgi(SCHEMA_PATH, logged_in, config=config)
    loaded.app = wsgi_app  # the generated requests bring their own cookies
    return loaded


@pytest.fixture
def api_data(db, admin, director, ana, bruno, member, viewer, account, other_account):
    """One or more of each object the endpoints take an id of, keyed by what the path names.

    Built through the factories (tests/factories.py and each area's own) and, where an area
    has rules about its objects, its actions."""
    from kamp.economics.models import ActivityRecord
    from kamp.programme.actions import do_take_readiness
    from kamp.relationships import actions as rel_actions
    from kamp.selection.models import SelectionModel
    from kamp.team.models import AccountTeamMember
    from tests.economics.factories import ActivityTypeFactory, month
    from tests.interactions.factories import log
    from tests.plans.factories import (
        ActionFactory,
        InitiativeFactory,
        LinkFactory,
        ObjectiveFactory,
        PlanFactory,
        ReviewFactory,
        RiskFactory,
        WhitespaceFactory,
    )
    from tests.selection.factories import HIGH, LOW, score
    from tests.team.factories import HatAssessmentFactory

    today = timezone.localdate()
    candidate = CustomerFactory(name="Viña Sur", status=CustomerStatus.CANDIDATE, owner=ana)
    contacts = [
        ContactFactory(customer=account, name="Jorge Pérez", email="jorge.perez@cs.cl"),
        ContactFactory(customer=account, name="María González", email="maria.gonzalez@cs.cl"),
        ContactFactory(customer=other_account, name="Pedro Rojas"),
    ]
    for customer in (account, other_account, candidate):
        for m in range(1, 7):
            SalesLineFactory(
                customer=customer,
                date=today - datetime.timedelta(days=30 * m),
                net_amount=Decimal("1000000") * m,
                cost=Decimal("600000") * m,
            )
    activity = ActivityTypeFactory(name="Visit")
    record = ActivityRecord.objects.create(
        customer=account,
        activity=activity,
        month=month(today.year, today.month),
        count=Decimal("3"),
        cost=Decimal("1500"),
        currency="CLP",
    )
    score(account, director, HIGH)
    score(other_account, director, LOW)
    interaction = log(account, [ana, member], contacts[:2], topic="Quarterly review")
    rnd = rel_actions.do_start_round(
        ana,
        account,
        closes_on=today + datetime.timedelta(days=14),
        team_users=[ana, member],
        contacts=[(contacts[0], "es")],
        send=False,
    )
    plan = PlanFactory(customer=account)
    items = {
        "objectives": ObjectiveFactory(plan=plan),
        "actions": ActionFactory(plan=plan, owner=ana),
        "whitespace": WhitespaceFactory(plan=plan),
        "initiatives": InitiativeFactory(plan=plan),
        "risks": RiskFactory(plan=plan),
        "reviews": ReviewFactory(plan=plan),
    }
    link = LinkFactory(plan=plan)
    HatAssessmentFactory(kam=ana)
    readiness = do_take_readiness(director, {})
    team_member = AccountTeamMember.objects.get(customer=account, user=member)
    return {
        "customers": [account, other_account, candidate],
        "contacts": contacts,
        "record": record,
        "interaction": interaction,
        "round": rnd,
        "plan": plan,
        "items": items,
        "link": link,
        "readiness": readiness,
        "team_member": team_member,
        "kams": [ana, bruno],
        "users": [admin, director, ana, bruno, member, viewer],
        "models": list(SelectionModel.objects.all()),
        "extra_user": UserFactory(email="spare@supplier.test", name="Spare Person"),
    }


def pytest_configure(config):
    # xdist's marker, known even when the suite runs serially with ``-p no:xdist``.
    config.addinivalue_line("markers", "xdist_group(name): run these tests on one xdist worker")
