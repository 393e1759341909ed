"""The account team on the customer page, and KAM profiles: who may and who may not."""

import datetime

import pytest
from django.urls import reverse

from kamp.core.choices import Function, Role
from kamp.core.models import AuditEvent
from kamp.team.models import AccountTeamMember, HatAssessment, OwnershipChange, TeamRole
from tests.factories import CustomerFactory, UserFactory

from .factories import HatAssessmentFactory, OwnershipChangeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def felipe(db):
    return UserFactory(
        email="felipe@supplier.test",
        name="Felipe Finance",
        role=Role.MEMBER,
        function=Function.FINANCE,
    )


# --- account team ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "who,status",
    [
        ("admin", 200),
        ("director", 200),
        ("ana", 200),
        ("bruno", 200),
        ("member", 200),
        ("viewer", 200),
    ],
)
def test_team_page_readable_by_whoever_reads_the_account(request, client_for, account, who, status):
    user = request.getfixturevalue(who)
    r = client_for(user).get(reverse("team:customer", args=[account.pk]))
    assert r.status_code == status
    assert b"Our account team" in r.content


def test_anonymous_is_sent_to_login(anonymous, account):
    r = anonymous.get(reverse("team:panel", args=[account.pk]))
    assert r.status_code == 302 and "/login/" in r["Location"]


def test_member_of_another_account_gets_404(client_for, other_account, member):
    r = client_for(member).get(reverse("team:panel", args=[other_account.pk]))
    assert r.status_code == 404


def test_only_editors_see_the_add_form(client_for, account, ana, viewer, bruno):
    assert (
        b"Add a team member"
        in client_for(ana).get(reverse("team:panel", args=[account.pk])).content
    )
    assert (
        b"Add a team member"
        not in client_for(viewer).get(reverse("team:panel", args=[account.pk])).content
    )
    assert (
        b"Add a team member"
        not in client_for(bruno).get(reverse("team:panel", args=[account.pk])).content
    )


@pytest.mark.parametrize(
    "who,ok",
    [
        ("admin", True),
        ("director", True),
        ("ana", True),
        ("member", True),
        ("bruno", False),
        ("viewer", False),
    ],
)
def test_who_may_add_a_member(request, client_for, account, felipe, who, ok):
    user = request.getfixturevalue(who)
    r = client_for(user).post(
        reverse("team:member_add", args=[account.pk]),
        {
            "add-user": felipe.pk,
            "add-role": TeamRole.MEMBER,
            "add-responsibility": "Billing and payment terms",
        },
    )
    exists = AccountTeamMember.objects.filter(customer=account, user=felipe).exists()
    assert exists is ok
    if ok:
        assert r.status_code == 302
        assert AuditEvent.objects.filter(
            customer_id=account.pk, object_type="team.accountteammember"
        ).exists()
    else:
        assert r.status_code == 403


def test_add_member_with_htmx_returns_the_panel(client_for, account, ana, felipe):
    r = client_for(ana).post(
        reverse("team:member_add", args=[account.pk]),
        {
            "add-user": felipe.pk,
            "add-role": TeamRole.SPONSOR,
            "add-responsibility": "",
        },
        HTTP_HX_REQUEST="true",
    )
    assert r.status_code == 200
    assert b"Felipe Finance" in r.content
    assert b"No executive sponsor" not in r.content


def test_cannot_add_the_owner_or_twice(client_for, account, ana, member):
    c = client_for(ana)
    r = c.post(
        reverse("team:member_add", args=[account.pk]), {"add-user": member.pk, "add-role": "member"}
    )
    assert r.status_code == 400
    assert AccountTeamMember.objects.filter(customer=account, user=member).count() == 1


def test_change_role_and_remove(client_for, account, ana, member):
    m = AccountTeamMember.objects.get(customer=account, user=member)
    c = client_for(ana)
    c.post(
        reverse("team:member_update", args=[account.pk, m.pk]),
        {"role": "sponsor", "responsibility": "Opens doors", "version": m.version},
    )
    m.refresh_from_db()
    assert (m.role, m.responsibility) == ("sponsor", "Opens doors")
    c.post(reverse("team:member_remove", args=[account.pk, m.pk]))
    assert not AccountTeamMember.objects.filter(pk=m.pk).exists()


def test_member_of_one_account_cannot_touch_another_accounts_team(
    client_for, account, other_account, bruno
):
    stranger = AccountTeamMember.objects.create(
        customer=other_account, user=UserFactory(role=Role.MEMBER)
    )
    m = AccountTeamMember.objects.get(customer=account)
    # A team row reached through the wrong customer is a 404.
    r = client_for(bruno).post(reverse("team:member_remove", args=[other_account.pk, m.pk]))
    assert r.status_code == 404
    r = client_for(UserFactory(role=Role.VIEWER)).post(
        reverse("team:member_remove", args=[other_account.pk, stranger.pk])
    )
    assert r.status_code == 403


@pytest.mark.parametrize(
    "who,ok",
    [
        ("director", True),
        ("admin", True),
        ("ana", True),
        ("member", False),
        ("bruno", False),
        ("viewer", False),
    ],
)
def test_who_may_change_the_owner(request, client_for, account, ana, bruno, who, ok):
    user = request.getfixturevalue(who)
    r = client_for(user).post(
        reverse("team:owner_change", args=[account.pk]),
        {"owner-new_owner": bruno.pk, "owner-reason": "Ana moves to the north region"},
    )
    account.refresh_from_db()
    assert (account.owner_id == bruno.pk) is ok
    if ok:
        oc = OwnershipChange.objects.get(customer=account)
        assert oc.previous_owner == ana and oc.new_owner == bruno and oc.audit_event_id
    else:
        assert r.status_code in (403, 404)


def test_owner_history_reads_the_audit_trail_once(client_for, account, director, ana, bruno):
    from kamp.customers.actions import do_set_owner
    from kamp.team.actions import do_change_owner
    from kamp.team.ownership import changes_by_customer

    do_change_owner(director, account, bruno, reason="rotation")
    do_set_owner(director, account, ana)  # an owner change written without the history
    changes = changes_by_customer([account.pk])[account.pk]
    assert [(c.previous, c.new) for c in changes] == [
        (str(ana), str(bruno)),
        (str(bruno), str(ana)),
    ]
    r = client_for(director).get(reverse("team:panel", args=[account.pk]))
    assert b"rotation" in r.content


def test_turnover_alert_and_no_sponsor_alert(account, director, bruno, ana):
    from kamp.customers.models import Customer
    from kamp.team.alerts import alerts

    today = datetime.date.today()
    OwnershipChangeFactory(
        customer=account,
        previous_owner=ana,
        new_owner=bruno,
        changed_on=today - datetime.timedelta(days=400),
    )
    OwnershipChangeFactory(
        customer=account,
        previous_owner=bruno,
        new_owner=ana,
        changed_on=today - datetime.timedelta(days=30),
    )
    kinds = {a.kind for a in alerts(Customer.objects.all(), today)}
    assert {"kam_turnover", "no_sponsor"} <= kinds


def test_overload_and_salesperson_only_alerts(db, ana):
    from kamp.customers.models import Customer, CustomerStatus
    from kamp.team.alerts import alerts

    for i in range(5):
        CustomerFactory(name=f"K{i}", status=CustomerStatus.KEY_ACCOUNT, owner=ana)
    HatAssessmentFactory(kam=ana, salesperson=5, conductor=1, strategist=2, innovator=1)
    kinds = [a.kind for a in alerts(Customer.objects.all(), datetime.date.today())]
    assert kinds.count("kam_overloaded") == 1 and kinds.count("salesperson_only") == 1


def test_team_alerts_constant_queries(db, django_assert_max_num_queries, director):
    from kamp.customers.models import Customer, CustomerStatus
    from kamp.team.alerts import alerts

    def make(n):
        for _ in range(n):
            kam = UserFactory(role=Role.KAM)
            c = CustomerFactory(status=CustomerStatus.KEY_ACCOUNT, owner=kam)
            OwnershipChangeFactory(customer=c, new_owner=kam)
            HatAssessmentFactory(kam=kam)

    make(2)
    with django_assert_max_num_queries(8):
        alerts(Customer.objects.all(), datetime.date.today())
    make(10)
    with django_assert_max_num_queries(8):
        alerts(Customer.objects.all(), datetime.date.today())


# --- KAM profiles ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "who,status",
    [
        ("admin", 200),
        ("director", 200),
        ("ana", 200),
        ("bruno", 404),
        ("member", 404),
        ("viewer", 404),
    ],
)
def test_who_sees_anas_profile(request, client_for, account, ana, who, status):
    HatAssessmentFactory(kam=ana, notes="secret self notes")
    user = request.getfixturevalue(who)
    r = client_for(user).get(reverse("team:kam", args=[ana.pk]))
    assert r.status_code == status
    if status == 404:
        assert b"secret self notes" not in r.content


def test_a_kam_never_sees_another_kams_assessment(client_for, ana, bruno):
    HatAssessmentFactory(kam=bruno, notes="bruno private")
    c = client_for(ana)
    assert c.get(reverse("team:kam", args=[bruno.pk])).status_code == 404
    assert c.get(reverse("team:kam_assess", args=[bruno.pk]) + "?source=self").status_code == 404
    r = c.get(reverse("team:kams"))
    assert r.status_code == 302 and r["Location"].endswith(reverse("team:kam", args=[ana.pk]))


@pytest.mark.parametrize(
    "who,status", [("director", 200), ("admin", 200), ("member", 403), ("viewer", 403)]
)
def test_kam_list(request, client_for, account, ana, who, status):
    r = client_for(request.getfixturevalue(who)).get(reverse("team:kams"))
    assert r.status_code == status
    if status == 200:
        assert b"Ana KAM" in r.content


def test_self_and_director_assessments_are_both_kept(client_for, ana, director):
    data = {"salesperson": 5, "conductor": 2, "strategist": 2, "innovator": 1, "notes": "n"}
    r = client_for(ana).post(
        reverse("team:kam_assess", args=[ana.pk]) + "?source=self", {**data, "source": "self"}
    )
    assert r.status_code == 302
    # A KAM cannot give the director's assessment of themself.
    r = client_for(ana).post(
        reverse("team:kam_assess", args=[ana.pk]), {**data, "source": "director"}
    )
    assert r.status_code == 403
    r = client_for(director).post(
        reverse("team:kam_assess", args=[ana.pk]), {**data, "source": "director", "conductor": 4}
    )
    assert r.status_code == 302
    assert set(HatAssessment.objects.filter(kam=ana).values_list("source", flat=True)) == {
        "self",
        "director",
    }
    # The director cannot fill in the KAM's self-assessment.
    r = client_for(director).post(
        reverse("team:kam_assess", args=[ana.pk]), {**data, "source": "self"}
    )
    assert r.status_code == 403
    page = client_for(ana).get(reverse("team:kam", args=[ana.pk])).content.decode()
    assert "radar-data" in page


def test_assessment_form_shows_the_anchors(client_for, ana):
    r = client_for(ana).get(reverse("team:kam_assess", args=[ana.pk]) + "?source=self")
    assert r.status_code == 200
    assert "Takes orders when the customer calls" in r.content.decode()


def test_salesperson_only_flag_on_profile(client_for, account, ana, director):
    HatAssessmentFactory(
        kam=ana,
        source="director",
        assessor=director,
        salesperson=5,
        conductor=1,
        strategist=2,
        innovator=1,
    )
    r = client_for(director).get(reverse("team:kam", args=[ana.pk]))
    assert b"Only the salesperson hat." in r.content
    r = client_for(director).get(reverse("team:kams"))
    assert b"salesperson only" in r.content
