"""Benchmark: syncing connected sources into the interaction log, against real local servers.

Calendar part (:func:`calendar_part`): a real Radicale CalDAV server on 127.0.0.1 (the tests'
``tests/connect/radicale.py``) holding 10,000 × scale meetings over the last year, each with one
of our KAMs and a customer contact. Timed in kamp: ``kamp.connect.calendars.sync`` of a
connection to that calendar, the first sync (fetch, the .ics import's reading and matching,
10,000 interactions logged) on SQLite. The reference: the raw client fetch alone — the same
``caldav`` time-range search and each event's data, what any sync must at least do. Also
printed (not in the ratio): a second sync with nothing changed.

A mail part (IMAP, kamp.mailcapture) adds itself as another ``*_part(scale)`` returning
``(kamp_s, reference_s)``; :func:`main` sums the parts that exist.

    .venv/bin/python bench/sync.py [--scale F] [--part calendar|mail]

Prints ``RESULT name=sync kamp_s=<t> reference_s=<t> ratio=<x>`` last.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
EVENTS = 10_000


def setup_django(home: Path) -> None:
    os.environ["KAMP_HOME"] = str(home)
    os.environ.pop("KAMP_DATABASE_URL", None)
    os.environ["DJANGO_SETTINGS_MODULE"] = "kamp.settings"
    os.environ["KAMP_CALENDAR_ALLOW_HTTP"] = "1"
    # Radicale and the feed server run on 127.0.0.1, refused to user-typed addresses otherwise.
    os.environ["KAMP_CONNECT_ALLOW_PRIVATE"] = "1"
    os.environ.setdefault("KAMP_LOG_LEVEL", "ERROR")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _stamp(dt: datetime) -> str:
    return dt.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _calendar_ics(n: int, ours: str, theirs: list[str]) -> bytes:
    """``n`` one-hour meetings spread over the last 360 days (one whole VCALENDAR)."""
    rng = random.Random(7)
    now = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//kamp bench//EN"]
    for i in range(n):
        start = now - timedelta(days=1 + rng.randrange(359), hours=rng.randrange(10))
        contact = theirs[i % len(theirs)]
        lines += [
            "BEGIN:VEVENT",
            f"UID:bench-{i}@kamp.test",
            f"DTSTAMP:{_stamp(now)}",
            f"DTSTART:{_stamp(start)}",
            f"DTEND:{_stamp(start + timedelta(hours=1))}",
            f"SUMMARY:Reunión de seguimiento {i}",
            f"ORGANIZER:mailto:{ours}",
            f"ATTENDEE;CN=KAM:mailto:{ours}",
            f"ATTENDEE;CN=Cliente:mailto:{contact}",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return ("\r\n".join(lines) + "\r\n").encode()


def calendar_part(scale: float) -> tuple[float, float]:
    """(kamp's first sync of 10,000 × scale events, the raw caldav fetch of the same)."""
    import caldav
    import niquests

    from kamp.connect import calendars, crypto
    from kamp.connect.models import CalendarConnection
    from kamp.core.choices import Role
    from kamp.core.models import User
    from kamp.customers.models import Contact, Customer
    from kamp.interactions.models import Interaction
    from tests.connect.radicale import radicale

    n = max(100, int(EVENTS * scale))
    kam = User.objects.create_user(email="kam@supplier.test", name="KAM", role=Role.KAM)
    customer = Customer.objects.create(
        name="Constructora CS", status="key_account", owner=kam, currency="CLP"
    )
    theirs = []
    for i in range(50):
        theirs.append(f"contact{i}@cs.test")
        Contact.objects.create(
            customer=customer, name=f"Contact {i}", function="purchasing", email=theirs[-1]
        )
    with radicale(Path(tempfile.mkdtemp(prefix="kamp-bench-radicale-"))) as server:
        client = caldav.DAVClient(url=server.url, username=server.user, password=server.password)
        cal = client.principal().make_calendar(name="Work", cal_id="work")
        t0 = time.perf_counter()
        # One PUT of the whole calendar (Radicale splits it into its events).
        niquests.put(
            str(cal.url),
            data=_calendar_ics(n, kam.email, theirs),
            auth=(server.user, server.password),
            headers={"Content-Type": "text/calendar"},
            timeout=600,
        ).raise_for_status()
        print(f"calendar: {n} events uploaded to Radicale in {time.perf_counter() - t0:.1f} s")

        now = datetime.now(UTC)
        since = (now - timedelta(days=365)).date()

        def raw_fetch() -> int:
            c = caldav.DAVClient(url=server.url, username=server.user, password=server.password)
            one = c.calendar(url=str(cal.url))
            start = datetime.combine(since, datetime.min.time(), tzinfo=UTC)
            found = one.search(start=start, end=now + timedelta(days=1), event=True)
            return sum(len(o.data) for o in found) and len(found)

        raw_fetch()  # Radicale's own caches warmed for both
        t0 = time.perf_counter()
        fetched = raw_fetch()
        reference = time.perf_counter() - t0
        assert fetched == n, (fetched, n)

        connection = CalendarConnection.objects.create(
            user=kam,
            name="Work",
            kind="caldav",
            server_url=server.url,
            username=server.user,
            secret=crypto.encrypt({"password": server.password}),
            calendars=[{"url": str(cal.url), "name": "Work"}],
        )
        t0 = time.perf_counter()
        out = calendars.sync(connection.pk)
        kamp_s = time.perf_counter() - t0
        assert not out.error, out.error
        logged = Interaction.objects.filter(customer=customer).count()
        assert logged == n, (logged, n)
        t0 = time.perf_counter()
        again = calendars.sync(connection.pk)
        second = time.perf_counter() - t0
        assert again.logged == 0 and not again.error
        print(
            f"calendar: first sync {kamp_s:.2f} s ({out.logged} logged), second sync "
            f"{second:.2f} s (nothing new), raw fetch {reference:.2f} s"
        )
    print(
        f"RESULT name=sync_calendar kamp_s={kamp_s:.2f} reference_s={reference:.2f} "
        f"ratio={kamp_s / reference:.2f}"
    )
    return kamp_s, reference


def mail_part(scale: float, repeat: int = 5) -> tuple[float, float]:
    """(kamp's first read of a dropbox holding 10,000 × scale messages, the raw imaplib fetch of
    the same). A real Dovecot on 127.0.0.1 (the tests' ``tests/mailcapture/dovecot.py``); the
    messages are real MIME (multipart/alternative, encoded non-ASCII names), one in ten a
    Gmail-style forward. Timed in kamp: ``kamp.mailcapture.sync.sync`` over TLS — sizes, fetch
    in bounded batches, parsing, matching, 10,000 interactions logged — on SQLite, each time a
    first read (the database put back as it was before). The
    reference: the raw imaplib fetch of the same data kamp fetches, over the same TLS: every
    message's size and headers (``UID FETCH 1:* (RFC822.SIZE)``, ``(BODY.PEEK[HEADER])``) and
    the whole of the one in ten that is a forward (``BODY.PEEK[]``) — kamp reads the other
    messages from their headers alone, as the company keeps no bodies here. Each side runs
    ``repeat`` times, alternated; the figures are the medians (a single run on a shared
    machine varies by a third)."""
    from django.db import connection
    from django.test import override_settings

    from kamp.core.choices import Role
    from kamp.core.models import User
    from kamp.customers.models import Contact, Customer
    from kamp.interactions.models import Interaction
    from kamp.mailcapture import actions, sync
    from tests.mailcapture import messages as m
    from tests.mailcapture.dovecot import Dovecot

    n = max(100, int(EVENTS * scale))
    kam = User.objects.create_user(email="mail.kam@supplier.test", name="Mail KAM", role=Role.KAM)
    customer = Customer.objects.create(
        name="Constructora Mail", status="key_account", owner=kam, currency="CLP"
    )
    theirs = []
    for i in range(50):
        theirs.append((f"José Muñoz {i}", f"contact{i}@mail-cs.test"))
        Contact.objects.create(
            customer=customer, name=theirs[-1][0], function="purchasing", email=theirs[-1][1]
        )
    ours = ("Mail KAM", kam.email)

    def message(i: int) -> bytes:
        contact = theirs[i % len(theirs)]
        if i % 10 == 0:
            return m.gmail_forward(
                ours,
                "registro@supplier.test",
                f"{contact[0]} <{contact[1]}>",
                f"Mail KAM <{kam.email}>",
                f"Cotización {i}",
                "Mon, Feb 3, 2025 at 10:15 AM",
            )
        return m.plain(
            ours,
            contact,
            f"Propuesta de mantención {i}",
            msgid=f"<bench{i}@supplier.test>",
            body="Estimado, adjunto la propuesta.\n",
            html="<p>Estimado, adjunto la <b>propuesta</b>.</p>",
        )

    server = Dovecot().start()
    try:
        user = server.new_user()
        t0 = time.perf_counter()
        server.deliver_files(user, (message(i) for i in range(n)))

        # What kamp fetches (the company keeps no bodies): every message's size and headers,
        # and the whole of those that may be forwards (here the Fwd: ones, UIDs 1, 11, 21, …).
        forwards = sync.uid_set([i + 1 for i in range(n) if i % 10 == 0])

        def raw_fetch() -> int:
            conn = server.client(user)
            conn.select("INBOX", readonly=True)
            conn.uid("FETCH", "1:*", "(UID RFC822.SIZE)")
            _typ, data = conn.uid("FETCH", "1:*", "(UID BODY.PEEK[HEADER])")
            _typ, whole = conn.uid("FETCH", forwards, "(UID BODY.PEEK[])")
            conn.logout()
            assert sum(1 for d in whole if isinstance(d, tuple)) == (n + 9) // 10
            return sum(1 for d in data if isinstance(d, tuple))

        assert raw_fetch() == n  # Dovecot indexes the delivered mail (and warms) once for both
        print(f"mail: {n} messages delivered to Dovecot in {time.perf_counter() - t0:.1f} s")

        with override_settings(KAMP_MAIL_CA_FILE=str(server.cafile)):
            actions.do_save_mailbox(
                kam,
                host="127.0.0.1",
                port=server.imaps_port,
                security="tls",
                username=user,
                password="dropbox-secret-1",
            )
            # Each of kamp's reads is a first read: the database as it stands now (people,
            # contacts, the dropbox, no mail read) is copied aside and put back before each.
            database = Path(connection.settings_dict["NAME"])
            connection.close()  # its WAL written into the file
            before_read = database.with_name("before-read.sqlite3")
            shutil.copyfile(database, before_read)
            kamp_runs, reference_runs = [], []
            for run in range(repeat):
                t0, c0 = time.perf_counter(), time.process_time()
                fetched = raw_fetch()
                reference_runs.append((time.perf_counter() - t0, time.process_time() - c0))
                assert fetched == n, (fetched, n)

                connection.close()
                for leftover in ("-wal", "-shm"):
                    Path(f"{database}{leftover}").unlink(missing_ok=True)
                shutil.copyfile(before_read, database)
                t0, c0, r0 = time.perf_counter(), time.process_time(), _children_cpu()
                out = sync.sync()
                # This process's processor time (all its threads), and its reading process's
                # (kamp.mailcapture.parser_process, ended with the read; Dovecot still runs).
                kamp_runs.append((time.perf_counter() - t0, time.process_time() - c0))
                reader_cpu = _children_cpu() - r0
                assert not out.error, out.error
                logged = Interaction.objects.filter(customer=customer).count()
                assert logged == n, (logged, n, out)
                (k, kc), (r, rc) = kamp_runs[-1], reference_runs[-1]
                print(
                    f"mail: run {run + 1}: kamp first read {k:.2f} s (CPU of this process "
                    f"{kc:.2f} s, of its reading process {reader_cpu:.2f} s), raw fetch "
                    f"{r:.2f} s (CPU {rc:.2f} s), ratio {k / r:.2f}"
                )
            t0 = time.perf_counter()
            again = sync.sync()
            second = time.perf_counter() - t0
            assert again.read == 0 and not again.error
    finally:
        server.stop()
    kamp_s = statistics.median(k for k, _c in kamp_runs)
    reference = statistics.median(r for r, _c in reference_runs)
    print(
        f"mail: medians of {repeat} alternated runs: first read {kamp_s:.2f} s ({out.logged} "
        f"logged), raw fetch {reference:.2f} s; a second read (nothing new) {second:.2f} s"
    )
    print(
        f"RESULT name=sync_mail kamp_s={kamp_s:.2f} reference_s={reference:.2f} "
        f"ratio={kamp_s / reference:.2f}"
    )
    return kamp_s, reference


def _children_cpu() -> float:
    """The processor time of this process's children that have ended (user and system)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


#: The parts of the benchmark, in order; each returns (kamp_s, reference_s).
PARTS: list[Callable[[float], tuple[float, float]]] = [calendar_part, mail_part]


def main() -> None:
    p = argparse.ArgumentParser(description="kamp calendar (and mail) sync vs the raw fetch")
    p.add_argument("--scale", type=float, default=1.0, help="1 = 10,000 events per source")
    p.add_argument(
        "--part",
        choices=["all", *(f.__name__.removesuffix("_part") for f in PARTS)],
        default="all",
        help="run one part alone (its own RESULT line and the sum of that part)",
    )
    p.add_argument(
        "--repeat",
        type=int,
        default=5,
        help="the mail part's runs of each side, alternated (its figures are their medians; "
        "the calendar part runs once: a run takes a minute and a half)",
    )
    args = p.parse_args()
    home = Path(tempfile.mkdtemp(prefix="kamp-bench-sync-"))
    setup_django(home)
    kamp_total = reference_total = 0.0
    for part in PARTS:
        if args.part not in ("all", part.__name__.removesuffix("_part")):
            continue
        kamp_s, reference_s = (
            mail_part(args.scale, max(1, args.repeat)) if part is mail_part else part(args.scale)
        )
        kamp_total += kamp_s
        reference_total += reference_s
    print(
        f"RESULT name=sync kamp_s={kamp_total:.2f} reference_s={reference_total:.2f} "
        f"ratio={kamp_total / reference_total:.2f}"
    )


if __name__ == "__main__":
    main()
