"""Benchmark: a group account's page (its Group tab) with 200 companies, among 100,000
customers (× --scale).

Builds 100,000 × scale customers with ten sales lines each over the last two years, one group
account with 200 companies under it (a third of them one level further down the parent chain,
three contacts and a few interactions each, one company moved in from another group five months
ago so the roll-up cuts its months), then times kamp's whole request for the Group tab as a
director — middleware, access, the memberships, the roll-up of the companies' P&L over the last
12 complete months, the interaction form of the group, its people, the template — against the
raw SQL sum of the same sales (the group's companies' lines over the same months, by the
membership dates) through the database cursor. Checks too that the page runs the same number of
queries with 20 companies as with 200.

    python bench/group_page.py [--scale 0.1] [--pg postgres://postgres@127.0.0.1:5432/kamp_bench]

Prints ``RESULT name=group_page kamp_s=<t> reference_s=<t> ratio=<x>`` last (medians).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CUSTOMERS = 100_000
COMPANIES = 200
LINES_PER_CUSTOMER = 10


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


def _month_back(today: dt.date, n: int) -> dt.date:
    first = today.replace(day=1)
    for _ in range(n):
        first = (first - dt.timedelta(days=1)).replace(day=1)
    return first


def populate(n: int, director) -> tuple[int, list[int]]:
    """n customers with their sales; returns the group account's id and all group ids."""
    from django.db import connection, transaction

    from kamp.core.models import SiteSettings
    from kamp.customers import actions, membership
    from kamp.customers.models import Contact, Customer, GroupMembership
    from kamp.economics import sales_months
    from kamp.economics.models import SalesLine
    from kamp.interactions.models import Interaction, InteractionContact

    site = SiteSettings.load()
    site.base_currency = "CLP"
    site.save()
    rng = random.Random(11)
    today = dt.date.today()
    with transaction.atomic():
        batch = [
            Customer(name=f"Cliente {i:06d}", external_id=f"B-{i}", country="CL", currency="CLP")
            for i in range(n)
        ]
        for start in range(0, n, 5000):
            Customer.objects.bulk_create(batch[start : start + 5000])
        ids = list(Customer.objects.order_by("pk").values_list("pk", flat=True))
        lines = []
        for cid in ids:
            for j in range(LINES_PER_CUSTOMER):
                day = _month_back(today, rng.randint(0, 23)).replace(day=rng.randint(1, 28))
                amount = Decimal(rng.randint(100_000, 50_000_000))
                lines.append(
                    SalesLine(
                        customer_id=cid,
                        date=day,
                        net_amount=amount,
                        cost=(amount * Decimal("0.6")).quantize(Decimal(1)),
                        currency="CLP",
                        document_number=f"F{cid}",
                        line_number=str(j),
                    )
                )
            if len(lines) >= 20_000:
                SalesLine.objects.bulk_create(lines)
                lines = []
        SalesLine.objects.bulk_create(lines)
    sales_months.rebuild()

    # The group: an account, 200 companies (a third one level down), one moved in.
    group = actions.do_create_customer(
        director, name="Grupo Bench Holding", is_group_account=True, currency="CLP"
    )
    other = actions.do_create_customer(
        director, name="Grupo Otro", is_group_account=True, currency="CLP"
    )
    members = ids[: COMPANIES - 1]
    parents = {}
    for k, cid in enumerate(members):
        parents[cid] = members[k - 1] if k % 3 == 2 else group.pk
    rows = list(Customer.objects.filter(pk__in=members))
    for c in rows:
        c.parent_id = parents[c.pk]
    Customer.objects.bulk_update(rows, ["parent"])
    membership.sync([group.pk])
    moved = Customer.objects.get(pk=ids[COMPANIES - 1])
    actions.do_update_customer(director, moved, parent=other)
    actions.do_update_customer(director, moved, parent=group)
    # Moved five months ago: its earlier months stay with Grupo Otro.
    when = _month_back(today, 5)
    GroupMembership.objects.filter(company=moved, group=other).update(valid_to=when)
    GroupMembership.objects.filter(company=moved, group=group).update(valid_from=when)

    with transaction.atomic():
        contacts = [
            Contact(customer_id=cid, name=f"Contacto {cid}-{j}", dmu_roles=["buyer"] if j else [])
            for cid in [*members, moved.pk]
            for j in range(3)
        ]
        Contact.objects.bulk_create(contacts)
        made = list(Contact.objects.filter(customer_id__in=[*members, moved.pk]))
        for k, contact in enumerate(made[::3]):
            i = Interaction.objects.create(
                customer_id=contact.customer_id,
                date=today - dt.timedelta(days=k % 80),
                topic=f"Reunión {k}",
            )
            InteractionContact.objects.create(interaction=i, contact=contact)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return group.pk, [group.pk, *members, moved.pk]


def time_kamp(client, group_id: int, repeat: int) -> tuple[float, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    url = f"/customers/{group_id}/group/"
    client.get(url)  # warm
    times, queries = [], 0
    for _ in range(repeat):
        start = time.perf_counter()
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        times.append(time.perf_counter() - start)
        assert response.status_code == 200, response.status_code
        assert "Grupo Bench Holding" in response.content.decode()
        queries = len(captured.captured_queries)
    return statistics.median(times), queries


def time_reference(group_id: int, repeat: int) -> tuple[float, Decimal]:
    """The raw sum of the group's sales over the last 12 complete months, each company's lines
    counted while it belonged to the group (by the membership dates), the account's own always."""
    from django.db import connection

    from kamp.economics import figures

    period = figures.window(dt.date.today())
    sql = (
        "SELECT SUM(t.net_amount), SUM(t.cost) FROM ("
        " SELECT s.net_amount, s.cost FROM economics_salesline s"
        " JOIN customers_groupmembership m ON m.company_id = s.customer_id"
        " WHERE m.group_id = %s AND s.date >= %s AND s.date < %s"
        " AND (m.valid_from IS NULL OR m.valid_from <= s.date)"
        " AND (m.valid_to IS NULL OR s.date < m.valid_to)"
        " UNION ALL SELECT s.net_amount, s.cost FROM economics_salesline s"
        " WHERE s.customer_id = %s AND s.date >= %s AND s.date < %s) t"
    )
    args = [group_id, period.start, period.end, group_id, period.start, period.end]
    times, total = [], Decimal(0)
    for _ in range(repeat):
        start = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(sql, args)
            net, _cost = cursor.fetchone()
        times.append(time.perf_counter() - start)
        total = Decimal(str(net))
    return statistics.median(times), total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="fraction of 100,000 customers")
    parser.add_argument(
        "--pg", default=None, help="a PostgreSQL URL (default: SQLite in a temp dir)"
    )
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    n = max(1000, int(CUSTOMERS * args.scale))
    setup(args.pg)

    from django.test import Client

    from kamp.core.choices import Role
    from kamp.core.models import User
    from kamp.customers import actions, membership
    from kamp.customers.models import Customer
    from kamp.economics import figures
    from kamp.economics.group import group_figures, group_pnl

    director, _ = User.objects.get_or_create(
        email="director@bench.test", defaults={"role": Role.DIRECTOR, "name": "Director"}
    )
    client = Client()
    client.force_login(director)

    start = time.perf_counter()
    group_id, _members = populate(n, director)
    print(
        f"created {n:,} customers, {n * LINES_PER_CUSTOMER:,} sales lines and a group of "
        f"{COMPANIES} companies in {time.perf_counter() - start:.1f} s"
    )
    kamp_s, queries = time_kamp(client, group_id, args.repeat)
    reference_s, raw_total = time_reference(group_id, args.repeat)
    group = Customer.objects.get(pk=group_id)
    rolled = group_pnl(group, figures.window(dt.date.today())).total.net_revenue
    print(
        f"group page: {kamp_s * 1000:.0f} ms, {queries} queries; raw SQL sum: "
        f"{reference_s * 1000:.1f} ms"
    )
    times = []
    for _ in range(args.repeat):
        start = time.perf_counter()
        group_figures(group, dt.date.today())
        times.append(time.perf_counter() - start)
    print(
        f"the roll-up alone (group_figures: memberships, one grouped P&L of the companies): "
        f"{statistics.median(times) * 1000:.1f} ms"
    )
    if rolled != raw_total:
        raise SystemExit(f"the roll-up {rolled} is not the raw sum {raw_total}")
    # A group of 20 companies, built the same way: its page runs the same number of queries.
    small = actions.do_create_customer(
        director, name="Grupo Bench Holding Pequeño", is_group_account=True, currency="CLP"
    )
    rows = list(
        Customer.objects.filter(parent__isnull=True, is_group_account=False)
        .exclude(pk=group_id)
        .order_by("pk")[:20]
    )
    for c in rows:
        c.parent_id = small.pk
    Customer.objects.bulk_update(rows, ["parent"])
    membership.sync([small.pk])
    small.name = "Grupo Bench Holding"  # what time_kamp looks for on the page
    small.save(update_fields=["name"])
    _, small_queries = time_kamp(client, small.pk, 1)
    print(f"queries: {small_queries} with 20 companies, {queries} with {COMPANIES}")
    if small_queries != queries:
        raise SystemExit("the number of queries grew with the number of companies")
    print(
        f"RESULT name=group_page kamp_s={kamp_s:.4f} reference_s={reference_s:.4f} "
        f"ratio={kamp_s / reference_s:.2f}"
    )


if __name__ == "__main__":
    main()
