"""Bids, debriefs, contracts and followed champions: the actions, the Bids tab, the programme
page, the API and ``kamp pipeline --json`` — with the money rule on each."""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from kamp.core.models import AuditEvent
from kamp.customers.models import Attitude, Contact, Customer, CustomerStatus
from kamp.pipeline import actions
from kamp.pipeline.models import Bid, FollowedContact
from kamp.plans.models import AccountPlan
from kamp.relationships.models import Foundations
from tests.factories import ContactFactory, CustomerFactory, TeamMemberFactory

DEBRIEF = {
    "stage": "lost",
    "reasons": ["price", "relationship"],
    "debrief_note": "A bigger firm won on price.",
    "learnt_needs": "Continuous cash-flow advice for public works.",
    "learnt_buying": "Purchasing shortlists, finance scores 60/40, the CEO decides.",
    "learnt_culture": "Engineers who trust people they know.",
    "learnt_people": "María González; CFO; decider\nJorge Pérez; Purchasing; buyer",
}


@pytest.fixture
def candidate(db, ana, member):
    c = CustomerFactory(name="Constructora Nueva", owner=ana, currency="CLP")
    TeamMemberFactory(customer=c, user=member)
    return c


def test_new_bid_takes_the_stage_probability_and_the_customer_currency(ana, candidate):
    bid = actions.do_save_bid(ana, candidate, title="Tender", stage="proposal", value="1000000")
    assert (bid.probability, bid.currency, bid.value) == (50, "CLP", Decimal(1000000))
    bid = actions.do_save_bid(ana, candidate, bid, stage="negotiation")
    assert bid.probability == 75
    bid = actions.do_save_bid(ana, candidate, bid, stage="lost", probability=None)
    assert bid.probability == 0 and bid.closed_on == timezone.localdate()
    assert AuditEvent.objects.filter(object_type="pipeline.bid", money=True).count() == 3


def test_money_rules_on_bids(member, ana, candidate):
    with pytest.raises(PermissionDenied):
        actions.do_save_bid(member, candidate, title="Tender", value="100")
    # A member on the team records the bid without amounts.
    bid = actions.do_save_bid(member, candidate, title="Tender")
    assert bid.value is None
    with pytest.raises(ValidationError) as exc:
        actions.do_save_bid(ana, candidate, bid, value="100.5", currency="CLP")
    assert "CLP" in str(exc.value)
    with pytest.raises(ValidationError):
        actions.do_save_bid(ana, candidate, bid, reasons=["luck"])
    with pytest.raises(ValidationError) as exc:
        actions.do_save_bid(ana, candidate, bid, learnt_people="A; B; boss")
    assert "boss" in str(exc.value)


def test_lost_bid_seeds_the_candidate(ana, candidate):
    ContactFactory(customer=candidate, name="Jorge Pérez")
    bid = actions.do_save_bid(ana, candidate, title="Tender 2023", **DEBRIEF)
    done = actions.do_seed_candidate(ana, bid)
    candidate.refresh_from_db()
    assert candidate.status == CustomerStatus.CANDIDATE
    f = Foundations.objects.get(customer=candidate)
    assert f.checks["buying_process"] and f.checks["business_understood"]
    assert "Engineers who trust people they know." in f.note
    assert AccountPlan.objects.get(customer=candidate).business_and_goals == DEBRIEF["learnt_needs"]
    # Jorge was a contact already: only María is added, with her DMU role.
    assert [c.name for c in done["contacts"]] == ["María González"]
    maria = Contact.objects.get(customer=candidate, name="María González")
    assert maria.dmu_roles == ["decider"] and maria.title == "CFO"
    bid.refresh_from_db()
    assert bid.seeded_on == timezone.localdate()
    assert AuditEvent.objects.filter(object_type="pipeline.bid", action="other").exists()
    with pytest.raises(ValidationError):
        actions.do_seed_candidate(ana, bid)


def test_seed_is_refused_for_an_open_bid_a_key_account_and_a_reader(
    ana, viewer, candidate, account
):
    open_bid = actions.do_save_bid(ana, candidate, title="Open")
    with pytest.raises(ValidationError):
        actions.do_seed_candidate(ana, open_bid)
    key_bid = actions.do_save_bid(ana, account, title="Lost", stage="lost")
    with pytest.raises(ValidationError) as exc:
        actions.do_seed_candidate(ana, key_bid)
    assert "already a key account" in str(exc.value)
    lost = actions.do_save_bid(ana, candidate, title="Lost", stage="lost")
    with pytest.raises(PermissionDenied):
        actions.do_seed_candidate(viewer, lost)
    assert not Foundations.objects.exists()


def test_a_departed_champion_is_followed_to_a_new_candidate(ana, account):
    champion = ContactFactory(
        customer=account, name="Andrés Silva", attitude=Attitude.CHAMPION, active=False
    )
    link = actions.do_follow_contact(ana, champion, company_name="Inmobiliaria Sur", title="CEO")
    new_customer = link.new.customer
    assert new_customer.name == "Inmobiliaria Sur"
    assert new_customer.status == CustomerStatus.CANDIDATE and new_customer.owner == ana
    assert (link.new.name, link.new.title, link.former) == ("Andrés Silva", "CEO", champion)
    with pytest.raises(ValidationError):
        actions.do_follow_contact(ana, champion, company_name="Again")


def test_only_a_departed_champion_is_followed(ana, account, other_account, member):
    still_there = ContactFactory(customer=account, attitude=Attitude.CHAMPION)
    with pytest.raises(ValidationError):
        actions.do_follow_contact(ana, still_there, company_name="X")
    neutral = ContactFactory(customer=account, active=False)
    with pytest.raises(ValidationError):
        actions.do_follow_contact(ana, neutral, company_name="X")
    gone = ContactFactory(customer=account, active=False, dmu_roles=["champion"])
    # To a customer one may not edit, or a new customer by a member: refused.
    with pytest.raises(PermissionDenied):
        actions.do_follow_contact(ana, gone, customer=other_account)
    with pytest.raises(PermissionDenied):
        actions.do_follow_contact(member, gone, company_name="X")
    assert not FollowedContact.objects.exists()
    assert not Customer.objects.filter(name="X").exists()


def test_contract_end_before_start_is_refused(ana, account):
    today = timezone.localdate()
    with pytest.raises(ValidationError):
        actions.do_save_contract(
            ana, account, title="C", starts_on=today, ends_on=today - timedelta(days=1)
        )


@pytest.fixture
def pipeline_data(ana, account):
    today = timezone.localdate()
    actions.do_save_bid(ana, account, title="Open tender", stage="proposal", value="4444444")
    actions.do_save_bid(
        ana, account, title="Old tender", value="7777777", **{**DEBRIEF, "stage": "won"}
    )
    actions.do_save_contract(
        ana,
        account,
        title="Framework",
        starts_on=today - timedelta(days=300),
        ends_on=today + timedelta(days=30),
        value="5555555",
    )
    return account


def test_tab_shows_amounts_only_to_who_sees_economics(client_for, ana, member, pipeline_data):
    url = reverse("pipeline:customer_tab", args=[pipeline_data.pk])
    page = client_for(ana).get(url).content.decode()
    assert "Open tender" in page and ("4.444.444" in page or "4,444,444" in page)
    assert "2.222.222" in page or "2,222,222" in page  # weighted at 50 %
    assert "renewal due" in page
    page = client_for(member).get(url).content.decode()
    assert "Open tender" in page and "Why we won" in page
    for secret in ("4444444", "4.444.444", "4,444,444", "5.555.555", "5,555,555", "2.222.222"):
        assert secret not in page
    form = client_for(member).get(reverse("pipeline:bid_create", args=[pipeline_data.pk]))
    assert 'name="value"' not in form.content.decode()


def test_seed_through_the_page(client_for, ana, candidate):
    bid = actions.do_save_bid(ana, candidate, title="Tender 2023", **DEBRIEF)
    c = client_for(ana)
    tab = c.get(reverse("pipeline:customer_tab", args=[candidate.pk])).content.decode()
    assert reverse("pipeline:bid_seed", args=[bid.pk]) in tab
    r = c.post(reverse("pipeline:bid_seed", args=[bid.pk]), follow=True)
    assert "seeded from the debrief" in r.content.decode()
    assert Contact.objects.filter(customer=candidate, name="María González").exists()


def test_bid_form_keeps_what_was_typed_on_an_error(client_for, ana, candidate):
    r = client_for(ana).post(
        reverse("pipeline:bid_create", args=[candidate.pk]),
        {"title": "Tender", "stage": "lost", "value": "10.5", "learnt_people": "A; B; boss"},
    )
    assert r.status_code == 400
    page = r.content.decode()
    assert "boss" in page and "Tender" in page
    assert not Bid.objects.exists()


def test_programme_page_hides_amounts_of_others(client_for, bruno, director, pipeline_data):
    page = client_for(bruno).get(reverse("pipeline:programme")).content.decode()
    assert "4444444" not in page and "4.444.444" not in page and "4,444,444" not in page
    page = client_for(director).get(reverse("pipeline:programme")).content.decode()
    assert "Open tender" in page and ("2.222.222" in page or "2,222,222" in page)
    assert "Framework" in page


def test_api_bids_and_summary(client_for, ana, member, pipeline_data):
    url = f"/api/v1/pipeline/customers/{pipeline_data.pk}/bids"
    rows = client_for(ana).get(url).json()
    assert {r["title"]: r["value"] for r in rows}["Open tender"] in ("4444444", "4444444.0000")
    assert rows[0]["customer"]["tax_id"] == pipeline_data.tax_id
    rows = client_for(member).get(url).json()
    assert all(r["value"] is None and r["weighted_value"] is None for r in rows)
    s = client_for(ana).get(f"/api/v1/pipeline/summary?customer_id={pipeline_data.pk}").json()
    assert (
        s["win_rate"] == 100.0
        and Decimal(next(iter(s["pipeline"].values()))["weighted"]) == 2222222
    )
    s = client_for(member).get(f"/api/v1/pipeline/summary?customer_id={pipeline_data.pk}").json()
    assert s["pipeline"] is None
    bad = client_for(ana).post(
        url, {"title": "X", "stage": "maybe"}, content_type="application/json"
    )
    assert bad.status_code == 422


def test_api_seed(client_for, ana, candidate):
    bid = actions.do_save_bid(ana, candidate, title="Tender 2023", **DEBRIEF)
    r = client_for(ana).post(f"/api/v1/pipeline/bids/{bid.pk}/candidate")
    assert r.status_code == 200, r.content
    assert r.json()["status"] == "candidate" and r.json()["contacts_added"] == [
        "María González",
        "Jorge Pérez",
    ]
    again = client_for(ana).post(f"/api/v1/pipeline/bids/{bid.pk}/candidate")
    assert again.status_code == 422


def test_cli_json(ana, pipeline_data):
    out = StringIO()
    call_command("pipeline", "--json", "--customer", pipeline_data.tax_id, stdout=out)
    data = json.loads(out.getvalue())
    row = data["customers"][0]
    assert row["customer"]["id"] == pipeline_data.pk
    assert row["summary"]["win_rate"] == 100.0
    assert Decimal(next(iter(row["summary"]["pipeline"].values()))["weighted"]) == 2222222
    assert [r["title"] for r in data["renewals"]] == ["Framework"]
    # As of yesterday the won bid had not closed yet.
    out = StringIO()
    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
    call_command("pipeline", "--json", "--as-of", yesterday, stdout=out)
    assert json.loads(out.getvalue())["programme"]["won"] == 0


def test_renewal_and_champion_alerts(ana, pipeline_data):
    from kamp.pipeline.alerts import alerts

    ContactFactory(customer=pipeline_data, name="Andrés", attitude=Attitude.CHAMPION, active=False)
    found = alerts(Customer.objects.filter(pk=pipeline_data.pk), timezone.localdate())
    assert sorted(a.kind for a in found) == ["champion_left", "renewal_due"]
    assert all(a.customer_id == pipeline_data.pk for a in found)
    # Every reader of the account may open where the alert leads (no dead link for a viewer).
    tab = reverse("pipeline:customer_tab", args=[pipeline_data.pk])
    assert all(a.url.startswith(tab) for a in found)


def test_follow_a_departed_champion_through_the_page(client_for, ana, account):
    champion = ContactFactory(
        customer=account, name="Andrés Silva", attitude=Attitude.CHAMPION, active=False
    )
    c = client_for(ana)
    tab = c.get(reverse("pipeline:customer_tab", args=[account.pk])).content.decode()
    assert reverse("pipeline:follow", args=[champion.pk]) in tab
    empty = c.post(reverse("pipeline:follow", args=[champion.pk]), {})
    assert empty.status_code == 400 and "Choose their new company" in empty.content.decode()
    r = c.post(
        reverse("pipeline:follow", args=[champion.pk]),
        {"company_name": "Inmobiliaria Sur", "title": "Gerente General"},
        follow=True,
    )
    page = r.content.decode()
    assert "Andrés Silva was a champion at Constructora CS." in page
    new = Customer.objects.get(name="Inmobiliaria Sur")
    assert Contact.objects.get(customer=new).title == "Gerente General"
    tab = c.get(reverse("pipeline:customer_tab", args=[account.pk])).content.decode()
    assert "was followed to Inmobiliaria Sur" in tab
    assert reverse("pipeline:follow", args=[champion.pk]) not in tab


def test_spanish_tab_speaks_spanish(client_for, ana, pipeline_data):
    c = client_for(ana)
    c.cookies["django_language"] = "es"
    page = c.get(
        reverse("pipeline:customer_tab", args=[pipeline_data.pk]), HTTP_ACCEPT_LANGUAGE="es"
    ).content.decode()
    for spanish in (
        "Licitaciones abiertas",
        "Cartera ponderada",
        "Por qué ganamos",
        "Propuesta",
        "Una renovación se avisa 90 días antes",
    ):
        assert spanish in page
    for english in ("Open bids", "Weighted pipeline", "Why we won", "renewal due", "flagged"):
        assert english not in page
    # The won bid closed today: its quarter is written as a Spanish reader writes it (T4 2026),
    # not as the code the figures group by (2026-Q4).
    today = timezone.localdate()
    q = (today.month - 1) // 3 + 1
    assert f"T{q} {today.year}" in page and f"{today.year}-Q{q}" not in page


def test_cli_counts_a_bid_entered_in_the_evening_on_its_own_day(ana, account):
    """--as-of is the company's day: a bid entered at 22:30 in Santiago (01:30 UTC the next
    day) is in that day's report."""
    import datetime

    from kamp.pipeline.models import Bid

    day = timezone.localdate() - timedelta(days=3)
    evening = datetime.datetime.combine(day, datetime.time(22, 30), timezone.get_current_timezone())
    assert evening.astimezone(datetime.UTC).date() > day
    bid = actions.do_save_bid(ana, account, title="Evening tender", stage="proposal", value="100")
    Bid.objects.filter(pk=bid.pk).update(created_at=evening)
    out = StringIO()
    call_command("pipeline", "--json", "--as-of", day.isoformat(), stdout=out)
    data = json.loads(out.getvalue())
    assert [b["title"] for row in data["customers"] for b in row["bids"]] == ["Evening tender"]
    out = StringIO()
    call_command("pipeline", "--json", "--as-of", (day - timedelta(days=1)).isoformat(), stdout=out)
    assert json.loads(out.getvalue())["customers"] == []
