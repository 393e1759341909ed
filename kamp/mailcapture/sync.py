"""Reading the dropbox mailbox over IMAP (stdlib ``imaplib``, TLS or STARTTLS) and logging its
mail as e-mail interactions.

- Only new mail is read: the folder is opened read-only (nothing on the server changes) and the
  last UID read is kept with the folder's UIDVALIDITY; a new UIDVALIDITY reads the folder again
  from the start (what was read before is found again by its key and not logged twice).
- Bounded work: UIDs in chunks of :data:`CHUNK`; each chunk's sizes first, then the messages
  under the size cap by sub-batches of at most :data:`FETCH_BYTES`; a larger message's headers
  alone, and it is listed as too large.
- Only what is needed: unless the company keeps bodies, the headers of the messages under the
  cap first, then the whole of those that may be forwards (``parse.needs_body``); the others
  are read from their headers alone. Each chunk is saved in one transaction together with
  the UID it reached, so a crash or a dropped connection loses nothing and logs nothing twice;
  the next chunk is fetched by a second thread meanwhile (the server's time to answer and
  SQLite's to write, both outside Python, spent together), at most one chunk ahead.
- Matching reuses the calendar import's (kamp.interactions.imports.people_by_email /
  main_customer): the mail's correspondents (the forwarded message's, for a forward) against
  our people and the customers' contacts. A mail is logged on behalf of the person of ours who
  sent or forwarded it, only on an account that person may edit; any other waits on that
  person's list of mail to resolve.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import imaplib
import itertools
import logging
import operator
import queue
import re
import socket
import ssl
import threading
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta
from functools import partial
from typing import Any

from django.conf import settings
from django.db import connections, models, router, transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from kamp.connect import crypto, netguard
from kamp.core import audit, cpus
from kamp.customers.access import customers_editable_by
from kamp.customers.models import Contact
from kamp.interactions.imports import main_customer, people_by_email
from kamp.interactions.models import (
    Interaction,
    InteractionContact,
    InteractionKind,
    InteractionPerson,
    InteractionSource,
)

from . import parse, parser_process
from .models import CapturedMessage, Mailbox, Status

logger = logging.getLogger(__name__)

CHUNK = 1000  # UIDs whose sizes are asked at once (and saved in one transaction)
FIRST_CHUNK = 250  # the first chunk's (see _chunked)
FETCH_BYTES = 8 * 1024 * 1024  # at most this much mail fetched in one command
FETCH_COUNT = 1000
# Of a message over the size cap only its header block is read, and of that at most this much:
# enough for any real one (sender, recipients, subject, date; Received and DKIM lines), and a
# hostile one of megabytes cannot fill memory, however many such messages a chunk holds.
HEAD_BYTES = 256 * 1024
IN_BATCH = 500  # keys looked up in one query
INSERT_ROWS = 100  # rows written by one INSERT statement (fewer where it needs too many values)
# A check that started this long ago and never finished (its process died) no longer blocks.
STALE_AFTER = timedelta(hours=1)

# What was fetched of a message (see :func:`store`).
WHOLE = "whole"  # the whole message
HEADERS = "headers"  # its headers alone: parse.needs_body said the rest is not needed
TOO_LARGE = "too_large"  # its headers alone: over the size cap, listed as not read

_UID = re.compile(rb"UID (\d+)")
_SIZE = re.compile(rb"RFC822\.SIZE (\d+)")


class MailboxError(Exception):
    """The mailbox cannot be read; the message says why, in the reader's language, and never
    holds the password."""


@dataclass
class SyncResult:
    read: int = 0
    logged: int = 0
    unmatched: int = 0
    too_large: int = 0
    unreadable: int = 0
    duplicates: int = 0
    error: str = ""
    skipped: str = ""  # why nothing was tried (not set up, turned off, another check running)
    errors: list[str] = field(default_factory=list)  # one line per unreadable message

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


# --- the connection ---------------------------------------------------------------------------


def _context() -> ssl.SSLContext:
    cafile = getattr(settings, "KAMP_MAIL_CA_FILE", "") or None
    return ssl.create_default_context(cafile=cafile)


class _GuardedIMAP4(imaplib.IMAP4):
    """IMAP whose socket is opened only to an address just checked (kamp.connect.netguard: not
    this machine nor a private network unless allowed; a name that now resolves elsewhere than
    when it was saved is checked again)."""

    def _create_socket(self, timeout):
        if timeout is not None and not timeout:
            raise ValueError("Non-blocking socket (timeout=0) is not supported")
        address = (self.host, self.port)
        if timeout is None:
            return netguard.create_connection(address)
        return netguard.create_connection(address, timeout)


class _GuardedIMAP4_SSL(imaplib.IMAP4_SSL):
    def _create_socket(self, timeout):
        sock = _GuardedIMAP4._create_socket(self, timeout)  # type: ignore[arg-type]
        return self.ssl_context.wrap_socket(sock, server_hostname=self.host)


def connect(mailbox: Mailbox, password: str) -> imaplib.IMAP4:
    """A logged-in IMAP connection (TLS from the start, or STARTTLS), or :class:`MailboxError`.
    The socket goes only to an address kamp.connect.netguard allows."""
    timeout = float(getattr(settings, "KAMP_MAIL_TIMEOUT", 30))
    where = f"{mailbox.host}:{mailbox.port}"
    conn: imaplib.IMAP4
    try:
        if mailbox.security == "starttls":
            conn = _GuardedIMAP4(mailbox.host, mailbox.port, timeout=timeout)
            try:
                conn.starttls(_context())
            except imaplib.IMAP4.error as exc:
                conn.shutdown()
                raise MailboxError(
                    _("The server %(where)s does not offer STARTTLS: %(detail)s")
                    % {"where": where, "detail": _detail(exc)}
                ) from exc
        else:
            conn = _GuardedIMAP4_SSL(
                mailbox.host, mailbox.port, ssl_context=_context(), timeout=timeout
            )
    except (netguard.Blocked, netguard.Unresolvable) as exc:
        raise MailboxError(exc.message()) from exc
    except ssl.SSLCertVerificationError as exc:
        raise MailboxError(
            _("The server %(where)s's certificate is not trusted: %(detail)s")
            % {"where": where, "detail": exc.verify_message or _detail(exc)}
        ) from exc
    except ssl.SSLError as exc:
        raise MailboxError(
            _("No secure connection with %(where)s (is the port and security right?): %(detail)s")
            % {"where": where, "detail": _detail(exc)}
        ) from exc
    except (OSError, imaplib.IMAP4.error) as exc:
        raise MailboxError(
            _("The server %(where)s cannot be reached: %(detail)s")
            % {"where": where, "detail": _detail(exc)}
        ) from exc
    try:
        conn.login(mailbox.username, password)
    except imaplib.IMAP4.error as exc:
        _close(conn)
        raise MailboxError(
            _("The server refused the user name or the password (%(detail)s).")
            % {"detail": _detail(exc)}
        ) from exc
    return conn


def _detail(exc: BaseException) -> str:
    text = str(exc) or exc.__class__.__name__
    return parse.clean_text(text, 300)


def _close(conn: imaplib.IMAP4) -> None:
    with contextlib.suppress(OSError, imaplib.IMAP4.error):
        conn.logout()


def _check(typ: str, data: Any, what: str) -> Any:
    if typ != "OK":
        detail = b" ".join(d for d in data if isinstance(d, bytes)).decode(errors="replace")
        raise MailboxError(
            _("The server answered %(what)s with an error: %(detail)s")
            % {"what": what, "detail": parse.clean_text(detail, 300)}
        )
    return data


def uid_set(uids: list[int]) -> str:
    """``1:5,7,9:12`` for the sorted ``uids``."""
    parts: list[str] = []
    start = prev = None
    for u in uids:
        if start is None:
            start = prev = u
        elif u == prev + 1:  # type: ignore[operator]
            prev = u
        else:
            parts.append(f"{start}:{prev}" if start != prev else str(start))
            start = prev = u
    if start is not None:
        parts.append(f"{start}:{prev}" if start != prev else str(start))
    return ",".join(parts)


def open_folder(conn: imaplib.IMAP4, folder: str) -> int:
    """Open ``folder`` read-only; its UIDVALIDITY."""
    typ, data = conn.select(_quote(folder), readonly=True)
    _check(typ, data, _("opening the folder %(folder)s") % {"folder": folder})
    _typ, validity = conn.response("UIDVALIDITY")
    try:
        return int(validity[0])
    except (TypeError, ValueError, IndexError) as exc:
        raise MailboxError(_("The server gives the folder no UIDVALIDITY.")) from exc


def _quote(folder: str) -> str:
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'


def new_uids(conn: imaplib.IMAP4, after: int) -> list[int]:
    typ, data = conn.uid("SEARCH", f"UID {after + 1}:*")
    _check(typ, data, _("the search for new mail"))
    found = [int(x) for x in (data[0] or b"").split() if x.isdigit()]
    return sorted(u for u in found if u > after)  # "N:*" always gives the last one


def fetch_sizes(conn: imaplib.IMAP4, uids: list[int]) -> dict[int, int]:
    sizes = {}
    for text, _literals in uid_fetch(
        conn, uids, "(UID RFC822.SIZE)", _("asking the sizes of the mail")
    ):
        u, s = _UID.search(text), _SIZE.search(text)
        if u and s:
            sizes[int(u.group(1))] = int(s.group(1))
    return sizes


def fetch(conn: imaplib.IMAP4, uids: list[int], part: str = "BODY.PEEK[]") -> dict[int, bytes]:
    """The raw messages (or headers, ``BODY.PEEK[HEADER]``) of ``uids``, by UID."""
    found: dict[int, bytes] = {}
    for text, literals in uid_fetch(conn, uids, f"(UID {part})", _("fetching the mail")):
        u = _UID.search(text)  # before or after the literal, as the server writes it
        if u and literals:
            found[int(u.group(1))] = literals[0]
    return found


_TAGS = itertools.count(1)
_LITERAL = re.compile(rb"\{(\d+)\}\r\n\Z")


def uid_fetch(
    conn: imaplib.IMAP4, uids: list[int], items: str, what: str
) -> list[tuple[bytes, list[bytes]]]:
    """``UID FETCH <uids> <items>``: each untagged answer as (its text, the literals it held, in
    order). The answer is read here with ``imaplib``'s own line and byte reads, not by its
    response parser, which costs about 10 µs a line (a fifth of a 10,000-mail read): a literal
    (``{n}``) is read as ``n`` bytes, the line goes on after it. Other untagged answers the
    server may slip in (EXISTS, FLAGS) come back too; the callers look for a UID in each. A
    tagged NO or BAD is a :class:`MailboxError`; a closed connection an ``imaplib`` abort."""
    # imaplib's own tags are four capitals from A to P and a number: never lower case.
    tag = b"kamp%d" % next(_TAGS)
    conn.send(b"%s UID FETCH %s %s\r\n" % (tag, uid_set(uids).encode(), items.encode()))
    answers: list[tuple[bytes, list[bytes]]] = []
    readline, read = conn.readline, conn.read
    tagged = tag + b" "
    while True:
        line = readline()
        if not line.startswith(b"* "):
            if line.startswith(tagged):
                status, _sp, detail = line[len(tagged) :].partition(b" ")
                _check(status.decode("ascii", "replace"), [detail.rstrip(b"\r\n")], what)
                return answers
            if not line:
                raise imaplib.IMAP4.abort("socket error: EOF")
            # A continuation request: this command sends no literal.
            raise imaplib.IMAP4.abort(f"unexpected answer {line[:80]!r}")
        text, literals = [line], []
        while line.endswith(b"}\r\n") and (m := _LITERAL.search(line)) is not None:
            size = int(m.group(1))
            data = read(size)
            if len(data) != size:
                raise imaplib.IMAP4.abort("socket error: EOF")
            literals.append(data)
            line = readline()
            if not line:
                raise imaplib.IMAP4.abort("socket error: EOF")
            text.append(line)
        answers.append((text[0] if len(text) == 1 else b"".join(text), literals))


# --- one check --------------------------------------------------------------------------------


def _claim(mailbox: Mailbox, now) -> bool:
    return bool(
        Mailbox.objects.filter(pk=mailbox.pk)
        .exclude(syncing_since__gt=now - STALE_AFTER)
        .update(syncing_since=now)
    )


def sync(now=None) -> SyncResult:
    """Read the new mail of the company's dropbox (see the module's docstring)."""
    mailbox = Mailbox.load()
    result = SyncResult()
    if not mailbox.configured:
        result.skipped = "not_configured"
        return result
    if not mailbox.enabled:
        result.skipped = "disabled"
        return result
    now = now or timezone.now()
    if not _claim(mailbox, now):
        result.skipped = "running"
        return result
    try:
        _run(mailbox, result)
    except Exception as exc:
        if isinstance(exc, crypto.Unreadable):
            message = _("The stored password cannot be read any more: enter it again.")
        elif isinstance(exc, MailboxError):
            message = str(exc)
        elif isinstance(exc, socket.timeout | TimeoutError):
            message = _("The server stopped answering (timed out).")
        elif isinstance(exc, OSError | ssl.SSLError | imaplib.IMAP4.error):
            message = _("The connection broke: %(detail)s") % {"detail": _detail(exc)}
        else:  # a fault of kamp's own: logged with its trace; what was saved stays saved
            logger.exception("Mail capture: the dropbox check stopped on an unexpected error")
            message = _("The check stopped on an unexpected error (%(kind)s); see the log.") % {
                "kind": exc.__class__.__name__
            }
        result.error = message
        logger.warning("Mail capture: the dropbox check failed: %s", message)
        Mailbox.objects.filter(pk=mailbox.pk).update(
            last_sync_at=timezone.now(),
            last_error=message,
            consecutive_failures=F("consecutive_failures") + 1,
            syncing_since=None,
        )
    else:
        Mailbox.objects.filter(pk=mailbox.pk).update(
            last_sync_at=timezone.now(),
            last_success_at=timezone.now(),
            last_error="",
            consecutive_failures=0,
            syncing_since=None,
        )
    return result


def _run(mailbox: Mailbox, result: SyncResult) -> None:
    password = crypto.decrypt(mailbox.password_encrypted)["password"]
    conn = connect(mailbox, password)
    try:
        validity = open_folder(conn, mailbox.folder)
        after = mailbox.last_uid if mailbox.uidvalidity == validity else 0
        uids = new_uids(conn, after)
        chunks = _chunked(uids)
        directory = _Directory()  # who the addresses are, kept from chunk to chunk
        # A read of many messages has them read by a child process on another core, where
        # there is one.
        in_child = len(uids) >= parser_process.FROM_MESSAGES and cpus.usable() > 1
        with _Reading(in_child) as reading:
            read = partial(_read_chunk, conn, mailbox, reading=reading)
            for chunk, items in _prefetched(chunks, read):
                with _gc_paused():
                    store(mailbox, validity, chunk[-1], items, result, directory=directory)
    finally:
        _close(conn)


def _chunked(uids: list[int]) -> list[list[int]]:
    """``uids`` in chunks of :data:`CHUNK`, the first one of :data:`FIRST_CHUNK`: the saving
    of the first chunk, which nothing else overlaps (the next one is fetched meanwhile), starts
    sooner."""
    size = min(FIRST_CHUNK, CHUNK)
    first, rest = uids[:size], uids[size:]
    return [c for c in [first, *(rest[s : s + CHUNK] for s in range(0, len(rest), CHUNK))] if c]


class _Reading:
    """Who reads the mail fetched. For a read of many messages (at least
    ``parser_process.FROM_MESSAGES``), a child process (see :mod:`.parser_process`): the
    reading of the mail then runs on another core while this process fetches and saves; the
    chunk's mail comes to :func:`store` read already. Otherwise — and until the child has
    started, and for the rest of the read once it is gone (it died, stopped answering) — this
    process: the reading thread splits the header blocks and tells which mail must be read
    whole, the saving thread reads each mail. Each batch is handed over at once and its result
    taken later (:class:`_Later`), so that the next batch is fetched meanwhile. Used by the
    reading and the saving thread: either may find the child gone."""

    def __init__(self, in_child: bool) -> None:
        self.child: parser_process.ParserProcess | None = None
        self.lock = threading.Lock()  # the two threads may find the child gone at once
        if in_child:
            try:
                self.child = parser_process.ParserProcess()
            except parser_process.ParserGone as exc:
                logger.warning("Mail capture: the mail is read in this process (%s)", exc)

    def gone(self, exc: Exception) -> None:
        """The child failed: it is ended, and this process reads from now on."""
        with self.lock:
            child, self.child = self.child, None
        if child is not None:
            logger.warning("Mail capture: the mail is read in this process from now on (%s)", exc)
            child.close()

    def _ready_child(self) -> parser_process.ParserProcess | None:
        """The child, if it reads the next batch: started (until then this process reads
        rather than wait for its start, about 0.1 s) and not gone — a child found gone (it
        died between two batches, or before it started) is reported and ended here."""
        child = self.child
        if child is None:
            return None
        if child.gone:
            self.gone(parser_process.ParserGone(child.gone))
            return None
        return child if child.ready.is_set() else None

    def heads(self, heads: list[bytes]) -> _Later:
        """For each header block: ``True`` when the whole message must be read, else what
        :func:`store` reads the mail from (its ``parse.Head``, or the mail already read)."""
        child = self._ready_child()
        return _Later(self, child.heads(heads) if child else None, partial(_heads_here, heads))

    def wholes(self, messages: list[bytes], with_body: bool) -> _Later:
        """For each whole message: the mail already read, or None (:func:`store` reads it)."""
        child = self._ready_child()
        return _Later(
            self,
            child.wholes(messages, with_body) if child else None,
            partial(list, itertools.repeat(None, len(messages))),
        )

    def __enter__(self) -> _Reading:
        return self

    def __exit__(self, *exc: Any) -> None:
        with self.lock:
            child, self.child = self.child, None
        if child is not None:
            child.close()


class _Later:
    """A batch's reading (see :class:`_Reading`): the child's answer when it gives one, else
    (no child, or it failed) the same batch read in this process."""

    __slots__ = ("reading", "future", "here", "value")

    def __init__(self, reading: _Reading, future: Any, here: Any) -> None:
        self.reading, self.future, self.here = reading, future, here
        self.value: list[Any] | None = None

    def get(self) -> list[Any]:
        if self.value is None:
            if self.future is not None:
                try:
                    self.value = parser_process.result(self.future)
                except parser_process.ParserGone as exc:
                    self.reading.gone(exc)
            if self.value is None:
                self.value = self.here()
        return self.value  # type: ignore[return-value]


def _heads_here(heads: list[bytes]) -> list[Any]:
    """:meth:`_Reading.heads` in this process: each block split, the mail read by store()."""
    return [parser_process.head_of(data) for data in heads]


@dataclass(slots=True)
class _Pending:
    """A message's reading still with the child when its chunk was handed over: taken by
    :func:`store` (the child has long answered by then)."""

    later: _Later
    index: int

    def get(self) -> Any:
        return self.later.get()[self.index]


@contextlib.contextmanager
def _gc_paused() -> Iterator[None]:
    """The cyclic garbage collector held off while one chunk is saved (and the next one read
    alongside): the chunk's hundred thousand short-lived objects (rows, people, values) would
    otherwise set off collections that walk every object of the process again and again
    (about a tenth of a 10,000-mail read). They are freed by reference counting as the chunk
    ends; a cycle one may form is collected once the collector runs again, after the chunk
    (memory stays bounded by a chunk)."""
    if not gc.isenabled():  # held off already, by whoever runs this
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _read_chunk(
    conn: imaplib.IMAP4, mailbox: Mailbox, chunk: list[int], *, reading: _Reading | None = None
) -> list[tuple]:
    """One chunk's messages as :func:`store` takes them, fetched from the server (no
    database): the sizes, then under the size cap the headers (the whole message only where
    ``parse.needs_body`` says so, or of all when the company keeps bodies); over it the
    headers alone. ``reading``: who reads the mail fetched (see :class:`_Reading`)."""
    if reading is None:
        reading = _Reading(False)
    sizes = fetch_sizes(conn, chunk)
    cap = mailbox.max_bytes
    large = [u for u in chunk if sizes.get(u, 0) > cap]
    small = [u for u in chunk if u in sizes and sizes[u] <= cap]
    items: list[tuple[int, int, bytes, str, Any]] = []
    if large:
        # The first HEAD_BYTES of each header block (a partial fetch), in batches weighed by
        # that much: never more than FETCH_BYTES in one answer.
        weights = {u: min(sizes[u], HEAD_BYTES) for u in large}
        for batch in _batches(large, weights):
            heads = fetch(conn, batch, f"BODY.PEEK[HEADER]<0.{HEAD_BYTES}>")
            items += [(u, sizes[u], heads.get(u, b""), TOO_LARGE, None) for u in batch]
    whole = small
    if not mailbox.store_body:
        # The headers first; the whole message only of those that need it (a forward, an
        # attached message). The rest is logged from its headers alone.
        whole = []
        laters = []
        for batch in _batches(small, sizes):
            got = fetch(conn, batch, "BODY.PEEK[HEADER]")
            present = [u for u in batch if u in got]
            laters.append((present, got, reading.heads([got[u] for u in present])))
        for present, got, later in laters:
            for u, read in zip(present, later.get(), strict=True):
                if read is True:
                    whole.append(u)
                else:
                    items.append((u, sizes[u], got[u], HEADERS, read))
    for batch in _batches(whole, sizes):
        got = fetch(conn, batch)
        present = [u for u in batch if u in got]
        # Handed over with the chunk before the child answers: store() takes the answer.
        later = reading.wholes([got[u] for u in present], mailbox.store_body)
        items += [(u, sizes[u], got[u], WHOLE, _Pending(later, k)) for k, u in enumerate(present)]
    items.sort(key=lambda item: item[0])
    return items


_DONE = object()


def _prefetched(chunks: list[list[int]], read: Any):
    """``(chunk, read(chunk))`` for each chunk, the next one read by a second thread while the
    caller saves this one: the server's time to answer and the database's to write (both out
    of Python) are spent together. At most one chunk waits read ahead; an error reading it is
    raised here, after the chunks before it were handed over (and saved); the caller stopping
    stops the reading before the next chunk."""
    if len(chunks) <= 1:
        for chunk in chunks:
            yield chunk, read(chunk)
        return
    ready: queue.Queue[Any] = queue.Queue(maxsize=1)
    stop = threading.Event()
    language = translation.get_language()  # messages in the caller's language

    def hand(item: Any) -> bool:
        while not stop.is_set():
            try:
                ready.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            with translation.override(language):
                for chunk in chunks:
                    if stop.is_set() or not hand((chunk, read(chunk))):
                        return
        except BaseException as exc:  # handed to the caller, raised there
            hand(exc)
            return
        hand(_DONE)

    reader = threading.Thread(target=produce, name="kamp-mail-read", daemon=True)
    reader.start()
    try:
        while True:
            item = ready.get()
            if item is _DONE:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        reader.join()


def _batches(uids: list[int], sizes: dict[int, int]):
    """``uids`` in fetch batches of at most :data:`FETCH_COUNT` messages and
    :data:`FETCH_BYTES` (one larger message alone)."""
    batch: list[int] = []
    weight = 0
    for u in uids:
        if batch and (weight + sizes[u] > FETCH_BYTES or len(batch) >= FETCH_COUNT):
            yield batch
            batch, weight = [], 0
        batch.append(u)
        weight += sizes[u]
    if batch:
        yield batch


# --- saving what was read ---------------------------------------------------------------------


def _fallback_key(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def _external_uid(key: str) -> str:
    uid = f"mail:{key}"
    return uid if len(uid) <= 255 else "mail:sha256:" + hashlib.sha256(key.encode()).hexdigest()


@dataclass(slots=True)
class _Row:
    """One message read, before it is saved as a :class:`CapturedMessage` (a plain object:
    building ten thousand model instances costs more than reading the mail)."""

    uidvalidity: int
    uid: int
    size: int
    read_at: datetime
    key: str = ""
    status: str = ""
    reason: str = ""
    reason_params: dict[str, Any] = field(default_factory=dict)
    subject: str = ""
    topic: str = ""
    sent_at: datetime | None = None
    from_address: str = ""
    addresses: list[dict[str, str]] = field(default_factory=list)
    forwarded: bool = False
    body: str = ""
    sender: Any = None  # the User who sent or forwarded it, when one of ours
    customer: Any = None
    interaction_id: int | None = None
    # The captured mail's columns of the two above (set with them), and the key the mail's
    # interaction is found by: written by :func:`_insert`, which reads a row's attributes by
    # their column's name (the text fields already cut to their column's length).
    sender_id: int | None = None
    customer_id: int | None = None
    external_uid: str = ""

    @property
    def reason_text(self) -> str:
        return CapturedMessage(reason=self.reason, reason_params=self.reason_params).reason_text

    def values(self) -> dict[str, Any]:
        """The captured mail's columns (what :func:`_insert` reads of the row itself)."""
        return {name: getattr(self, name) for name in _ROW_COLUMNS}


# The captured mail's columns a _Row gives (the others take their default).
_ROW_COLUMNS = (
    "key",
    "uidvalidity",
    "uid",
    "status",
    "reason",
    "reason_params",
    "subject",
    "topic",
    "sent_at",
    "from_address",
    "addresses",
    "forwarded",
    "size",
    "body",
    "sender_id",
    "customer_id",
    "interaction_id",
    "read_at",
)


@dataclass(slots=True)
class _Entry:
    """One mail's interaction, before it is written (its columns by their names) with the pks
    of its people and contacts."""

    customer_id: int
    date: date
    topic: str
    notes: str
    external_uid: str
    logged_by_id: int
    our_people: tuple[int, ...]
    their_contacts: tuple[int, ...]
    kind: str = InteractionKind.EMAIL
    source: str = InteractionSource.MAIL


def _insert(
    model: type[models.Model], rows: list[Any], *, returning: str = ""
) -> list[tuple[Any, Any]]:
    """INSERT ``rows`` (dicts of field attname → value, or objects whose slots are named by
    attname, see :func:`_given_columns`; a field left out takes its default, auto_now fields
    the time now): what ``bulk_create`` writes, without its model instance and
    per-value preparation for each row (most of a 10,000-mail read's time). Only dates, times
    and JSON are converted for the database, once per value. The rows go as multi-row INSERTs
    of up to :data:`INSERT_ROWS` rows (as many as the database takes parameters in one
    statement), as ``bulk_create`` sends them: SQLite writes them in half the time
    ``executemany`` takes row by row (0.34 → 0.15 s for the four tables' 40,000 rows of a
    10,000-mail read). ``returning``: a column whose value comes back
    with each new row's pk, as (value, pk) pairs (only where the database returns rows from
    an insert: ``features.can_return_rows_from_bulk_insert``)."""
    if not rows:
        return []
    db = connections[router.db_for_write(model)]
    ops, now = db.ops, timezone.now()
    columns: list[str] = []
    makers: list[tuple[str, Any, Any]] = []  # (attname, default, conversion or None)
    for f in model._meta.concrete_fields:
        if f.primary_key:
            continue
        columns.append(ops.quote_name(f.column or f.attname))
        convert: Any = None
        default = f.get_default()
        if isinstance(f, models.DateTimeField):
            convert = ops.adapt_datetimefield_value
            if f.auto_now or f.auto_now_add:
                makers.append(("", now, convert))
                continue
        elif isinstance(f, models.DateField):
            convert = ops.adapt_datefield_value
        elif isinstance(f, models.JSONField):
            convert = partial(f.get_db_prep_save, connection=db)
        makers.append((f.attname, default, convert))
    given = _given_columns(rows, [attname for attname, _d, _c in makers if attname])
    columns_values: list[Any] = []
    for attname, default, convert in makers:
        values = given.get(attname) if given is not None and attname else None
        if values is None and given is None and attname:  # dicts of different keys
            values = [row.get(attname, default) for row in rows]
        elif values is None:  # not given by any row: the default (or the time now) on each
            if convert is not None and default is not None:
                default = convert(default)
            values, convert = [default] * len(rows), None
        if convert is not None:
            values = _converted(values, convert)
        columns_values.append(values)
    params = list(zip(*columns_values, strict=True))
    per = min(INSERT_ROWS, max(1, (db.features.max_query_params or 65535) // len(columns)))
    one = "({})".format(", ".join([_mark(db)] * len(columns)))
    head = "INSERT INTO {} ({}) VALUES ".format(
        ops.quote_name(model._meta.db_table), ", ".join(columns)
    )
    tail = ""
    if returning:
        q = ops.quote_name
        tail = f" RETURNING {q(returning)}, {q(model._meta.pk.column or 'id')}"
    flat = itertools.chain.from_iterable
    batches = [list(flat(params[start : start + per])) for start in range(0, len(params), per)]
    found: list[tuple[Any, Any]] = []
    with db.cursor() as cursor:
        if returning:  # one statement at a time, each giving back its rows
            for values in batches:
                cursor.execute(
                    head + ", ".join([one] * (len(values) // len(columns))) + tail, values
                )
                found += [tuple(r) for r in cursor.fetchall()]
        else:
            # The statements of ``per`` rows as one executemany: the SQL prepared (and looked
            # over by Django's SQLite cursor for marks to rewrite) once; the shorter last one
            # alone.
            last = batches.pop() if len(params) % per else None
            if batches:
                cursor.executemany(head + ", ".join([one] * per), batches)
            if last is not None:
                cursor.execute(head + ", ".join([one] * (len(last) // len(columns))), last)
    return found


def _given_columns(rows: list[Any], attnames: list[str]) -> dict[str, Any] | None:
    """The values of each column the rows give, by attname (a tuple per column), read by
    ``operator.itemgetter``/``attrgetter`` and transposed by ``zip``, in C: a row's values
    taken one by one in Python cost about as much as SQLite's insert of the row. Rows are
    dicts with the same keys each, or objects of one slotted class (the columns its slots
    name); a column none of them gives is left out (it takes its default). ``None`` for dicts
    of different keys: :func:`_insert` reads each value (``dict.get``, the default where
    missing)."""
    first = rows[0]
    if isinstance(first, dict):
        keys = first.keys()
        if not all(type(r) is dict and r.keys() == keys for r in rows):
            return None
        present = [a for a in attnames if a in keys]
        getter: Any = operator.itemgetter(*present) if present else None
    else:
        cls = type(first)
        if not all(type(r) is cls for r in rows):
            raise TypeError("rows of one class only")
        slots = {name for k in cls.__mro__ for name in getattr(k, "__slots__", ())}
        present = [a for a in attnames if a in slots]
        getter = operator.attrgetter(*present) if present else None
    if getter is None:
        return {}
    if len(present) == 1:  # the getter gives the value itself, not a 1-tuple
        return {present[0]: [getter(r) for r in rows]}
    return dict(zip(present, zip(*map(getter, rows), strict=True), strict=True))


def _found(
    model: type[models.Model],
    column: str,
    values: list[str],
    *,
    with_pk: bool = False,
    partial: bool = False,
) -> list[Any]:
    """The ``values`` that ``model`` holds in ``column`` — with their pk when ``with_pk`` —
    by queries of :data:`IN_BATCH` values written directly (the ORM's preparation of a
    500-value IN list costs more than the query). ``partial``: the column's index leaves out
    the empty value (``WHERE NOT (column = '')``, the external uids')."""
    db = connections[router.db_for_write(model)]
    q = db.ops.quote_name
    found: list[Any] = []
    with db.cursor() as cursor:
        for start in range(0, len(values), IN_BATCH):
            part = values[start : start + IN_BATCH]
            sql = "SELECT {}{} FROM {} WHERE {} IN ({})".format(
                q(column),
                f", {q(model._meta.pk.column or 'id')}" if with_pk else "",
                q(model._meta.db_table),
                q(column),
                ", ".join([_mark(db)] * len(part)),
            )
            if partial:
                # The query says what the partial index says, or SQLite cannot use it and
                # reads the whole interaction log for each look-up.
                sql += f" AND NOT ({q(column)} = {_mark(db)})"
                part = [*part, ""]
            cursor.execute(sql, part)
            found += [tuple(r) if with_pk else r[0] for r in cursor.fetchall()]
    return found


def _mark(db: Any) -> str:
    """The parameter mark :func:`_insert` and :func:`_found` write into their SQL: SQLite's own
    ``?``, which Django's SQLite cursor passes on as it is, where a ``%s`` is rewritten into it
    by a regular expression before each statement — about 0.15 ms for a statement of 999
    values, 0.03 s of a 10,000-mail read's own statements (a ``?`` costs it a third). ``%s``
    elsewhere (the DB-API's format style). Their SQL holds no other ``%`` nor ``?``."""
    return "?" if db.vendor == "sqlite" else "%s"


def _converted(values: list[Any], convert: Any) -> list[Any]:
    """``convert`` applied to each value but None, once for each object (the time of the read
    on every row, the day of mail sent at the same time, the people of mail between the same
    people: one list), once for each equal date or time among the rest (mail sent at the same
    minute) and once for each kind of empty value ({}, []). The objects are told apart by
    ``id`` and the results handed out by ``map``, in C: only the distinct objects are looked
    at in Python (a constant column of 10,000 rows took 8 ms value by value)."""
    ids = list(map(id, values))  # the objects stay alive in ``values``: their ids are theirs
    done: dict[int, Any] = {}  # id → converted
    same: dict[Any, Any] = {}  # date or time → converted (the same instant, the same text)
    empty: dict[type, Any] = {}
    for key, v in dict(zip(ids, values, strict=True)).items():
        if v is None:
            done[key] = None
        elif not isinstance(v, dict | list):
            c = same.get(v, _MISSING)
            if c is _MISSING:
                c = same[v] = convert(v)
            done[key] = c
        elif not v:
            c = empty.get(type(v), _MISSING)
            if c is _MISSING:
                c = empty[type(v)] = convert(v)
            done[key] = c
        else:
            done[key] = convert(v)
    return list(map(done.__getitem__, ids))


_MISSING = object()


@transaction.atomic
def store(
    mailbox: Mailbox,
    validity: int,
    last_uid: int,
    items: list[tuple[int, int, bytes, str, Any]],
    result: SyncResult,
    *,
    directory: _Directory | None = None,
) -> None:
    """Save one chunk's messages ``(uid, size, raw bytes or headers, what was fetched: WHOLE,
    HEADERS or TOO_LARGE, the headers already parsed or None)`` and the UID the reading
    reached, together. ``directory``: the people and edit rights the read's chunks before
    this one looked up (see :class:`_Directory`); without it the chunk looks up its own."""
    rows: list[_Row] = []
    parsed: list[tuple[_Row, parse.Mail]] = []
    addresses: dict[tuple[parse.Person, ...], list[dict[str, str]]] = {}
    now = timezone.now()
    for uid, size, data, fetched, read in items:
        row = _Row(uidvalidity=validity, uid=uid, size=size, read_at=now)
        try:
            if fetched == TOO_LARGE:
                key, subject, sender = parse.summary(data)
                row.key, row.subject, row.from_address = key, subject[:300], sender[:255]
                row.status = Status.TOO_LARGE
                row.reason = gettext_noop("%(size)s MB, over the limit of %(limit)s MB: not read.")
                row.reason_params = {
                    "size": round(size / 1024 / 1024, 1),
                    "limit": mailbox.max_megabytes,
                }
                rows.append(row)
                continue
            if isinstance(read, _Pending):
                read = read.get()
            if isinstance(read, parse.Mail):  # read already (by the child process)
                mail = read
            elif isinstance(read, parser_process.Unreadable):
                raise read
            elif fetched == HEADERS:
                mail = parse.read(read if read is not None else data, headers_only=True)
            else:
                mail = parse.read(data, with_body=mailbox.store_body)
        except Exception as exc:  # a message the parser cannot take at all
            row.key, row.status = _fallback_key(data), Status.UNREADABLE
            row.reason = gettext_noop("This mail cannot be read: %(detail)s")
            row.reason_params = {"detail": _detail(exc)}
            result.errors.append(f"UID {uid}: {row.reason_text}")
            rows.append(row)
            continue
        row.key = mail.key
        row.subject = mail.subject[:300]
        row.topic = mail.topic[:300]
        row.sent_at = mail.date
        row.from_address = mail.sender.email[:255] if mail.sender else ""
        people = tuple(mail.correspondents)
        if people not in addresses:
            addresses[people] = [{"email": p.email, "name": p.name} for p in people]
        row.addresses = addresses[people]  # one list (written once) for the same people
        row.forwarded = mail.forwarded
        row.body = mail.body
        if mail.sender is None and not mail.recipients:
            row.status = Status.UNREADABLE
            row.reason = gettext_noop(
                "This mail has neither a sender nor recipients that can be read."
            )
            result.errors.append(f"UID {uid}: {row.reason_text}")
            rows.append(row)
            continue
        parsed.append((row, mail))
        rows.append(row)
    # Each message once: keys already read (or twice in this chunk) are left out.
    for r in rows:
        r.external_uid = _external_uid(r.key)
    known = set(_found(CapturedMessage, "key", [r.key for r in rows]))
    known.update(
        k.removeprefix("mail:")
        for k in _found(Interaction, "external_uid", [r.external_uid for r in rows], partial=True)
    )
    fresh: list[_Row] = []
    seen: set[str] = set()
    for r in rows:
        if r.key in known or r.key in seen:
            result.duplicates += 1
            continue
        seen.add(r.key)
        fresh.append(r)
    fresh_ids = {id(r) for r in fresh}
    parsed = [(r, m) for r, m in parsed if id(r) in fresh_ids]
    _match(mailbox, parsed, fresh, directory if directory is not None else _Directory())
    _insert(CapturedMessage, fresh)
    Mailbox.objects.filter(pk=mailbox.pk).update(uidvalidity=validity, last_uid=last_uid)
    for r in fresh:
        result.read += 1
        if r.status == Status.LOGGED:
            result.logged += 1
        elif r.status == Status.UNMATCHED:
            result.unmatched += 1
        elif r.status == Status.TOO_LARGE:
            result.too_large += 1
        elif r.status == Status.UNREADABLE:
            result.unreadable += 1


class _Directory:
    """Who a read's addresses are (our active people, the customers' active contacts:
    ``kamp.interactions.imports.people_by_email``) and which of their customers each sender
    may edit (``customers_editable_by``), looked up as the chunks first need them and kept for
    the read's next chunks as long as the database is unchanged: each chunk first asks
    (:meth:`renew`, inside its transaction) whether any other connection has committed
    anything since the last look-up, and forgets it all if so. A person or contact added,
    changed or made inactive, an account's owner or team changed, an edit right withdrawn,
    while a long read runs is thus seen by the next chunk, as when every chunk looked them up
    again (a tenth of a 10,000-mail read's database work).

    The question is SQLite's ``PRAGMA data_version`` (a few µs; it changes with every commit
    of another connection, any table, and is compared only on the same connection). A
    database without so cheap an answer (PostgreSQL) looks everything up again for each
    chunk. The read's own connection writes nothing that the look-ups read (its mail, the
    log, the audit trail)."""

    __slots__ = ("stamp", "ours", "contacts", "looked_up", "editable")

    def __init__(self) -> None:
        self.stamp: Any = None
        self.ours: dict[str, Any] = {}  # lower-case address → User
        self.contacts: dict[str, list[Any]] = {}  # lower-case address → its Contacts
        self.looked_up: set[str] = set()  # the addresses asked about, found or not
        self.editable: dict[int, dict[int, bool]] = {}  # user pk → customer pk → may edit

    def renew(self) -> None:
        """Forget what was looked up when the database may have changed since."""
        stamp = _unchanged_stamp(connections[router.db_for_read(Contact)])
        if stamp is None or stamp != self.stamp:
            self.ours, self.contacts, self.looked_up, self.editable = {}, {}, set(), {}
        self.stamp = stamp

    def people(self, emails: set[str]) -> tuple[dict[str, Any], dict[str, list[Any]]]:
        """(our people by address, the contacts by address) of at least ``emails``."""
        missing = {e.lower() for e in emails if e} - self.looked_up
        if missing:
            ours, contacts = people_by_email(missing)
            self.ours.update(ours)
            self.contacts.update(contacts)
            self.looked_up |= missing
        return self.ours, self.contacts

    def may_edit(self, user: Any, customer_ids: set[int]) -> dict[int, bool]:
        """Whether ``user`` may edit each of ``customer_ids`` (and of those asked before):
        one query for those not asked yet."""
        known = self.editable.setdefault(user.pk, {})
        missing = customer_ids - known.keys()
        if missing:
            allowed = set(
                customers_editable_by(user).filter(pk__in=missing).values_list("pk", flat=True)
            )
            known.update((pk, pk in allowed) for pk in missing)
        return known


def _unchanged_stamp(db: Any) -> Any:
    """A value equal to the one read before exactly when no other connection has committed a
    change to the database in between (the connection itself and SQLite's
    ``data_version``), or None where there is no such cheap question."""
    if db.vendor != "sqlite":
        return None
    with db.cursor() as cursor:
        cursor.execute("PRAGMA data_version")
        (version,) = cursor.fetchone()
    return db.connection, version


@dataclass(slots=True)
class _Decision:
    """What becomes of a mail between a given set of people (see :func:`_match`)."""

    sender: Any  # the User who answers for it, or None
    status: str
    reason: str = ""
    reason_params: dict[str, Any] = field(default_factory=dict)
    customer: Any = None
    our_people: tuple[int, ...] = ()  # user pks, for a logged mail
    their_contacts: tuple[int, ...] = ()  # contact pks
    # The pks of the sender and the customer, read once for all the mail decided alike.
    sender_id: Any = field(init=False)
    customer_id: Any = field(init=False)

    def __post_init__(self) -> None:
        self.sender_id = self.sender.pk if self.sender is not None else None
        self.customer_id = self.customer.pk if self.customer is not None else None


def _match(
    mailbox: Mailbox,
    parsed: list[tuple[_Row, parse.Mail]],
    rows: list[_Row],
    directory: _Directory,
) -> None:
    emails = {p.email for _r, m in parsed for p in m.correspondents}
    emails |= {r.from_address for r in rows if r.from_address}
    directory.renew()
    ours, contacts = directory.people(emails)
    for r in rows:  # the too large and the unreadable are listed to whoever sent them
        if r.status and r.from_address in ours:
            r.sender = ours[r.from_address]
            r.sender_id = r.sender.pk
    # The customers this chunk's contacts are at: whose edit rights are looked up.
    candidate_ids = {c.customer_id for e in emails for c in contacts.get(e, ())}

    def decide(mail: parse.Mail) -> _Decision:
        people = [p.email for p in mail.correspondents]
        # Unique by pk (hashing model instances costs more than the rest of the matching).
        our_people = list({u.pk: u for u in (ours[e] for e in people if e in ours)}.values())
        # Who answers for it: the person of ours who sent or forwarded it, else (a customer's
        # reply to all, the dropbox in copy) the first of ours it was written to.
        sender = ours.get(mail.sender.email) if mail.sender else None
        if sender is None:
            sender = next(
                (ours[p.email] for p in mail.recipients if p.email in ours),
                our_people[0] if our_people else None,
            )
        theirs = [c for e in people for c in contacts.get(e, [])]
        if sender is None:
            return _Decision(
                sender,
                Status.UNMATCHED,
                gettext_noop("None of our people sent it or is among its recipients."),
            )
        if not theirs:
            return _Decision(
                sender, Status.UNMATCHED, gettext_noop("None of its people is a customer contact.")
            )
        if not our_people:
            our_people = [sender]
        customer_id, theirs = main_customer(theirs)
        customer = theirs[0].customer
        if not directory.may_edit(sender, candidate_ids)[customer_id]:
            return _Decision(
                sender,
                Status.UNMATCHED,
                gettext_noop("You may not write in %(customer)s's log."),
                {"customer": customer.name},
                customer,
            )
        return _Decision(
            sender,
            Status.LOGGED,
            customer=customer,
            our_people=tuple(dict.fromkeys(u.pk for u in our_people)),
            their_contacts=tuple(dict.fromkeys(c.pk for c in theirs)),
        )

    # The same people come back mail after mail: each set of them is matched once.
    decided: dict[tuple[Any, ...], _Decision] = {}
    entries: dict[int, list[tuple[_Row, _Entry]]] = defaultdict(list)
    here = timezone.get_current_timezone()  # the log's dates are local dates
    days: dict[datetime, date] = {}  # mail sent at the same time: its day computed once
    no_subject = _("(no subject)")
    for row, mail in parsed:
        signature = (
            mail.sender.email if mail.sender else None,
            tuple(p.email for p in mail.recipients),
            tuple(p.email for p in mail.original),
        )
        d = decided.get(signature)
        if d is None:
            d = decided[signature] = decide(mail)
        row.sender, row.status, row.customer = d.sender, d.status, d.customer
        row.sender_id, row.customer_id = d.sender_id, d.customer_id
        if d.status != Status.LOGGED:
            row.reason, row.reason_params = d.reason, dict(d.reason_params)
            continue
        when = mail.date or row.read_at
        if when not in days:
            days[when] = when.astimezone(here).date()
        entries[d.sender_id].append(
            (
                row,
                _Entry(
                    customer_id=d.customer_id,
                    date=days[when],
                    topic=(mail.topic or no_subject)[:300],
                    notes=mail.body if mailbox.store_body else "",
                    external_uid=row.external_uid,
                    logged_by_id=d.sender_id,
                    our_people=d.our_people,
                    their_contacts=d.their_contacts,
                ),
            )
        )
    for pairs in entries.values():
        _log(pairs)


def _log(pairs: list[tuple[_Row, _Entry]]) -> None:
    """Log one sender's mail as interactions, as ``kamp.interactions.actions.bulk_log`` does
    (the interactions, their people and contacts, one audit entry per customer: "N
    interactions imported from a mailbox"), written by :func:`_insert` (a few multi-row
    INSERTs per table)."""
    sender = pairs[0][0].sender
    values = [e for _r, e in pairs]
    db = connections[router.db_for_write(Interaction)]
    if db.features.can_return_rows_from_bulk_insert:  # PostgreSQL, SQLite 3.35 and later
        ids = dict(_insert(Interaction, values, returning="external_uid"))
    else:  # the new interactions found again by their keys
        _insert(Interaction, values)
        uids = [e.external_uid for e in values]
        ids = dict(_found(Interaction, "external_uid", uids, with_pk=True, partial=True))
    people: list[dict[str, Any]] = []
    contacts: list[dict[str, Any]] = []
    per_customer: Counter[int] = Counter()
    for row, e in pairs:
        pk = row.interaction_id = ids[e.external_uid]
        people += [{"interaction_id": pk, "user_id": u} for u in e.our_people]
        contacts += [{"interaction_id": pk, "contact_id": c} for c in e.their_contacts]
        per_customer[e.customer_id] += 1
    _insert(InteractionPerson, people)
    _insert(InteractionContact, contacts)
    for customer_id, n in per_customer.items():
        audit.record(
            sender,
            "import",
            None,
            customer_id=customer_id,
            object_type="interactions.interaction",
            object_id="",
            object_repr="",
            summary=audit.say(
                gettext_noop("%(n)d interactions imported from a %(source)s."),
                n=n,
                source=gettext_noop("mailbox"),
            ),
        )
