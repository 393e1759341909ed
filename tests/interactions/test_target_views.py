"""The target interaction form through the Interactions tab, the API, the CLI and the alerts:
set it (writers only, audited), see the suggestion follow the counted round's trust, progress
toward the target, the next pair, and an account falling back as an alert."""

import datetime
import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from kamp.core.models import AuditEvent
from kamp.customers.models import Customer
from kamp.interactions import alerts as interaction_alerts
from kamp.interactions.models import TargetForm
from kamp.interactions.targets import period_end_before
from kamp.relationships import actions as survey
from tests.relationships.conftest import answer_and_close, counting_with

from .factories import log

API = "/api/v1/interactions/customers/{}/target"


def set_target(client, customer, form, pairs=(), note=""):
    data = {"form": form, "note": note, "pair_ours": [], "pair_theirs": []}
    for o, t in pairs:
        data["pair_ours"].append(o)
        data["pair_theirs"].append(t)
    return client.post(reverse("interactions:target", args=[customer.pk]), data)


@pytest.mark.parametrize(
    "person, allowed",
    [("ana", True), ("member", True), ("director", True), ("bruno", False), ("viewer", False)],
)
def test_who_may_set_the_target(request, client_for, account, person, allowed):
    r = set_target(client_for(request.getfixturevalue(person)), account, "B")
    assert r.status_code == (302 if allowed else 403)
    assert TargetForm.objects.filter(customer=account).exists() == allowed


def test_set_on_the_tab_then_shown_with_progress_and_audited(client_for, ana, account, cs_people):
    log(account, [ana], [cs_people["jorge"]])
    log(account, [cs_people["felipe"]], [cs_people["maria"]])
    c = client_for(ana)
    r = set_target(c, account, "mix", [("finance", "finance"), ("management", "management")], "CFO")
    assert r.status_code == 302 and r["Location"].endswith("#target-h")
    t = TargetForm.objects.get(customer=account)
    assert (t.form, t.pairs, t.note) == (
        "mix",
        [["finance", "finance"], ["management", "management"]],
        "CFO",
    )
    assert AuditEvent.objects.filter(action="create", object_type__icontains="target").exists()
    page = c.get(reverse("interactions:customer_tab", args=[account.pk])).content.decode()
    assert 'data-target-form="mix"' in page
    assert "1 of 2 steps" in page  # finance met, management not yet
    # the next pair: the named management pair, with Andrés, the management contact
    assert "Management ↔ Management</span> · Andrés Silva" in page


def test_the_tab_in_spanish(client_for, ana, account, cs_people):
    c = client_for(ana)
    set_target(c, account, "B")
    c.get(reverse("interactions:customer_tab", args=[account.pk]))  # reads the English flash
    c.cookies["django_language"] = "es"
    page = c.get(
        reverse("interactions:customer_tab", args=[account.pk]), HTTP_ACCEPT_LANGUAGE="es"
    ).content.decode()
    assert "Forma de interacción objetivo" in page and "Siguiente par por abrir" in page
    assert "Target interaction form" not in page and "Next pair to open" not in page


@pytest.mark.parametrize(
    "form, ours, theirs, message",
    [
        ("C", [], [], "Choose A (bow-tie), B (diamond) or a mix."),
        ("mix", [], [], "A mix needs at least one named pair."),
        ("B", ["finance"], [""], "Each named pair needs our function and theirs."),
        ("B", ["finance"], ["astrology"], "Unknown function: astrology."),
    ],
)
def test_bad_input_is_said_and_nothing_saved(client_for, ana, account, form, ours, theirs, message):
    c = client_for(ana)
    r = c.post(
        reverse("interactions:target", args=[account.pk]),
        {"form": form, "pair_ours": ours, "pair_theirs": theirs},
        follow=True,
    )
    assert message in r.content.decode()
    assert not TargetForm.objects.filter(customer=account).exists()


def test_suggestion_follows_the_trust_of_the_counted_round(client_for, ana, member, account):
    c = client_for(ana)
    row = c.get(API.format(account.pk)).json()
    assert (row["suggested_form"], row["suggestion_reason"], row["trust"]) == (
        "A",
        "no_trust",
        None,
    )
    counting_with(1, 0)
    for value, form in [(3, "A"), (6, "B")]:
        rnd = survey.do_start_round(
            ana,
            account,
            closes_on=timezone.localdate() + datetime.timedelta(days=14),
            team_users=[ana, member],
            contacts=[],
        )
        answer_and_close(rnd, ana, value)
        row = c.get(API.format(account.pk)).json()
        assert (row["suggested_form"], row["trust"]) == (form, value)


def test_api_put_and_get(client_for, ana, viewer, account, cs_people):
    c = client_for(ana)
    r = c.put(
        API.format(account.pk),
        {"form": "B", "pairs": [["finance", "finance"]], "note": "diamond"},
        content_type="application/json",
    )
    assert r.status_code == 200, r.content
    row = r.json()
    assert row["form"] == "B" and row["pairs"] == [["finance", "finance"]]
    assert row["progress"] == {"done": 0, "needed": 2, "missing": [["finance", "finance"]]}
    assert row["next_pair"]["ours"] == "finance" and row["next_pair"]["named"] is True
    assert row["next_pair"]["contact_name"] == "María González"
    assert client_for(viewer).get(API.format(account.pk)).json()["form"] == "B"
    r = client_for(viewer).put(
        API.format(account.pk), {"form": "A"}, content_type="application/json"
    )
    assert r.status_code == 403


@pytest.mark.parametrize(
    "payload",
    [{"form": "Z"}, {"form": "B", "pairs": [["finance"]]}, {"form": "mix", "pairs": []}],
)
def test_api_refuses_bad_targets_with_a_message(client_for, ana, account, payload):
    r = client_for(ana).put(API.format(account.pk), payload, content_type="application/json")
    assert r.status_code == 422 and r.json()["detail"]
    assert not TargetForm.objects.filter(customer=account).exists()


def test_api_hides_other_accounts(client_for, member, other_account):
    assert client_for(member).get(API.format(other_account.pk)).status_code == 404


def _lost_pairs(account, ana, p):
    """Two functional pairs met in the last period's window only, the knot still met now."""
    today = datetime.date.today()
    then = (today - period_end_before(today)).days + 89  # in the last window, not this one
    log(account, [p["felipe"]], [p["maria"]], days_ago=then)
    log(account, [p["rodrigo"]], [p["andres"]], days_ago=then)
    log(account, [ana], [p["jorge"]], days_ago=3)


def test_falling_back_is_an_alert_and_said_on_the_tab(client_for, ana, account, cs_people):
    _lost_pairs(account, ana, cs_people)
    assert not [
        a
        for a in interaction_alerts.alerts(Customer.objects.all(), datetime.date.today())
        if a.kind == "target_falling_back"
    ]  # no target, no alert
    set_target(client_for(ana), account, "B")
    found = [
        a
        for a in interaction_alerts.alerts(Customer.objects.all(), datetime.date.today())
        if a.kind == "target_falling_back"
    ]
    assert [a.customer_id for a in found] == [account.pk]
    assert "0 of 2 steps now, 2 then" in found[0].message
    page = client_for(ana).get(reverse("interactions:customer_tab", args=[account.pk]))
    assert 'data-kind="target_falling_back"' in page.content.decode()


def test_a_bow_tie_target_kept_is_no_alert(client_for, ana, account, cs_people):
    _lost_pairs(account, ana, cs_people)
    set_target(client_for(ana), account, "A")
    assert not [
        a
        for a in interaction_alerts.alerts(Customer.objects.all(), datetime.date.today())
        if a.kind == "target_falling_back"
    ]


def test_cli_target_json(ana, account, other_account, cs_people):
    TargetForm.objects.create(customer=account, form="B", set_on=datetime.date.today())
    out = StringIO()
    call_command("interactions", "target", "--json", stdout=out)
    rows = json.loads(out.getvalue())
    assert [r["customer"]["id"] for r in rows] == [account.pk]
    assert rows[0]["form"] == "B" and rows[0]["progress"]["needed"] == 2
    out = StringIO()
    call_command("interactions", "target", stdout=out)
    assert "target=B suggested=A progress=0/2" in out.getvalue()


def test_demo_cs_aims_at_the_diamond_and_has_reached_it(db):
    from kamp.core import demo as core_demo
    from kamp.interactions import analysis, targets

    ctx = core_demo.load(log=lambda *_: None, modules=["kamp.interactions.demo"])
    cs = ctx.customers["cs"]
    st = targets.state(cs, analysis.account(cs, ctx.today))
    assert st.target.form == "B"
    assert st.target.pair_tuples == (("finance", "finance"), ("management", "management"))
    assert st.progress.reached and not st.falling_back


def test_the_trail_reads_a_target_with_its_named_pairs(client_for, ana, director, account):
    """A target's pairs are kept as lists of two functions: the History tab and the audit log
    write them as text (they once answered 500 on them)."""
    set_target(client_for(ana), account, "mix", [("finance", "finance")], "CFO first")
    for c, url in (
        (client_for(ana), reverse("customers:history", args=[account.pk])),
        (client_for(director), reverse("core:audit")),
    ):
        r = c.get(url)
        assert r.status_code == 200
        assert "(finance, finance)" in r.content.decode()
