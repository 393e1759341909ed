"""Programme pages, API and commands: who may and who may not; constant queries; the digest."""

import datetime
import json
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kamp.core.choices import Function, Role
from kamp.customers.models import CustomerStatus
from kamp.programme.models import AlertDismissal, ReadinessAssessment
from kamp.programme.questionnaire import QUESTIONS
from kamp.team.models import TeamRole
from tests.factories import CustomerFactory, TeamMemberFactory, UserFactory
from tests.team.factories import HatAssessmentFactory, OwnershipChangeFactory

pytestmark = pytest.mark.django_db

DIRECTOR_PAGES = [
    "programme:dashboard",
    "programme:health",
    "programme:alerts",
    "programme:alert_history",
    "programme:readiness",
    "programme:readiness_take",
]


@pytest.mark.parametrize("name", DIRECTOR_PAGES)
@pytest.mark.parametrize(
    "who,status",
    [
        ("admin", 200),
        ("director", 200),
        ("ana", 403),
        ("member", 403),
        ("viewer", 403),
    ],
)
def test_director_pages(request, client_for, account, name, who, status):
    r = client_for(request.getfixturevalue(who)).get(reverse(name))
    assert r.status_code == status


@pytest.mark.parametrize("name", DIRECTOR_PAGES + ["programme:benefits", "programme:digest"])
def test_anonymous_goes_to_login(anonymous, name):
    r = anonymous.get(reverse(name))
    assert r.status_code == 302 and "/login/" in r["Location"]


@pytest.mark.parametrize(
    "who,status", [("director", 200), ("ana", 200), ("member", 403), ("viewer", 403)]
)
def test_benefits_access(request, client_for, account, other_account, who, status):
    r = client_for(request.getfixturevalue(who)).get(reverse("programme:benefits"))
    assert r.status_code == status


def test_kam_sees_benefits_of_own_accounts_only(client_for, account, other_account, ana):
    body = client_for(ana).get(reverse("programme:benefits")).content.decode()
    assert account.name in body and other_account.name not in body


def test_directors_home_is_the_dashboard(client_for, director, ana, account):
    assert "The KAM programme" in client_for(director).get("/").content.decode()
    assert "The KAM programme" not in client_for(ana).get("/").content.decode()


def test_dashboard_explains_checks_and_links_accounts(client_for, account, director, ana):
    HatAssessmentFactory(
        kam=ana,
        source="director",
        assessor=director,
        salesperson=5,
        conductor=1,
        strategist=1,
        innovator=1,
    )
    r = client_for(director).get(reverse("programme:dashboard"))
    body = r.content.decode()
    assert "Profitability" in body and "The right KAMs" in body
    assert "Internal support" in body and "Trust and long-term relationships" in body
    assert "salesperson only" in body
    assert reverse("team:kam", args=[ana.pk]) in body
    health = client_for(director).get(reverse("programme:health")).content.decode()
    assert account.name in health  # no sponsor: the account behind the internal-support check
    assert reverse("team:customer", args=[account.pk]) in health


def _portfolio(n):
    for _ in range(n):
        kam = UserFactory(role=Role.KAM)
        c = CustomerFactory(status=CustomerStatus.KEY_ACCOUNT, owner=kam)
        TeamMemberFactory(
            customer=c,
            role=TeamRole.SPONSOR,
            user=UserFactory(role=Role.DIRECTOR, function=Function.MANAGEMENT),
        )
        TeamMemberFactory(customer=c, user=UserFactory(role=Role.MEMBER, function=Function.FINANCE))
        OwnershipChangeFactory(
            customer=c,
            new_owner=kam,
            changed_on=datetime.date.today() - datetime.timedelta(days=300),
        )
        HatAssessmentFactory(kam=kam)
        CustomerFactory(owner=kam)


@pytest.mark.parametrize(
    "name", ["programme:dashboard", "programme:health", "programme:alerts", "team:kams"]
)
def test_constant_queries_whatever_the_portfolio_size(client_for, director, name):
    c = client_for(director)
    # Both sizes stay under the key-account cap (10), so no area changes regime between them.
    _portfolio(2)
    c.get(reverse(name))  # warm caches (site settings, content types)
    with CaptureQueriesContext(connection) as small:
        assert c.get(reverse(name)).status_code == 200
    _portfolio(6)
    c.get(reverse(name))  # other areas cache derived figures keyed on the data: warm them again
    with CaptureQueriesContext(connection) as large:
        assert c.get(reverse(name)).status_code == 200
    assert len(large) == len(small), [q["sql"] for q in large.captured_queries]


def test_dashboard_query_budget(client_for, director, django_assert_max_num_queries):
    _portfolio(20)
    c = client_for(director)
    c.get(reverse("programme:dashboard"))
    # Each area answers in a handful of bulk queries (economics, selection, relationships,
    # interactions, plans, every alert module): a fixed budget, not a function of the size.
    with django_assert_max_num_queries(140):
        c.get(reverse("programme:dashboard"))


# --- alerts inbox --------------------------------------------------------------------------------


def test_dismiss_with_reason_and_restore(client_for, account, director):
    c = client_for(director)
    body = c.get(reverse("programme:alerts")).content.decode()
    key = f"team:team:{account.pk}:"
    assert key in body
    r = c.post(reverse("programme:alert_dismiss"), {"key": key, "reason": ""})
    assert not AlertDismissal.objects.exists()
    r = c.post(
        reverse("programme:alert_dismiss"),
        {"key": key, "reason": "Sponsor named next week"},
        HTTP_HX_REQUEST="true",
    )
    assert r.status_code == 200 and r.content == b""
    d = AlertDismissal.objects.get()
    assert d.reason == "Sponsor named next week" and d.dismissed_by == director
    assert key not in c.get(reverse("programme:alerts")).content.decode()
    hist = c.get(reverse("programme:alert_history")).content.decode()
    assert "Sponsor named next week" in hist
    c.post(reverse("programme:alert_restore", args=[d.pk]))
    d.refresh_from_db()
    assert d.restored_at is not None
    assert key in c.get(reverse("programme:alerts")).content.decode()
    assert AlertDismissal.objects.count() == 1  # history kept


def test_kam_cannot_dismiss(client_for, account, ana):
    r = client_for(ana).post(
        reverse("programme:alert_dismiss"), {"key": f"team:team:{account.pk}:", "reason": "x"}
    )
    assert r.status_code == 403
    assert not AlertDismissal.objects.exists()


def test_alert_filters(client_for, account, other_account, director, ana):
    c = client_for(director)
    body = c.get(
        reverse("programme:alerts") + f"?owner={ana.pk}&partial=1", HTTP_HX_REQUEST="true"
    ).content.decode()
    assert account.name in body and other_account.name not in body
    body = c.get(reverse("programme:alerts") + "?severity=danger").content.decode()
    assert "No open alerts match" in body


# --- readiness ---------------------------------------------------------------------------------


def _answers(level):
    return {key: level for key, *_ in QUESTIONS}


def test_readiness_take_result_and_compare(client_for, director):
    c = client_for(director)
    r = c.post(reverse("programme:readiness_take"), {**_answers(1), "notes": "first"})
    assert r.status_code == 302
    first = ReadinessAssessment.objects.get()
    assert first.overall == 33 and first.level == "starting" and len(first.steps) == 3
    page = c.get(r["Location"]).content.decode()
    assert "The next three steps" in page and "Getting started" in page
    answers = _answers(2)
    answers["people_kam"] = 0
    r = c.post(reverse("programme:readiness_take"), answers)
    second = ReadinessAssessment.objects.exclude(pk=first.pk).get()
    page = c.get(reverse("programme:readiness_result", args=[second.pk])).content.decode()
    assert "previous" in page
    assert second.steps[0] == "people_kam"
    listing = c.get(reverse("programme:readiness")).content.decode()
    assert "Takes compared" in listing


def test_readiness_missing_answers_are_marked(client_for, director):
    r = client_for(director).post(reverse("programme:readiness_take"), {"people_kam": 1})
    assert r.status_code == 200
    assert "unanswered" in r.content.decode()
    assert not ReadinessAssessment.objects.exists()


# --- digest --------------------------------------------------------------------------------------


def test_digest_mails_each_kam_and_director(account, other_account, director, ana, bruno, member):
    out = StringIO()
    call_command("digest", stdout=out)
    to = sorted(m.to[0] for m in mail.outbox)
    assert to == sorted([director.email, ana.email, bruno.email])
    ana_mail = next(m for m in mail.outbox if m.to == [ana.email])
    assert account.name in ana_mail.body and other_account.name not in ana_mail.body
    assert "No executive sponsor" in ana_mail.body
    director_mail = next(m for m in mail.outbox if m.to == [director.email])
    assert account.name in director_mail.body and other_account.name in director_mail.body
    assert ana_mail.alternatives


def test_digest_dry_run_sends_nothing(account, director):
    out = StringIO()
    call_command("digest", "--dry-run", stdout=out)
    assert not mail.outbox and director.email in out.getvalue()


def test_digest_in_spanish_for_a_spanish_user(account, ana):
    ana.language = "es"
    ana.save()
    call_command("digest", "--to", ana.email, stdout=StringIO())
    assert len(mail.outbox) == 1
    assert "Alertas" in mail.outbox[0].body
    mail.outbox.clear()
    call_command("digest", "--user", ana.email, stdout=StringIO())  # the older spelling
    assert [m.to for m in mail.outbox] == [[ana.email]]


def test_my_digest_page(client_for, account, ana, member):
    r = client_for(ana).get(reverse("programme:digest"))
    assert r.status_code == 200 and account.name in r.content.decode()
    assert client_for(member).get(reverse("programme:digest")).status_code == 200


# --- CLI and API -------------------------------------------------------------------------------


def test_programme_json(account, ana):
    out = StringIO()
    call_command("programme", "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert [c["key"] for c in data["checks"]] == [
        "profitability",
        "right_kams",
        "internal_support",
        "trust",
    ]
    support = data["checks"][2]
    assert support["figures"]["with_sponsor"] == 0
    assert support["accounts"][0]["name"] == account.name
    assert support["accounts"][0]["customer"] == {
        "id": account.pk,
        "tax_id": account.tax_id,
        "external_id": account.external_id,
        "name": account.name,
    }


@pytest.mark.parametrize(
    "path", ["/api/v1/programme/health", "/api/v1/programme/alerts", "/api/v1/programme/readiness"]
)
@pytest.mark.parametrize(
    "who,status",
    [("director", 200), ("admin", 200), ("ana", 403), ("viewer", 403), ("member", 403)],
)
def test_api_access(request, client_for, account, path, who, status):
    assert client_for(request.getfixturevalue(who)).get(path).status_code == status


def test_api_anonymous(anonymous):
    assert anonymous.get("/api/v1/programme/health").status_code == 401


def test_api_kams_a_kam_sees_only_themself(client_for, ana, bruno, director):
    HatAssessmentFactory(kam=bruno)
    data = client_for(ana).get("/api/v1/programme/kams").json()
    assert [k["id"] for k in data] == [ana.pk]
    assert client_for(ana).get(f"/api/v1/programme/kams/{bruno.pk}").status_code == 404
    assert (
        client_for(director).get(f"/api/v1/programme/kams/{bruno.pk}").json()["self"]["salesperson"]
        == 4
    )
    assert (
        client_for(UserFactory(role=Role.VIEWER)).get("/api/v1/programme/kams").status_code == 403
    )


def test_api_dismiss(client_for, account, director):
    c = client_for(director)
    key = f"team:team:{account.pk}:"
    r = c.post(
        "/api/v1/programme/alerts/dismiss",
        {"key": key, "reason": "ok"},
        content_type="application/json",
    )
    assert r.status_code == 200
    assert c.get("/api/v1/programme/alerts").json()["dismissed"][0]["reason"] == "ok"


def test_api_benefits(client_for, account, other_account, ana, member):
    data = client_for(ana).get("/api/v1/programme/benefits").json()
    assert [a["name"] for a in data["accounts"]] == [account.name]
    assert client_for(member).get("/api/v1/programme/benefits").status_code == 403
