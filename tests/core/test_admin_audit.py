"""Edits made in the Django admin land in kamp's audit trail; customers and contacts go through
their action functions there too (the owner by the hand-over, the status not at all)."""

from datetime import date
from decimal import Decimal

import pytest
from django.contrib import admin
from django.forms.models import model_to_dict
from django.urls import reverse

from kamp.core.admin import AuditedAdmin
from kamp.core.models import AuditEvent
from kamp.customers.models import Contact, CustomerStatus
from kamp.team.models import OwnershipChange
from tests.factories import ContactFactory


def _admin_post(account_or_obj, **changes) -> dict:
    data = {k: ("" if v is None else v) for k, v in model_to_dict(account_or_obj).items()}
    data.update(changes)
    data["_save"] = "Save"
    return data


def test_every_kamp_model_in_the_admin_is_audited():
    exempt = {
        "core.auditevent": "the trail itself: read-only in the admin (no add, change or delete)",
    }
    missing = [
        model._meta.label_lower
        for model, model_admin in admin.site._registry.items()
        if model.__module__.startswith("kamp.")
        and model._meta.label_lower not in exempt
        and not isinstance(model_admin, AuditedAdmin)
    ]
    assert not missing, missing
    audit_admin = admin.site._registry[AuditEvent]
    assert not audit_admin.has_delete_permission(None) and not audit_admin.has_add_permission(None)


def test_admin_edit_of_a_customer_goes_through_its_actions(client_for, admin, account, bruno):
    url = reverse("admin:customers_customer_change", args=[account.pk])
    version = account.version
    r = client_for(admin).post(
        url, _admin_post(account, region="Biobío", owner=bruno.pk, status="former")
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    account.refresh_from_db()
    assert account.region == "Biobío" and account.owner == bruno
    assert account.status == CustomerStatus.KEY_ACCOUNT  # read-only: a decision changes it
    assert account.version > version  # an edit form opened before is told
    change = OwnershipChange.objects.get(customer=account)
    assert change.reason == "Django admin" and change.changed_by == admin
    events = AuditEvent.objects.filter(customer_id=account.pk, actor=admin)
    fields = {c["field"] for e in events for c in e.changes}
    assert {"region", "owner"} <= fields and "status" not in fields


def test_admin_edit_and_delete_of_a_contact_is_audited(client_for, admin, account):
    contact = ContactFactory(customer=account, title="Comprador")
    url = reverse("admin:customers_contact_change", args=[contact.pk])
    data = _admin_post(contact, title="Gerente de Compras", dmu_roles="[]")
    assert client_for(admin).post(url, data).status_code == 302
    event = AuditEvent.objects.get(object_type="customers.contact", action="update")
    assert event.customer_id == account.pk and event.actor == admin
    assert {"field": "title", "old": "Comprador", "new": "Gerente de Compras"} in event.changes
    r = client_for(admin).post(
        reverse("admin:customers_contact_delete", args=[contact.pk]), {"post": "yes"}
    )
    assert r.status_code == 302 and not Contact.objects.filter(pk=contact.pk).exists()
    assert AuditEvent.objects.filter(object_type="customers.contact", action="delete").exists()


@pytest.mark.django_db
def test_admin_edit_of_another_kamp_model_is_audited(client_for, admin):
    from kamp.economics.models import ExchangeRate

    rate = ExchangeRate.objects.create(
        currency="USD", period="2026-01", valid_from=date(2026, 1, 1), rate=Decimal("950")
    )
    url = reverse("admin:economics_exchangerate_change", args=[rate.pk])
    r = client_for(admin).post(url, _admin_post(rate, rate="960"))
    assert r.status_code == 302, r.content.decode()[:2000]
    event = AuditEvent.objects.get(object_type="economics.exchangerate", action="update")
    assert event.summary == "Django admin" and event.actor == admin
    assert [c["field"] for c in event.changes] == ["rate"]
    client_for(admin).post(
        reverse("admin:economics_exchangerate_delete", args=[rate.pk]), {"post": "yes"}
    )
    assert AuditEvent.objects.filter(object_type="economics.exchangerate", action="delete").exists()
