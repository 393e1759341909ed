"""Money only to those allowed: amounts the owner records on an account are searched for on
every page, partial, export, API response and audit view each other role can reach — the
viewer, a team member, another KAM and a KAM on the account's team — and must appear nowhere.

The URLs are not listed by hand: the resolver is walked for every pattern whose parameters we
can fill with this account's objects, so a page added later is checked too."""

from __future__ import annotations

import datetime
import io
import re
import zipfile
from decimal import Decimal

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from kamp.core.choices import Role
from kamp.economics import actions as economics_actions
from kamp.economics.models import InvestmentKind
from kamp.plans import actions as plan_actions
from kamp.plans.models import Objective, WhitespaceCell
from tests.factories import SalesLineFactory, TeamMemberFactory, UserFactory

# Distinctive amounts, one per kind of money, none a substring of another.
AMOUNTS = {
    "investment": 7131417,
    "category spend": 8242529,
    "whitespace revenue": 6353631,
    "whitespace potential": 5464743,
    "objective target": 4575857,
    "objective current": 3686969,
    "sales": 2797173,
}


def _forms(n: int) -> list[str]:
    """``1234567`` as people and machines print it: plain, Spanish and English grouping."""
    plain = str(n)
    grouped = f"{n:,}"
    return [plain, grouped, grouped.replace(",", "."), grouped.replace(",", "\u00a0")]


NEEDLES = {form: kind for kind, n in AMOUNTS.items() for form in _forms(n)}


def _walk(patterns, prefix=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from _walk(p.url_patterns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern)


def _text_of(response) -> str:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    if body[:2] == b"PK":  # xlsx, pptx: the parts are compressed
        with zipfile.ZipFile(io.BytesIO(body)) as z:
            return "\n".join(z.read(n).decode("utf-8", "replace") for n in z.namelist())
    return body.decode("utf-8", "replace")


@pytest.fixture
def recorded(db, ana, account, monkeypatch):
    """Ana records every kind of money on her account; the objects the URLs need."""
    economics_actions.do_record_investment(
        ana,
        customer=account,
        kind=InvestmentKind.PEOPLE,
        amount=Decimal(AMOUNTS["investment"]),
        date=datetime.date.today().replace(day=1),
        currency="CLP",
    )
    spend = economics_actions.do_set_category_spend(
        ana,
        account,
        str(datetime.date.today().year),
        Decimal(AMOUNTS["category spend"]),
        currency="CLP",
    )
    SalesLineFactory(customer=account, net_amount=Decimal(AMOUNTS["sales"]), currency="CLP")
    plan = plan_actions.do_create_plan(ana, account, str(datetime.date.today().year))
    objective = plan_actions.do_add_item(
        ana,
        plan,
        "objectives",
        title="Grow the account",
        measure="CLP",
        target=Decimal(AMOUNTS["objective target"]),
        current=Decimal(AMOUNTS["objective current"]),
        is_financial=True,
    )
    cell = plan_actions.do_add_item(
        ana,
        plan,
        "whitespace",
        buying_unit="Mining division",
        offering="Consulting",
        current_revenue=Decimal(AMOUNTS["whitespace revenue"]),
        potential=Decimal(AMOUNTS["whitespace potential"]),
    )
    # An update too: the History shows old → new values of a change.
    plan_actions.do_update_item(ana, cell, potential=Decimal(AMOUNTS["whitespace potential"] + 1))
    plan_actions.do_update_item(ana, cell, potential=Decimal(AMOUNTS["whitespace potential"]))
    link = plan_actions.do_create_joint_link(ana, plan)
    # A selection model with a factor derived from revenue (docs/selection.md): its raw figure
    # is the sales above.
    from kamp.core.choices import Role as _Role
    from kamp.selection import actions as selection_actions
    from kamp.selection.modelfile import parse_toml

    admin = UserFactory(email="admin2@supplier.test", name="Admin", role=_Role.ADMIN)
    selection_actions.do_save_model(
        admin,
        parse_toml(
            'name = "Derived"\n[[factor]]\nkey = "revenue"\ndimension = "attractiveness"\n'
            'weight = 1\nsource = "derived"\nmetric = "revenue_12m"\n[[factor]]\n'
            'key = "customer_knowledge"\ndimension = "position"\nweight = 1\n'
        ),
        activate=True,
    )
    # The PDF is laid out from HTML by WeasyPrint (text in it is glyph ids, not searchable):
    # the test reads the HTML it is printed from.
    from kamp.reports import pdf, views

    monkeypatch.setattr(views.pdf, "plan_pdf", lambda report: pdf.plan_html(report).encode())
    assert isinstance(objective, Objective) and isinstance(cell, WhitespaceCell)
    return {
        "pk": account.pk,
        "customer": account.pk,
        "customer_id": account.pk,
        "customer_pk": account.pk,
        "plan_pk": plan.pk,
        "plan_id": plan.pk,
        "item_pk": cell.pk,
        "item_id": cell.pk,
        "spend_pk": spend.pk,
        "token": link.token,
        "field": "strategy",
        "section": ["objectives", "whitespace"],
    }


def _urls(values: dict) -> list[str]:
    urls = []
    for route in _walk(get_resolver().url_patterns):
        if route.startswith("admin/"):
            continue
        names = re.findall(r"<(?:\w+:)?(\w+)>", route)
        if not names or any(n not in values for n in names):
            continue  # only the pages about this account's objects
        variants = [route]
        for name in names:
            fills = values[name] if isinstance(values[name], list) else [values[name]]
            variants = [
                re.sub(rf"<(?:\w+:)?{name}>", str(fill), v, count=1)
                for v in variants
                for fill in fills
            ]
        urls += ["/" + v.lstrip("^").rstrip("$") for v in variants]
    # Lists and portfolios that rank or total accounts, with the orderings a user can pick.
    urls += [
        "/customers/",
        "/customers/?sort=-revenue",
        "/selection/",
        "/selection/?sort=-revenue",
        "/economics/portfolio/",
        "/plans/",
        "/programme/",
        "/api/v1/customers/",
        "/api/v1/selection/customers",
        "/api/v1/selection/customers?sort=-revenue",
        "/api/v1/plans/",
        "/",
    ]
    return sorted(set(urls))


@pytest.fixture
def kam_on_team(db, account):
    """A KAM who sits on Ana's account team: the team, not the economics."""
    carla = UserFactory(email="carla@supplier.test", name="Carla KAM", role=Role.KAM)
    TeamMemberFactory(customer=account, user=carla)
    return carla


@pytest.mark.parametrize("who", ["viewer", "member", "bruno", "kam_on_team"])
def test_money_appears_nowhere_for_those_who_may_not_see_it(request, client_for, recorded, who):
    client = client_for(request.getfixturevalue(who))
    reached, leaks, errors = 0, [], []
    for url in _urls(recorded):
        response = client.get(url)
        if response.status_code >= 500:
            errors.append(f"{url} → {response.status_code}")
            continue
        if response.status_code != 200:
            continue
        reached += 1
        text = _text_of(response)
        for needle, kind in NEEDLES.items():
            if needle in text:
                leaks.append(f"{url}: {kind} ({needle})")
    assert not errors, errors
    assert not leaks, "\n".join(leaks)
    # The walk must really reach the account's pages (History, plan, API…), or it proves nothing.
    assert reached >= 15, reached


def test_the_owner_sees_the_same_money(client_for, ana, recorded):
    """The other side of the test above: the amounts are there for those allowed, so the
    search would find them if they leaked."""
    client = client_for(ana)
    history = _text_of(client.get(f"/customers/{recorded['pk']}/history/"))
    for kind in ("whitespace potential", "objective target", "investment"):
        assert any(form in history for form in _forms(AMOUNTS[kind])), kind
    economics = _text_of(client.get(f"/economics/customer/{recorded['pk']}/"))
    assert any(form in economics for form in _forms(AMOUNTS["category spend"]))
    selection = _text_of(client.get(f"/selection/customer/{recorded['pk']}/"))
    assert any(form in selection for form in _forms(AMOUNTS["sales"]))


def test_history_keeps_the_entry_and_hides_only_its_amounts(client_for, member, recorded):
    """The team still sees that someone changed the whitespace (who, when, what kind), with a
    note in place of the values; entries without money keep their values."""
    plan_pk = recorded["plan_pk"]
    from kamp.plans.models import AccountPlan

    plan = AccountPlan.objects.get(pk=plan_pk)
    plan_actions.do_add_item(
        plan.customer.owner, plan, "objectives", title="Visits", measure="visits", target=424242
    )
    text = client_for(member).get(f"/customers/{recorded['pk']}/history/").content.decode()
    assert "Amounts are shown only to those who may see the account" in text
    assert "whitespace cell" in text.lower()
    assert "424242" in text or "424,242" in text  # a non-financial objective is not money


def test_every_money_entry_is_flagged(recorded):
    from kamp.core.models import AuditEvent

    flagged = AuditEvent.objects.filter(customer_id=recorded["pk"], money=True)
    types = set(flagged.values_list("object_type", flat=True))
    assert {
        "economics.investment",
        "economics.categoryspend",
        "plans.objective",
        "plans.whitespacecell",
    } <= types
    # The plan itself and its joint link hold no amounts.
    assert not AuditEvent.objects.filter(
        customer_id=recorded["pk"], object_type__in=["plans.accountplan", "plans.jointplanlink"]
    ).filter(money=True)


def test_the_director_reads_the_amounts_in_the_audit_log(client_for, director, recorded):
    text = client_for(director).get(f"/audit/?customer={recorded['pk']}").content.decode()
    assert any(form in text for form in _forms(AMOUNTS["whitespace potential"]))
