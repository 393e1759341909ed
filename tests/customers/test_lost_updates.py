"""Two people editing the same customer or contact: the second save is told that someone changed
it, sees both versions and chooses — never a silent overwrite (forms, API, actions; threads on
PostgreSQL)."""

import json
import re
import threading

import pytest
from django.db import close_old_connections, connection
from django.urls import reverse

from kamp.core.versioning import VersionConflict
from kamp.customers import actions
from kamp.customers.models import Contact, Customer, CustomerStatus
from tests.factories import ContactFactory

API = "/api/v1/customers"


def _opened(client, url) -> dict:
    """The edit form as its page shows it: every field's value, the hidden version included."""
    html = client.get(url).content.decode()
    data = {}
    for tag in re.findall(r"<input[^>]*>", html):
        name = re.search(r'name="([^"]+)"', tag)
        if not name or name.group(1) == "csrfmiddlewaretoken":
            continue
        value = re.search(r'value="([^"]*)"', tag)
        kind = re.search(r'type="([^"]+)"', tag)
        if kind and kind.group(1) == "checkbox":
            if "checked" in tag:
                data.setdefault(name.group(1), []).append(value.group(1) if value else "on")
            continue
        data[name.group(1)] = value.group(1) if value else ""
    for name, body in re.findall(r'<textarea[^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', html, re.S):
        data[name] = body.strip()
    for name, body in re.findall(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', html, re.S):
        chosen = re.search(r'<option value="([^"]*)"[^>]*selected', body)
        data[name] = chosen.group(1) if chosen else ""
    return data


def test_second_customer_save_is_told_and_then_chooses(client_for, account, ana, member):
    url = reverse("customers:edit", args=[account.pk])
    first, second = client_for(ana), client_for(member)
    hers, his = _opened(first, url), _opened(second, url)
    assert hers["version"] == str(account.version)

    assert first.post(url, {**hers, "region": "Biobío"}).status_code == 302
    r = second.post(url, {**his, "notes": "call the CFO", "region": "Maule"})
    text = r.content.decode()
    assert r.status_code == 409
    assert "Someone else changed this since you opened it" in text
    # Both versions of the field they disagree on, side by side.
    assert re.search(r'class="theirs">Biobío<', text) and re.search(r'class="yours">Maule<', text)
    account.refresh_from_db()
    assert account.region == "Biobío" and account.notes == ""  # nothing of the second saved

    # "Save again" keeps his: the re-shown form carries the current version and what he typed.
    again = _opened_from(text)
    assert again["version"] == str(account.version) and again["region"] == "Maule"
    assert second.post(url, {**his, **again}).status_code == 302
    account.refresh_from_db()
    assert account.region == "Maule" and account.notes == "call the CFO"


def _opened_from(html: str) -> dict:
    return {
        "version": re.search(r'name="version" value="(\d+)"', html).group(1),
        "region": re.search(r'name="region" value="([^"]*)"', html).group(1),
        "notes": re.search(r'name="notes"[^>]*>(.*?)</textarea>', html, re.S).group(1).strip(),
    }


def test_reloading_takes_their_version(client_for, account, ana, member):
    url = reverse("customers:edit", args=[account.pk])
    his = _opened(client_for(member), url)
    client_for(ana).post(url, {**_opened(client_for(ana), url), "region": "Biobío"})
    r = client_for(member).post(url, {**his, "region": "Maule"})
    assert f'href="{url}"' in r.content.decode()  # "Use their version": the form afresh
    fresh = _opened(client_for(member), url)
    assert fresh["region"] == "Biobío"
    assert client_for(member).post(url, {**fresh, "notes": "ok"}).status_code == 302
    account.refresh_from_db()
    assert account.region == "Biobío" and account.notes == "ok"


def test_a_decision_meanwhile_is_not_reverted_by_an_old_form(client_for, account, director):
    """Before, the form carried the status: saving a form opened before a decision undid it."""
    from kamp.selection.actions import do_decide

    url = reverse("customers:edit", args=[account.pk])
    opened = _opened(client_for(director), url)
    do_decide(director, Customer.objects.get(pk=account.pk), "revoke", "no longer strategic")
    r = client_for(director).post(url, opened)  # nothing the user sees differs: nothing lost
    assert r.status_code == 302
    account.refresh_from_db()
    assert account.status == CustomerStatus.FORMER


def test_a_form_without_its_version_is_refused(client_for, account, ana):
    url = reverse("customers:edit", args=[account.pk])
    opened = _opened(client_for(ana), url)
    del opened["version"]
    r = client_for(ana).post(url, {**opened, "region": "Biobío"})
    assert r.status_code == 200 and "out of date" in r.content.decode()
    opened["version"] = "not a number"
    r = client_for(ana).post(url, {**opened, "region": "Biobío"})
    assert r.status_code == 200
    account.refresh_from_db()
    assert account.region != "Biobío"


def test_second_contact_save_is_told(client_for, account, ana, member):
    contact = ContactFactory(customer=account, name="Jorge Pérez", title="Comprador")
    url = reverse("customers:contact_edit", args=[account.pk, contact.pk])
    hers, his = _opened(client_for(ana), url), _opened(client_for(member), url)
    assert client_for(ana).post(url, {**hers, "title": "Gerente de Compras"}).status_code == 302
    r = client_for(member).post(url, {**his, "phone": "+56 9 1234 5678"})
    text = r.content.decode()
    assert r.status_code == 409 and "Gerente de Compras" in text and "Comprador" in text
    contact.refresh_from_db()
    assert contact.title == "Gerente de Compras" and contact.phone == ""


# --- the API ------------------------------------------------------------------------------------


def _patch(client, url, body, **headers):
    return client.patch(
        url, data=json.dumps(body), content_type="application/json", headers=headers
    )


def test_api_version_in_the_body(client_for, account, ana):
    c = client_for(ana)
    read = c.get(f"{API}/{account.pk}")
    version = read.json()["version"]
    assert read["ETag"] == f'"{version}"'
    assert (
        _patch(c, f"{API}/{account.pk}", {"region": "Biobío", "version": version}).json()["version"]
        == version + 1
    )
    r = _patch(c, f"{API}/{account.pk}", {"region": "Maule", "version": version})
    assert r.status_code == 409
    assert "Someone else changed this" in r.json()["detail"]
    assert r.json()["current"]["region"] == "Biobío"
    account.refresh_from_db()
    assert account.region == "Biobío"


def test_api_if_match(client_for, account, ana):
    c = client_for(ana)
    version = account.version
    r = _patch(c, f"{API}/{account.pk}", {"region": "Biobío"}, **{"If-Match": f'"{version}"'})
    assert r.status_code == 200
    r = _patch(c, f"{API}/{account.pk}", {"region": "Maule"}, **{"If-Match": f'"{version}"'})
    assert r.status_code == 412 and r.json()["current"]["version"] == version + 1
    r = _patch(c, f"{API}/{account.pk}", {"region": "Maule"}, **{"If-Match": "yesterday"})
    assert r.status_code == 400
    account.refresh_from_db()
    assert account.region == "Biobío"


def test_api_contact_version(client_for, account, ana):
    contact = ContactFactory(customer=account)
    url = f"{API}/{account.pk}/contacts/{contact.pk}"
    c = client_for(ana)
    assert _patch(c, url, {"title": "CFO", "version": contact.version}).status_code == 200
    r = _patch(c, url, {"title": "CEO", "version": contact.version})
    assert r.status_code == 409 and r.json()["current"]["title"] == "CFO"


def test_api_hand_over_checks_the_version(client_for, account, ana, bruno):
    c = client_for(ana)
    url = f"{API}/{account.pk}/owner"
    stale = account.version
    actions.do_update_customer(ana, account, region="Biobío")
    r = c.post(
        url,
        data=json.dumps({"owner_id": bruno.pk, "version": stale}),
        content_type="application/json",
    )
    assert r.status_code == 409
    account.refresh_from_db()
    assert account.owner == ana


# --- concurrent writers -------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite lets one writer in at a time: the race needs PostgreSQL's concurrent writers",
)
def test_concurrent_saves_on_postgresql_one_wins_the_other_is_told(ana, account):
    """Two threads save the same version at once: one wins, the other gets the conflict, and
    the winner's change is the one kept (nothing silently lost)."""
    version = account.version
    barrier = threading.Barrier(2)
    outcome: dict[str, str] = {}

    def save(region: str):
        try:
            customer = Customer.objects.get(pk=account.pk)
            barrier.wait(timeout=10)
            actions.do_update_customer(ana, customer, version=version, region=region)
            outcome[region] = "saved"
        except VersionConflict:
            outcome[region] = "conflict"
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=save, args=(r,)) for r in ("Biobío", "Maule")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(outcome.values()) == ["conflict", "saved"], outcome
    account.refresh_from_db()
    winner = next(r for r, what in outcome.items() if what == "saved")
    assert account.region == winner and account.version == version + 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite lets one writer in at a time: the race needs PostgreSQL's concurrent writers",
)
def test_concurrent_contact_saves_on_postgresql(ana, account):
    contact = ContactFactory(customer=account)
    version = contact.version
    barrier = threading.Barrier(2)
    outcome: list[str] = []

    def save(title: str):
        try:
            fresh = Contact.objects.get(pk=contact.pk)
            barrier.wait(timeout=10)
            actions.do_update_contact(ana, fresh, version=version, title=title)
            outcome.append("saved")
        except VersionConflict:
            outcome.append("conflict")
        finally:
            connection.close()

    threads = [threading.Thread(target=save, args=(t,)) for t in ("CFO", "CEO")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(outcome) == ["conflict", "saved"]
