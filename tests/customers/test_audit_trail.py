"""Every create, change and delete of customers and contacts is recorded: who, when, and each
field's old and new value; visible on the History tab and filterable in the audit log."""

from __future__ import annotations

import json
from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from kamp.core.models import AuditEvent
from kamp.customers import actions
from kamp.customers.models import Customer
from tests.factories import ContactFactory


def test_customer_create_change_delete(director, ana):
    before = timezone.now()
    customer = actions.do_create_customer(
        director, name="Viña Sur", tax_id="760864285", country="CL", status="candidate"
    )
    created = AuditEvent.objects.get(action="create", object_type="customers.customer")
    assert created.actor == director and created.customer_id == customer.pk
    assert created.at >= before - timedelta(seconds=1)
    assert {"field": "tax_id", "old": None, "new": "76.086.428-5"} in created.changes

    actions.do_update_customer(director, customer, region="Maule", industry="Vino")
    changed = AuditEvent.objects.get(action="update")
    assert sorted(changed.changes, key=lambda c: c["field"]) == [
        {"field": "industry", "old": "", "new": "Vino"},
        {"field": "region", "old": "", "new": "Maule"},
    ]
    actions.do_update_customer(director, customer, region="Maule")  # no change, no event
    assert AuditEvent.objects.filter(action="update").count() == 1

    pk = customer.pk
    actions.do_delete_customer(director, customer)
    deleted = AuditEvent.objects.get(action="delete")
    assert deleted.customer_id == pk and deleted.object_repr == "Viña Sur"
    assert {"field": "name", "old": "Viña Sur", "new": None} in deleted.changes


def test_contact_trail_through_the_pages(client_for, ana, account):
    c = client_for(ana)
    c.post(
        reverse("customers:contact_create", args=[account.pk]),
        {
            "name": "Camila Vera",
            "function": "finance",
            "attitude": "neutral",
            "influence": 3,
            "active": "on",
            "dmu_roles": ["influencer"],
        },
    )
    contact = account.contacts.get(name="Camila Vera")
    c.post(
        reverse("customers:contact_edit", args=[account.pk, contact.pk]),
        {
            "name": "Camila Vera",
            "function": "finance",
            "attitude": "supporter",
            "influence": 4,
            "active": "on",
            "dmu_roles": ["influencer", "champion"],
            "version": contact.version,
        },
    )
    c.post(reverse("customers:contact_delete", args=[account.pk, contact.pk]))
    events = list(AuditEvent.objects.filter(object_type="customers.contact").order_by("id"))
    assert [e.action for e in events] == ["create", "update", "delete"]
    assert all(e.actor == ana and e.customer_id == account.pk for e in events)
    update = {ch["field"]: (ch["old"], ch["new"]) for ch in events[1].changes}
    assert update == {
        "attitude": ("neutral", "supporter"),
        "influence": (3, 4),
        "dmu_roles": (["influencer"], ["influencer", "champion"]),
    }

    text = c.get(reverse("customers:history", args=[account.pk])).content.decode()
    assert "Camila Vera" in text and "Ana KAM" in text
    assert "Attitude toward us: <del>Neutral</del> → <ins>Supporter</ins>" in text
    assert "<ins>Influencer, Champion</ins>" in text


def test_api_writes_are_audited(client_for, member, account):
    client_for(member).patch(
        f"/api/v1/customers/{account.pk}",
        data=json.dumps({"notes": "QBR done"}),
        content_type="application/json",
    )
    event = AuditEvent.objects.get(action="update")
    assert event.actor == member and event.changes == [
        {"field": "notes", "old": "", "new": "QBR done"}
    ]


def test_audit_log_filters(client_for, director, ana, bruno, account, other_account):
    actions.do_update_customer(ana, account, region="Biobío")
    actions.do_update_customer(bruno, other_account, region="Atacama")
    ContactFactory(customer=account)
    actions.do_delete_customer(director, Customer.objects.create(name="Borrar SpA"))
    c = client_for(director)
    url = reverse("core:audit")

    def shown(**params):
        return [e.object_repr for e in c.get(url, params).context["events"]]

    assert shown(actor=ana.pk) == ["Constructora CS"]
    assert shown(action="delete") == ["Borrar SpA"]
    assert shown(type="customers.customer", customer=other_account.pk) == ["Minera Norte"]
    assert shown(q="borrar") == ["Borrar SpA"]
    today = timezone.localdate().isoformat()
    assert len(shown(since=today, until=today)) == 3
    assert shown(since="2001-01-01", until="2001-01-02") == []
    text = c.get(url, {"customer": account.pk}).content.decode()
    assert "Showing Constructora CS only." in text and "Clear filters" in text
    assert c.get(url, {"actor": "x", "action": "nonsense", "since": "bad"}).status_code == 200


def test_history_tab_links_the_director_to_the_filtered_log(client_for, director, account):
    text = (
        client_for(director).get(reverse("customers:history", args=[account.pk])).content.decode()
    )
    assert f"/audit/?customer={account.pk}" in text
