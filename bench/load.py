"""Benchmark: a working day's load on ``kamp serve`` with PostgreSQL, driven by Locust (headless).

The data: 100,000 customers × ``--scale`` (bench/generate.py's names, tax ids, industries and
regions), one in 200 a key account (500 at scale 1) owned by one of 20 KAMs, each with an account
team of two members, three contacts, an account plan with three objectives and three actions,
and the director's scores of the selection model's assessed factors for the key accounts and one
customer in ten. Users: 3 directors, 20 KAMs, 20 members, each logged in once.

The mix, ``--users`` people at once (50 by default) for ``--minutes`` (5), each waiting 1–4 s
between two clicks (people read):

- directors (1 in 10): the home page, the programme dashboard, the selection matrix, the
  customer list;
- KAMs (half): their account's page, its plan, its interactions; logging an interaction
  (the quick entry) and editing an objective of the plan (the inline form, with its version);
- members (4 in 10): the home page, an account of their team and its plan, a customer search.

``kamp serve`` is started as it starts in production (gunicorn, its default worker count), on a
fresh PostgreSQL database. The reference: a static file (kamp's stylesheet, served by the same
gunicorn through WhiteNoise) requested by the same number of users with the same waits, for a
fifth of the time — what the server, the machine and the HTTP path cost with no kamp work.

    .venv/bin/python bench/load.py [--scale 1] [--minutes 5] [--users 50]
                                   [--pg postgres://postgres@127.0.0.1:5432/kamp_bench_load]

Prints per page: requests, failures, median and p95; then errors, throughput, and last
``RESULT name=load kamp_s=<p95 of every kamp request> reference_s=<p95 of the static file>
ratio=<x>``. Exits non-zero when any request failed.

This file is also the locustfile (``locust -f bench/load.py``): the users are defined only when
Locust imports it.
"""

from __future__ import annotations

import argparse
import csv
import itertools
import json
import os
import random
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CUSTOMERS = 100_000
KAMS, MEMBERS, DIRECTORS = 20, 20, 3
KEY_EVERY = 200
STATIC = "/static/kamp/kamp.css"


# --- the data (run in a process of its own: no Locust, no gevent) ------------------------------


def load(scale: float, out: Path) -> None:
    import datetime as dt

    os.environ["DJANGO_SETTINGS_MODULE"] = "kamp.settings"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from bench.generate import make_customers
    from kamp.core.choices import Role
    from kamp.core.models import User
    from kamp.customers.models import Contact, Customer, CustomerStatus
    from kamp.customers.searchtext import search_text
    from kamp.plans.models import AccountPlan, Objective, PlanAction
    from kamp.selection import engine
    from kamp.selection.models import Assessment
    from kamp.team.models import AccountTeamMember

    call_command("migrate", interactive=False, verbosity=0)
    n = max(KEY_EVERY * KAMS, int(CUSTOMERS * scale))
    started = time.perf_counter()

    def user(email, name, role):
        u = User(email=email, name=name, role=role)
        u.set_unusable_password()
        u.save()
        return u

    directors = [user(f"director{i}@load.test", f"Director {i}", Role.DIRECTOR) for i in range(3)]
    kams = [user(f"kam{i}@load.test", f"KAM {i:02d}", Role.KAM) for i in range(KAMS)]
    members = [user(f"member{i}@load.test", f"Member {i:02d}", Role.MEMBER) for i in range(MEMBERS)]
    batch = []
    for i, c in enumerate(make_customers(n, seed=1)):
        key = i % KEY_EVERY == 0
        batch.append(
            Customer(
                name=c.name,
                tax_id=c.tax_id,
                external_id=c.external_id,
                industry=c.industry,
                region=c.region,
                country="CL",
                currency="CLP",
                status=CustomerStatus.KEY_ACCOUNT if key else CustomerStatus.CANDIDATE,
                owner=kams[(i // KEY_EVERY) % KAMS] if key else None,
                search_text=search_text(c.name, c.tax_id, c.external_id, c.region),
            )
        )
        if len(batch) == 5000:
            Customer.objects.bulk_create(batch)
            batch = []
    Customer.objects.bulk_create(batch)
    keys = list(Customer.objects.filter(status=CustomerStatus.KEY_ACCOUNT).order_by("pk"))
    teams: dict[int, list[int]] = {m.pk: [] for m in members}
    AccountTeamMember.objects.bulk_create(
        AccountTeamMember(customer=c, user=members[(j + k) % MEMBERS])
        for j, c in enumerate(keys)
        for k in (0, 7)
    )
    for j, c in enumerate(keys):
        for k in (0, 7):
            teams[members[(j + k) % MEMBERS].pk].append(c.pk)
    Contact.objects.bulk_create(
        Contact(customer=c, name=f"Contacto {k} {c.pk}", email=f"c{k}.{c.pk}@cliente.cl")
        for c in keys
        for k in range(3)
    )
    today = timezone.localdate()
    plans = AccountPlan.objects.bulk_create(
        AccountPlan(customer=c, period=str(today.year), strategy="Crecer en la línea de servicios")
        for c in keys
    )
    Objective.objects.bulk_create(
        Objective(plan=p, title=t, measure="%", target=v, current=v // 2)
        for p in plans
        for t, v in (("Participación en el gasto", 40), ("Margen bruto", 30), ("Visitas", 12))
    )
    PlanAction.objects.bulk_create(
        PlanAction(
            plan=p, title=f"Acción {k}", owner=p.customer.owner, due=today + dt.timedelta(30)
        )
        for p in plans
        for k in range(3)
    )
    model = engine.ensure_default_model()
    assessed = [f.key for f in model.factors.all() if f.source == "assessed"]
    scored = [c.pk for c in keys] + list(
        Customer.objects.filter(status=CustomerStatus.CANDIDATE)
        .order_by("pk")
        .values_list("pk", flat=True)[::10]
    )
    rng = random.Random(3)
    Assessment.objects.bulk_create(
        (
            Assessment(customer_id=pk, assessor=directors[0], factor=f, score=rng.randint(1, 10))
            for pk in scored
            for f in assessed
        ),
        batch_size=5000,
    )
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")

    def session(u) -> str:
        s = SessionStore()
        s[SESSION_KEY] = str(u.pk)
        # The backend a password login records: a session naming a backend kamp does not run
        # is an anonymous one (every page would answer with the login page).
        s[BACKEND_SESSION_KEY] = next(
            b for b in settings.AUTHENTICATION_BACKENDS if not b.startswith("axes.")
        )
        s[HASH_SESSION_KEY] = u.get_session_auth_hash()
        s.create()
        return s.session_key

    owned: dict[int, list[int]] = {k.pk: [] for k in kams}
    for c in keys:
        owned[c.owner_id].append(c.pk)
    plan_of = {p.customer_id: p.pk for p in plans}
    objectives: dict[int, list[int]] = {}
    for o in Objective.objects.values("pk", "plan_id"):
        objectives.setdefault(o["plan_id"], []).append(o["pk"])
    plan = {
        "cookie": settings.SESSION_COOKIE_NAME,
        "customers": n,
        "directors": [session(d) for d in directors],
        "kams": [
            {
                "session": session(k),
                "user": k.pk,
                "accounts": [
                    {"pk": pk, "plan": plan_of[pk], "objectives": objectives[plan_of[pk]]}
                    for pk in owned[k.pk]
                ],
            }
            for k in kams
        ],
        "members": [
            {"session": session(m), "accounts": [[pk, plan_of[pk]] for pk in teams[m.pk]]}
            for m in members
        ],
    }
    out.write_text(json.dumps(plan))
    print(
        f"loaded {n:,} customers, {len(keys)} key accounts, {len(scored) * len(assessed):,} "
        f"scores in {time.perf_counter() - started:.0f} s"
    )


# --- the users (defined when Locust imports this file) -----------------------------------------

if __name__ != "__main__":
    from http.cookiejar import Cookie

    from locust import FastHttpUser, between, task

    PLAN = json.loads(Path(os.environ.get("KAMP_LOAD_PLAN", "/nonexistent")).read_text())
    CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
    KAM_TURN = itertools.count()

    class Person(FastHttpUser):
        # Locust's fast client (geventhttpclient): the load generator shares the two cores
        # with the server it measures, and the default client (requests) cost it several times
        # the CPU per request.
        abstract = True
        wait_time = between(1, 4)

        def log_in(self, session_key: str) -> None:
            self.client.cookiejar.set_cookie(
                Cookie(
                    version=0,
                    name=PLAN["cookie"],
                    value=session_key,
                    port=None,
                    port_specified=False,
                    domain="127.0.0.1",
                    domain_specified=False,
                    domain_initial_dot=False,
                    path="/",
                    path_specified=True,
                    secure=False,
                    expires=None,
                    discard=True,
                    comment=None,
                    comment_url=None,
                    rest={},
                )
            )

        def page(self, path: str, name: str | None = None) -> str:
            with self.client.get(
                path, name=name or path, catch_response=True, allow_redirects=False
            ) as r:
                # A redirect (to the login page: the session not taken) is a failure, not the
                # login page's 200 counted as the page's.
                if r.status_code != 200:
                    r.failure(f"{r.status_code} {r.headers.get('Location', '')}")
                return r.text or ""

        def post(self, path: str, data: dict, name: str, form_page: str) -> None:
            token = CSRF.search(form_page)
            if not token:
                self.environment.events.request.fire(
                    request_type="POST",
                    name=name,
                    response_time=0,
                    response_length=0,
                    exception=RuntimeError("no CSRF token on the form's page"),
                )
                return
            data = {"csrfmiddlewaretoken": token.group(1), **data}
            headers = {"Referer": self.host + path}
            with self.client.post(
                path,
                data=data,
                name=name,
                headers=headers,
                allow_redirects=False,
                catch_response=True,
            ) as r:
                if r.status_code == 409 and "edit-objectives-version" in data:
                    # Someone saved the same objective since the form was read (25 simulated
                    # KAMs share 20 accounts' portfolios): kamp said so and showed both
                    # versions, the right answer to a concurrent edit.
                    r.success()
                elif r.status_code != 302:  # saved: back to the page
                    r.failure(f"{r.status_code}: {r.text[:300] if r.text else ''}")

    class Director(Person):
        weight = 1

        def on_start(self):
            self.log_in(random.choice(PLAN["directors"]))

        @task(2)
        def home(self):
            self.page("/", "home")

        @task(3)
        def dashboard(self):
            self.page("/programme/", "programme dashboard")

        @task(3)
        def matrix(self):
            self.page("/selection/", "selection matrix")

        @task(1)
        def customers(self):
            self.page("/customers/", "customer list")

    class Kam(Person):
        weight = 5

        def on_start(self):
            # Each simulated KAM is one of the 20 in turn: two browsers of the same person
            # editing the same objective at once is not a working day's load.
            me = PLAN["kams"][next(KAM_TURN) % len(PLAN["kams"])]
            self.me = me
            self.log_in(me["session"])

        def account(self):
            return random.choice(self.me["accounts"])

        @task(4)
        def account_page(self):
            self.page(f"/customers/{self.account()['pk']}/", "account page")

        @task(3)
        def plan_page(self):
            self.page(f"/plans/customer/{self.account()['pk']}/", "account plan")

        @task(2)
        def interactions(self):
            self.page(f"/interactions/customer/{self.account()['pk']}/", "interactions tab")

        @task(2)
        def log_interaction(self):
            pk = self.account()["pk"]
            form = self.page(f"/interactions/customer/{pk}/", "interactions tab")
            self.post(
                f"/interactions/customer/{pk}/new/",
                {
                    "quick": "1",
                    "date": time.strftime("%Y-%m-%d"),
                    "kind": "call",
                    "topic": "Seguimiento de la propuesta",
                    "our_people": str(self.me["user"]),
                    # Whom the KAM spoke to: one of the account's contacts listed on the form.
                    "their_contacts": random.choice(
                        re.findall(r'name="their_contacts" value="(\d+)"', form) or [""]
                    ),
                },
                "log an interaction (POST)",
                form,
            )

        @task(2)
        def edit_objective(self):
            account = self.account()
            objective = random.choice(account["objectives"])
            path = f"/plans/{account['plan']}/objectives/{objective}/edit/"
            form = self.page(path, "objective edit form")
            version = re.search(r'name="edit-objectives-version" value="(\d+)"', form)
            title = re.search(r'name="edit-objectives-title"[^>]*value="([^"]*)"', form)
            self.post(
                path,
                {
                    "edit-objectives-title": title.group(1) if title else "Objetivo",
                    "edit-objectives-measure": "%",
                    "edit-objectives-target": "40",
                    "edit-objectives-current": str(random.randint(0, 40)),
                    "edit-objectives-version": version.group(1) if version else "",
                },
                "edit an objective (POST)",
                form,
            )

    class Member(Person):
        weight = 4

        def on_start(self):
            me = random.choice(PLAN["members"])
            self.accounts = me["accounts"]
            self.log_in(me["session"])

        @task(2)
        def home(self):
            self.page("/", "home")

        @task(3)
        def account_page(self):
            self.page(f"/customers/{random.choice(self.accounts)[0]}/", "account page")

        @task(2)
        def plan_page(self):
            self.page(f"/plans/customer/{random.choice(self.accounts)[0]}/", "account plan")

        @task(1)
        def search(self):
            self.page(
                "/customers/?q=" + random.choice(["andes", "pacifico", "minera", "sur"]),
                "customer search",
            )

    class Reference(FastHttpUser):
        """The static file, alone (the reference run: users are chosen by name on the command
        line, so the kamp run has none of these)."""

        wait_time = between(1, 4)

        @task
        def static(self):
            self.client.get(STATIC, name="static file")


# --- the run ---------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _locust(env, host, users, seconds, prefix, classes) -> list[dict]:
    subprocess.run(
        [
            str(Path(sys.executable).with_name("locust")),
            "-f",
            str(Path(__file__).resolve()),
            "--headless",
            "--host",
            host,
            "--users",
            str(users),
            "--spawn-rate",
            str(max(1, users // 10)),
            "--run-time",
            f"{seconds}s",
            "--stop-timeout",
            "10",
            "--csv",
            str(prefix),
            "--only-summary",
            "--loglevel",
            "WARNING",
            "--exit-code-on-error",
            "0",
            *classes,
        ],
        env=env,
        check=True,
    )
    with open(f"{prefix}_stats.csv", newline="") as f:
        return list(csv.DictReader(f))


def _cpu(pids: dict[str, list[int]]) -> dict[str, float]:
    """CPU seconds (user + system) used so far by each group of processes."""
    import psutil

    out = {}
    for group, members in pids.items():
        total = 0.0
        for pid in members:
            try:
                t = psutil.Process(pid).cpu_times()
                total += t.user + t.system
            except psutil.Error:
                pass
        out[group] = total
    return out


def _process_groups(server_pid: int, worker_pid: int) -> dict[str, list[int]]:
    import psutil

    server = psutil.Process(server_pid)
    return {
        "kamp serve": [server_pid] + [c.pid for c in server.children(recursive=True)],
        "kamp worker": [worker_pid],
    }


def _children_cpu() -> float:
    """CPU seconds used so far by this script's finished child processes (the Locust runs)."""
    import resource

    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def _postgres_cpu() -> dict[int, float]:
    """CPU seconds used so far by PostgreSQL: its server process with the backends it has
    reaped (a connection closed during the run: Django reopens them every CONN_MAX_AGE) and
    each live backend. Keyed by process id; the server's entry holds the reaped ones."""
    import psutil

    out = {}
    for p in psutil.process_iter(["name", "ppid"]):
        if not (p.info["name"] or "").startswith("postgres"):
            continue
        try:
            t = p.cpu_times()
            parent = psutil.Process(p.info["ppid"]).name() if p.info["ppid"] else ""
        except psutil.Error:
            continue
        out[p.pid] = t.user + t.system
        if not parent.startswith("postgres"):  # the server (postmaster)
            out[p.pid] += t.children_user + t.children_system
    return out


def _busy() -> float:
    """CPU seconds the whole machine has spent not idle (every process: PostgreSQL's
    connections come and go, Locust, anything else running)."""
    import psutil

    t = psutil.cpu_times()
    return sum(t) - t.idle - getattr(t, "iowait", 0.0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0, help="× 100,000 customers")
    parser.add_argument("--minutes", type=float, default=5.0)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument(
        "--pg",
        default="postgres://postgres@127.0.0.1:5432/kamp_bench_load",
        help="a PostgreSQL database (dropped and created again)",
    )
    parser.add_argument("--phase", choices=["load"], help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase == "load":
        load(args.scale, Path(args.out))
        return

    from urllib.parse import urlsplit, urlunsplit

    import psycopg

    parts = urlsplit(args.pg)
    name = parts.path.lstrip("/")
    with psycopg.connect(urlunsplit(parts._replace(path="/postgres")), autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    home = Path(tempfile.mkdtemp(prefix="kamp-load-"))
    env = {
        k: v for k, v in os.environ.items() if k not in {"KAMP_TESTING", "KAMP_TEST_DATABASE_URL"}
    }
    env.update(
        KAMP_HOME=str(home),
        KAMP_DATABASE_URL=args.pg,
        DJANGO_SETTINGS_MODULE="kamp.settings",
        KAMP_SECURE_COOKIES="0",
        KAMP_LOG_LEVEL="WARNING",
        PYTHONPATH=str(ROOT),
    )
    plan = home / "plan.json"
    subprocess.run(
        [
            sys.executable,
            __file__,
            "--phase",
            "load",
            "--scale",
            str(args.scale),
            "--out",
            str(plan),
        ],
        env=env,
        check=True,
    )
    port = _free_port()
    kamp = str(Path(sys.executable).with_name("kamp"))
    # What the worker prepares after the load (alerts, portfolio figures, the scoring run) is
    # ready, as on a server whose worker has been running; it keeps running beside the server.
    subprocess.run([kamp, "worker", "--batch", "--no-startup-delay"], env=env, check=True)
    dry = subprocess.run(
        [kamp, "serve", "--dry-run", "--bind", f"127.0.0.1:{port}"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    gunicorn = dry.stdout.strip().splitlines()[-1].split()
    log = open(home / "server.log", "w")  # noqa: SIM115
    server = subprocess.Popen(gunicorn, env=env, stdout=log, stderr=log, start_new_session=True)
    worker = subprocess.Popen([kamp, "worker"], env=env, stdout=log, stderr=log)
    host = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise SystemExit(f"kamp serve did not start: see {home / 'server.log'}")
                time.sleep(0.3)
        workers = gunicorn[gunicorn.index("--workers") + 1]
        env["KAMP_LOAD_PLAN"] = str(plan)
        seconds = max(10, int(args.minutes * 60))
        print(
            f"kamp serve ({workers} gunicorn workers) on PostgreSQL; {args.users} users for {seconds} s"
        )
        people = ["Director", "Kam", "Member"]
        # Every gunicorn worker's first requests import kamp's apps and fill its caches: a
        # warm-up run, not counted, as a server that has been up since the morning.
        _locust(env, host, args.users, max(20, seconds // 5), home / "warm", people)
        groups = _process_groups(server.pid, worker.pid)
        cpu_before, busy, wall = _cpu(groups), _busy(), time.perf_counter()
        postgres_before, locust_before = _postgres_cpu(), _children_cpu()
        rows = _locust(env, host, args.users, seconds, home / "kamp", people)
        cpu_after, busy, wall = _cpu(groups), _busy() - busy, time.perf_counter() - wall
        cpu_before["Locust"], cpu_after["Locust"] = locust_before, _children_cpu()
        postgres_after = _postgres_cpu()
        cpu_before["PostgreSQL"] = 0.0
        cpu_after["PostgreSQL"] = sum(
            t - postgres_before.get(pid, 0.0) for pid, t in postgres_after.items()
        )
        reference = _locust(
            env, host, args.users, max(10, seconds // 5), home / "reference", ["Reference"]
        )
    finally:
        worker.terminate()
        os.killpg(server.pid, signal.SIGINT)  # gunicorn's quick shutdown
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
        worker.wait(timeout=60)
        log.close()

    print(f"\n{'page':34} {'requests':>9} {'failures':>9} {'median':>8} {'p95':>8}")
    total = None
    for row in rows:
        if row["Name"] == "Aggregated":
            total = row
            continue
        print(
            f"{row['Name'][:34]:34} {row['Request Count']:>9} {row['Failure Count']:>9} "
            f"{float(row['Median Response Time']) / 1000:>7.3f}s {float(row['95%']) / 1000:>7.3f}s"
        )
    static = next(r for r in reference if r["Name"] == "Aggregated")
    assert total is not None
    errors = int(total["Failure Count"]) + int(static["Failure Count"])
    if total["95%"] == "N/A" or static["95%"] == "N/A":
        raise SystemExit(f"no request answered in time: see {home / 'server.log'}")
    kamp_s = float(total["95%"]) / 1000
    reference_s = float(static["95%"]) / 1000
    print(
        f"\nrequests {total['Request Count']}, errors {errors}, throughput "
        f"{float(total['Requests/s']):.1f} requests/s; static file p95 {reference_s:.3f} s"
        f" ({static['Request Count']} requests)"
    )
    # Where the machine's time went during the measured run (two cores: 2 × wall at most).
    print(
        f"CPU during the run ({wall:.0f} s wall, {os.cpu_count()} cores): "
        + ", ".join(f"{g} {cpu_after[g] - cpu_before[g]:.0f} s" for g in cpu_before)
        + f"; the whole machine busy {busy:.0f} s (anything else: "
        f"{busy - sum(cpu_after[g] - cpu_before[g] for g in cpu_before):.0f} s)"
    )
    failures = home / "kamp_failures.csv"
    if errors and failures.exists():
        print(failures.read_text()[:3000])
    print(
        f"RESULT name=load kamp_s={kamp_s:.3f} reference_s={reference_s:.3f} "
        f"ratio={kamp_s / reference_s if reference_s else float('inf'):.1f}"
    )
    sys.exit(1 if errors else 0)


if __name__ == "__main__":
    main()
