"""A large read's mail read by a child process (``kamp.mailcapture.parser_process``): the mail
logged is the same as when the checking process reads it itself, and a child that cannot
start, dies or stops answering costs only speed — the read goes on in the checking process,
each mail logged once, a warning in the log, no process left behind.

Against the real Dovecot, with small reads made "large" (``FROM_MESSAGES``) and cut into
chunks of three; the tests of the child alone need no server."""

from __future__ import annotations

import logging
import os
import pickle
import shutil
import signal
import threading
import time
from email import message_from_bytes, policy

import pytest

from kamp.interactions.models import Interaction
from kamp.mailcapture import actions, parse, parser_process, sync
from kamp.mailcapture.models import CapturedMessage, Mailbox, Status
from tests.mailcapture import messages as m
from tests.mailcapture.conftest import DROPBOX

ANA = ("Ana KAM", "ana@supplier.test")
BRUNO = ("Bruno KAM", "bruno@supplier.test")
JOSE = ("José Muñoz", "jose.munoz@cs.test")
MARIA = ("María González", "maria@cs.test")

WARNING = "Mail capture: the mail is read in this process"


# --- fixtures and helpers -------------------------------------------------------------------


@pytest.fixture
def children(monkeypatch):
    """Every :class:`ParserProcess` started during the test, in order."""
    started: list[parser_process.ParserProcess] = []
    real_init = parser_process.ParserProcess.__init__

    def recording_init(self):
        real_init(self)
        started.append(self)

    monkeypatch.setattr(parser_process.ParserProcess, "__init__", recording_init)
    yield started
    for p in started:  # a test that failed half-way leaves no process behind
        if p.child.poll() is None:
            p.child.kill()
            p.child.wait()


@pytest.fixture
def small_chunks(monkeypatch):
    """Every read is "large" (a child is started for it) and cut into chunks of three."""
    monkeypatch.setattr(parser_process, "FROM_MESSAGES", 1)
    as_if_two_processors(monkeypatch)
    monkeypatch.setattr(sync, "CHUNK", 3)
    monkeypatch.setattr(sync, "FIRST_CHUNK", 3)


def as_if_two_processors(monkeypatch) -> None:
    """A machine of one processor has no child (it would only take turns with the checking
    process): the tests' machine may be one, the tests are about the child."""
    monkeypatch.setattr(sync.cpus, "usable", lambda: 2)


@pytest.fixture
def child_ready(monkeypatch, small_chunks):
    """The child reads every batch from the first one on. In production the batches fetched
    before it has started (about 0.1 s) are read in the checking process; waiting for it here
    makes what the child read, and so what the tests count, the same on every run."""
    real_ready = sync._Reading._ready_child

    def ready_child(self):
        if self.child is not None:
            self.child.ready.wait(10)
        return real_ready(self)

    monkeypatch.setattr(sync._Reading, "_ready_child", ready_child)


def count_read_by_child(monkeypatch) -> list[int]:
    """Per chunk saved, how much of its mail :func:`sync.store` was handed read already (a
    ``parse.Mail``: only the child's answers are; this process hands over a ``parse.Head`` or
    nothing, and reads in ``store``)."""
    counts: list[int] = []
    real_store = sync.store

    def store(mailbox, validity, last_uid, items, result, **kwargs):
        got = [read.get() if isinstance(read, sync._Pending) else read for *_, read in items]
        counts.append(sum(isinstance(r, parse.Mail) for r in got))
        return real_store(mailbox, validity, last_uid, items, result, **kwargs)

    monkeypatch.setattr(sync, "store", store)
    return counts


def assert_ended(children) -> None:
    """No child outlives its read."""
    assert children
    assert [p.child.poll() is not None for p in children] == [True] * len(children)


def warnings(caplog) -> list[str]:
    return [
        r.getMessage()
        for r in caplog.records
        if r.name == sync.logger.name and r.levelno >= logging.WARNING
    ]


def assert_warned(caplog) -> None:
    found = warnings(caplog)
    assert found, "the read went on in this process without a warning"
    assert all(w.startswith(WARNING) for w in found), found


def topics() -> list[str]:
    return sorted(Interaction.objects.values_list("topic", flat=True))


def some_mail(dovecot, imap_user, *, forwards: bool) -> list[str]:
    """Eight mails from Ana to José (every other one a Gmail forward of José's mail, when
    ``forwards``: read whole); their topics."""
    raws, subjects = [], []
    for k in range(8):
        subject = f"Tramo {k}"
        if forwards and k % 2:
            raws.append(
                m.gmail_forward(
                    ANA, DROPBOX, "José Muñoz <jose.munoz@cs.test>", "Ana KAM", subject, "3/2/2025"
                )
            )
        else:
            raws.append(m.plain(ANA, JOSE, subject, msgid=f"<tramo{k}@x>"))
        subjects.append(subject)
    dovecot.append(imap_user, *raws)
    return subjects


def with_attachment(raw: bytes, subject: str) -> bytes:
    """``raw`` made multipart/mixed by a PDF attached (an offer sent as a file)."""
    msg = message_from_bytes(raw, policy=policy.default)
    del msg["Subject"]
    msg["Subject"] = subject
    msg.add_attachment(b"%PDF-1.4 oferta", maintype="application", subtype="pdf", filename="o.pdf")
    return msg.as_bytes()


def varied_mailbox() -> list[bytes]:
    """Fourteen messages of every kind the dropbox gets."""
    proposal = m.plain(
        ANA,
        [JOSE, MARIA],
        "Propuesta de mantención 2025",
        msgid="<propuesta@supplier.test>",
        html="<p>Hola, adjunto la <b>propuesta</b>.</p>",
    )
    contract = m.plain(JOSE, ANA, "Contrato firmado", cc=[MARIA], body="Adjunto el contrato.\n")
    forwards = [
        make(ANA, DROPBOX, "José Muñoz <jose.munoz@cs.test>", "Ana KAM <ana@supplier.test>", s, d)
        for make, s, d in [
            (m.gmail_forward, "Cotización grúas", "Mon, Feb 3, 2025 at 10:15 AM"),
            (m.outlook_forward_es, "Visita técnica", "lunes, 3 de febrero de 2025 10:15"),
            (m.outlook_forward_en, "Quote", "Monday, February 3, 2025 10:15 AM"),
        ]
    ]
    no_id = m.plain(ANA, JOSE, "Sin identificador", msgid="<drop-me@x>")
    no_id = b"".join(line for line in no_id.splitlines(True) if b"<drop-me@x>" not in line)
    return [
        # A customer's reply to all in Latin-1 encoded words, the dropbox in copy.
        m.encoded_by_hand(
            "=?iso-8859-1?q?Jos=E9_Mu=F1oz?= <jose.munoz@cs.test>",
            f"Ana KAM <ana@supplier.test>, {DROPBOX}",
            "=?utf-8?b?UmU6IFJldW5pw7NuIGRlIGNpZXJyZQ==?=",
            "<r1@cs.test>",
        ),
        proposal,
        *forwards,
        m.attached_forward(ANA, DROPBOX, contract, "Contrato firmado"),
        with_attachment(m.plain(ANA, MARIA, "Oferta"), "Oferta en PDF"),
        b"Subject: Nadie\r\nMessage-ID: <nobody@x>\r\n\r\nSin remitente ni destinatarios.\r\n",
        m.plain("stranger@else.test", DROPBOX, "Hola", msgid="<stranger@x>"),
        m.plain(BRUNO, JOSE, "Hola José", msgid="<bruno@x>"),  # not Bruno's account
        proposal,  # the same Message-ID again
        m.plain(ANA, JOSE, "Planos", body="x" * (2 * 1024 * 1024), msgid="<big@x>"),
        b"\x00\xff\xfe not a mail at all \x00\r\n\r\n\xff",
        no_id,  # keyed by a hash of its headers
    ]


# What a read saves of each mail: the captured mail's columns but those that differ from one
# read to the next (its interaction's id, the time of the read, the folder's UIDVALIDITY).
ROW_FIELDS = tuple(
    c for c in sync._ROW_COLUMNS if c not in ("interaction_id", "read_at", "uidvalidity")
)


def saved() -> tuple[dict, dict]:
    """The mail saved (by key) and the interactions logged (by their mail's key), with their
    people and contacts."""
    rows = {r["key"]: r for r in CapturedMessage.objects.values(*ROW_FIELDS)}
    logged = {
        i.external_uid: (
            i.customer_id,
            i.date,
            i.topic,
            i.notes,
            i.kind,
            i.source,
            i.logged_by_id,
            sorted(u.pk for u in i.our_people.all()),
            sorted(c.pk for c in i.their_contacts.all()),
        )
        for i in Interaction.objects.prefetch_related("our_people", "their_contacts")
    }
    return rows, logged


# --- the same mail logged -----------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("store_body", [False, True], ids=["headers", "bodies"])
def test_the_child_logs_the_same_mail_as_the_checking_process(
    dovecot,
    imap_user,
    mailbox,
    admin,
    account,
    ana,
    bruno,
    jose,
    maria,
    monkeypatch,
    children,
    child_ready,
    caplog,
    store_body,
):
    """Every kind of mail (encoded names, inline and attached forwards, an attachment, no
    sender, an unknown sender, a duplicate, one over the size cap, junk) is saved and logged
    alike, row for row and interaction for interaction, whether the child or the checking
    process read it — with the company keeping bodies or not."""
    actions.do_save_mailbox(admin, max_megabytes=1, store_body=store_body)
    mail = varied_mailbox()
    dovecot.append(imap_user, *mail)
    sent: list[int] = []  # the messages handed to the child
    for kind in ("heads", "wholes"):
        real = getattr(parser_process.ParserProcess, kind)

        def counting(self, batch, *args, real=real):
            sent.append(len(batch))
            return real(self, batch, *args)

        monkeypatch.setattr(parser_process.ParserProcess, kind, counting)

    # The checking process reads (a read smaller than FROM_MESSAGES).
    with monkeypatch.context() as here:
        here.setattr(parser_process, "FROM_MESSAGES", len(mail) + 1)
        alone = sync.sync()
    assert children == [] and sent == []
    expected = saved()
    # The mailbox holds what it should: each outcome is compared below.
    assert (alone.error, alone.read, alone.logged, alone.unmatched) == ("", 13, 8, 2)
    assert (alone.duplicates, alone.too_large, alone.unreadable) == (1, 1, 2)
    assert sum(r["forwarded"] for r in expected[0].values()) == 4
    assert {r["status"] for r in expected[0].values()} == set(Status) - {
        Status.DISMISSED,
        Status.DUPLICATE,
    }

    # Forgotten, and read again, by a child this time.
    Interaction.objects.all().delete()
    CapturedMessage.objects.all().delete()
    Mailbox.objects.update(last_uid=0)
    by_child = count_read_by_child(monkeypatch)
    caplog.set_level(logging.WARNING, logger=sync.logger.name)
    result = sync.sync()

    assert result.as_dict() == alone.as_dict()
    assert saved() == expected
    # The child read every mail under the size cap (the large one is listed from its head),
    # in the five chunks of the read, and never failed.
    under_cap = len(mail) - 1
    assert len(by_child) == 5 and sum(by_child) == under_cap
    assert sum(sent) >= under_cap
    assert warnings(caplog) == []
    assert len(children) == 1
    assert_ended(children)


@pytest.mark.django_db
def test_a_read_smaller_than_from_messages_starts_no_child(
    dovecot, imap_user, mailbox, account, ana, jose, monkeypatch, children
):
    """The child's start costs more than it saves on a small read: below FROM_MESSAGES new
    messages none is started; from FROM_MESSAGES on, one."""
    monkeypatch.setattr(parser_process, "FROM_MESSAGES", 3)
    as_if_two_processors(monkeypatch)
    dovecot.append(imap_user, m.plain(ANA, JOSE, "Uno"), m.plain(ANA, JOSE, "Dos"))
    assert sync.sync().logged == 2
    assert children == []

    dovecot.append(imap_user, *(m.plain(ANA, JOSE, f"Nuevo {k}") for k in range(3)))
    assert sync.sync().logged == 3
    assert len(children) == 1
    assert_ended(children)


# --- a child that fails -------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("batch", ["heads", "wholes"])
def test_a_child_killed_while_it_reads_a_batch_leaves_the_rest_to_the_checking_process(
    dovecot,
    imap_user,
    mailbox,
    account,
    ana,
    jose,
    monkeypatch,
    children,
    child_ready,
    caplog,
    batch,
):
    """The child dies holding a batch (of header blocks, fetched by the reading thread; or of
    whole forwards, whose answer the saving thread waits for): that batch and the rest of the
    read are read in the checking process, the read ends without an error, each mail logged
    once, and the log says why."""
    subjects = some_mail(dovecot, imap_user, forwards=True)
    real = getattr(parser_process.ParserProcess, batch)
    calls: list[int] = []
    kill_at = 2 if batch == "heads" else 1  # the second chunk's headers; the first forwards

    def dying(self, *args):
        calls.append(1)
        if len(calls) != kill_at:
            return real(self, *args)
        # Stopped first, so that it cannot answer the batch before it dies.
        os.kill(self.child.pid, signal.SIGSTOP)
        future = real(self, *args)
        os.kill(self.child.pid, signal.SIGKILL)
        return future

    monkeypatch.setattr(parser_process.ParserProcess, batch, dying)
    by_child = count_read_by_child(monkeypatch)
    caplog.set_level(logging.WARNING, logger=sync.logger.name)
    result = sync.sync()

    assert (result.read, result.logged, result.duplicates, result.error) == (8, 8, 0, "")
    assert topics() == subjects
    assert CapturedMessage.objects.count() == 8
    # The child read part of the first chunk; the checking process all the mail after it.
    assert by_child[0] > 0 and by_child[1:] == [0, 0]
    assert_warned(caplog)
    assert_ended(children)


@pytest.mark.django_db
def test_a_child_killed_between_two_batches_leaves_the_rest_to_the_checking_process(
    dovecot, imap_user, mailbox, account, ana, jose, monkeypatch, children, child_ready, caplog
):
    """The child dies while it waits for the next batch (as the second chunk is fetched):
    the rest of the read is read in the checking process, each mail logged once, and the
    log says why."""
    subjects = some_mail(dovecot, imap_user, forwards=False)  # no answer outstanding
    real_sizes = sync.fetch_sizes
    calls: list[int] = []

    def sizes(conn, uids):
        calls.append(1)
        if len(calls) == 2:
            [p] = children
            p.child.kill()
            p.child.wait()
            # Its end seen by the parent (its receiving thread) before the next batch.
            deadline = time.monotonic() + 5
            while not p.gone and time.monotonic() < deadline:
                time.sleep(0.01)
            assert p.gone
        return real_sizes(conn, uids)

    monkeypatch.setattr(sync, "fetch_sizes", sizes)
    by_child = count_read_by_child(monkeypatch)
    caplog.set_level(logging.WARNING, logger=sync.logger.name)
    result = sync.sync()

    assert (result.read, result.logged, result.duplicates, result.error) == (8, 8, 0, "")
    assert topics() == subjects
    assert CapturedMessage.objects.count() == 8
    assert by_child == [3, 0, 0]
    assert_ended(children)
    assert_warned(caplog)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "executable",
    [
        pytest.param("/nonexistent/python", id="missing"),
        pytest.param(
            shutil.which("false") or "/bin/false",
            id="exits-at-once",
        ),
    ],
)
def test_a_child_that_cannot_start_leaves_the_read_to_the_checking_process(
    dovecot,
    imap_user,
    mailbox,
    account,
    ana,
    jose,
    monkeypatch,
    children,
    small_chunks,
    caplog,
    executable,
):
    """No Python to start the child with, or a child that ends at once: the whole read is
    read in the checking process, without an error, and the log says why."""
    subjects = some_mail(dovecot, imap_user, forwards=True)
    # The child's command is ``sys.executable -m kamp.mailcapture.parser_process``.
    monkeypatch.setattr(parser_process.sys, "executable", executable)
    caplog.set_level(logging.WARNING, logger=sync.logger.name)
    result = sync.sync()

    assert (result.read, result.logged, result.duplicates, result.error) == (8, 8, 0, "")
    assert topics() == subjects
    if children:  # it was started, and ended
        assert_ended(children)
    assert_warned(caplog)


# --- the child alone ----------------------------------------------------------------------


@pytest.fixture
def child():
    """A real child, started (its first frame received); killed at the end whatever its
    state, which also ends any wait on it a failed test left behind."""
    p = parser_process.ParserProcess()
    try:
        assert p.ready.wait(10)
        yield p
    finally:
        send(p, signal.SIGKILL)
        p.close()


def send(p: parser_process.ParserProcess, sig: int) -> None:
    if p.child.poll() is None:
        os.kill(p.child.pid, sig)


class Stuck(AssertionError):
    """A call that should have returned by now still waits."""


def bounded(seconds: float, call) -> BaseException | None:
    """What ``call()`` raises (None when it returns), or :class:`Stuck` when it has not
    returned within ``seconds``: a wait that never ends fails the test instead of hanging it
    (left to the ``child`` fixture, whose kill ends it)."""
    outcome: list[BaseException | None] = []

    def run() -> None:
        try:
            call()
        except BaseException as exc:  # what the caller would see
            outcome.append(exc)
        else:
            outcome.append(None)

    waiting = threading.Thread(target=run, daemon=True)
    waiting.start()
    waiting.join(seconds)
    if waiting.is_alive():
        raise Stuck(f"still waiting after {seconds} s")
    return outcome[0]


def test_the_child_answers_as_the_checking_process_reads(child):
    """The child's answers are what ``read_heads`` and ``read_wholes`` give in the checking
    process, in the order asked, bodies too."""
    plain = m.plain(ANA, JOSE, "Reunión", msgid="<a@x>", body="Texto\n")
    forward = m.gmail_forward(ANA, DROPBOX, "José Muñoz <jose.munoz@cs.test>", "Ana", "Q", "x")
    heads = [raw.partition(b"\n\n")[0] + b"\n\n" for raw in (plain, forward)]
    asked_heads = child.heads(heads)
    asked_wholes = child.wholes([forward, plain], True)
    from_child = parser_process.result(asked_heads), parser_process.result(asked_wholes)
    here = parser_process.read_heads(heads), parser_process.read_wholes([forward, plain], True)
    assert from_child == here
    assert here[0][1] is True and here[1][0].forwarded and here[1][1].body == "Texto"


def test_an_answer_larger_than_the_pipe_comes_whole(child):
    """A company that keeps bodies: a batch of forwards with long bodies gives an answer of
    several megabytes, more than the pipe holds at once — it comes whole, the child stays."""
    bodies = [
        m.plain(ANA, JOSE, f"Informe {k}", msgid=f"<long{k}@x>", body=f"{k} " + "texto " * 3000)
        for k in range(300)
    ]
    answer = parser_process.result(child.wholes(bodies, True))
    assert len(pickle.dumps(answer)) > 2 * parser_process.PIPE_BYTES
    assert answer == parser_process.read_wholes(bodies, True)
    assert not child.gone


def test_a_child_that_stops_answering_is_given_up_after_timeout_and_ended(monkeypatch, child):
    """A child that stops answering (here: stopped by a signal) fails the wait for its answer
    after TIMEOUT seconds, and closing it ends it."""
    monkeypatch.setattr(parser_process, "TIMEOUT", 0.5)
    send(child, signal.SIGSTOP)
    future = child.heads([b"Subject: Hola\r\n\r\n"])
    gone = bounded(5, lambda: parser_process.result(future))
    assert isinstance(gone, parser_process.ParserGone) and "no answer" in str(gone)
    # Killed: a stopped process does not see its input close.
    assert bounded(5, child.close) is None
    assert child.child.poll() is not None


def test_a_child_that_stops_answering_is_given_up_after_timeout_whatever_the_batch(
    monkeypatch, child
):
    """A header batch as large as a real one (half a megabyte: more than a pipe holds)
    handed to a child that stopped answering: the caller is told within a bounded time."""
    monkeypatch.setattr(parser_process, "TIMEOUT", 0.5)
    send(child, signal.SIGSTOP)
    batch = [b"Subject: Hola\r\n\r\n" + b"x" * 500_000]
    gone = bounded(2, lambda: parser_process.result(child.heads(batch)))
    assert isinstance(gone, parser_process.ParserGone)


# --- a message that cannot be read --------------------------------------------------------


class Silent(Exception):
    """An exception without text."""


@pytest.mark.parametrize("error, detail", [(ValueError("broken"), "broken"), (Silent(), "Silent")])
def test_a_message_the_parser_raises_on_is_answered_unreadable_with_its_reason(
    monkeypatch, error, detail
):
    """What ``parse.read`` raises on comes back as ``Unreadable`` (its text, or its class's
    name when it has none), in place of that message, the others read."""
    plain = m.plain(ANA, JOSE, "Reunión")
    real_read = parse.read

    def read(data, **options):
        if b"Roto" in (data if isinstance(data, bytes) else b""):
            raise error
        return real_read(data, **options)

    monkeypatch.setattr(parse, "read", read)
    broken = m.plain(ANA, JOSE, "Roto")
    wholes = parser_process.read_wholes([plain, broken], False)
    assert isinstance(wholes[0], parse.Mail) and wholes[0].subject == "Reunión"
    assert isinstance(wholes[1], parser_process.Unreadable) and str(wholes[1]) == detail

    def read_head(data, **options):
        raise error

    monkeypatch.setattr(parse, "read", read_head)
    forward = m.gmail_forward(ANA, DROPBOX, "jose.munoz@cs.test", "Ana", "Q", "x")
    [head, whole] = parser_process.read_heads([plain, forward])
    assert isinstance(head, parser_process.Unreadable) and str(head) == detail
    assert whole is True  # a forward is read whole: nothing raised yet


@pytest.mark.django_db
def test_a_message_the_child_could_not_read_is_saved_unreadable_with_its_reason():
    """A mail the child answered ``Unreadable`` for (from its headers or whole) is listed as
    one that cannot be read, saying why, keyed by its bytes; the others are saved."""
    mailbox = Mailbox.objects.create()
    raw_head = m.plain(ANA, JOSE, "Cabecera", msgid="<h@x>")
    raw_whole = m.plain(ANA, JOSE, "Entero", msgid="<w@x>")
    fine = m.plain("stranger@else.test", DROPBOX, "Bien", msgid="<ok@x>")
    result = sync.SyncResult()
    items = [
        (1, len(raw_head), raw_head, sync.HEADERS, parser_process.Unreadable("broken")),
        (2, len(raw_whole), raw_whole, sync.WHOLE, parser_process.Unreadable("Silent")),
        (3, len(fine), fine, sync.WHOLE, parse.read(fine)),
    ]
    sync.store(mailbox, 7, 3, items, result)

    assert (result.read, result.unreadable, result.unmatched) == (3, 2, 1)
    assert result.errors == [
        "UID 1: This mail cannot be read: broken",
        "UID 2: This mail cannot be read: Silent",
    ]
    rows = {r.uid: r for r in CapturedMessage.objects.all()}
    assert [rows[u].status for u in (1, 2, 3)] == [
        Status.UNREADABLE,
        Status.UNREADABLE,
        Status.UNMATCHED,
    ]
    assert rows[1].reason_text == "This mail cannot be read: broken"
    assert rows[2].reason_text == "This mail cannot be read: Silent"
    assert rows[1].key == sync._fallback_key(raw_head) and rows[3].key == "<ok@x>"
    assert Mailbox.objects.get().last_uid == 3
