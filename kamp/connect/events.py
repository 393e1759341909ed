"""Which of kamp's changes are webhook events, and what each payload says.

Every action function writes its audit entry inside its transaction (architecture.md,
"Actions"); the entries of the kinds below become events once that transaction commits
(``signals``). One hook on the trail rather than a call in each action: a new action that
creates a customer (an import, the CLI) sends its event without anybody remembering to.

Two events are not changes but states found by looking (``scan``, run by ``kamp webhooks
scan`` and by the worker after each delivery round): an action that fell overdue, an alert
that appeared. Each is sent once (``EmittedEvent``)."""

from __future__ import annotations

import logging
from datetime import date
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from . import tasks, webhooks
from .models import WebhookEvent
from .webhooks import Event

logger = logging.getLogger(__name__)

# (audit object type, audit action) → event.
AUDITED = {
    ("customers.customer", "create"): WebhookEvent.CUSTOMER_CREATED,
    ("customers.customer", "update"): WebhookEvent.CUSTOMER_CHANGED,
    ("interactions.interaction", "create"): WebhookEvent.INTERACTION_LOGGED,
    ("selection.decision", "decide"): WebhookEvent.KEY_ACCOUNT_DECISION,
    ("relationships.respondent", "create"): WebhookEvent.SURVEY_ANSWERED,
}


def customer_ref(customer) -> dict[str, Any]:
    """A customer as every machine output names it: the one
    :func:`kamp.customers.identity.customer_ref` (imported here, as the models are, when an
    event is built)."""
    from kamp.customers.identity import customer_ref as ref

    return ref(customer)


def _money(customer_id: int) -> dict[str, Any]:
    from kamp.core.alerts import optional_hook
    from kamp.core.money import base_currency

    values = optional_hook("kamp.economics.alerts", "value_at_stake")
    if values is None:
        return {}
    value = values([customer_id], timezone.localdate()).get(customer_id)
    return {
        "economics": {
            "net_revenue_last_12_months": None if value is None else str(value),
            "currency": base_currency(),
        }
    }


def _customer_event(kind: str, customer_id: int, changes: list[dict]) -> Event | None:
    from kamp.customers.models import Customer

    customer = Customer.objects.select_related("owner").filter(pk=customer_id).first()
    if customer is None:
        return None
    data = {
        "customer": customer_ref(customer),
        "status": customer.status,
        "owner": customer.owner.email if customer.owner else None,
        "changed_fields": [c.get("field") for c in changes if c.get("field")],
    }
    return Event(kind, data, money=_money(customer.pk))


def _interaction_event(interaction_id: int) -> Event | None:
    from kamp.interactions.models import Interaction

    i = (
        Interaction.objects.select_related("customer")
        .prefetch_related("our_people", "their_contacts")
        .filter(pk=interaction_id)
        .first()
    )
    if i is None:
        return None
    data = {
        "customer": customer_ref(i.customer),
        "interaction": {
            "id": i.pk,
            "date": i.date.isoformat(),
            "kind": i.kind,
            "topic": i.topic,
            "our_people": [u.email for u in i.our_people.all()],
            "their_contacts": [{"id": c.pk, "name": c.name} for c in i.their_contacts.all()],
        },
    }
    return Event(WebhookEvent.INTERACTION_LOGGED, data)


def _decision_event(decision_id: int) -> Event | None:
    from kamp.selection.models import Decision

    d = Decision.objects.select_related("customer", "decided_by").filter(pk=decision_id).first()
    if d is None:
        return None
    data = {
        "customer": customer_ref(d.customer),
        "decision": {
            "id": d.pk,
            "kind": d.kind,
            "from_status": d.from_status,
            "to_status": d.to_status,
            "decided_on": d.decided_on.isoformat(),
            "decided_by": d.decided_by.email if d.decided_by else None,
            "rationale": d.rationale,
        },
    }
    return Event(WebhookEvent.KEY_ACCOUNT_DECISION, data, money=_money(d.customer_id))


def _survey_event(respondent_id: int) -> Event | None:
    from kamp.relationships.models import Respondent

    r = (
        Respondent.objects.select_related("round__customer")
        .filter(pk=respondent_id, responded_at__isnull=False)
        .first()
    )
    if r is None:
        return None
    data = {
        "customer": customer_ref(r.round.customer),
        "survey": {
            "round_id": r.round_id,
            "side": r.side,
            "answered_at": r.responded_at.isoformat() if r.responded_at else None,
        },
    }
    return Event(WebhookEvent.SURVEY_ANSWERED, data)


def emit_on_commit(make) -> None:
    """After the current transaction commits, build the event (``make()`` → Event or None) and
    queue its deliveries for the worker. Nothing of a rolled-back change is sent; a failure here
    never undoes the change that caused it."""

    def send() -> None:
        try:
            event = make()
            if event is not None:
                tasks.send(webhooks.queue(event))
        except Exception:
            if settings.DEBUG:
                raise
            logger.exception("webhook event not queued")

    transaction.on_commit(send)


def from_audit(object_type: str, action: str, object_id: str, customer_id, changes) -> None:
    """Called for each new audit entry: queue its event after the commit, if it is one and some
    endpoint wants it."""
    kind = AUDITED.get((object_type, action))
    if kind is None:
        return
    try:
        pk = int(object_id)
    except (TypeError, ValueError):
        return

    def make() -> Event | None:
        if not webhooks.wanted(kind):
            return None
        if kind in (WebhookEvent.CUSTOMER_CREATED, WebhookEvent.CUSTOMER_CHANGED):
            return _customer_event(kind, pk, changes or [])
        if kind == WebhookEvent.INTERACTION_LOGGED:
            return _interaction_event(pk)
        if kind == WebhookEvent.KEY_ACCOUNT_DECISION:
            return _decision_event(pk)
        return _survey_event(pk)

    emit_on_commit(make)


# --- found by looking -------------------------------------------------------------------------
def scan_overdue_actions(today: date | None = None) -> int:
    from kamp.plans.models import OPEN_STATUSES, PlanAction

    if not webhooks.wanted(WebhookEvent.PLAN_ACTION_OVERDUE):
        return 0
    today = today or timezone.localdate()
    sent = 0
    overdue = PlanAction.objects.select_related("plan__customer", "owner").filter(
        status__in=OPEN_STATUSES, due__lt=today
    )
    for action in overdue.iterator(chunk_size=500):
        if action.due is None or not webhooks.remember(f"overdue:{action.pk}:{action.due}"):
            continue
        data = {
            "customer": customer_ref(action.plan.customer),
            "action": {
                "id": action.pk,
                "title": action.title,
                "due": action.due.isoformat(),
                "status": action.status,
                "owner": action.owner.email if action.owner else None,
            },
        }
        tasks.send(webhooks.queue(Event(WebhookEvent.PLAN_ACTION_OVERDUE, data)))
        sent += 1
    return sent


def scan_alerts(today: date | None = None) -> int:
    from django.utils import translation

    from kamp.core import alerts
    from kamp.customers.models import Customer

    if not webhooks.wanted(WebhookEvent.ALERT_RAISED):
        return 0
    today = today or timezone.localdate()
    sent = 0
    with translation.override("en"):
        found = alerts.collect(Customer.objects.all(), today, programme=True)
    names = {c.pk: c for c in Customer.objects.filter(pk__in={a.customer_id for a in found})}
    for a in found:
        key = f"alert:{a.cause or a.kind}:{a.customer_id or ''}:{a.subject}"
        if not webhooks.remember(key):
            continue
        customer = names.get(a.customer_id) if a.customer_id else None
        alert = {
            "area": a.area,
            "cause": a.cause or a.kind,
            "severity": a.severity,
            "message": a.message,
        }
        # An economics alert's sentence speaks of money (a margin, a loss): only a finance
        # endpoint reads it; the others learn that there is one, and its cause.
        speaks_money = a.area == "economics"
        data = {
            "customer": customer_ref(customer) if customer else None,
            "alert": {**alert, "message": None} if speaks_money else alert,
        }
        money: dict[str, Any] = {"alert": alert}
        if a.value_at_stake is not None:
            money["value_at_stake"] = str(a.value_at_stake)
        tasks.send(webhooks.queue(Event(WebhookEvent.ALERT_RAISED, data, money=money)))
        sent += 1
    return sent


def scan(today: date | None = None) -> int:
    return scan_overdue_actions(today) + scan_alerts(today)
