"""One read of the dropbox looks its people and edit rights up once and keeps them for its next
chunks only while the database is unchanged (``sync._Directory``): a person or contact added,
a team place or an account withdrawn by someone else between two chunks of one read is seen by
the next chunk. Against the real Dovecot; the changes are made on another connection (another
thread, as a web request would), committed — hence transactional tests."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from kamp.core.choices import Role
from kamp.interactions.models import Interaction
from kamp.mailcapture import sync
from kamp.mailcapture.models import CapturedMessage, Status
from kamp.team.models import AccountTeamMember
from tests.factories import ContactFactory, UserFactory
from tests.mailcapture import messages as m

pytestmark = pytest.mark.django_db(transaction=True)

ANA = ("Ana KAM", "ana@supplier.test")
MARTA = ("Marta Logistics", "member@supplier.test")
CARLA = ("Carla Directora", "carla@supplier.test")
JOSE = ("José Muñoz", "jose.munoz@cs.test")
MARIA = ("María González", "maria@cs.test")


def after_the_first_chunk(monkeypatch, change) -> None:
    """Two mails a chunk; once the read's first chunk is saved, ``change`` runs on another
    connection and commits before the second chunk is matched."""
    monkeypatch.setattr(sync, "CHUNK", 2)
    real_store = sync.store
    saved: list[int] = []
    failed: list[BaseException] = []

    def run() -> None:
        try:
            change()
        except BaseException as exc:
            failed.append(exc)
        finally:
            connections.close_all()

    def store(*args, **kwargs):
        real_store(*args, **kwargs)
        saved.append(1)
        if len(saved) == 1:
            other = threading.Thread(target=run)
            other.start()
            other.join()
            if failed:
                raise failed[0]

    monkeypatch.setattr(sync, "store", store)


def statuses() -> dict[str, str]:
    return dict(CapturedMessage.objects.values_list("subject", "status"))


def test_a_person_and_a_contact_added_between_two_chunks_are_matched_by_the_next(
    dovecot, imap_user, mailbox, account, ana, jose, monkeypatch
):
    dovecot.append(
        imap_user,
        m.plain(CARLA, JOSE, "1 Carla, not yet one of ours"),
        m.plain(ANA, MARIA, "2 María, not yet a contact"),
        m.plain(CARLA, JOSE, "3 Carla, one of ours"),
        m.plain(ANA, MARIA, "4 María, a contact"),
    )

    def add() -> None:
        UserFactory(email=CARLA[1], name=CARLA[0], role=Role.DIRECTOR)
        ContactFactory(customer_id=account.pk, name=MARIA[0], email=MARIA[1])

    after_the_first_chunk(monkeypatch, add)
    result = sync.sync()
    assert (result.read, result.logged, result.unmatched, result.error) == (4, 2, 2, "")
    assert statuses() == {
        "1 Carla, not yet one of ours": Status.UNMATCHED,
        "2 María, not yet a contact": Status.UNMATCHED,
        "3 Carla, one of ours": Status.LOGGED,
        "4 María, a contact": Status.LOGGED,
    }
    carla = Interaction.objects.get(topic="3 Carla, one of ours")
    assert carla.logged_by.email == CARLA[1]
    assert [
        c.email for c in Interaction.objects.get(topic="4 María, a contact").their_contacts.all()
    ] == [MARIA[1]]


def test_an_edit_right_or_a_person_withdrawn_between_two_chunks_holds_for_the_next(
    dovecot, imap_user, mailbox, account, ana, member, jose, monkeypatch
):
    dovecot.append(
        imap_user,
        m.plain(MARTA, JOSE, "1 Marta on the team"),
        m.plain(ANA, JOSE, "2 Ana active"),
        m.plain(MARTA, JOSE, "3 Marta off the team"),
        m.plain(ANA, JOSE, "4 Ana gone"),
    )

    def withdraw() -> None:
        AccountTeamMember.objects.filter(customer_id=account.pk, user_id=member.pk).delete()
        type(ana).objects.filter(pk=ana.pk).update(is_active=False)

    after_the_first_chunk(monkeypatch, withdraw)
    result = sync.sync()
    assert (result.read, result.logged, result.unmatched, result.error) == (4, 2, 2, "")
    assert statuses() == {
        "1 Marta on the team": Status.LOGGED,
        "2 Ana active": Status.LOGGED,
        "3 Marta off the team": Status.UNMATCHED,
        "4 Ana gone": Status.UNMATCHED,
    }
    off = CapturedMessage.objects.get(subject="3 Marta off the team")
    assert off.reason_text == "You may not write in Constructora CS's log."
    gone = CapturedMessage.objects.get(subject="4 Ana gone")
    assert gone.reason_text == "None of our people sent it or is among its recipients."


def test_people_and_edit_rights_are_looked_up_once_per_read_while_nothing_changes(
    dovecot, imap_user, mailbox, account, ana, jose, monkeypatch
):
    """Each chunk commits its own mail: that is no change to what the look-ups read. Where the
    database has no cheap way to tell (PostgreSQL) each chunk looks them up again."""
    monkeypatch.setattr(sync, "CHUNK", 2)
    dovecot.append(imap_user, *(m.plain(ANA, JOSE, f"M {k}") for k in range(6)))
    calls: list[str] = []
    real_people, real_editable = sync.people_by_email, sync.customers_editable_by
    monkeypatch.setattr(
        sync, "people_by_email", lambda emails: calls.append("people") or real_people(emails)
    )
    monkeypatch.setattr(
        sync, "customers_editable_by", lambda user: calls.append("edit") or real_editable(user)
    )
    result = sync.sync()
    assert (result.read, result.logged, result.error) == (6, 6, "")
    chunks = 1 if connection.vendor == "sqlite" else 3
    assert calls.count("people") == calls.count("edit") == chunks
