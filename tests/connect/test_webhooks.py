"""Webhooks against a real HTTP receiver on 127.0.0.1 that checks every signature: events
sent after their change commits, amounts only to a finance endpoint, retries with growing
pauses after failures, a hanging receiver cut by the timeout, an endpoint turned off after
failing again and again (and the programme's alerts say so)."""

from __future__ import annotations

import json
import time
from datetime import timedelta

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from kamp.connect import actions, events, tasks, webhooks
from kamp.connect.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint
from kamp.customers import actions as customer_actions
from kamp.interactions import actions as interaction_actions
from tests.connect.receiver import Receiver
from tests.factories import ContactFactory, SalesLineFactory


@pytest.fixture(autouse=True)
def _local_allowed(settings):
    settings.KAMP_CONNECT_ALLOW_PRIVATE = True  # the receiver is on this machine


@pytest.fixture
def receiver():
    with Receiver() as r:
        yield r


def register(director, receiver, events_=("customer.created",), finance=False):
    endpoint, secret = actions.do_create_webhook(
        director, name="CRM", url=receiver.url, events=list(events_), finance=finance
    )
    receiver.secret = secret
    return endpoint


def test_a_customer_created_reaches_the_receiver_signed(
    director, ana, receiver, django_capture_on_commit_callbacks
):
    register(director, receiver)
    with django_capture_on_commit_callbacks(execute=True):
        customer = customer_actions.do_create_customer(
            ana, name="Viña Sur", tax_id="76.543.210-3", country="CL"
        )
    assert receiver.bad_signatures == 0
    [got] = receiver.received
    assert got["headers"]["X-Kamp-Event"] == "customer.created"
    payload = got["json"]
    assert payload["event"] == "customer.created"
    assert payload["data"]["customer"] == {
        "id": customer.pk,
        "tax_id": customer.tax_id,
        "external_id": customer.external_id,
        "name": "Viña Sur",
    }
    assert "economics" not in payload["data"]
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == DeliveryStatus.DELIVERED and delivery.last_status_code == 204
    assert list(delivery.attempt_log.values_list("status_code", flat=True)) == [204]


def test_a_wrong_secret_is_caught_by_the_receiver(
    director, ana, receiver, django_capture_on_commit_callbacks
):
    register(director, receiver)
    receiver.secret = "not-the-secret"
    with django_capture_on_commit_callbacks(execute=True):
        customer_actions.do_create_customer(ana, name="Viña Sur", country="CL")
    assert receiver.bad_signatures == 1
    assert WebhookDelivery.objects.get().last_status_code == 401


def test_money_only_to_a_finance_endpoint(
    director, ana, account, receiver, django_capture_on_commit_callbacks
):
    SalesLineFactory(customer=account)
    register(director, receiver, events_=("customer.changed",), finance=False)
    with Receiver() as finance:
        register(director, finance, events_=("customer.changed",), finance=True)
        with django_capture_on_commit_callbacks(execute=True):
            customer_actions.do_update_customer(ana, account, region="Maule")
        [plain], [rich] = receiver.received, finance.received
    assert "economics" not in plain["json"]["data"]
    assert plain["json"]["data"]["changed_fields"] == ["region"]
    money = rich["json"]["data"]["economics"]
    assert money["net_revenue_last_12_months"] not in (None, "0")
    # The same event, one id, for both.
    assert plain["json"]["id"] == rich["json"]["id"]


def test_a_rolled_back_change_sends_nothing(
    director, ana, receiver, django_capture_on_commit_callbacks
):
    register(director, receiver)
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        customer_actions.do_create_customer(ana, name="Nunca", country="CL")
        raise RuntimeError
    assert receiver.received == [] and not WebhookDelivery.objects.exists()


def test_an_interaction_logged(
    director, ana, account, receiver, django_capture_on_commit_callbacks
):
    register(director, receiver, events_=("interaction.logged",))
    contact = ContactFactory(customer=account, name="Carla Compras")
    with django_capture_on_commit_callbacks(execute=True):
        interaction_actions.do_log_interaction(
            ana,
            account,
            our_people=[ana],
            their_contacts=[contact],
            date=timezone.localdate(),
            kind="meeting",
            topic="QBR",
        )
    [got] = receiver.received
    assert got["json"]["data"]["interaction"]["their_contacts"] == [
        {"id": contact.pk, "name": "Carla Compras"}
    ]
    assert got["json"]["data"]["interaction"]["our_people"] == [ana.email]


def test_a_failing_receiver_is_retried_with_growing_pauses_then_recovers(
    director, ana, receiver, django_capture_on_commit_callbacks, settings
):
    settings.KAMP_WEBHOOK_BACKOFF_SECONDS = 60
    endpoint = register(director, receiver)
    receiver.script = ["fail", "fail"]
    with django_capture_on_commit_callbacks(execute=True):
        customer_actions.do_create_customer(ana, name="Viña Sur", country="CL")
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("pending", 1, 500)
    first_pause = delivery.next_attempt_at - timezone.now()
    assert timedelta(seconds=50) < first_pause <= timedelta(seconds=60)
    # Not yet due: nothing is tried.
    assert tasks.retry_due() == 0
    assert tasks.retry_due(now=timezone.now() + timedelta(seconds=61)) == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("pending", 2)
    second_pause = delivery.next_attempt_at - timezone.now()
    assert timedelta(seconds=110) < second_pause <= timedelta(seconds=120)
    tasks.retry_due(now=timezone.now() + timedelta(seconds=121))
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("delivered", 3, 204)
    assert list(
        delivery.attempt_log.order_by("at", "id").values_list("status_code", flat=True)
    ) == [
        500,
        500,
        204,
    ]
    # The same event id on every try: the receiver can tell a retry from a new event.
    assert len({r["json"]["id"] for r in receiver.received}) == 1
    endpoint.refresh_from_db()
    assert endpoint.consecutive_failures == 0 and endpoint.active


@pytest.mark.parametrize("mode", ["hang", "drip"])
def test_a_hanging_receiver_is_cut_by_the_timeout(
    director, ana, receiver, django_capture_on_commit_callbacks, settings, mode
):
    settings.KAMP_WEBHOOK_TIMEOUT = 0.5
    receiver.hang_seconds = 10
    register(director, receiver)
    receiver.script = [mode]
    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):
        customer_actions.do_create_customer(ana, name="Viña Sur", country="CL")
    assert time.monotonic() - started < 5, "the hanging receiver held the delivery"
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == "pending" and delivery.last_status_code is None
    assert "no answer within 0.5 s" in delivery.last_error
    # It answers again: the retry delivers.
    tasks.retry_due(now=timezone.now() + timedelta(days=1))
    delivery.refresh_from_db()
    assert delivery.status == "delivered"


def test_an_endpoint_failing_again_and_again_is_turned_off_and_alerted(
    director, ana, receiver, django_capture_on_commit_callbacks, settings, client_for
):
    from kamp.core.alerts import collect
    from kamp.customers.models import Customer

    settings.KAMP_WEBHOOK_DISABLE_AFTER = 3
    receiver.default = "fail"
    endpoint = register(director, receiver)
    with django_capture_on_commit_callbacks(execute=True):
        for name in ("A", "B", "C"):
            customer_actions.do_create_customer(ana, name=name, country="CL")
    endpoint.refresh_from_db()
    assert not endpoint.active and endpoint.consecutive_failures == 3
    # Nothing more is tried while it is off.
    assert tasks.retry_due(now=timezone.now() + timedelta(days=1)) == 0
    [alert] = [a for a in collect(Customer.objects.none(), programme=True) if a.area == "connect"]
    assert "CRM" in alert.message
    page = client_for(director).get(reverse("connect:webhooks")).content.decode()
    assert "turned off after failures" in page
    # Turned back on (and the receiver fixed), the waiting deliveries go out.
    receiver.default = "ok"
    actions.do_update_webhook(
        director,
        endpoint,
        name="CRM",
        url=receiver.url,
        events=["customer.created"],
        finance=False,
        active=True,
    )
    assert tasks.retry_due(now=timezone.now() + timedelta(days=1)) == 3
    assert WebhookDelivery.objects.filter(status="delivered").count() == 3


def test_overdue_actions_are_sent_once(director, ana, account, receiver):
    from tests.plans.factories import ActionFactory, PlanFactory

    register(director, receiver, events_=("plan_action.overdue",))
    plan = PlanFactory(customer=account)
    ActionFactory(
        plan=plan, owner=ana, title="Enviar propuesta", due=timezone.localdate() - timedelta(days=2)
    )
    ActionFactory(
        plan=plan, owner=ana, title="Más tarde", due=timezone.localdate() + timedelta(days=2)
    )
    assert events.scan() == 1
    assert events.scan() == 0
    [got] = receiver.received
    assert got["json"]["data"]["action"]["title"] == "Enviar propuesta"


def test_the_secret_is_shown_once_and_only_directors_register(client_for, director, ana):
    r = client_for(ana).get(reverse("connect:webhook_new"))
    assert r.status_code == 403
    c = client_for(director)
    r = c.post(
        reverse("connect:webhook_new"),
        {
            "name": "CRM",
            "url": "https://crm.example/hooks",
            "events": ["customer.created", "alert.raised"],
        },
    )
    assert r.status_code == 200
    secret = r.context["secret"]
    assert secret in r.content.decode()
    endpoint = WebhookEndpoint.objects.get()
    assert endpoint.events == ["customer.created", "alert.raised"] and not endpoint.finance
    page = c.get(reverse("connect:webhook", kwargs={"pk": endpoint.pk})).content.decode()
    assert secret not in page and "https://crm.example/hooks" in page


def test_a_key_account_decision_and_a_survey_answer(
    director, ana, account, receiver, django_capture_on_commit_callbacks
):
    from kamp.relationships import actions as rel_actions
    from kamp.selection import actions as selection_actions
    from kamp.selection.engine import ensure_default_model

    register(director, receiver, events_=("key_account.decision", "survey.answered"))
    ensure_default_model()
    contact = ContactFactory(customer=account, email="carla@cs.test")
    rnd = rel_actions.do_start_round(
        ana,
        account,
        closes_on=timezone.localdate() + timedelta(days=14),
        team_users=[ana],
        contacts=[(contact, "es")],
        send=False,
    )
    respondent = rnd.respondents.get(contact=contact)
    items = {item.pk: 6 for item in rnd.template.items.all()}
    with django_capture_on_commit_callbacks(execute=True):
        selection_actions.do_decide(director, account, "revoke", "Ya no es estratégico")
        rel_actions.do_answer(None, respondent, values=items)
    decision, answer = (r["json"] for r in receiver.received)
    assert decision["event"] == "key_account.decision"
    assert decision["data"]["decision"]["kind"] == "revoke"
    assert decision["data"]["decision"]["rationale"] == "Ya no es estratégico"
    assert "economics" not in decision["data"]
    assert answer["event"] == "survey.answered"
    assert answer["data"]["survey"] == {
        "round_id": rnd.pk,
        "side": "customer",
        "answered_at": answer["data"]["survey"]["answered_at"],
    }
    # Not the answers themselves, nor who gave them: the survey's promise to the customer.
    assert "carla" not in json.dumps(answer).lower()


def test_alerts_are_sent_once_and_money_only_to_finance(director, ana, account, receiver):
    from kamp.core.alerts import collect
    from kamp.customers.models import Customer

    SalesLineFactory(customer=account)
    raised = collect(Customer.objects.filter(pk=account.pk), timezone.localdate(), programme=True)
    assert raised, "the account raises no alert to send"
    register(director, receiver, events_=("alert.raised",))
    with Receiver() as finance:
        register(director, finance, events_=("alert.raised",), finance=True)
        assert events.scan_alerts() == len(raised)
        assert events.scan_alerts() == 0
        plain, rich = receiver.received, finance.received
    assert len(plain) == len(rich) == len(raised)
    for got in plain:
        assert "value_at_stake" not in got["json"]["data"]
        if got["json"]["data"]["alert"]["area"] == "economics":
            assert got["json"]["data"]["alert"]["message"] is None
    assert any("value_at_stake" in got["json"]["data"] for got in rich)
    assert all(got["json"]["data"]["alert"]["message"] for got in rich)


def test_the_webhook_pages_keep_their_queries_flat(
    client_for, director, ana, receiver, settings, django_assert_max_num_queries
):
    settings.KAMP_WEBHOOK_DISABLE_AFTER = 1000
    endpoints = [register(director, receiver) for _ in range(3)]
    receiver.default = "fail"
    for i in range(10):
        deliveries = webhooks.queue(webhooks.Event("customer.created", {"customer": {"id": i}}))
        for d in deliveries:
            webhooks.attempt(d.pk)
            webhooks.attempt(d.pk)
    c = client_for(director)
    with django_assert_max_num_queries(8):
        assert c.get(reverse("connect:webhooks")).status_code == 200
    with django_assert_max_num_queries(10):
        page = c.get(reverse("connect:webhook", kwargs={"pk": endpoints[0].pk}))
    assert page.status_code == 200
    assert page.content.decode().count(" ms)") == 20  # each try of its 10 deliveries


def test_a_turned_off_webhook_shows_in_the_programme_inbox(
    director, ana, receiver, django_capture_on_commit_callbacks, settings, client_for
):
    settings.KAMP_WEBHOOK_DISABLE_AFTER = 1
    receiver.default = "fail"
    register(director, receiver)
    with django_capture_on_commit_callbacks(execute=True):
        customer_actions.do_create_customer(ana, name="A", country="CL")
    c = client_for(director)
    for name in ("programme:alerts", "programme:dashboard"):
        page = c.get(reverse(name))
        assert page.status_code == 200, name
    assert "The webhook “CRM” was turned off" in c.get(reverse("programme:alerts")).content.decode()


@pytest.mark.parametrize(
    ("language", "said"),
    [("en", "Leave the user name and password out"), ("es", "Deje el usuario y la contraseña")],
)
def test_an_address_holding_a_password_is_refused_beside_its_field(
    director, client_for, language, said
):
    # A password in the address would be shown on the webhooks page and kept in the audit trail.
    client = client_for(director)
    client.cookies["django_language"] = language
    page = client.post(
        reverse("connect:webhook_new"),
        {
            "name": "CRM",
            "url": "https://crm:s3cret@crm.example/hook",
            "events": ["customer.created"],
        },
    )
    html = page.content.decode()
    assert page.status_code == 200 and said in html
    assert "https://crm:s3cret@crm.example/hook" in html  # what was typed, to correct
    assert not WebhookEndpoint.objects.exists()
