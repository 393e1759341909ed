"""Mail capture against a real Dovecot: messages put with IMAP APPEND (or delivered into the
maildir, for the mail bomb), read over TLS or STARTTLS, logged as e-mail interactions."""

from __future__ import annotations

import json
from datetime import date

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from kamp.core.alerts import compute
from kamp.customers.models import Customer
from kamp.interactions.models import Interaction, InteractionKind, InteractionSource
from kamp.mailcapture import actions, sync
from kamp.mailcapture.models import CapturedMessage, Mailbox, Status
from tests.mailcapture import messages as m
from tests.mailcapture.conftest import DROPBOX

pytestmark = pytest.mark.django_db

ANA = ("Ana KAM", "ana@supplier.test")
JOSE = ("José Muñoz", "jose.munoz@cs.test")


def logged(account) -> list[Interaction]:
    return list(
        Interaction.objects.filter(customer=account).prefetch_related(
            "our_people", "their_contacts"
        )
    )


def test_a_bcc_mail_is_logged_once_with_its_date_topic_and_people(
    dovecot, imap_user, mailbox, account, ana, jose
):
    raw = m.plain(ANA, JOSE, "Propuesta de mantención 2025", msgid="<p1@supplier.test>")
    dovecot.append(imap_user, raw)

    result = sync.sync()

    assert (result.read, result.logged, result.error) == (1, 1, "")
    [i] = logged(account)
    assert i.kind == InteractionKind.EMAIL
    assert i.source == InteractionSource.MAIL
    assert i.topic == "Propuesta de mantención 2025"
    assert i.date == date(2025, 3, 3)  # the Date header, in kamp's zone
    assert list(i.our_people.all()) == [ana]
    assert list(i.their_contacts.all()) == [jose]
    assert i.notes == ""  # the body is not kept by default
    assert i.logged_by == ana
    box = Mailbox.load()
    assert box.last_uid == 1 and box.uidvalidity and box.last_error == ""
    assert box.last_success_at is not None

    # Nothing new: nothing read. The same message again (same Message-ID): not logged twice.
    assert sync.sync().read == 0
    dovecot.append(imap_user, raw)
    again = sync.sync()
    assert (again.read, again.duplicates) == (0, 1)
    assert len(logged(account)) == 1


def test_starttls(dovecot, imap_user, mailbox, admin, account, ana, jose):
    actions.do_save_mailbox(admin, security="starttls", port=dovecot.imap_port)
    dovecot.append(imap_user, m.plain(ANA, JOSE))
    assert sync.sync().logged == 1


def test_encoded_words_with_non_ascii_names_and_a_customer_reply_to_all(
    dovecot, imap_user, mailbox, account, ana, jose
):
    # Latin-1 encoded words, as older programs write them; the dropbox in copy of a reply.
    raw = m.encoded_by_hand(
        "=?iso-8859-1?q?Jos=E9_Mu=F1oz?= <jose.munoz@cs.test>",
        f"Ana KAM <ana@supplier.test>, {DROPBOX}",
        "=?utf-8?b?UmU6IFJldW5pw7NuIGRlIGNpZXJyZQ==?=",
        "<r1@cs.test>",
    )
    dovecot.append(imap_user, raw)
    assert sync.sync().logged == 1
    [i] = logged(account)
    assert i.topic == "Reunión de cierre"  # "Re: " left out
    assert i.logged_by == ana  # the one of ours it was written to
    row = CapturedMessage.objects.get()
    assert {"email": "jose.munoz@cs.test", "name": "José Muñoz"} in row.addresses


def test_the_body_is_kept_only_when_the_company_says_so(
    dovecot, imap_user, mailbox, admin, account, ana, jose
):
    html = "<p>Texto <b>HTML</b></p>"
    dovecot.append(imap_user, m.plain(ANA, JOSE, "Sin texto", body="Texto plano A\n", html=html))
    sync.sync()
    actions.do_save_mailbox(admin, store_body=True)
    dovecot.append(imap_user, m.plain(ANA, JOSE, "Con texto", body="Texto plano B\n", html=html))
    sync.sync()
    notes = dict(Interaction.objects.values_list("topic", "notes"))
    assert notes == {"Sin texto": "", "Con texto": "Texto plano B"}
    assert CapturedMessage.objects.get(subject="Sin texto").body == ""


FORWARDS = [
    (
        m.gmail_forward,
        "José Muñoz <jose.munoz@cs.test>",
        "Ana KAM <ana@supplier.test>",
        "Mon, Feb 3, 2025 at 10:15 AM",
    ),
    (
        m.outlook_forward_es,
        "José Muñoz <jose.munoz@cs.test>",
        "Ana KAM <ana@supplier.test>",
        "lunes, 3 de febrero de 2025 10:15",
    ),
    (
        m.outlook_forward_en,
        "Muñoz, José [mailto:jose.munoz@cs.test]",
        "Ana KAM",
        "Monday, February 3, 2025 10:15 AM",
    ),
]


@pytest.mark.parametrize("make, original_from, original_to, date_line", FORWARDS)
def test_an_inline_forward_is_attributed_to_the_original_correspondents(
    dovecot,
    imap_user,
    mailbox,
    account,
    ana,
    bruno,
    jose,
    make,
    original_from,
    original_to,
    date_line,
):
    # Ana forwards José's mail; the forward also names Bruno, who is not on the original.
    raw = make(ANA, DROPBOX, original_from, original_to, "Cotización grúas", date_line)
    dovecot.append(imap_user, raw)
    assert sync.sync().logged == 1
    [i] = logged(account)
    assert i.topic == "Cotización grúas"
    assert i.date == date(2025, 2, 3)  # the original's date, not the forward's
    assert list(i.their_contacts.all()) == [jose]
    assert list(i.our_people.all()) == [ana]
    assert CapturedMessage.objects.get().forwarded


def test_a_forward_as_attachment_and_attachments_are_never_kept(
    dovecot, imap_user, mailbox, admin, account, ana, jose, maria
):
    actions.do_save_mailbox(admin, store_body=True)
    inner = m.plain(
        JOSE,
        ANA,
        "Contrato firmado",
        cc=[("María González", "maria@cs.test")],
        body="Adjunto el contrato firmado.\n",
    )
    dovecot.append(imap_user, m.attached_forward(ANA, DROPBOX, inner, "Contrato firmado"))
    assert sync.sync().logged == 1
    [i] = logged(account)
    assert i.topic == "Contrato firmado"
    assert i.date == date(2025, 3, 3)
    assert set(i.their_contacts.all()) == {jose, maria}
    assert i.notes == "Forwarding as attachment."  # the forward's own text, not the attachment


def test_only_a_possible_forward_is_fetched_whole_unless_bodies_are_kept(
    dovecot, imap_user, mailbox, admin, account, ana, jose, maria, monkeypatch
):
    parts: list[tuple[int, str]] = []
    real_fetch = sync.fetch

    def watching_fetch(conn, uids, part="BODY.PEEK[]"):
        parts.extend((u, part) for u in uids)
        return real_fetch(conn, uids, part)

    monkeypatch.setattr(sync, "fetch", watching_fetch)
    dovecot.append(imap_user, m.plain(ANA, JOSE, "Reunión", body="Texto\n", html="<p>T</p>"))
    inner = m.plain(JOSE, ANA, "Contrato firmado", cc=[("María González", "maria@cs.test")])
    # A forward as attachment whose subject says nothing: its multipart/mixed says it may be one.
    attached = m.attached_forward(ANA, DROPBOX, inner, "Contrato firmado")
    dovecot.append(imap_user, attached.replace(b"Subject: Fwd: ", b"Subject: "))
    assert sync.sync().logged == 2
    assert sorted(parts) == [
        (1, "BODY.PEEK[HEADER]"),
        (2, "BODY.PEEK[HEADER]"),
        (2, "BODY.PEEK[]"),
    ]
    contract, meeting = sorted(logged(account), key=lambda i: i.topic)
    assert (contract.topic, set(contract.their_contacts.all())) == (
        "Contrato firmado",
        {jose, maria},
    )
    assert (meeting.topic, list(meeting.their_contacts.all())) == ("Reunión", [jose])

    # The company keeps bodies: every message is fetched whole (and only whole).
    actions.do_save_mailbox(admin, store_body=True)
    parts.clear()
    dovecot.append(imap_user, m.plain(ANA, JOSE, "Otra", body="Texto B\n"))
    assert sync.sync().logged == 1
    assert parts == [(3, "BODY.PEEK[]")]
    assert Interaction.objects.get(topic="Otra").notes == "Texto B"


def test_unmatched_mail_waits_for_its_sender_who_logs_or_dismisses_it(
    dovecot, imap_user, mailbox, account, ana, jose
):
    dovecot.append(
        imap_user,
        m.plain(ANA, ("Pedro Nuevo", "pedro@cs.test"), "Visita a obra", msgid="<u1@x>"),
        m.plain(ANA, "newsletter@spam.test", "Oferta", msgid="<u2@x>"),
        m.plain("stranger@else.test", DROPBOX, "Hola", msgid="<u3@x>"),
    )
    result = sync.sync()
    assert (result.logged, result.unmatched) == (0, 3)
    waiting = CapturedMessage.objects.filter(sender=ana, status=Status.UNMATCHED)
    assert {w.subject for w in waiting} == {"Visita a obra", "Oferta"}
    # The stranger's mail is nobody's to resolve (the admin sees it counted).
    assert CapturedMessage.objects.get(key="<u3@x>").sender is None

    visit = waiting.get(subject="Visita a obra")
    actions.do_assign(ana, visit, account)
    [i] = logged(account)
    assert i.topic == "Visita a obra" and i.kind == InteractionKind.EMAIL
    [pedro] = i.their_contacts.all()
    assert (pedro.name, pedro.email, pedro.customer) == ("Pedro Nuevo", "pedro@cs.test", account)
    visit.refresh_from_db()
    assert visit.status == Status.LOGGED and visit.interaction == i

    offer = waiting.get(subject="Oferta")
    actions.do_dismiss(ana, offer)
    offer.refresh_from_db()
    assert offer.status == Status.DISMISSED
    # A mail resolved is not read and logged again on the next check.
    assert sync.sync().read == 0
    assert Interaction.objects.count() == 1


def test_a_mail_on_an_account_the_sender_may_not_edit_waits(
    dovecot, imap_user, mailbox, account, bruno, jose
):
    dovecot.append(imap_user, m.plain(("Bruno", "bruno@supplier.test"), JOSE, "Hola José"))
    assert sync.sync().unmatched == 1
    row = CapturedMessage.objects.get()
    assert row.sender == bruno and row.customer == account
    assert row.reason_text == "You may not write in Constructora CS's log."
    assert not Interaction.objects.exists()
    with pytest.raises(Exception):  # noqa: B017 - PermissionDenied
        actions.do_assign(bruno, row, account)
    assert not Interaction.objects.exists()


def test_a_message_over_the_size_cap_is_listed_not_read(
    dovecot, imap_user, mailbox, admin, account, ana, jose
):
    actions.do_save_mailbox(admin, max_megabytes=1)
    big = m.plain(ANA, JOSE, "Planos", body="x" * (2 * 1024 * 1024), msgid="<big@x>")
    dovecot.append(imap_user, m.plain(ANA, JOSE, "Antes"), big, m.plain(ANA, JOSE, "Después"))
    result = sync.sync()
    assert (result.logged, result.too_large) == (2, 1)
    row = CapturedMessage.objects.get(key="<big@x>")
    assert (row.status, row.subject, row.sender) == (Status.TOO_LARGE, "Planos", ana)
    assert row.size > 2 * 1024 * 1024
    assert sorted(Interaction.objects.values_list("topic", flat=True)) == ["Antes", "Después"]


def test_hostile_headers_and_broken_charsets(dovecot, imap_user, mailbox, account, ana, jose):
    injected = m.encoded_by_hand(
        "Ana KAM <ana@supplier.test>",
        "jose.munoz@cs.test",
        "=?utf-8?q?Hola=0D=0ABcc:_evil@attacker.test=0D=0A?= mundo",
        "<inj@x>",
    )
    garbage = m.encoded_by_hand(
        "=?x-unknown?q?=FF=FE?= <ana@supplier.test>",
        "=?utf-8?b?!!!notbase64?= <jose.munoz@cs.test>",
        "=?utf-8?q?=C3=28broken?= =?iso-2022-xx?b?AAAA?=",
        "<garbage@x>",
    )
    bad_charset = m.plain(ANA, JOSE, "Charset", msgid="<cs@x>").replace(
        b'charset="utf-8"', b'charset="no-such-charset"'
    )
    junk = b"\x00\xff\xfe not a mail at all \x00\r\n\r\n\xff"
    dovecot.append(imap_user, injected, garbage, bad_charset, junk, m.plain(ANA, JOSE, "Normal"))
    result = sync.sync()
    assert result.error == ""
    assert result.read == 5
    assert result.unreadable == 1 and len(result.errors) == 1
    topics = set(Interaction.objects.values_list("topic", flat=True))
    assert "Normal" in topics and "Charset" in topics
    hola = Interaction.objects.get(topic__startswith="Hola")
    assert "\n" not in hola.topic and "\r" not in hola.topic
    assert not CapturedMessage.objects.filter(addresses__icontains="attacker").exists()
    assert CapturedMessage.objects.get(key="<garbage@x>").status in (
        Status.LOGGED,
        Status.UNMATCHED,
    )


def test_a_new_uidvalidity_reads_again_without_logging_twice(
    dovecot, imap_user, mailbox, admin, account, ana, jose
):
    # A folder deleted and made again (or a server restored from a backup) numbers its
    # messages anew: a new UIDVALIDITY.
    actions.do_save_mailbox(admin, folder="Registro")
    one, two = m.plain(ANA, JOSE, "Uno"), m.plain(ANA, JOSE, "Dos")
    dovecot.make_folder(imap_user, "Registro")
    dovecot.append(imap_user, one, two, folder="Registro")
    assert sync.sync().logged == 2
    before = Mailbox.load().uidvalidity
    dovecot.make_folder(imap_user, "Registro", again=True)
    dovecot.append(imap_user, one, two, m.plain(ANA, JOSE, "Tres"), folder="Registro")
    result = sync.sync()
    assert Mailbox.load().uidvalidity != before
    assert (result.logged, result.duplicates) == (1, 2)
    assert Interaction.objects.count() == 3


def test_connection_failures_are_shown_and_alert_the_admin_after_repeated_ones(
    dovecot, imap_user, mailbox, admin, ana, settings
):
    actions.do_save_mailbox(admin, password="wrong-password-zz9")
    result = sync.sync()
    assert "refused the user name or the password" in result.error
    box = Mailbox.load()
    assert box.consecutive_failures == 1 and "wrong-password-zz9" not in box.last_error
    # Nothing raised yet; after the third failure in a row, the admins are told.
    assert not [
        a for a in compute(Customer.objects.all(), user=admin)[0] if a.area == "mailcapture"
    ]
    sync.sync()
    sync.sync()
    raised = [a for a in compute(Customer.objects.all(), user=admin)[0] if a.area == "mailcapture"]
    assert len(raised) == 1 and "3" in raised[0].message
    assert not [a for a in compute(Customer.objects.all(), user=ana)[0] if a.area == "mailcapture"]

    # A closed port, an untrusted certificate: each its own clear error.
    actions.do_save_mailbox(admin, password="dropbox-secret-1", port=1)
    assert "cannot be reached" in sync.sync().error
    actions.do_save_mailbox(admin, port=dovecot.imaps_port)
    settings.KAMP_MAIL_CA_FILE = ""
    assert "not trusted" in sync.sync().error
    settings.KAMP_MAIL_CA_FILE = str(dovecot.cafile)
    assert sync.sync().error == ""
    box = Mailbox.load()
    assert box.consecutive_failures == 0 and box.last_error == ""


def test_a_mail_bomb_of_ten_thousand_messages_is_read_in_bounded_batches(
    dovecot, imap_user, mailbox, account, ana, jose, monkeypatch
):
    n = 10_000
    dovecot.deliver_files(
        imap_user,
        (m.plain(ANA, JOSE, f"Mensaje {k}", msgid=f"<bomb{k}@x>") for k in range(n)),
    )
    fetched: list[int] = []
    real_fetch = sync.fetch

    def counting_fetch(conn, uids, part="BODY.PEEK[]"):
        fetched.append(len(uids))
        return real_fetch(conn, uids, part)

    monkeypatch.setattr(sync, "fetch", counting_fetch)
    result = sync.sync()
    assert (result.read, result.logged, result.error) == (n, n, "")
    assert max(fetched) <= sync.FETCH_COUNT
    assert Interaction.objects.filter(source=InteractionSource.MAIL).count() == n
    assert Mailbox.load().last_uid == n


def test_cli_sync_json(dovecot, imap_user, mailbox, admin, account, ana, jose, capsys):
    dovecot.append(imap_user, m.plain(ANA, JOSE))
    call_command("mail", "sync", "--json")
    out = json.loads(capsys.readouterr().out)
    assert (out["read"], out["logged"], out["error"]) == (1, 1, "")
    actions.do_save_mailbox(admin, password="nope")
    with pytest.raises(CommandError, match="refused"):
        call_command("mail", "sync")


def test_a_connection_broken_between_chunks_loses_nothing(
    dovecot, imap_user, mailbox, account, ana, jose, monkeypatch
):
    """The connection breaks while the second chunk is fetched: the first is saved with the
    UID it reached, the check says why it stopped, and the next check reads the rest — each
    mail logged once."""
    monkeypatch.setattr(sync, "CHUNK", 2)
    dovecot.append(
        imap_user, *(m.plain(ANA, JOSE, f"Tramo {k}", msgid=f"<tramo{k}@x>") for k in range(5))
    )
    calls: list[int] = []
    real_sizes = sync.fetch_sizes

    def breaking_sizes(conn, uids):
        calls.append(len(uids))
        if len(calls) == 2:  # the second chunk: the server goes away mid-check
            conn.sock.shutdown(2)
        return real_sizes(conn, uids)

    monkeypatch.setattr(sync, "fetch_sizes", breaking_sizes)
    result = sync.sync()
    assert result.error and result.logged == 2
    box = Mailbox.load()
    assert box.last_uid == 2 and box.consecutive_failures == 1 and box.last_error
    assert sorted(i.topic for i in logged(account)) == ["Tramo 0", "Tramo 1"]

    monkeypatch.setattr(sync, "fetch_sizes", real_sizes)
    again = sync.sync()
    assert (again.read, again.logged, again.error) == (3, 3, "")
    assert sorted(i.topic for i in logged(account)) == [f"Tramo {k}" for k in range(5)]
    assert Mailbox.load().last_uid == 5


def test_a_date_in_an_impossible_zone_does_not_stop_the_check(
    dovecot, imap_user, mailbox, account, ana, jose
):
    raw = m.plain(ANA, JOSE, "Zona rara").replace(
        b"Date: Mon, 03 Mar 2025 13:15:00 +0000", b"Date: 03 Mar 2025 13:15:00 +2500"
    )
    assert b"+2500" in raw
    dovecot.append(imap_user, raw, m.plain(ANA, JOSE, "Siguiente"))
    result = sync.sync()
    assert (result.read, result.logged, result.error) == (2, 2, "")
    assert sorted(i.topic for i in logged(account)) == ["Siguiente", "Zona rara"]


def test_fetched_mail_is_byte_for_byte_what_imaplib_reads_and_a_refusal_is_an_error(
    dovecot, imap_user
):
    """kamp reads its FETCH answers itself (not with imaplib's response parser): each message
    and header block comes back exactly as imaplib gives it, also when the mail holds what
    looks like IMAP (a literal's ``{n}``, an untagged or a tagged line, 8-bit bytes); a fetch
    the server refuses is an error naming it, and the connection stays usable."""
    tricky = [
        m.plain(ANA, JOSE, "Uno", body="a line ending like a literal {12}\r\n)\r\n"),
        m.plain(ANA, JOSE, "Dos", body="* 1 FETCH (UID 9 BODY[] {3}\r\nkamp1 OK done\r\n"),
        b"From: ana@supplier.test\r\nSubject: caf\xc3\xa9 \xff\r\n\r\n\xe9t\xe9 {0}\r\n",
        m.plain(ANA, JOSE, "Cuatro"),
    ]
    dovecot.append(imap_user, *tricky)
    conn = dovecot.client(imap_user)
    try:
        conn.select("INBOX", readonly=True)
        uids = sync.new_uids(conn, 0)
        assert uids == [1, 2, 3, 4]
        for part in ("BODY.PEEK[]", "BODY.PEEK[HEADER]"):
            _typ, data = conn.uid("FETCH", "1:4", f"(UID {part})")
            theirs = [d[1] for d in data if isinstance(d, tuple)]
            ours = sync.fetch(conn, uids, part)
            assert [ours[u] for u in uids] == theirs
        _typ, data = conn.uid("FETCH", "1:4", "(UID RFC822.SIZE)")
        assert sorted(sync.fetch_sizes(conn, uids).values()) == sorted(
            int(d.split(b"RFC822.SIZE ")[1].split(b")")[0]) for d in data
        )
        with pytest.raises(sync.MailboxError, match="fetching the mail"):
            sync.fetch(conn, uids, "BODY.PEEK[NOSUCHPART]")
        _typ, data = conn.uid("FETCH", "2", "(UID BODY.PEEK[])")
        assert sync.fetch(conn, [2]) == {2: data[0][1]}
        assert b"kamp1 OK done" in data[0][1]
        typ, _data = conn.noop()  # imaplib's own commands go on after kamp's
        assert typ == "OK"
    finally:
        conn.logout()


def test_the_tables_a_mailbox_read_writes_keep_no_index_another_one_starts_with():
    """Each index costs every row written (a first read writes 40,000 rows): none of the four
    tables keeps an index whose columns another of its indexes starts with — a query by
    those columns is served by the longer one."""
    from django.db import connection

    from kamp.interactions.models import InteractionContact, InteractionPerson

    tables = [Interaction, InteractionPerson, InteractionContact, CapturedMessage]
    with connection.cursor() as cursor:
        for model in tables:
            found = connection.introspection.get_constraints(cursor, model._meta.db_table)
            indexes = {
                name: tuple(c["columns"])
                for name, c in found.items()
                if (c["index"] or c["unique"]) and not c["primary_key"] and c["columns"]
            }
            for name, columns in indexes.items():
                for other, longer in indexes.items():
                    if other != name and len(longer) > len(columns):
                        assert longer[: len(columns)] != columns, (name, other)


def test_a_huge_header_block_is_read_only_so_far(dovecot, imap_user, mailbox, admin, ana, jose):
    """A message over the size cap is listed from its header block, and of that at most
    HEAD_BYTES are read: a hostile block of megabytes cannot fill memory."""
    actions.do_save_mailbox(admin, max_megabytes=1)
    raw = m.plain(ANA, JOSE, "Cabecera enorme", msgid="<huge@x>")
    head, blank, body = raw.partition(b"\r\n\r\n") if b"\r\n\r\n" in raw else raw.partition(b"\n\n")
    eol = b"\r\n" if blank == b"\r\n\r\n" else b"\n"
    padding = eol.join(b"X-Padding-%06d: " % i + b"y" * 90 for i in range(25_000))
    huge = head + eol + padding + blank + body
    assert len(huge) > 2 * 1024 * 1024
    dovecot.append(imap_user, huge)
    read: list[bytes] = []
    original = sync.fetch

    def watching(conn, uids, part="BODY.PEEK[]"):
        found = original(conn, uids, part)
        read.extend(found.values())
        return found

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(sync, "fetch", watching)
        result = sync.sync()
    assert result.too_large == 1
    row = CapturedMessage.objects.get(key="<huge@x>")
    assert (row.status, row.subject, row.sender) == (Status.TOO_LARGE, "Cabecera enorme", ana)
    assert read and max(len(r) for r in read) <= sync.HEAD_BYTES
