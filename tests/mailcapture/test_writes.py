"""The mail read's own write path (kamp.mailcapture.sync._insert: multi-row INSERTs without
model instances) against Django's ``bulk_create``: the same rows in the four tables it writes,
on SQLite and PostgreSQL alike."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from django.db import connection
from django.utils import timezone

from kamp.interactions.models import (
    Interaction,
    InteractionContact,
    InteractionKind,
    InteractionPerson,
    InteractionSource,
)
from kamp.mailcapture import sync
from kamp.mailcapture.models import CapturedMessage, Status
from tests.factories import ContactFactory
from tests.mailcapture import messages as m

pytestmark = pytest.mark.django_db

# More rows than one statement holds (SQLite takes 999 values: 47 rows of captured mail), and
# a last statement shorter than the others.
N = 2 * sync.INSERT_ROWS + 13


def _stored(model, order_by: str, leave_out: tuple[str, ...] = ("id",)) -> list[dict]:
    fields = [f.attname for f in model._meta.concrete_fields if f.attname not in leave_out]
    return list(model.objects.order_by(order_by).values(*fields))


def _captured(k: int, tag: str, account, ana) -> dict:
    when = datetime(2025, 3, 3, 13, 15, tzinfo=UTC) + timedelta(minutes=k % 7)
    return {
        "key": f"<{tag}{k}@x>",
        "uidvalidity": 7,
        "uid": k + 1,
        "status": [Status.LOGGED, Status.UNMATCHED, Status.TOO_LARGE][k % 3],
        "reason": "" if k % 3 == 0 else "You may not write in %(customer)s's log.",
        "reason_params": {} if k % 3 == 0 else {"customer": "Constructora «CS»", "n": k},
        "subject": f"Propuesta de mantención {k} ✓",
        "topic": f"Propuesta de mantención {k}",
        "sent_at": None if k % 5 == 0 else when,
        "from_address": "ana@supplier.test",
        "addresses": [{"email": "jose.munoz@cs.test", "name": "José Muñoz"}] if k % 2 else [],
        "forwarded": bool(k % 4 == 0),
        "size": 1000 + k,
        "body": "" if k % 2 else "Estimado,\nadjunto la propuesta.",
        "sender_id": ana.pk if k % 3 != 2 else None,
        "customer_id": account.pk if k % 3 == 0 else None,
        "interaction_id": None,
        "read_at": when + timedelta(days=1),
    }


def test_captured_mail_rows_are_those_bulk_create_writes(account, ana):
    rows = [_captured(k, "fast", account, ana) for k in range(N)]
    assert sync._insert(CapturedMessage, rows) == []
    fast = _stored(CapturedMessage, "id", ("id", "key"))
    assert len(fast) == N
    CapturedMessage.objects.all().delete()

    CapturedMessage.objects.bulk_create(
        [CapturedMessage(**_captured(k, "orm", account, ana)) for k in range(N)]
    )
    assert fast == _stored(CapturedMessage, "id", ("id", "key"))
    # A field left out takes its default, as a model instance would.
    sync._insert(CapturedMessage, [{"key": "<bare@x>", "status": Status.UNREADABLE}])
    bare = CapturedMessage.objects.get(key="<bare@x>")
    assert (bare.reason_params, bare.addresses, bare.size, bare.body) == ({}, [], 0, "")
    assert bare.sent_at is None and bare.read_at is not None


def test_rows_read_from_objects_or_dicts_of_different_keys_are_the_same_rows(account, ana):
    """A read's own rows (kamp.mailcapture.sync._Row, _Entry: their values read by attrgetter)
    and dicts that do not all give the same columns (each value read by itself, the default
    where missing) are written as the same dicts of every column are."""
    given = [_captured(k, "d", account, ana) for k in range(N)]
    sync._insert(CapturedMessage, given)
    as_dicts = _stored(CapturedMessage, "id", ("id", "key"))
    CapturedMessage.objects.all().delete()

    rows = []
    for k, values in enumerate(_captured(k, "o", account, ana) for k in range(N)):
        row = sync._Row(uidvalidity=7, uid=k + 1, size=0, read_at=values["read_at"])
        for name, value in values.items():
            setattr(row, name, value)
        row.sender = "not a column"  # what a row holds besides its columns is not written
        rows.append(row)
    sync._insert(CapturedMessage, rows)
    assert _stored(CapturedMessage, "id", ("id", "key")) == as_dicts
    CapturedMessage.objects.all().delete()

    # Every other row without its body and size: those take their defaults ("", 0).
    mixed = [_captured(k, "m", account, ana) for k in range(N)]
    for k, row in enumerate(mixed):
        if k % 2:
            del row["body"], row["size"]
    sync._insert(CapturedMessage, mixed)
    expected = [{**r, "body": "", "size": 0} if k % 2 else r for k, r in enumerate(as_dicts)]
    assert _stored(CapturedMessage, "id", ("id", "key")) == expected

    entries = [
        sync._Entry(our_people=(ana.pk,), their_contacts=(), **_interaction(k, "o", account, ana))
        for k in range(N)
    ]
    stamps = ("id", "external_uid", "created_at", "updated_at")
    sync._insert(Interaction, entries)
    from_objects = _stored(Interaction, "id", stamps)
    Interaction.objects.all().delete()
    sync._insert(Interaction, [_interaction(k, "d", account, ana) for k in range(N)])
    assert from_objects == _stored(Interaction, "id", stamps)
    assert len(from_objects) == N


@pytest.mark.parametrize("n", [1, 46, 47, 48, 94, 99, 100, 101, 200, 201])
def test_every_row_is_written_once_whatever_their_number(n):
    """Full statements, a shorter last one, or an exact multiple of the statement's rows."""
    rows = [{"key": f"<n{k}@x>", "status": Status.UNREADABLE, "uid": k} for k in range(n)]
    sync._insert(CapturedMessage, rows)
    stored = list(CapturedMessage.objects.order_by("id").values_list("key", "uid"))
    assert stored == [(f"<n{k}@x>", k) for k in range(n)]


def _interaction(k: int, tag: str, account, ana) -> dict:
    return {
        "customer_id": account.pk,
        "date": date(2025, 3, 3) - timedelta(days=k % 11),
        "kind": InteractionKind.EMAIL,
        "topic": f"Cotización {k}",
        "notes": "" if k % 2 else "Quedamos atentos.",
        "source": InteractionSource.MAIL,
        "external_uid": f"mail:<{tag}{k}@x>",
        "logged_by_id": ana.pk,
    }


@pytest.mark.parametrize("returning", [True, False], ids=["returning", "plain"])
def test_interactions_and_their_links_are_those_bulk_create_writes(account, ana, member, returning):
    if returning and not connection.features.can_return_rows_from_bulk_insert:
        pytest.skip("this database gives nothing back from an INSERT")
    contacts = [ContactFactory(customer=account, email=f"c{k}@cs.test") for k in range(3)]
    before = timezone.now()
    rows = [_interaction(k, "fast", account, ana) for k in range(N)]
    pairs = sync._insert(Interaction, rows, returning="external_uid" if returning else "")
    if returning:  # each new row's key with its own pk
        assert dict(pairs) == dict(
            Interaction.objects.filter(external_uid__startswith="mail:<fast").values_list(
                "external_uid", "id"
            )
        )
        assert len(pairs) == N
    else:
        assert pairs == []
    ids = list(Interaction.objects.order_by("id").values_list("id", flat=True))
    people = [{"interaction_id": i, "user_id": u.pk} for i in ids for u in (ana, member)]
    theirs = [
        {"interaction_id": i, "contact_id": c.pk}
        for k, i in enumerate(ids)
        for c in contacts[: k % 3]
    ]
    sync._insert(InteractionPerson, people)
    sync._insert(InteractionContact, theirs)
    stamps = ("id", "external_uid", "created_at", "updated_at")
    fast = _stored(Interaction, "id", stamps)
    fast_links = _links()
    # Created and updated now, as auto_now(_add) sets them.
    for i in Interaction.objects.all():
        assert before <= i.created_at == i.updated_at <= timezone.now()
    Interaction.objects.all().delete()

    made = Interaction.objects.bulk_create(
        [Interaction(**_interaction(k, "orm", account, ana)) for k in range(N)]
    )
    ids = [i.pk for i in made]
    InteractionPerson.objects.bulk_create(
        [InteractionPerson(interaction_id=i, user_id=u.pk) for i in ids for u in (ana, member)]
    )
    InteractionContact.objects.bulk_create(
        [
            InteractionContact(interaction_id=i, contact_id=c.pk)
            for k, i in enumerate(ids)
            for c in contacts[: k % 3]
        ]
    )
    assert fast == _stored(Interaction, "id", stamps)
    assert [len(x) for x in fast_links] == [2 * N, sum(k % 3 for k in range(N))]
    assert fast_links == _links()


def _links() -> list[list[tuple]]:
    """Each link row as (its interaction's topic, the person or contact), in the order written."""
    return [
        [(r.interaction.topic, r.user_id) for r in InteractionPerson.objects.order_by("id")],
        [(r.interaction.topic, r.contact_id) for r in InteractionContact.objects.order_by("id")],
    ]


@pytest.fixture
def without_insert_returning(monkeypatch):
    """A database that gives nothing back from an INSERT (SQLite before 3.35)."""
    monkeypatch.setattr(type(connection.features), "can_return_rows_from_bulk_insert", False)


@pytest.mark.parametrize("returning", [True, False], ids=["returning", "found-again"])
def test_each_logged_mail_is_linked_to_its_own_interaction(
    request, dovecot, imap_user, mailbox, account, ana, returning
):
    """Whether the new interactions' pks come back from the INSERT or are found again by their
    keys, each captured mail, its interaction and the interaction's contact are one mail's."""
    if not returning:
        request.getfixturevalue("without_insert_returning")
    contacts = [
        ContactFactory(customer=account, name=f"Contacto {k}", email=f"c{k}@cs.test")
        for k in range(5)
    ]
    dovecot.append(
        imap_user,
        *(
            m.plain(("Ana KAM", ana.email), c.email, f"Tema {k}", msgid=f"<link{k}@x>")
            for k, c in enumerate(contacts)
        ),
    )
    assert sync.sync().logged == 5
    for k, c in enumerate(contacts):
        mail = CapturedMessage.objects.get(key=f"<link{k}@x>")
        i = Interaction.objects.get(pk=mail.interaction_id)
        assert (i.topic, i.external_uid) == (f"Tema {k}", f"mail:<link{k}@x>")
        assert list(i.their_contacts.all()) == [c]
        assert list(i.our_people.all()) == [ana]


def _converted_value_by_value(values, convert):
    """What ``sync._converted`` gave value by value before it told objects apart by id."""
    out, same, done, empty = [], {}, {}, {}
    for v in values:
        if v is None:
            out.append(None)
        elif not isinstance(v, dict | list):
            out.append(same[v] if v in same else same.setdefault(v, convert(v)))
        elif not v:
            out.append(
                empty[type(v)] if type(v) in empty else empty.setdefault(type(v), convert(v))
            )
        else:
            out.append(done[id(v)] if id(v) in done else done.setdefault(id(v), convert(v)))
    return out


def test_values_are_converted_once_each_shared_equal_or_empty():
    """One object on many rows, equal dates and times as distinct objects (one instant in two
    zones), empty and shared JSON, None: the same conversions as value by value, each done once
    per object, per equal date or time and per kind of empty value."""
    calls: list[object] = []

    def convert(v):
        calls.append(v)
        return ("converted", repr(v), len(calls))

    now = datetime(2025, 3, 3, 13, 15, tzinfo=UTC)
    people = [{"email": "jose.munoz@cs.test", "name": "José Muñoz"}]
    values = [
        now,
        None,
        now,
        datetime(2025, 3, 3, 13, 15, tzinfo=UTC),  # equal, another object
        datetime(2025, 3, 3, 10, 15, tzinfo=timezone.get_fixed_timezone(-180)),  # the same instant
        datetime(2025, 3, 3, 13, 16, tzinfo=UTC),
        date(2025, 3, 3),
        date(2025, 3, 3),
        people,
        people,
        [{"email": "jose.munoz@cs.test", "name": "José Muñoz"}],  # equal, another list
        {},
        {},
        [],
        {"customer": "Constructora CS"},
        None,
        now,
    ] * 3
    out = sync._converted(values, convert)
    n = len(calls)
    expected = _converted_value_by_value(values, convert)
    assert [o[:2] if o else o for o in out] == [e[:2] if e else e for e in expected]
    # Once each (the list repeated three times holds the same objects): two instants, one day,
    # two lists of people (told apart as objects), one {} and one [], the customer's dict.
    assert n == 2 + 1 + 2 + 2 + 1
