"""Benchmark: the main pages a director and a KAM open, at 100,000 customers (× --scale).

Builds (or, with ``--keep DIR``, reuses) a database of 100,000 × scale customers shaped like the
demo's company: the demo itself (SAF, its people, its 42 customers with their contacts, plans,
interactions, sales and scores) and, spread as in it, one key account in 500 (a dozen contacts,
thirty interactions a year, an account plan copied from the demo's), one candidate in 20 (three
contacts, scored), every other customer one or two contacts; 1,000,000 × scale sales lines over
two years (Zipf-skewed); the alerts this gives (stored by the alert store when kamp has one);
and one large account (the demo's Constructora CS) with 50,000 interactions.

Then, through Django's test client (the whole request: middleware, session, access, template),
for the director and for a KAM, every main page — home, programme, alerts, selection matrix,
whale curve, customer list, the large account's summary, interactions, economics and plan tabs:

- **warm**: the median of 3 views after one untimed view;
- **after a change**: a score saved through ``do_score`` (an audited write, as from the grid),
  then the first view of every page; three rounds, the median per page. The worker is not
  running: a page whose figures the worker prepares shows the previous ones, marked as being
  updated — what a user sees. The worker's own time to prepare them is printed after.

With the number of queries and the size of the HTML of each. The reference is a static page of
the size of the slowest warm page's HTML served the same way (test client, full middleware,
logged in). Prints one line per page and user, then, last,
``RESULT name=pages kamp_s=<slowest warm page> reference_s=<static page> ratio=<x>``
(the worse database when both run).

    python bench/pages.py [--scale 0.1] [--pg postgres://postgres@127.0.0.1:5432/kamp_bench_pages
                          | --no-pg] [--no-sqlite] [--keep DIR]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

CUSTOMERS = 100_000
SALES = 1_000_000
LARGE_INTERACTIONS = 50_000
REPEAT = 3
INDUSTRIES = ["Construcción", "Minería", "Retail", "Agroindustria", "Energía", "Salud"]
REGIONS = ["Metropolitana", "Valparaíso", "Biobío", "Antofagasta", "Los Lagos", "Maule"]
FUNCTIONS = ["purchasing", "operations", "finance", "management", "technical", "logistics"]
ROLES = ["user", "influencer", "buyer", "decider", "gatekeeper", "initiator", "champion"]

# --- the static reference page, served through the same stack ----------------------------------
STATIC_BODY = b""


def _static_page(request):
    from django.http import HttpResponse

    return HttpResponse(STATIC_BODY, content_type="text/html; charset=utf-8")


def _urlpatterns():
    from django.urls import include, path

    return [path("__bench_static__/", _static_page), path("", include("kamp.urls"))]


if os.environ.get("KAMP_BENCH_PAGES_URLS"):
    urlpatterns = _urlpatterns()


# --- building the data --------------------------------------------------------------------------
def build(scale: float, log) -> dict:
    from django.db import connection, transaction

    from kamp.core import demo
    from kamp.core.choices import Role
    from kamp.core.models import SiteSettings, User
    from kamp.customers.models import Contact, Customer, CustomerStatus
    from kamp.interactions.models import Interaction, InteractionContact, InteractionPerson
    from kamp.plans.models import AccountPlan, Objective, PlanAction
    from kamp.selection.models import Assessment

    rng = random.Random(19)
    today = dt.date.today()
    t0 = time.perf_counter()
    demo.load(log=lambda *_a: None)
    log(f"  demo loaded ({time.perf_counter() - t0:.0f}s)")
    site = SiteSettings.load()
    kams = list(User.objects.filter(role=Role.KAM))
    for k in range(17):
        kams.append(
            User.objects.create_user(f"kam{k}@bench.test", "x", name=f"KAM {k}", role=Role.KAM)
        )
    n = max(500, int(CUSTOMERS * scale))
    first = Customer.objects.count()
    model_plan = AccountPlan.objects.filter(customer__name="Constructora CS").first()
    objectives = list(Objective.objects.filter(plan=model_plan)) if model_plan else []
    actions = list(PlanAction.objects.filter(plan=model_plan)) if model_plan else []
    t0 = time.perf_counter()
    with transaction.atomic():
        batch = []
        for i in range(first, n):
            # "key" (one in 500), "scored" (a candidate being considered, one in 20), "plain"
            kind = "key" if i % 500 == 0 else "scored" if i % 20 == 0 else "plain"
            owner = kams[i % len(kams)] if kind != "plain" or i % 3 == 0 else None
            batch.append(
                Customer(
                    name=f"Cliente {i:06d} {rng.choice(['Andes', 'Sur', 'Norte', 'Pacífico'])}",
                    external_id=f"B-{kind}-{i}",
                    industry=rng.choice(INDUSTRIES),
                    region=rng.choice(REGIONS),
                    country="CL",
                    status=CustomerStatus.KEY_ACCOUNT
                    if kind == "key"
                    else CustomerStatus.CANDIDATE,
                    owner=owner,
                )
            )
        for start in range(0, len(batch), 5000):
            Customer.objects.bulk_create(batch[start : start + 5000])
    new = [
        (cid, ext.split("-")[1], owner)
        for cid, ext, owner in Customer.objects.filter(external_id__startswith="B-").values_list(
            "id", "external_id", "owner_id"
        )
    ]
    log(f"  {len(new)} customers ({time.perf_counter() - t0:.0f}s)")

    t0 = time.perf_counter()
    contacts_of: dict[int, list[int]] = {}
    with transaction.atomic():
        rows = []
        for cid, status, _owner in new:
            k = {"key": 12, "scored": 3}.get(status) or rng.randint(1, 2)
            for j in range(k):
                rows.append(
                    Contact(
                        customer_id=cid,
                        name=f"Contacto {cid}-{j}",
                        function=FUNCTIONS[j % len(FUNCTIONS)],
                        dmu_roles=["buyer"] if j == 0 else rng.sample(ROLES, rng.randint(0, 2)),
                    )
                )
        for start in range(0, len(rows), 5000):
            Contact.objects.bulk_create(rows[start : start + 5000])
        for cid, contact_id in Contact.objects.values_list("customer_id", "id"):
            contacts_of.setdefault(cid, []).append(contact_id)
    log(f"  {len(rows)} contacts ({time.perf_counter() - t0:.0f}s)")

    large = Customer.objects.get(name="Constructora CS")
    large_contacts = [
        Contact(customer=large, name=f"Persona {j}", function=FUNCTIONS[j % len(FUNCTIONS)])
        for j in range(60)
    ]
    Contact.objects.bulk_create(large_contacts)
    contacts_of[large.pk] = list(
        Contact.objects.filter(customer=large).values_list("id", flat=True)
    )

    t0 = time.perf_counter()
    keys = [(cid, owner) for cid, kind, owner in new if kind == "key"]
    plan_made = 0
    with transaction.atomic():
        specs = [(cid, owner, 30) for cid, owner in keys]
        specs.append((large.pk, large.owner_id, LARGE_INTERACTIONS))
        for cid, owner, count in specs:
            made = Interaction.objects.bulk_create(
                [
                    Interaction(
                        customer_id=cid,
                        date=today - dt.timedelta(days=rng.randint(0, 720 if count > 100 else 360)),
                        topic=f"Reunión {j}",
                        logged_by_id=owner,
                    )
                    for j in range(count)
                ],
                batch_size=2000,
            )
            people = [
                InteractionPerson(interaction_id=i.pk, user_id=owner or kams[0].pk) for i in made
            ]
            theirs = [
                InteractionContact(interaction_id=i.pk, contact_id=rng.choice(contacts_of[cid]))
                for i in made
            ]
            InteractionPerson.objects.bulk_create(people, batch_size=2000)
            InteractionContact.objects.bulk_create(theirs, batch_size=2000)
        if model_plan is not None:
            for cid, owner in keys:
                plan = AccountPlan.objects.get(pk=model_plan.pk)
                plan.pk = None
                plan.customer_id = cid
                plan.save()
                remap = {}
                for o in objectives:
                    old = o.pk
                    o.pk = None
                    o.plan = plan
                    o.save()
                    remap[old] = o.pk
                for a in actions:
                    a.pk = None
                    a.plan = plan
                    a.owner_id = owner
                    a.objective_id = remap.get(a.objective_id)
                    a.save()
                plan_made += 1
    log(f"  interactions and {plan_made} plans ({time.perf_counter() - t0:.0f}s)")

    t0 = time.perf_counter()
    scored = [cid for cid, kind, _o in new if kind != "plain"]
    from kamp.selection import engine

    model = engine.ensure_default_model()
    factors = [f.key for f in model.factors.all() if f.source != "derived"] + ["co_investment"]
    director = User.objects.filter(role=Role.DIRECTOR).first()
    Assessment.objects.bulk_create(
        [
            Assessment(customer_id=cid, factor=f, assessor=director, score=rng.randint(1, 10))
            for cid in scored
            for f in factors
        ],
        batch_size=5000,
    )
    log(f"  {len(scored)} customers scored ({time.perf_counter() - t0:.0f}s)")

    t0 = time.perf_counter()
    _load_sales([c for c, _s, _o in new], int(SALES * scale), today, rng, connection)
    from kamp.economics import sales_months

    sales_months.rebuild()
    log(
        f"  {int(SALES * scale)} sales lines and their monthly sums ({time.perf_counter() - t0:.0f}s)"
    )
    t0 = time.perf_counter()
    try:
        from kamp.programme import alert_store  # stored alerts, when kamp keeps them
    except ImportError:
        alert_store = None
    if alert_store is not None and hasattr(alert_store, "refresh_alerts"):
        alert_store.refresh_alerts()
        log(f"  alerts stored ({time.perf_counter() - t0:.0f}s)")
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    site.refresh_from_db()
    return {"customers": Customer.objects.count(), "large": large.pk}


def _load_sales(ids: list[int], count: int, today: dt.date, rng, connection) -> None:
    weights = [1 / (i + 1) ** 0.9 for i in range(len(ids))]
    customers = rng.choices(ids, weights=weights, k=count)
    start = today.replace(day=1) - dt.timedelta(days=730)
    cols = "customer_id, date, net_amount, cost, currency, product, category, document_number, line_number"

    def rows():
        for j, cid in enumerate(customers):
            day = start + dt.timedelta(days=rng.randrange(725))
            net = rng.randint(10_000, 5_000_000)
            yield (
                cid,
                day.isoformat(),
                net,
                int(net * rng.uniform(0.5, 0.8)),
                "CLP",
                "",
                "",
                f"D{j}",
                "1",
            )

    if connection.vendor == "postgresql":
        with (
            connection.cursor() as cursor,
            cursor.cursor.copy(f"COPY economics_salesline ({cols}) FROM STDIN") as copy,
        ):
            for row in rows():
                copy.write_row(row)
        return
    from django.db import transaction

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO economics_salesline ({cols}) VALUES (%s,%s,%s,%s,%s,%s,%s,%s,%s)", rows()
        )


# --- timing -------------------------------------------------------------------------------------
def pages(large: int, period: str) -> list[tuple[str, str]]:
    return [
        ("home", "/"),
        ("programme", "/programme/"),
        ("alerts", "/programme/alerts/"),
        ("selection", "/selection/"),
        ("whale", f"/economics/portfolio/?period={period}"),
        ("customers", "/customers/"),
        ("large summary", f"/customers/{large}/"),
        ("large interactions", f"/interactions/customer/{large}/"),
        ("large economics", f"/economics/customer/{large}/"),
        ("large plan", f"/plans/customer/{large}/"),
    ]


def child(args) -> dict:
    home = Path(args.home)
    os.environ["KAMP_HOME"] = str(home)
    if args.db_url:
        os.environ["KAMP_DATABASE_URL"] = args.db_url
    else:
        os.environ.pop("KAMP_DATABASE_URL", None)
    os.environ["DJANGO_SETTINGS_MODULE"] = "kamp.settings"
    os.environ["KAMP_SECURE_COOKIES"] = "0"
    os.environ["KAMP_BENCH_PAGES_URLS"] = "1"
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    settings.ALLOWED_HOSTS = ["*"]
    settings.ROOT_URLCONF = "bench.pages"
    log = lambda s: print(f"[{connection.vendor if connection.vendor else '?'}] {s}", flush=True)  # noqa: E731
    call_command("migrate", interactive=False, verbosity=0)
    from kamp.customers.models import Customer

    marker = home / f"pages-{connection.vendor}.json"
    if marker.exists() and Customer.objects.exists():
        built = json.loads(marker.read_text())
        log(f"reusing the database: {built['customers']} customers")
    else:
        t0 = time.perf_counter()
        built = build(args.scale, log)
        built["build_s"] = time.perf_counter() - t0
        marker.write_text(json.dumps(built))
        log(f"built in {built['build_s']:.0f}s")

    from django.core.cache import cache
    from django.db import reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from kamp.core.choices import Role
    from kamp.core.models import User
    from kamp.selection import actions as sel_actions
    from kamp.selection import engine

    director = User.objects.filter(role=Role.DIRECTOR).first()
    kam = User.objects.get(email="ana.morales@saf.cl")
    period = str(timezone.localdate().year - 1)
    todo = pages(built["large"], period)
    clients = {}
    for who, user in (("director", director), ("kam", kam)):
        c = Client()
        c.force_login(user)
        clients[who] = c

    def view(who: str, url: str) -> tuple[float, int, int, str]:
        reset_queries()
        start = time.perf_counter()
        with CaptureQueriesContext(connection) as ctx:
            r = clients[who].get(url)
        took = time.perf_counter() - start
        body = r.content.decode()
        assert r.status_code == 200, (who, url, r.status_code)
        updating = "updating" if ("being updated" in body or "Updating:" in body) else ""
        return took, len(ctx.captured_queries), len(r.content), updating

    results: dict[tuple[str, str], dict] = {}
    allowed = {}
    for who in clients:
        allowed[who] = [(n, u) for n, u in todo if clients[who].get(u).status_code != 403]
        for n, _u in todo:
            if (n, _u) not in allowed[who]:
                log(f"{who} may not open {n}: not timed")
    # warm: one untimed view, then the median of three
    for who in clients:
        for name, url in allowed[who]:
            view(who, url)
            runs = [view(who, url) for _ in range(REPEAT)]
            results[(who, name)] = {
                "warm_s": statistics.median(r[0] for r in runs),
                "queries": runs[-1][1],
                "bytes": runs[-1][2],
            }
            log(f"warm {who:8} {name:20} {results[(who, name)]['warm_s']:.3f}s")
    # right after a change: a score saved (audited), then the first view of every page
    model = engine.ensure_default_model()
    from kamp.customers.models import CustomerStatus

    target = Customer.objects.filter(status=CustomerStatus.CANDIDATE).order_by("pk").first()
    after: dict[tuple[str, str], list] = {k: [] for k in results}
    worker_s = []
    for round_ in range(REPEAT):
        sel_actions.do_score(director, target, "strategic_value", 1 + (round_ % 9), model=model)
        cache.clear()  # another web process sees the change: nothing of it is in this one's cache
        for who in clients:
            for name, url in allowed[who]:
                after[(who, name)].append(view(who, url))
        # The worker then prepares what the change made stale (timed, not in the pages' times).
        start = time.perf_counter()
        call_command("db_worker", batch=True, no_startup_delay=True, verbosity=0)
        worker_s.append(time.perf_counter() - start)
    for key, runs in after.items():
        results[key]["after_s"] = statistics.median(r[0] for r in runs)
        results[key]["after_queries"] = max(r[1] for r in runs)
        results[key]["updating"] = sum(1 for r in runs if r[3])

    slowest = max(results.items(), key=lambda kv: kv[1]["warm_s"])
    global STATIC_BODY
    STATIC_BODY = b"x" * slowest[1]["bytes"]
    import bench.pages as served  # the module the URLconf serves from

    served.STATIC_BODY = STATIC_BODY
    clients["director"].get("/__bench_static__/")
    ref = statistics.median(view("director", "/__bench_static__/")[0] for _ in range(REPEAT))
    return {
        "vendor": connection.vendor,
        "customers": built["customers"],
        "pages": [{"who": who, "page": name, **values} for (who, name), values in results.items()],
        "slowest": f"{slowest[0][0]} {slowest[0][1]}",
        "kamp_s": slowest[1]["warm_s"],
        "reference_s": ref,
        "worker_s": statistics.median(worker_s),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432/kamp_bench_pages")
    parser.add_argument("--no-pg", action="store_true")
    parser.add_argument("--no-sqlite", action="store_true")
    parser.add_argument("--keep", help="a folder to build the databases in and reuse them from")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--home", help=argparse.SUPPRESS)
    parser.add_argument("--db-url", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print("CHILD " + json.dumps(child(args)), flush=True)
        return

    runs = []
    backends = []
    if not args.no_sqlite:
        backends.append(("sqlite", None))
    if not args.no_pg:
        backends.append(("postgres", args.pg))
    for name, url in backends:
        home = Path(args.keep) / name if args.keep else Path(tempfile.mkdtemp(prefix="kamp-pages-"))
        home.mkdir(parents=True, exist_ok=True)
        if url and not (args.keep and (home / "pages-postgresql.json").exists()):
            _fresh_pg(url)
        cmd = [
            sys.executable,
            __file__,
            "--child",
            "1",
            "--home",
            str(home),
            "--scale",
            str(args.scale),
        ]
        if url:
            cmd += ["--db-url", url]
        out = subprocess.run(cmd, stdout=subprocess.PIPE, text=True, cwd=ROOT)
        for line in out.stdout.splitlines():
            if not line.startswith("CHILD "):
                print(line)
        if out.returncode != 0:
            sys.exit(f"{name}: the benchmark failed (exit {out.returncode})")
        result = json.loads(next(x for x in out.stdout.splitlines() if x.startswith("CHILD "))[6:])
        runs.append(result)
        print(
            f"\n{result['vendor']}, {result['customers']} customers — "
            f"warm (median of {REPEAT}) · right after a change (median of {REPEAT} rounds) · "
            "queries warm/after · HTML size"
        )
        for p in result["pages"]:
            mark = f" (showed 'updating' {p['updating']}/{REPEAT})" if p["updating"] else ""
            print(
                f"PAGE db={result['vendor']} who={p['who']} page={p['page'].replace(' ', '_')} "
                f"warm_s={p['warm_s']:.3f} after_change_s={p['after_s']:.3f} "
                f"queries={p['queries']}/{p['after_queries']} kb={p['bytes'] / 1024:.0f}{mark}"
            )
        print(f"worker preparing what a change made stale: {result['worker_s']:.2f}s (median)")
        print(
            f"RESULT name=pages_{name} kamp_s={result['kamp_s']:.3f} "
            f"reference_s={result['reference_s']:.4f} "
            f"ratio={result['kamp_s'] / result['reference_s']:.1f}   (slowest: {result['slowest']})"
        )
    worst = max(runs, key=lambda r: r["kamp_s"])
    print(
        f"RESULT name=pages kamp_s={worst['kamp_s']:.3f} reference_s={worst['reference_s']:.4f} "
        f"ratio={worst['kamp_s'] / worst['reference_s']:.1f}"
    )


def _fresh_pg(url: str) -> None:
    import psycopg

    base, name = url.rsplit("/", 1)
    with psycopg.connect(base + "/postgres", autocommit=True) as con:
        con.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        con.execute(f'CREATE DATABASE "{name}"')


if __name__ == "__main__":
    main()
