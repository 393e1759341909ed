"""Benchmark: the customer list page with 100,000 customers (× --scale).

Times kamp's whole request — middleware, access filter, search, sort, count, page of 50 rows,
filter choices, template — for a few typical requests (first page, a search, a filter with a
sort by KAM, a page deep in the list), against the same page's SQL run raw through the database
cursor (the count and the 50 rows with their KAM; the filter menus' distinct industries and
regions are cached by kamp, so neither side counts them). Checks too
that the number of queries is the same at 1,000 and at N customers.

    python bench/customer_list.py [--scale 0.1] [--pg postgres://postgres@127.0.0.1:5432/kamp_bench]

Prints ``RESULT name=customer_list kamp_s=<t> reference_s=<t> ratio=<x>`` last (times are the
median per request of the mix).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

INDUSTRIES = [
    "Construcción",
    "Minería",
    "Retail",
    "Agroindustria",
    "Energía",
    "Salud",
    "Transporte y logística",
    "Manufactura",
    "Educación",
    "Tecnología",
    "Forestal",
    "Acuicultura",
    "Inmobiliaria",
    "Servicios financieros",
    "Telecomunicaciones",
]
REGIONS = [
    "Metropolitana",
    "Valparaíso",
    "Biobío",
    "Antofagasta",
    "Los Lagos",
    "Maule",
    "O'Higgins",
    "Araucanía",
    "Coquimbo",
    "Atacama",
    "Tarapacá",
    "Ñuble",
    "Magallanes",
]
WORDS = [
    "Constructora",
    "Inversiones",
    "Comercial",
    "Servicios",
    "Agrícola",
    "Minera",
    "Andes",
    "Pacífico",
    "Sur",
    "Norte",
    "Austral",
    "Valle",
    "Cordillera",
    "Industrial",
    "Logística",
]

REQUESTS = [
    {},
    {"q": "andes"},
    # What people type: no accent for "Pacífico", a RUT without its dots and dash.
    {"q": "Pacifico"},
    {"q": "600003453"},
    {"status": "key_account", "sort": "owner"},
    {"industry": "Minería", "region": "Biobío", "sort": "-name"},
    {"page": "900"},
]
# What each search must show (it must find what was typed, not merely answer).
FOUND = {"andes": "Andes", "Pacifico": "Pacífico", "600003453": "60.000.345-3"}


def setup(database_url: str | None) -> None:
    os.environ.setdefault("KAMP_HOME", tempfile.mkdtemp(prefix="kamp-bench-"))
    if database_url:
        os.environ["KAMP_DATABASE_URL"] = database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "kamp.settings"
    os.environ["KAMP_SECURE_COOKIES"] = "0"
    import django

    django.setup()
    from django.conf import settings

    settings.ALLOWED_HOSTS = ["*"]
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


def populate(n: int) -> None:
    from kamp.core.choices import Role
    from kamp.core.models import User
    from kamp.customers.models import Customer, CustomerStatus
    from kamp.customers.validators import rut_check_digit

    rng = random.Random(7)
    Customer.objects.all().delete()
    kams = [
        User.objects.get_or_create(
            email=f"kam{i}@bench.test", defaults={"name": f"KAM {i:02d}", "role": Role.KAM}
        )[0]
        for i in range(20)
    ]
    batch: list[Customer] = []
    for i in range(n):
        body = 60_000_000 + i
        status = CustomerStatus.KEY_ACCOUNT if i % 5000 == 0 else CustomerStatus.CANDIDATE
        batch.append(
            Customer(
                name=f"{rng.choice(WORDS)} {rng.choice(WORDS)} {i:06d}",
                tax_id=f"{body:,}".replace(",", ".") + f"-{rut_check_digit(body)}",
                industry=rng.choice(INDUSTRIES),
                region=rng.choice(REGIONS),
                country="CL",
                status=status,
                owner=kams[i % 20] if i % 3 == 0 else None,
            )
        )
        if len(batch) == 5000:
            Customer.objects.bulk_create(batch)
            batch = []
    Customer.objects.bulk_create(batch)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def time_kamp(client, repeat: int) -> tuple[float, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    times = []
    queries = 0
    for params in REQUESTS:
        client.get("/customers/", params)  # warm
        mine = []
        for _ in range(repeat):
            start = time.perf_counter()
            with CaptureQueriesContext(connection) as captured:
                response = client.get("/customers/", params)
            mine.append(time.perf_counter() - start)
            assert response.status_code == 200, response.status_code
            if params.get("q"):
                assert FOUND[params["q"]] in response.content.decode(), params
            queries = max(queries, len(captured.captured_queries))
        if params.get("q"):
            print(f"search {params['q']!r}: {statistics.median(mine) * 1000:.0f} ms")
        times.extend(mine)
    return statistics.median(times), queries


def time_reference(repeat: int) -> float:
    """The same page's data, raw: the count and the 50 rows with their KAM's name."""
    from django.db import connection

    from kamp.customers.searchtext import query_terms

    times = []
    for params in REQUESTS:
        where, args = ["1=1"], []
        if params.get("q"):
            # The same stored, folded text kamp searches (kamp.customers.searchtext).
            terms = query_terms(params["q"])
            where.append("(" + " OR ".join(["c.search_text LIKE %s"] * len(terms)) + ")")
            args += [f"%{term}%" for term in terms]
        for field in ("status", "industry", "region"):
            if params.get(field):
                where.append(f"c.{field} = %s")
                args.append(params[field])
        order = {"owner": "u.name", "-name": "c.name DESC"}.get(params.get("sort", ""), "c.name")
        offset = (int(params.get("page", 1)) - 1) * 50
        sql_where = " AND ".join(where)
        for _ in range(repeat):
            start = time.perf_counter()
            with connection.cursor() as cursor:
                cursor.execute(f"SELECT COUNT(*) FROM customers_customer c WHERE {sql_where}", args)
                cursor.fetchone()
                cursor.execute(
                    "SELECT c.id, c.name, c.tax_id, c.external_id, c.industry, c.region, c.status, u.name "
                    "FROM customers_customer c LEFT JOIN core_user u ON u.id = c.owner_id "
                    f"WHERE {sql_where} ORDER BY {order}, c.id LIMIT 50 OFFSET {offset}",
                    args,
                )
                cursor.fetchall()
            times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="fraction of 100,000 customers")
    parser.add_argument(
        "--pg", default=None, help="a PostgreSQL URL (default: SQLite in a temp dir)"
    )
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    n = max(1000, int(100_000 * args.scale))
    setup(args.pg)

    from django.test import Client

    from kamp.core.choices import Role
    from kamp.core.models import User

    director, _ = User.objects.get_or_create(
        email="director@bench.test", defaults={"role": Role.DIRECTOR, "name": "Director"}
    )
    client = Client()
    client.force_login(director)

    populate(1000)
    _, small_queries = time_kamp(client, 1)
    start = time.perf_counter()
    populate(n)
    print(f"created {n:,} customers in {time.perf_counter() - start:.1f} s")
    kamp_s, queries = time_kamp(client, args.repeat)
    reference_s = time_reference(args.repeat)
    print(f"queries per request: {small_queries} at 1,000 customers, {queries} at {n:,}")
    if queries != small_queries:
        raise SystemExit("the number of queries grew with the number of customers")
    print(
        f"RESULT name=customer_list kamp_s={kamp_s:.4f} reference_s={reference_s:.4f} "
        f"ratio={kamp_s / reference_s:.2f}"
    )


if __name__ == "__main__":
    main()
