"""What ``tests/core/test_crash_safety.py`` sets up in, and reads from, a real kamp installation,
in a process of its own with kamp's production settings (``KAMP_HOME``, ``KAMP_DATABASE_URL``).

``python -m tests.core.crash_probe COMMAND [ARG…]`` prints one JSON object:

- ``setup CUSTOMERS RESPONDENTS``: a director, CUSTOMERS customers each with the director's
  scores of the default selection model's assessed factors, and an open survey round of one
  customer with RESPONDENTS customer contacts; their survey tokens and the form's fields;
- ``enqueue``: a rescoring (``selection.tasks.prepare_run``) handed to the worker, alone in
  the queue, no run stored;
- ``hook URL SECRET``: a webhook endpoint at URL signing with SECRET, and one ``customer.created``
  event for it (the only endpoint): its delivery handed to the worker, alone in the queue;
- ``pause-over``: the waiting deliveries are due (their pause before the next try has passed);
- ``state``: the tasks, the stored scoring runs, each respondent's answers and trail entries, and
  every webhook delivery with its attempt
  log, and the database's integrity.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys

os.environ["DJANGO_SETTINGS_MODULE"] = "kamp.settings"

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402


def setup(customers: int, respondents: int) -> dict:
    from kamp.core.choices import Role
    from kamp.core.models import User
    from kamp.customers.models import Contact, Customer
    from kamp.relationships import access, actions
    from kamp.selection import engine
    from kamp.selection.models import Assessment

    director = User.objects.create_user(
        email="director@crash.test", password="pw-crash-123", name="Dora", role=Role.DIRECTOR
    )
    Customer.objects.bulk_create(
        Customer(name=f"Cliente {i:05d}", tax_id="", external_id=f"C{i}", region="Maule")
        for i in range(customers)
    )
    model = engine.ensure_default_model()
    assessed = [f.key for f in model.factors.all() if f.source == "assessed"] or ["size"]
    today = timezone.localdate()
    Assessment.objects.bulk_create(
        Assessment(
            customer_id=pk,
            assessor=director,
            factor=key,
            score=1 + (pk * 7 + j * 3) % 9,
            date=today,
        )
        for pk in Customer.objects.values_list("pk", flat=True)
        for j, key in enumerate(assessed)
    )
    customer = Customer.objects.order_by("pk").first()
    contacts = [
        Contact.objects.create(customer=customer, name=f"Contacto {i}", email=f"c{i}@cliente.cl")
        for i in range(respondents)
    ]
    rnd = actions.do_start_round(
        director,
        customer,
        closes_on=today + dt.timedelta(days=14),
        team_users=[],
        contacts=[(c, "es") for c in contacts],
        send=False,
    )
    items = list(rnd.template.items.values_list("pk", flat=True))
    return {
        "tokens": [access.token_for(r) for r in rnd.respondents.order_by("pk")],
        "fields": [f"item_{pk}" for pk in items],
    }


def enqueue() -> dict:
    from django_tasks_db.models import DBTaskResult

    from kamp.selection.models import PreparedRun
    from kamp.selection.tasks import prepare_run

    # Only this task in the queue, and no stored run: the worker takes it first, and scores.
    DBTaskResult.objects.all().delete()
    PreparedRun.objects.all().delete()
    return {"task": str(prepare_run.enqueue().id)}


def hook(url: str, secret: str) -> dict:
    from django_tasks_db.models import DBTaskResult

    from kamp.connect import tasks, webhooks
    from kamp.connect.models import WebhookEndpoint

    WebhookEndpoint.objects.all().delete()  # and their deliveries: this one alone
    WebhookEndpoint.objects.create(
        name="ERP",
        url=url,
        secret=webhooks.seal(secret),  # stored encrypted, as the form stores it
        events=["customer.created"],
    )
    DBTaskResult.objects.all().delete()  # the delivery alone in the queue: the worker takes it
    (delivery,) = webhooks.queue(
        webhooks.Event("customer.created", {"id": 1, "name": "Cliente 00000"})
    )
    tasks.send([delivery])
    (task,) = DBTaskResult.objects.all()
    return {"task": str(task.id), "delivery": delivery.pk, "event_id": delivery.event_id}


def pause_over() -> dict:
    """The pause before the next try of every waiting delivery has passed."""
    from kamp.connect.models import WebhookDelivery

    return {"due": WebhookDelivery.objects.update(next_attempt_at=timezone.now())}


def deliveries() -> list[dict]:
    from kamp.connect.models import WebhookDelivery

    return [
        {
            "id": d.pk,
            "event_id": d.event_id,
            "status": d.status,
            "attempts": d.attempts,
            "last_status_code": d.last_status_code,
            "last_error": d.last_error,
            "delivered": d.delivered_at is not None,
            "log": [
                {"status_code": a.status_code, "error": a.error}
                for a in d.attempt_log.order_by("at", "id")
            ],
        }
        for d in WebhookDelivery.objects.order_by("id")
    ]


def state() -> dict:
    from django_tasks_db.models import DBTaskResult

    from kamp.core.models import AuditEvent
    from kamp.relationships.models import Answer, Respondent
    from kamp.selection.models import PreparedRun

    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA integrity_check")
            integrity = cursor.fetchone()[0]
        else:
            integrity = "ok"  # PostgreSQL's writes are all or nothing per transaction
    respondents = []
    for r in Respondent.objects.filter(contact__isnull=False).order_by("pk"):
        respondents.append(
            {
                "answered": r.responded_at is not None,
                "answers": Answer.objects.filter(respondent=r).count(),
                "trail": AuditEvent.objects.filter(
                    object_type="relationships.respondent", object_id=str(r.pk)
                ).count(),
            }
        )
    return {
        "integrity": integrity,
        "tasks": [
            {"id": str(t.id), "status": t.status, "attempts": len(t.worker_ids or [])}
            for t in DBTaskResult.objects.order_by("enqueued_at")
        ],
        "runs": PreparedRun.objects.count(),
        "respondents": respondents,
        "deliveries": deliveries(),
    }


if __name__ == "__main__":
    command, *args = sys.argv[1:]
    result = {
        "setup": lambda: setup(int(args[0]), int(args[1])),
        "enqueue": enqueue,
        "hook": lambda: hook(args[0], args[1]),
        "pause-over": pause_over,
    }.get(command, state)()
    print(json.dumps(result))
