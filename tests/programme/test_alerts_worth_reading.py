"""Alerts a director can trust: one per cause per account, rolled up with its signs, each with a
severity and the value at stake, ranked by severity × value; the cap once, on the programme;
a key account without a KAM; snoozing and dismissing keep a reason; few alerts on the demo."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from kamp.core.alerts import Alert, collect, rank, roll_up
from kamp.customers.models import Customer, CustomerStatus
from kamp.programme import inbox
from kamp.programme.models import AlertDismissal
from tests.factories import CustomerFactory, SalesLineFactory, TeamMemberFactory

pytestmark = pytest.mark.django_db


def _team(alerts, customer):
    return [a for a in alerts if a.customer_id == customer.pk and a.area == "team"]


def sign(kind, severity="warning", customer_id=1, cause="coverage", message=None):
    return Alert(
        "interactions",
        kind,
        severity,
        message or f"{kind} message",
        customer_id=customer_id,
        customer_name="X",
        cause=cause,
    )


# --- one alert per cause per account ------------------------------------------------------------


def test_the_signs_of_one_cause_on_one_account_roll_up_into_one_alert():
    found = roll_up(
        [
            sign("not_met"),
            sign("single_threaded", "danger"),
            sign("dmu_gap"),
            sign("not_met", customer_id=2),
            sign("perception_gap", cause="relationship"),
        ]
    )
    assert len(found) == 3
    one = next(a for a in found if a.customer_id == 1 and a.cause == "coverage")
    # The most severe sign speaks; every sign is listed under it.
    assert one.kind == "single_threaded" and one.severity == "danger"
    assert one.signs[0] == "single_threaded message" and len(one.signs) == 3
    assert one.message == "single_threaded message (and 2 more signs)"


def test_roll_up_wording_counts_in_the_readers_language():
    two = roll_up([sign("a", "danger"), sign("b")])[0]
    assert two.message.endswith("(and 1 more sign)")
    with translation.override("es"):
        three = roll_up([sign("a", "danger"), sign("b"), sign("c")])[0]
        two = roll_up([sign("a", "danger"), sign("b")])[0]
    assert three.message.endswith("(y 2 señales más)")
    assert two.message.endswith("(y 1 señal más)")
    assert roll_up([sign("a")])[0].message == "a message"  # alone: nothing added


def test_an_account_raises_one_alert_per_cause(director, bruno):
    # No KAM and no sponsor: two signs of one cause (who looks after the account).
    orphan = CustomerFactory(name="Orphan SA", status=CustomerStatus.KEY_ACCOUNT, owner=None)
    found = collect(Customer.objects.all(), timezone.localdate(), user=director)
    keys = [(a.customer_id, a.area, a.cause_key) for a in found]
    assert len(keys) == len(set(keys))
    team = _team(found, orphan)
    assert len(team) == 1 and len(team[0].signs) == 2 and team[0].kind == "no_kam"


# --- key account without a KAM ------------------------------------------------------------------


def test_key_account_without_a_kam_is_an_alert(director, bruno):
    orphan = CustomerFactory(name="Orphan SA", status=CustomerStatus.KEY_ACCOUNT, owner=None)
    TeamMemberFactory(customer=orphan, user=director, role="sponsor")
    left = CustomerFactory(name="Left SA", status=CustomerStatus.KEY_ACCOUNT, owner=bruno)
    TeamMemberFactory(customer=left, user=director, role="sponsor")
    candidate = CustomerFactory(name="Nobody's candidate", status=CustomerStatus.CANDIDATE)
    bruno.is_active = False
    bruno.save()
    found = collect(Customer.objects.all(), timezone.localdate(), user=director)
    (alert,) = _team(found, orphan)
    assert alert.kind == "no_kam" and alert.severity == "danger" and "No KAM" in alert.message
    (gone,) = _team(found, left)
    assert gone.kind == "no_kam" and "Bruno" in gone.message  # owned by someone who left
    assert not _team(found, candidate)  # a candidate needs no KAM yet


# --- scope: key accounts and candidates ---------------------------------------------------------


def test_former_and_unmanaged_customers_raise_nothing(director):
    former = CustomerFactory(name="Forestal", status=CustomerStatus.FORMER, owner=None)
    plain = CustomerFactory(name="Plain customer", status=CustomerStatus.CANDIDATE)
    found = collect(Customer.objects.all(), timezone.localdate(), user=director)
    assert not [a for a in found if a.customer_id == former.pk]
    # An unselected candidate: no DMU, plan, team or relationship alert about it.
    assert not [a for a in found if a.customer_id == plain.pk]


# --- the cap: once, on the programme ------------------------------------------------------------


@pytest.fixture
def over_cap(account, other_account):
    for i in range(10):  # 12 key accounts, cap 10
        CustomerFactory(name=f"Key {i:02d}", status=CustomerStatus.KEY_ACCOUNT)


def test_the_cap_appears_once_on_the_programme_and_never_on_an_account(
    client_for, director, ana, member, account, over_cap
):
    today = timezone.localdate()
    open_, _gone = inbox.alerts_for(director, today)
    assert [a.kind for a in open_].count("beyond_cap") == 1
    cap = next(a for a in open_ if a.kind == "beyond_cap")
    assert cap.customer_id is None and "12 key accounts" in cap.message
    inbox_html = client_for(director).get(reverse("programme:alerts")).content.decode()
    assert inbox_html.count("beyond the cap of 10") == 1
    page = client_for(director).get(reverse("customers:detail", args=[account.pk]))
    assert "beyond the cap" not in page.content.decode()
    assert not any(a.kind == "beyond_cap" for a in page.context["alerts"])
    for person in (ana, member):
        home = client_for(person).get(reverse("home")).content.decode()
        assert "beyond the cap" not in home
        # No gauge counting the reader's own accounts against the programme's cap.
        assert "of at most 10" not in home
    open_, _gone = inbox.alerts_for(ana, today)
    assert not any(a.kind == "beyond_cap" for a in open_)


# --- ranking: severity × value at stake ---------------------------------------------------------


def test_rank_is_severity_times_value_at_stake():
    def at(severity, value, name):
        return Alert(
            "team",
            "x",
            severity,
            "m",
            customer_id=hash(name) % 1000 + 1,
            customer_name=name,
            value_at_stake=Decimal(value),
            value_visible=True,
        )

    ranked = rank(
        [
            at("danger", 1_000, "Small danger"),
            at("warning", 1_000_000, "Big warning"),
            at("info", 1_000_000, "Big info"),
            at("danger", 1_000_000, "Big danger"),
        ]
    )
    assert [a.customer_name for a in ranked] == [
        "Big danger",  # 3 000 000
        "Big warning",  # 2 000 000
        "Big info",  # 1 000 000
        "Small danger",  # 3 000
    ]


def test_inbox_ranks_by_value_at_stake_the_director_may_see(director, member, ana, bruno):
    big = CustomerFactory(name="Big SA", status=CustomerStatus.KEY_ACCOUNT, owner=ana)
    small = CustomerFactory(name="Small SA", status=CustomerStatus.KEY_ACCOUNT, owner=None)
    SalesLineFactory(customer=big, net_amount=Decimal("5000000"), cost=Decimal("1000"))
    SalesLineFactory(customer=small, net_amount=Decimal("1000"), cost=Decimal("100"))
    open_, _gone = inbox.alerts_for(director, timezone.localdate())
    team = [a for a in open_ if a.area == "team"]
    # Big SA: no sponsor (a warning) on 5 000 000 outranks Small SA: no KAM (danger) on 1 000.
    assert [a.customer_name for a in team] == ["Big SA", "Small SA"]
    assert team[0].value_at_stake == Decimal("5000000") and team[0].value_visible
    assert team[0].score > team[1].score
    # A member may not see money: the value is neither shown nor used to rank for them.
    TeamMemberFactory(customer=big, user=member)
    mine = collect(Customer.objects.filter(pk=big.pk), timezone.localdate(), user=member)
    assert mine and not any(a.value_visible for a in mine) and all(a.score == 0 for a in mine)


def test_inbox_page_shows_cause_and_value_at_stake_in_rank_order(client_for, director, ana):
    big = CustomerFactory(name="Big SA", status=CustomerStatus.KEY_ACCOUNT, owner=ana)
    small = CustomerFactory(name="Small SA", status=CustomerStatus.KEY_ACCOUNT, owner=None)
    SalesLineFactory(customer=big, net_amount=Decimal("5000000"))
    SalesLineFactory(customer=small, net_amount=Decimal("1000"))
    html = client_for(director).get(reverse("programme:alerts")).content.decode()
    assert html.index("Big SA") < html.index("Small SA")
    assert "Who looks after the account" in html and "at stake:" in html
    api = client_for(director).get("/api/v1/programme/alerts").json()["open"]
    first = next(a for a in api if a["customer_name"] == "Big SA" and a["cause"] == "team")
    assert Decimal(first["value_at_stake"]) == Decimal("5000000") and first["signs"]


# --- snoozing and dismissing keep a reason ------------------------------------------------------


def test_snooze_keeps_the_reason_and_ends_on_its_day(client_for, director, account):
    c = client_for(director)
    key = f"team:team:{account.pk}:"
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    r = c.post(
        reverse("programme:alert_dismiss"),
        {"key": key, "reason": "Sponsor named next week", "until": tomorrow.isoformat()},
    )
    assert r.status_code == 302
    d = AlertDismissal.objects.get(key=key)
    assert d.reason == "Sponsor named next week" and d.until == tomorrow
    assert d.cause == "Who looks after the account"
    open_, gone = inbox.alerts_for(director, timezone.localdate())
    assert key not in {a.key for a in open_} and key in {a.key for a, _d in gone}
    # The day after the snooze, the alert is back.
    open_, _gone = inbox.alerts_for(director, tomorrow + datetime.timedelta(days=1))
    assert key in {a.key for a in open_}
    assert "Sponsor named next week" in c.get(reverse("programme:alert_history")).content.decode()


def test_a_snooze_must_end_after_today_and_a_dismissal_needs_a_reason(
    client_for, director, account
):
    c = client_for(director)
    key = f"team:team:{account.pk}:"
    today = timezone.localdate()
    r = c.post(
        reverse("programme:alert_dismiss"),
        {"key": key, "reason": "later", "until": today.isoformat()},
        HTTP_HX_REQUEST="true",
    )
    assert r.status_code == 422 and "after today" in r.content.decode()
    r = c.post(reverse("programme:alert_dismiss"), {"key": key, "reason": "  "})
    assert r.status_code == 302
    r = c.post(
        "/api/v1/programme/alerts/dismiss",
        {"key": key, "reason": "later", "until": today.isoformat()},
        content_type="application/json",
    )
    assert r.status_code == 422 and "after today" in r.json()["detail"]
    assert not AlertDismissal.objects.exists()  # nothing stored without a reason and a future day
    r = c.post(reverse("programme:alert_dismiss"), {"key": key, "reason": "Accepted: CEO decides"})
    d = AlertDismissal.objects.get(key=key)
    assert d.until is None and d.reason == "Accepted: CEO decides"


def test_the_action_refuses_a_blank_reason(director, account):
    from kamp.programme.actions import do_dismiss_alert

    (alert,) = _team(collect(Customer.objects.all(), timezone.localdate()), account)
    with pytest.raises(ValueError):
        do_dismiss_alert(director, alert, "   ")
    assert not AlertDismissal.objects.exists()


# --- the untouched demo -------------------------------------------------------------------------


def test_demo_key_accounts_average_at_most_three_open_alerts(db):
    from kamp.core import demo
    from kamp.core.models import User

    today = datetime.date(2026, 11, 28)
    ctx = demo.load(today=today, log=lambda *_: None)
    director = User.objects.get(pk=ctx.users["director"].pk)
    open_, _gone = inbox.alerts_for(director, today)
    keys = set(
        Customer.objects.filter(status=CustomerStatus.KEY_ACCOUNT).values_list("pk", flat=True)
    )
    assert len(open_) / len(keys) <= 3  # every open alert, the programme's included
    per_account = [(a.customer_id, a.area, a.cause_key) for a in open_ if a.customer_id]
    assert len(per_account) == len(set(per_account))  # one per cause per account
    assert all(a.customer_id in keys for a in open_ if a.customer_id)
    # What a director acts on is there: CS's high risks, Minera's champion who left.
    causes = {(a.customer_name, a.cause_key) for a in open_}
    assert ("Constructora CS", "plan") in causes
    assert ("Minera Altos del Norte", "coverage") in causes


def test_an_alert_about_the_kam_stays_off_the_account_page(client_for, director, ana, account):
    from tests.team.factories import HatAssessmentFactory

    HatAssessmentFactory(
        kam=ana, source="director", assessor=director, salesperson=5, conductor=1, strategist=1
    )
    open_, _gone = inbox.alerts_for(director, timezone.localdate())
    assert any(a.cause_key == "kam" and a.data.get("kam_id") == ana.pk for a in open_)
    page = client_for(director).get(reverse("customers:detail", args=[account.pk]))
    assert page.context["alerts"] and all(
        a.customer_id == account.pk for a in page.context["alerts"]
    )
    assert "salesperson hat" not in page.content.decode()
    # Ana reads it on her own home, once.
    assert client_for(ana).get(reverse("home")).content.decode().count("salesperson hat") == 1


def test_a_new_sign_reopens_a_dismissed_cause(client_for, director, account):
    from kamp.programme.actions import do_dismiss_alert

    today = timezone.localdate()
    (alert,) = _team(collect(Customer.objects.all(), today), account)
    assert alert.kinds == {"no_sponsor"}
    do_dismiss_alert(director, alert, "The CEO sponsors it informally")
    open_, gone = inbox.alerts_for(director, today)
    assert alert.key not in {a.key for a in open_}
    # The KAM leaves: the same cause (who looks after the account) has a new, worse sign.
    account.owner = None
    account.save()
    open_, gone = inbox.alerts_for(director, today)
    (back,) = [a for a in open_ if a.key == alert.key]
    assert back.severity == "danger" and back.kinds == {"no_kam", "no_sponsor"}


def test_the_inbox_is_a_bounded_ranked_list_in_pages(client_for, director, ana, monkeypatch):
    from kamp.programme import views

    monkeypatch.setattr(views, "INBOX_PAGE_SIZE", 2)
    for i in range(3):
        c = CustomerFactory(name=f"Key {i}", status=CustomerStatus.KEY_ACCOUNT, owner=ana)
        SalesLineFactory(customer=c, net_amount=Decimal(10 ** (6 - i)))
    ranked, _gone = inbox.alerts_for(director, timezone.localdate())
    client = client_for(director)
    first = client.get(reverse("programme:alerts") + "?area=team")
    assert [a.key for a in first.context["alerts"]] == [a.key for a in ranked if a.area == "team"][
        :2
    ]
    assert "Page 1 of 2" in first.content.decode() and "page=2" in first.content.decode()
    second = client.get(reverse("programme:alerts") + "?area=team&page=2")
    assert [a.customer_name for a in second.context["alerts"]] == ["Key 2"]
    # A page that is no number, or past the end, is a page of the list, never an error.
    for bad in ("²", "99", "-1", "x"):
        assert client.get(reverse("programme:alerts") + f"?page={bad}").status_code == 200


def test_an_areas_visibility_rule_hides_only_its_own_alerts(director, admin):
    """The stored inbox hands each area's ``visible_to`` every alert: the mailbox's admin-only
    rule must leave the director's account alerts in place (it once emptied the inbox)."""
    from kamp.mailcapture import alerts as mail

    team = sign("no_sponsor", cause="team")
    box = Alert("mailcapture", "mailbox_failing", "warning", "m", subject="mailbox")
    assert mail.visible_to(director, [team, box]) == [team]
    assert mail.visible_to(admin, [team, box]) == [team, box]
