"""Each role's home (ux.md, "Homes"), its hooks (badges, alerts, actions) and its query count."""

from __future__ import annotations

import sys
import types
from datetime import date

import pytest
from django.urls import reverse

from kamp.core.alerts import Alert
from kamp.customers.models import CustomerStatus
from tests.factories import CustomerFactory, SalesLineFactory, TeamMemberFactory


@pytest.fixture
def fake_area(monkeypatch, settings):
    """An area providing badges, alerts and "my actions", as the later areas will."""
    module = types.ModuleType("kamp_fake_area")
    calls = {"badges": 0}

    def badges(customer_ids):
        calls["badges"] += 1
        return {
            cid: [{"label": "Strategic", "css": "quadrant-strategic", "title": "why"}]
            for cid in customer_ids
        }

    def alerts(customers, as_of):
        return [
            Alert(
                area="fake",
                kind="stale",
                severity="warning",
                message="Plan is stale",
                customer_id=c.pk,
                customer_name=c.name,
            )
            for c in customers
        ]

    def my_actions(user):
        return [
            {
                "label": "Send the QBR minutes",
                "due": date(2020, 1, 1),
                "overdue": True,
                "url": "/x/",
                "customer": "Constructora CS",
            }
        ]

    module.badges, module.alerts, module.my_actions = badges, alerts, my_actions  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "kamp_fake_area", module)
    _only_areas(monkeypatch, {"summary": [module], "alerts": [module]})
    return calls


def _only_areas(monkeypatch, modules: dict) -> None:
    """The areas found by name (kamp.core.registry.discover) replaced by ``modules``."""
    from kamp.core import registry

    real = registry.discover
    monkeypatch.setattr(
        registry, "discover", lambda name: modules[name] if name in modules else real(name)
    )


def _no_dashboard(monkeypatch) -> None:
    from kamp.core.registry import registry

    monkeypatch.delitem(registry["hooks"], "programme_dashboard", raising=False)


def test_kam_sees_own_accounts_with_badges_alerts_and_sales(
    client_for, ana, account, other_account, fake_area
):
    SalesLineFactory(customer=account, net_amount=1_234_567, currency="CLP")
    r = client_for(ana).get(reverse("home"))
    assert r.status_code == 200
    text = r.content.decode()
    assert "My accounts" in text and "Constructora CS" in text
    assert "Minera Norte" not in text  # Bruno's
    assert "Strategic" in text and "Plan is stale" in text and "USD" not in text
    assert "1,234,567" in text
    assert fake_area["badges"] == 1  # one bulk call for all the cards


def test_kam_sees_their_actions_when_plans_offers_them(
    client_for, ana, account, fake_area, monkeypatch
):
    import kamp.customers.home as views

    monkeypatch.setattr(
        views,
        "_optional",
        lambda dotted: getattr(sys.modules["kamp_fake_area"], dotted.rsplit(".", 1)[1], None),
    )
    text = client_for(ana).get(reverse("home")).content.decode()
    assert "Send the QBR minutes" in text


def test_member_sees_the_accounts_whose_team_they_are_on(
    client_for, member, account, other_account
):
    text = client_for(member).get(reverse("home")).content.decode()
    assert "Constructora CS" in text and "Minera Norte" not in text
    assert "Sales, last 12 months" not in text  # no money for team members


def test_viewer_sees_key_accounts(client_for, viewer, account, other_account):
    CustomerFactory(name="Candidate Co", status=CustomerStatus.CANDIDATE)
    text = client_for(viewer).get(reverse("home")).content.decode()
    assert "Constructora CS" in text and "Minera Norte" in text and "Candidate Co" not in text


def test_director_gets_the_key_accounts_without_a_programme_dashboard(
    client_for, director, account, other_account, monkeypatch
):
    _no_dashboard(monkeypatch)
    r = client_for(director).get(reverse("home"))
    assert r.status_code == 200
    assert "Constructora CS" in r.content.decode()


def test_director_gets_the_programme_dashboard_when_it_exists(client_for, director, monkeypatch):
    from django.http import HttpResponse

    from kamp.core.registry import registry

    monkeypatch.setitem(
        registry["hooks"], "programme_dashboard", lambda request: HttpResponse("PROGRAMME")
    )
    assert client_for(director).get(reverse("home")).content == b"PROGRAMME"


def test_empty_home_teaches(client_for, bruno):
    text = client_for(bruno).get(reverse("home")).content.decode()
    assert "No accounts here yet" in text and reverse("customers:list") in text


def test_a_failing_area_does_not_take_the_home_down(
    client_for, ana, account, settings, monkeypatch
):
    module = types.ModuleType("kamp_broken_area")

    def alerts(customers, as_of):
        raise RuntimeError("boom")

    module.alerts = alerts  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "kamp_broken_area", module)
    _only_areas(monkeypatch, {"alerts": [module]})
    assert client_for(ana).get(reverse("home")).status_code == 200


def test_anonymous_goes_to_login(anonymous):
    r = anonymous.get(reverse("home"))
    assert r.status_code == 302 and "/login/" in r["Location"]


@pytest.mark.parametrize("person", ["ana", "member", "viewer", "director"])
def test_home_query_count_does_not_grow(
    request, client_for, person, ana, member, fake_area, django_assert_max_num_queries, monkeypatch
):
    _no_dashboard(monkeypatch)
    user = request.getfixturevalue(person)
    client = client_for(user)

    def add(n):
        for _ in range(n):
            c = CustomerFactory(status=CustomerStatus.KEY_ACCOUNT, owner=ana)
            TeamMemberFactory(customer=c, user=member)
            SalesLineFactory(customer=c)

    add(2)
    client.get(reverse("home"))  # warm up (session, content types)
    # 15: the session is read, not saved (renewed at most once a minute); three read the
    # stored alerts (when they were computed, what changed since, the alerts themselves).
    with django_assert_max_num_queries(15) as few:
        client.get(reverse("home"))
    n = len(few.captured_queries)
    add(25)
    # The first view after the writes recomputes the 25 changed accounts' stored alerts (few
    # enough to do in the request); from then on a view reads them at the same cost.
    client.get(reverse("home"))
    with django_assert_max_num_queries(n):
        r = client.get(reverse("home"))
    assert r.status_code == 200
