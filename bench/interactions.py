"""Benchmark: the bow-tie / diamond analysis of a whole portfolio, and the largest account's page.

2,000 customers, 50,000 contacts and 1,000,000 interactions (each with one or two of our people
and one or two of the customer's contacts, over two years; ``--scale 0.1``: a tenth), on SQLite.
Customer sizes follow a Zipf law, so the largest account holds a few percent of the log.

Timed in kamp: ``kamp.interactions.analysis.analyse_many`` over every customer (the bulk queries
plus the pure rules of ``kamp/interactions/forms.py``) — the work behind the risks page, the
alerts, the badges and ``kamp interactions analyse``. Also timed (printed, not in the ratio): the
Interactions tab of the largest account, rendered through Django's test client.

The reference, on the same database: two hand-written SQL queries computing each customer's
diamond index and number of functional pairs in the window — what the database alone does at
best. The script checks that both agree on every customer's form and diamond index.

    .venv/bin/python bench/interactions.py [--scale F] [--keep DIR]

Prints ``RESULT name=interactions kamp_s=<analysis> reference_s=<SQL> ratio=<x>`` last.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import shutil
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CUSTOMERS, CONTACTS, INTERACTIONS = 2_000, 50_000, 1_000_000
AS_OF = dt.date(2026, 11, 28)
WINDOW = 90
FUNCTIONS = [
    "sales",
    "purchasing",
    "logistics",
    "finance",
    "operations",
    "quality",
    "engineering",
    "it",
    "marketing",
    "management",
    "other",
]
ROLES = ["user", "influencer", "buyer", "decider", "gatekeeper", "initiator", "champion"]


def setup_django(home: Path) -> None:
    os.environ["KAMP_HOME"] = str(home)
    os.environ.pop("KAMP_DATABASE_URL", None)
    os.environ["DJANGO_SETTINGS_MODULE"] = "kamp.settings"
    os.environ["KAMP_ALLOWED_HOSTS"] = "testserver,127.0.0.1,localhost"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from django.db import connection

    connection.close()


def generate(db_path: Path, scale: float, seed: int = 11) -> dict:
    """Fill the (migrated, empty) SQLite database with raw inserts: setup, not timed."""
    rng = random.Random(seed)
    n_cust = max(20, int(CUSTOMERS * scale))
    n_cont = max(100, int(CONTACTS * scale))
    n_int = max(1000, int(INTERACTIONS * scale))
    con = sqlite3.connect(db_path)
    con.execute("PRAGMA synchronous=OFF")
    now = "2026-11-28 12:00:00"
    # Our people: 60 (10 KAMs who own the accounts, 50 colleagues of every function).
    users = []
    for k in range(60):
        role = "kam" if k < 10 else "member"
        function = "sales" if k < 10 else FUNCTIONS[k % len(FUNCTIONS)]
        users.append(
            (k + 1, f"u{k}@bench.test", f"Person {k}", function, role, "", 1, 0, 0, now, "!")
        )
    con.executemany(
        "INSERT INTO core_user (id, email, name, function, role, language, is_active, is_staff, "
        "is_superuser, date_joined, password) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
        users,
    )
    con.execute(
        "INSERT INTO core_user (id, email, name, function, role, language, is_active, "
        "is_staff, is_superuser, date_joined, password) VALUES (1000, 'admin@bench.test', "
        "'Admin', 'management', 'admin', '', 1, 1, 1, ?, '!')",
        (now,),
    )
    con.executemany(
        "INSERT INTO customers_customer (id, name, tax_id, external_id, industry, region, country, "
        "size, currency, status, owner_id, notes, created_at, updated_at) "
        "VALUES (?,?,'',?,'','','CL','','','key_account',?,'',?,?)",
        [(c + 1, f"Customer {c:05d}", f"B-{c}", (c % 10) + 1, now, now) for c in range(n_cust)],
    )
    # Zipf weights: a few customers hold most contacts and interactions.
    weights = [1 / (c + 1) ** 0.8 for c in range(n_cust)]
    contacts_of: dict[int, list[int]] = {c + 1: [] for c in range(n_cust)}
    rows = []
    owners = rng.choices(range(1, n_cust + 1), weights=weights, k=n_cont - 2 * n_cust)
    owners += [c + 1 for c in range(n_cust)] * 2  # every customer has at least two contacts
    for cid, customer in enumerate(owners, start=1):
        first = not contacts_of[customer]
        function = "purchasing" if first else rng.choice(FUNCTIONS)
        roles = ["buyer"] if first else rng.sample(ROLES, rng.randint(0, 2))
        active = 1 if rng.random() > 0.05 else 0
        left = (AS_OF - dt.timedelta(days=rng.randint(1, 400))).isoformat() if not active else None
        attitude = rng.choice(["champion", "supporter", "neutral", "neutral", "critic"])
        rows.append(
            (
                cid,
                customer,
                f"Contact {cid}",
                "",
                function,
                "",
                json.dumps(roles),
                attitude,
                rng.randint(1, 5),
                f"c{cid}@x.test",
                "",
                active,
                left,
                now,
                now,
            )
        )
        contacts_of[customer].append(cid)
    con.executemany(
        "INSERT INTO customers_contact (id, customer_id, name, title, function, seniority, "
        "dmu_roles, attitude, influence, email, phone, active, left_on, created_at, updated_at) "
        "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
        rows,
    )
    customers = rng.choices(range(1, n_cust + 1), weights=weights, k=n_int)
    inter, ours, theirs = [], [], []
    for iid, customer in enumerate(customers, start=1):
        day = AS_OF - dt.timedelta(days=rng.randint(0, 729))
        inter.append(
            (
                iid,
                customer,
                day.isoformat(),
                "meeting",
                f"Topic {iid}",
                "",
                "",
                "manual",
                "",
                now,
                now,
            )
        )
        kam = (customer - 1) % 10 + 1
        people = {kam} if rng.random() < 0.6 else set()
        while len(people) < rng.randint(1, 2):
            people.add(rng.randint(11, 60))
        ours.extend((iid, p) for p in people)
        pool = contacts_of[customer]
        who = {pool[0]} if rng.random() < 0.5 else set()
        while len(who) < min(len(pool), rng.randint(1, 2)):
            who.add(rng.choice(pool))
        theirs.extend((iid, c) for c in who)
        if len(inter) >= 50_000:
            _flush(con, inter, ours, theirs)
    _flush(con, inter, ours, theirs)
    con.commit()
    con.execute("ANALYZE")
    con.close()
    largest = max(range(n_cust), key=lambda c: weights[c]) + 1
    return {"customers": n_cust, "contacts": n_cont, "interactions": n_int, "largest": largest}


def _flush(con, inter, ours, theirs) -> None:
    con.executemany(
        "INSERT INTO interactions_interaction (id, customer_id, date, kind, topic, notes, follow_up, "
        "source, external_uid, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
        inter,
    )
    con.executemany(
        "INSERT INTO interactions_interactionperson (interaction_id, user_id) VALUES (?,?)", ours
    )
    con.executemany(
        "INSERT INTO interactions_interactioncontact (interaction_id, contact_id) VALUES (?,?)",
        theirs,
    )
    inter.clear()
    ours.clear()
    theirs.clear()


PURCHASING = "(ct.function = 'purchasing' OR ct.dmu_roles LIKE '%\"buyer\"%')"
REFERENCE_INDEX = f"""
WITH win AS (SELECT i.id, i.customer_id FROM interactions_interaction i WHERE i.date BETWEEN ? AND ?),
knot AS (
  SELECT w.id FROM win w JOIN customers_customer c ON c.id = w.customer_id
    JOIN interactions_interactionperson p ON p.interaction_id = w.id AND p.user_id = c.owner_id
  UNION
  SELECT w.id FROM win w JOIN interactions_interactioncontact ic ON ic.interaction_id = w.id
    JOIN customers_contact ct ON ct.id = ic.contact_id WHERE {PURCHASING}
)
SELECT w.customer_id, COUNT(*), SUM(CASE WHEN k.id IS NULL THEN 1 ELSE 0 END)
FROM win w LEFT JOIN knot k ON k.id = w.id GROUP BY w.customer_id
"""
REFERENCE_PAIRS = f"""
SELECT i.customer_id, COUNT(DISTINCT u.function)
FROM interactions_interaction i
  JOIN customers_customer c ON c.id = i.customer_id
  JOIN interactions_interactionperson p ON p.interaction_id = i.id
  JOIN core_user u ON u.id = p.user_id
  JOIN interactions_interactioncontact ic ON ic.interaction_id = i.id
  JOIN customers_contact ct ON ct.id = ic.contact_id
WHERE i.date BETWEEN ? AND ? AND p.user_id <> IFNULL(c.owner_id, -1) AND NOT {PURCHASING}
  AND u.function = ct.function
GROUP BY i.customer_id
"""


def reference(
    db_path: Path, start: dt.date, end: dt.date
) -> tuple[float, dict[int, tuple[float, int]]]:
    con = sqlite3.connect(db_path)
    t = time.perf_counter()
    index = {
        c: (outside / total if total else 0.0)
        for c, total, outside in con.execute(REFERENCE_INDEX, (start.isoformat(), end.isoformat()))
    }
    pairs = dict(con.execute(REFERENCE_PAIRS, (start.isoformat(), end.isoformat())))
    elapsed = time.perf_counter() - t
    con.close()
    return elapsed, {c: (index.get(c, 0.0), pairs.get(c, 0)) for c in set(index) | set(pairs)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--keep", help="keep the data folder here (reused if it has data)")
    args = parser.parse_args()
    folder = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="kamp-bench-int-"))
    folder.mkdir(parents=True, exist_ok=True)
    db_path = folder / "kamp.sqlite3"
    fresh = not db_path.exists()
    setup_django(folder)
    t = time.perf_counter()
    meta_path = folder / "meta.json"
    if fresh or not meta_path.exists():
        meta = generate(db_path, args.scale)
        meta_path.write_text(json.dumps(meta))
    else:
        meta = json.loads(meta_path.read_text())
    print(
        f"data: {meta['customers']} customers, {meta['contacts']} contacts, "
        f"{meta['interactions']} interactions (setup {time.perf_counter() - t:.1f}s)"
    )

    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from kamp.core.models import User
    from kamp.customers.models import Customer
    from kamp.interactions import analysis
    from kamp.interactions import forms as rules

    settings = rules.Settings(window_days=WINDOW)
    analysis.analyse_many(Customer.objects.filter(pk=1), AS_OF, settings)  # warm up
    t = time.perf_counter()
    with CaptureQueriesContext(connection) as queries:
        results = analysis.analyse_many(Customer.objects.all(), AS_OF, settings)
    kamp_s = time.perf_counter() - t
    print(f"kamp: analysed {len(results)} accounts in {kamp_s:.2f}s with {len(queries)} queries")

    start = rules.window_start(AS_OF, WINDOW)
    reference_s, ref = reference(db_path, start, AS_OF)
    print(f"reference SQL: {reference_s:.2f}s")
    bad = 0
    for pk, a in results.items():
        index, pairs = ref.get(pk, (0.0, 0))
        form = "B" if pairs >= settings.min_pairs else "A"
        if (
            abs(index - a.diamond_index) > 1e-9
            or form != a.form
            or pairs != len(a.functional_pairs)
        ):
            bad += 1
    print(
        f"agreement: {len(results) - bad} of {len(results)} accounts identical"
        + ("" if not bad else f" — {bad} DIFFER")
    )
    forms = [a.form for a in results.values()]
    print(f"forms: A={forms.count('A')} B={forms.count('B')}")

    admin = User.objects.get(email="admin@bench.test")
    client = Client()
    client.force_login(admin)
    largest = meta["largest"]
    n = Customer.objects.get(pk=largest).interactions.count()
    client.get(f"/interactions/customer/{largest}/")  # warm up templates
    t = time.perf_counter()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/interactions/customer/{largest}/")
    page_s = time.perf_counter() - t
    assert response.status_code == 200, response.status_code
    print(
        f"page: Interactions tab of the largest account ({n} interactions) in {page_s:.2f}s, "
        f"{len(queries)} queries"
    )
    print(f"RESULT name=interactions-page kamp_s={page_s:.3f}")
    if not args.keep:
        shutil.rmtree(folder, ignore_errors=True)
    ratio = kamp_s / reference_s if reference_s else float("inf")
    print(
        f"RESULT name=interactions kamp_s={kamp_s:.3f} reference_s={reference_s:.3f} ratio={ratio:.2f}"
    )


if __name__ == "__main__":
    main()
