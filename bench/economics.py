"""Benchmark: the account P&L for 100,000 customers over 36 months (× --scale), from 5,000,000
sales lines, 1,000,000 cost-to-serve records and the KAM investment allocations, on SQLite and on
PostgreSQL, against one hand-written DuckDB query over the same data.

The work timed is kamp's own function, :func:`kamp.economics.services.compute`, asked for every
customer's P&L in each of the three years the data span (so every one of the 36 months is read):
the set-based GROUP BY in the database over the monthly sales sums, the cost-to-serve records
and the allocations, the conversion and the P&L lines in :mod:`kamp.economics.pnl`, Decimal
throughout. Also timed: the whale-curve page (the director's portfolio, a real request through
Django) with all the customers.

Like for like: the reference the ratio uses is the same aggregation as one DuckDB query reading
the same monthly sums kamp reads (exported from kamp's database), the activity records and the
allocations, fetched as columns (no Python object per value). Printed beside it: the same fetched
into Python ``Decimal`` rows, DuckDB's engine alone, and the query over the raw lines. The setup
a user pays for — rebuilding the monthly sums from the lines — is timed on its own against
DuckDB building the same table (``economics_setup``). Every side is the median of 3 runs. Every
customer-year's P&L lines (revenue, cost of goods, cost to serve, investments, profit after KAM)
are compared with the reference's, to 0.0001: the script exits 1 on any difference.

    python bench/economics.py [--scale 0.1] [--backends sqlite,postgres]
                              [--pg postgres://postgres@127.0.0.1:5432/kamp_eco_bench]

Prints ``RESULT name=economics_<db>`` and ``economics_setup_<db>`` per database, then, last, the
worse database as ``RESULT name=economics …`` and ``RESULT name=economics_setup …``.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CUSTOMERS = 100_000
SALES = 5_000_000
ACTIVITIES = 1_000_000
ALLOCATIONS = 50_000
MONTHS = 36
FIRST = dt.date(2023, 1, 1)
YEARS = ["2023", "2024", "2025"]


def _month(i: int) -> dt.date:
    return dt.date(FIRST.year + i // 12, i % 12 + 1, 1)


def generate(out: Path, scale: float, seed: int = 7) -> dict:
    """CSV files of the data (customers are 1…N): sales, activity records, allocations."""
    rng = random.Random(seed)
    n = max(100, int(CUSTOMERS * scale))
    counts = {
        "customers": n,
        "sales": int(SALES * scale),
        "activities": int(ACTIVITIES * scale),
        "allocations": int(ALLOCATIONS * scale),
    }
    # A skewed portfolio: a few customers carry most sales (Pareto weights).
    weights = [1 / (i + 1) ** 0.8 for i in range(n)]
    cum, total = [], 0.0
    for w in weights:
        total += w
        cum.append(total)
    customers = rng.choices(range(1, n + 1), cum_weights=cum, k=counts["sales"])
    with open(out / "sales.csv", "w", newline="") as f:
        w = csv.writer(f)
        for cid in customers:
            m = rng.randrange(MONTHS)
            day = _month(m).replace(day=rng.randint(1, 28))
            net = rng.randint(10_000, 5_000_000)
            w.writerow([cid, day.isoformat(), net, int(net * rng.uniform(0.5, 0.8)), "CLP"])
    with open(out / "activities.csv", "w", newline="") as f:
        w = csv.writer(f)
        for _ in range(counts["activities"]):
            cid = rng.randint(1, n)
            m = rng.randrange(MONTHS)
            count = rng.randint(1, 6)
            minutes = rng.choice([30, 60, 90, 120])
            w.writerow([cid, _month(m).isoformat(), count, minutes, count * minutes * 900, "CLP"])
    with open(out / "allocations.csv", "w", newline="") as f:
        w = csv.writer(f)
        for _ in range(counts["allocations"]):
            cid = rng.randint(1, max(1, n // 50))  # the key accounts bear the investments
            m = rng.randrange(MONTHS)
            w.writerow(
                [cid, _month(m).replace(day=15).isoformat(), rng.randint(100_000, 3_000_000), "CLP"]
            )
    (out / "counts.json").write_text(json.dumps(counts))
    return counts


# --- one backend, in its own process (Django settings are per process) ------------------------
def child(data: Path, database_url: str | None) -> dict:
    os.environ["KAMP_HOME"] = tempfile.mkdtemp(prefix="kamp-eco-bench-")
    if database_url:
        os.environ["KAMP_DATABASE_URL"] = database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "kamp.settings"
    os.environ["KAMP_SECURE_COOKIES"] = "0"
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.ALLOWED_HOSTS = ["*"]
    call_command("migrate", interactive=False, verbosity=0)
    load_start = time.perf_counter()
    _load(data)
    # The monthly sales sums the import keeps in step with the lines (timed in
    # bench/import_sales.py); loaded raw here, the lines need them computed once.
    from kamp.economics import sales_months

    sales_months.rebuild()
    from django.db import connection as conn

    with conn.cursor() as cursor:
        cursor.execute("ANALYZE")
    load_s = time.perf_counter() - load_start

    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from kamp.core.choices import Role
    from kamp.core.models import SiteSettings, User
    from kamp.economics import services

    site = SiteSettings.load()
    site.base_currency = "CLP"
    site.save()
    # The setup a user pays for after a bulk load or a repair: rebuilding the monthly sums.
    setup = []
    for _ in range(3):
        start = time.perf_counter()
        sales_months.rebuild()
        setup.append(time.perf_counter() - start)
    with conn.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if conn.vendor == "postgresql" else "ANALYZE")
        # The summaries kamp reads, for the like-for-like reference.
        cursor.execute(
            "SELECT customer_id, month, CAST(net_amount AS TEXT), CAST(cost AS TEXT) "
            "FROM economics_salesmonth"
        )
        with open(data / f"salesmonth-{conn.vendor}.csv", "w", newline="") as f:
            csv.writer(f).writerows(cursor.fetchall())
    times = []
    for _ in range(3):
        start = time.perf_counter()
        result = services.compute(YEARS, None)
        times.append(time.perf_counter() - start)
    checksum = str(sum(v.profit_after_kam for v in result.values()))
    # Every customer-year's P&L lines, for the comparison with the reference's.
    with open(data / f"pnl-{conn.vendor}.csv", "w", newline="") as f:
        w = csv.writer(f)
        for (cid, i), v in result.items():
            w.writerow(
                [
                    cid,
                    YEARS[i],
                    v.net_revenue,
                    v.cost_of_goods,
                    v.cost_to_serve,
                    v.kam_investments,
                    v.profit_after_kam,
                ]
            )
    director = User.objects.create_user("director@bench.test", "x", role=Role.DIRECTOR)
    client = Client()
    client.force_login(director)
    from django.core.cache import cache

    from kamp.economics.models import PortfolioSnapshot

    def view() -> float:
        start = time.perf_counter()
        response = client.get("/economics/portfolio/", {"period": "2025"})
        assert response.status_code == 200, response.status_code
        return time.perf_counter() - start

    view()  # warms the process up (URLs, templates)
    cache.clear()
    PortfolioSnapshot.objects.all().delete()
    cold_s = view()  # the very first view of the period: computes in the request
    snapshot_times = []
    for _ in range(3):
        cache.clear()  # as in another app process: only the database is shared
        snapshot_times.append(view())
    page_times = []
    for _ in range(3):
        start = time.perf_counter()
        with CaptureQueriesContext(connection) as captured:
            response = client.get("/economics/portfolio/", {"period": "2025"})
        page_times.append(time.perf_counter() - start)
        assert response.status_code == 200, response.status_code
    return {
        "vendor": connection.vendor,
        "kamp_s": statistics.median(times),
        "times": times,
        "setup_s": statistics.median(setup),
        "setup_times": setup,
        "rows": len(result),
        "checksum": checksum,
        "load_s": load_s,
        "whale_page_s": statistics.median(page_times),
        "whale_cold_s": cold_s,
        "whale_snapshot_s": statistics.median(snapshot_times),
        "whale_page_queries": len(captured.captured_queries),
    }


def _load(data: Path) -> None:
    from django.db import connection, transaction

    from kamp.customers.models import Customer, CustomerStatus
    from kamp.economics.models import ActivityType, Investment

    counts = json.loads((data / "counts.json").read_text())
    n = counts["customers"]
    batch = []
    for i in range(1, n + 1):
        status = CustomerStatus.KEY_ACCOUNT if i <= max(1, n // 50) else CustomerStatus.CANDIDATE
        batch.append(Customer(id=i, name=f"Cliente {i:06d}", country="CL", status=status))
        if len(batch) == 5000:
            Customer.objects.bulk_create(batch)
            batch = []
    Customer.objects.bulk_create(batch)
    activity = ActivityType.objects.create(name="Visita", driver="minute", rate=900, currency="CLP")
    investment = Investment.objects.create(
        kind="people", amount=0, currency="CLP", date=FIRST, allocation="equal"
    )
    now = dt.datetime.now(dt.UTC).isoformat()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            raw = cursor.cursor
            specs = [
                (
                    "sales.csv",
                    "economics_salesline (customer_id, date, net_amount, cost, currency)",
                ),
                (
                    "activities.csv",
                    "economics_activityrecord (customer_id, month, count, minutes, cost, currency)",
                ),
                (
                    "allocations.csv",
                    "economics_investmentallocation (customer_id, date, amount, currency)",
                ),
            ]
            # Columns the CSVs do not carry get their value from a temporary default.
            cursor.execute(
                "ALTER TABLE economics_salesline ALTER COLUMN product SET DEFAULT '', "
                "ALTER COLUMN category SET DEFAULT '', "
                "ALTER COLUMN document_number SET DEFAULT '', "
                "ALTER COLUMN line_number SET DEFAULT ''"
            )
            cursor.execute(
                f"ALTER TABLE economics_activityrecord ALTER COLUMN activity_id SET DEFAULT {activity.pk}, "
                "ALTER COLUMN note SET DEFAULT '', ALTER COLUMN created_at SET DEFAULT now()"
            )
            cursor.execute(
                f"ALTER TABLE economics_investmentallocation ALTER COLUMN investment_id SET DEFAULT {investment.pk}, "
                "ALTER COLUMN weight SET DEFAULT 1"
            )
            for name, target in specs:
                with (
                    open(data / name) as f,
                    raw.copy(f"COPY {target} FROM STDIN WITH (FORMAT csv)") as copy,
                ):
                    while chunk := f.read(1 << 20):
                        copy.write(chunk)
            cursor.execute("ANALYZE")
        return
    with transaction.atomic(), connection.cursor() as cursor:

        def rows(name, extra):
            with open(data / name) as f:
                for row in csv.reader(f):
                    yield (*row, *extra)

        cursor.executemany(
            "INSERT INTO economics_salesline (customer_id, date, net_amount, cost, currency, "
            "product, category, document_number, line_number) VALUES (%s,%s,%s,%s,%s,'','','','')",
            rows("sales.csv", ()),
        )
        cursor.executemany(
            "INSERT INTO economics_activityrecord (customer_id, month, count, minutes, cost, "
            "currency, activity_id, note, created_at) VALUES (%s,%s,%s,%s,%s,%s,%s,'',%s)",
            rows("activities.csv", (activity.pk, now)),
        )
        cursor.executemany(
            "INSERT INTO economics_investmentallocation (customer_id, date, amount, currency, "
            "investment_id, weight) VALUES (%s,%s,%s,%s,%s,1)",
            rows("allocations.csv", (investment.pk,)),
        )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


# --- the reference -------------------------------------------------------------------------
REFERENCE_SQL = """
WITH s AS (
  SELECT customer_id, year(date) AS y, SUM(net_amount) AS revenue, SUM(cost) AS cogs
  FROM sales WHERE date >= DATE '2023-01-01' AND date < DATE '2026-01-01' GROUP BY 1, 2),
a AS (
  SELECT customer_id, year(month) AS y, SUM(cost) AS cts
  FROM activities WHERE month >= DATE '2023-01-01' AND month < DATE '2026-01-01' GROUP BY 1, 2),
i AS (
  SELECT customer_id, year(date) AS y, SUM(amount) AS inv
  FROM allocations WHERE date >= DATE '2023-01-01' AND date < DATE '2026-01-01' GROUP BY 1, 2)
SELECT customer_id, y,
       COALESCE(revenue, 0) AS revenue, COALESCE(cogs, 0) AS cogs,
       COALESCE(revenue, 0) - COALESCE(cogs, 0) AS gross_margin, COALESCE(cts, 0) AS cts,
       COALESCE(revenue, 0) - COALESCE(cogs, 0) - COALESCE(cts, 0) AS contribution,
       COALESCE(inv, 0) AS inv,
       COALESCE(revenue, 0) - COALESCE(cogs, 0) - COALESCE(cts, 0) - COALESCE(inv, 0) AS profit
FROM s FULL OUTER JOIN a USING (customer_id, y) FULL OUTER JOIN i USING (customer_id, y)
"""


# Like for like: the same query reading the monthly sums kamp reads (exported from its database)
# instead of the raw lines.
SALES_FROM_LINES = "FROM sales WHERE date >= DATE '2023-01-01' AND date < DATE '2026-01-01'"
SALES_FROM_SUMS = (
    "FROM (SELECT customer_id, month AS date, net_amount, cost FROM monthly) "
    "WHERE date >= DATE '2023-01-01' AND date < DATE '2026-01-01'"
)
# The setup: the monthly sums from the lines, as kamp's sales_months.rebuild() keeps them.
SETUP_SQL = (
    "CREATE OR REPLACE TABLE ref_monthly AS SELECT customer_id, date_trunc('month', date) AS month, "
    "currency, SUM(net_amount) AS net_amount, SUM(cost) AS cost, COUNT(*) AS lines "
    "FROM sales GROUP BY ALL"
)
#: kamp's P&L lines against the reference's, per customer and year: to 0.0001 (SQLite adds the
#: amounts as floating-point numbers in its plan's order; PostgreSQL's numeric is exact).
MONEY_TOL = Decimal("0.0001")


def _duck(data: Path):
    import duckdb

    con = duckdb.connect()
    con.execute(
        f"CREATE TABLE sales AS SELECT * FROM read_csv('{data / 'sales.csv'}', header=false, "
        "columns={'customer_id': 'BIGINT', 'date': 'DATE', 'net_amount': 'DECIMAL(18,4)', "
        "'cost': 'DECIMAL(18,4)', 'currency': 'VARCHAR'})"
    )
    con.execute(
        f"CREATE TABLE activities AS SELECT * FROM read_csv('{data / 'activities.csv'}', header=false, "
        "columns={'customer_id': 'BIGINT', 'month': 'DATE', 'count': 'DECIMAL(14,2)', "
        "'minutes': 'DECIMAL(12,2)', 'cost': 'DECIMAL(18,4)', 'currency': 'VARCHAR'})"
    )
    con.execute(
        f"CREATE TABLE allocations AS SELECT * FROM read_csv('{data / 'allocations.csv'}', header=false, "
        "columns={'customer_id': 'BIGINT', 'date': 'DATE', 'amount': 'DECIMAL(18,4)', "
        "'currency': 'VARCHAR'})"
    )
    return con


def _median(fn, runs: int = 3) -> tuple[float, list[float], object]:
    times, out = [], None
    for _ in range(runs):
        start = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), times, out


def reference(con, sales: str = SALES_FROM_LINES) -> dict:
    """The aggregation, median of 3: fetched as columns (numpy: no Python object per value —
    the ratio's reference), and fetched into Python ``Decimal`` rows (as kamp's output is;
    printed, and what the comparison reads)."""
    sql = REFERENCE_SQL.replace(
        "FROM sales WHERE date >= DATE '2023-01-01' AND date < DATE '2026-01-01'", sales
    )
    columns_s, columns_times, _ = _median(lambda: con.execute(sql).fetchnumpy())
    rows_s, _t, rows = _median(lambda: con.execute(sql).fetchall())
    engine_s, _t, _ = _median(
        lambda: con.execute(f"SELECT COUNT(*), SUM(profit) FROM ({sql})").fetchall()
    )
    return {
        "reference_s": columns_s,
        "times": columns_times,
        "decimals_s": rows_s,
        "engine_s": engine_s,
        "rows": {(r[0], str(r[1])): r for r in rows},
        "checksum": str(sum(r[-1] for r in rows)),
    }


def reference_on_sums(data: Path, sums_csv: Path) -> dict:
    con = _duck(data)
    con.execute(
        f"CREATE TABLE monthly AS SELECT * FROM read_csv('{sums_csv}', header=false, "
        "columns={'customer_id': 'BIGINT', 'month': 'DATE', 'net_amount': 'DECIMAL(18,4)', "
        "'cost': 'DECIMAL(18,4)'})"
    )
    return reference(con, SALES_FROM_SUMS)


def reference_setup(con) -> float:
    median, _t, _ = _median(lambda: con.execute(SETUP_SQL))
    return median


def compare(pnl_csv: Path, ref: dict) -> list[str]:
    """Every customer-year of kamp's P&L against the reference's: revenue, cost of goods, cost
    to serve, investments, profit after KAM."""
    ours = {}
    with open(pnl_csv) as f:
        for cid, year, *values in csv.reader(f):
            ours[(int(cid), year)] = [Decimal(v) for v in values]
    theirs = {k: [r[2], r[3], r[5], r[7], r[8]] for k, r in ref["rows"].items()}
    problems = []
    if set(ours) != set(theirs):
        problems.append(
            f"customer-years: {len(set(ours) - set(theirs))} only in kamp, "
            f"{len(set(theirs) - set(ours))} only in the reference"
        )
    bad = [
        k
        for k in set(ours) & set(theirs)
        if any(abs(a - Decimal(b)) > MONEY_TOL for a, b in zip(ours[k], theirs[k], strict=True))
    ]
    if bad:
        k = sorted(bad)[0]
        problems.append(
            f"{len(bad)} customer-years differ (e.g. {k}: kamp {ours[k]}, reference {theirs[k]})"
        )
    return problems


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--backends", default="sqlite,postgres")
    parser.add_argument(
        "--pg",
        default=os.environ.get(
            "KAMP_BENCH_PG", "postgres://postgres@127.0.0.1:5432/kamp_eco_bench"
        ),
    )
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--data", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        url = None if args.child == "sqlite" else args.pg
        print("CHILD " + json.dumps(child(Path(args.data), url)))
        return

    data = Path(tempfile.mkdtemp(prefix="kamp-eco-data-"))
    start = time.perf_counter()
    counts = generate(data, args.scale)
    print(f"data: {counts} generated in {time.perf_counter() - start:.1f}s", flush=True)
    con = _duck(data)
    lines_ref = reference(con)
    setup_ref = reference_setup(con)
    con.close()
    print(
        f"reference (DuckDB {__import__('duckdb').__version__}) over the raw lines: "
        f"{lines_ref['reference_s']:.3f}s fetched as columns, {lines_ref['decimals_s']:.3f}s into "
        f"Python Decimal rows, engine alone {lines_ref['engine_s']:.3f}s; "
        f"{len(lines_ref['rows'])} customer-years; building the monthly sums {setup_ref:.3f}s",
        flush=True,
    )
    results = {}
    problems = []
    lines = []
    for backend in [b.strip() for b in args.backends.split(",") if b.strip()]:
        if backend == "postgres":
            _fresh_pg(args.pg)
        proc = subprocess.run(
            [
                sys.executable,
                __file__,
                "--child",
                backend,
                "--data",
                str(data),
                "--pg",
                args.pg,
                "--scale",
                str(args.scale),
            ],
            capture_output=True,
            text=True,
            cwd=ROOT,
        )
        line = next((x for x in proc.stdout.splitlines() if x.startswith("CHILD ")), None)
        if proc.returncode or line is None:
            print(f"{backend}: failed\n{proc.stderr[-3000:]}")
            problems.append(f"{backend}: the run failed")
            continue
        r = json.loads(line[6:])
        vendor = r["vendor"]
        like = reference_on_sums(data, data / f"salesmonth-{vendor}.csv")
        found = compare(data / f"pnl-{vendor}.csv", like) + [
            f"against the reference over the lines: {p}"
            for p in compare(data / f"pnl-{vendor}.csv", lines_ref)
        ]
        problems += [f"{backend}: {p}" for p in found]
        r["reference_s"] = like["reference_s"]
        results[backend] = r
        print(
            f"{backend}: load {r['load_s']:.1f}s; P&L {r['kamp_s']:.3f}s (runs "
            f"{', '.join(f'{t:.3f}' for t in r['times'])}) for {r['rows']} customer-years, every "
            f"line {'DIFFERENT from' if found else 'equal to'} the reference's; whale page "
            f"{r['whale_page_s']:.3f}s in {r['whale_page_queries']} queries (first view, "
            f"computing: {r.get('whale_cold_s', 0):.3f}s; from the stored snapshot in another "
            f"process: {r.get('whale_snapshot_s', 0):.3f}s)\n"
            f"  DuckDB over the same monthly sums: {like['reference_s']:.3f}s as columns (runs "
            f"{', '.join(f'{t:.3f}' for t in like['times'])}), {like['decimals_s']:.3f}s into "
            f"Decimal rows, engine alone {like['engine_s']:.3f}s — like for like; over the raw "
            f"lines {lines_ref['reference_s']:.3f}s\n"
            f"  setup: rebuilding the monthly sums {r['setup_s']:.3f}s (runs "
            f"{', '.join(f'{t:.3f}' for t in r['setup_times'])}) against DuckDB's {setup_ref:.3f}s",
            flush=True,
        )
        tag = "pg" if backend == "postgres" else backend
        lines.append(
            f"RESULT name=economics_{tag} kamp_s={r['kamp_s']:.3f} "
            f"reference_s={r['reference_s']:.3f} ratio={r['kamp_s'] / r['reference_s']:.2f}"
        )
        lines.append(
            f"RESULT name=economics_setup_{tag} kamp_s={r['setup_s']:.3f} "
            f"reference_s={setup_ref:.3f} ratio={r['setup_s'] / setup_ref:.2f}"
        )
    if results:
        worst = max(results.values(), key=lambda r: r["kamp_s"] / r["reference_s"])
        worst_setup = max(results.values(), key=lambda r: r["setup_s"])
        lines.append(
            f"RESULT name=economics kamp_s={worst['kamp_s']:.3f} "
            f"reference_s={worst['reference_s']:.3f} "
            f"ratio={worst['kamp_s'] / worst['reference_s']:.2f}"
        )
        lines.append(
            f"RESULT name=economics_setup kamp_s={worst_setup['setup_s']:.3f} "
            f"reference_s={setup_ref:.3f} ratio={worst_setup['setup_s'] / setup_ref:.2f}"
        )
    print("\n".join(lines))
    if problems:
        print("kamp's output differs from the reference's:", file=sys.stderr)
        for p in problems:
            print(f"  {p}", file=sys.stderr)
        raise SystemExit(1)


def _fresh_pg(url: str) -> None:
    import psycopg

    base, name = url.rsplit("/", 1)
    with psycopg.connect(base + "/postgres", autocommit=True) as con:
        con.execute(f'DROP DATABASE IF EXISTS "{name}"')
        con.execute(f'CREATE DATABASE "{name}"')


if __name__ == "__main__":
    main()
