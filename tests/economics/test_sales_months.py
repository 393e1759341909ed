"""The monthly sales sums the P&L and the selection read stay exactly what the lines say, after
every kind of write: import, re-import that moves a line, revert, single saves, admin deletes,
bulk rebuild."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

import pytest
from django.contrib.admin.sites import site as admin_site
from django.test import RequestFactory

from kamp.core.imports import revert_batch, run_import
from kamp.economics import sales_months, services
from kamp.economics.models import SalesFigures, SalesFiguresMonth, SalesLine, SalesMonth
from tests.core.import_helpers import write_csv
from tests.factories import CustomerFactory, SalesLineFactory

D = Decimal
HEADER = ["RUT", "Fecha", "N° documento", "Línea", "Monto Neto", "Costo", "Moneda"]


def lines_by_month() -> dict:
    """What the sums must be: the lines grouped in Python."""
    out: dict = defaultdict(lambda: [D(0), D(0), 0])
    for cid, day, currency, net, cost in SalesLine.objects.values_list(
        "customer_id", "date", "currency", "net_amount", "cost"
    ):
        slot = out[(cid, day.replace(day=1), currency)]
        slot[0] += net
        slot[1] += cost
        slot[2] += 1
    return {k: tuple(v) for k, v in out.items()}


def stored() -> dict:
    return {
        (cid, month, currency): (net, cost, n)
        for cid, month, currency, net, cost, n in SalesMonth.objects.values_list(
            "customer_id", "month", "currency", "net_amount", "cost", "lines"
        )
    }


# Two scoring months whose stored figures every test below keeps an eye on: one whose windows
# (2025-01 … 2026-12) see every line written here, one that sees only part of them.
SCORING_MONTHS = (dt.date(2027, 1, 1), dt.date(2026, 3, 1))


@pytest.fixture(autouse=True)
def stored_figures(db):
    for month in SCORING_MONTHS:
        sales_months.figures(month)


def figures_by_lines(month: dt.date) -> dict:
    """What a scoring month's figures must be: the lines summed in Python over its windows."""
    start24, start12, end = sales_months.windows(month)
    out: dict = defaultdict(lambda: [D(0), D(0), D(0)])
    for cid, day, net, cost in SalesLine.objects.filter(
        date__gte=start24, date__lt=end
    ).values_list("customer_id", "date", "net_amount", "cost"):
        slot = out[cid]
        if day >= start12:
            slot[0] += net
            slot[1] += cost
        else:
            slot[2] += net
    return {k: tuple(v) for k, v in out.items()}


def stored_figures_of(month: dt.date) -> dict:
    return {
        cid: (revenue, cost, previous)
        for cid, revenue, cost, previous in SalesFigures.objects.filter(month=month).values_list(
            "customer_id", "revenue", "cost", "previous"
        )
    }


def assert_figures_follow() -> None:
    assert sorted(SalesFiguresMonth.objects.values_list("month", flat=True)) == sorted(
        SCORING_MONTHS
    )
    for month in SCORING_MONTHS:
        expected = figures_by_lines(month)
        assert stored_figures_of(month) == expected
        # What the selection reads: the same, as floats, in customer order.
        assert sales_months.figures(month) == [
            (cid, float(r), float(c), float(p)) for cid, (r, c, p) in sorted(expected.items())
        ]


def test_import_reimport_and_revert_keep_the_sums_exact(tmp_path, account, admin):
    other = CustomerFactory(name="Otra", tax_id="77.777.777-7")
    first = write_csv(
        tmp_path / "a.csv",
        [
            HEADER,
            ["76.123.456-0", "03-01-2026", "F-1", "1", "1.000", "600", "CLP"],
            ["76.123.456-0", "31-01-2026", "F-1", "2", "500", "100", "CLP"],
            ["76.123.456-0", "01-02-2026", "F-2", "1", "200", "50", "CLP"],
            ["76.123.456-0", "15-02-2026", "F-3", "1", "70", "7", "USD"],
            ["77.777.777-7", "15-02-2026", "F-4", "1", "9.999", "1", "CLP"],
        ],
        delimiter=";",
    )
    batch = run_import("sales", first, user=admin)
    assert batch.status == "done", batch.errors
    assert stored() == lines_by_month()
    assert_figures_follow()
    assert stored()[(account.pk, dt.date(2026, 1, 1), "CLP")] == (D(1500), D(700), 2)
    assert stored()[(account.pk, dt.date(2026, 2, 1), "USD")] == (D(70), D(7), 1)

    # The ERP moved a line to another customer and month: both months are recomputed.
    second = write_csv(
        tmp_path / "b.csv",
        [HEADER, ["77.777.777-7", "10-03-2026", "F-1", "2", "600", "100", "CLP"]],
        delimiter=";",
    )
    again = run_import("sales", second, user=admin)
    assert (again.created_count, again.updated_count) == (0, 1)
    assert stored() == lines_by_month()
    assert_figures_follow()
    assert stored()[(account.pk, dt.date(2026, 1, 1), "CLP")] == (D(1000), D(600), 1)
    assert stored()[(other.pk, dt.date(2026, 3, 1), "CLP")] == (D(600), D(100), 1)

    revert_batch(again, admin)
    assert stored() == lines_by_month()
    assert_figures_follow()
    assert (other.pk, dt.date(2026, 3, 1), "CLP") not in stored()
    revert_batch(batch, admin)
    assert stored() == {} == lines_by_month()
    assert_figures_follow()
    assert not SalesFigures.objects.exists()


def test_single_saves_refresh_their_month_and_the_one_they_left(account):
    line = SalesLineFactory(customer=account, date=dt.date(2025, 5, 20), net_amount=D(100))
    SalesLineFactory(customer=account, date=dt.date(2025, 5, 2), net_amount=D(1))
    assert stored()[(account.pk, dt.date(2025, 5, 1), "")][0] == D(101)
    line.date = dt.date(2025, 6, 1)
    line.save()
    assert stored() == lines_by_month()
    assert_figures_follow()
    assert stored()[(account.pk, dt.date(2025, 5, 1), "")][0] == D(1)


def test_admin_deletes_refresh_the_sums(account, admin):
    keep = SalesLineFactory(customer=account, date=dt.date(2025, 5, 20), net_amount=D(100))
    gone = SalesLineFactory(customer=account, date=dt.date(2025, 5, 21), net_amount=D(5))
    also_gone = SalesLineFactory(customer=account, date=dt.date(2025, 7, 1), net_amount=D(9))
    model_admin = admin_site._registry[SalesLine]
    request = RequestFactory().post("/")
    request.user = admin
    model_admin.delete_model(request, gone)
    assert stored() == lines_by_month()
    assert_figures_follow()
    model_admin.delete_queryset(request, SalesLine.objects.filter(pk=also_gone.pk))
    assert (
        stored() == lines_by_month() == {(account.pk, dt.date(2025, 5, 1), ""): (D(100), D(600), 1)}
    )
    assert_figures_follow()
    assert keep.pk


def test_rebuild_after_a_bulk_load(account):
    SalesLine.objects.bulk_create(
        [
            SalesLine(customer=account, date=dt.date(2024, m, 3), net_amount=D(m), cost=D(0))
            for m in range(1, 13)
        ]
    )
    assert stored() == {}  # bulk_create sends no signal
    assert not SalesFigures.objects.exists()
    sales_months.rebuild()
    assert stored() == lines_by_month()
    assert_figures_follow()
    assert len(stored()) == 12


@pytest.mark.parametrize("period", ["2025", "2025-Q2", "2025-05"])
def test_the_pnl_from_the_sums_equals_the_lines(account, period):
    for day, net, cost in [
        (dt.date(2025, 4, 30), D("100"), D("40")),
        (dt.date(2025, 5, 1), D("7"), D("1")),
        (dt.date(2025, 5, 31), D("1000"), D("300")),
        (dt.date(2025, 12, 31), D("3"), D("2")),
        (dt.date(2026, 1, 1), D("99999"), D("0")),  # outside every period asked
    ]:
        SalesLineFactory(customer=account, date=day, net_amount=net, cost=cost, currency="CLP")
    pnl = services.account_pnl(account, period)
    start, end = pnl.period.start, pnl.period.end
    in_period = SalesLine.objects.filter(customer=account, date__gte=start, date__lt=end)
    assert pnl.net_revenue == sum((x.net_amount for x in in_period), D(0))
    assert pnl.cost_of_goods == sum((x.cost for x in in_period), D(0))


def test_figures_of_a_month_are_stored_once_and_the_oldest_dropped(account):
    SalesLineFactory(customer=account, date=dt.date(2025, 5, 20), net_amount=D(100), cost=D(30))
    SalesLineFactory(customer=account, date=dt.date(2024, 5, 20), net_amount=D(40), cost=D(0))
    assert_figures_follow()
    assert sales_months.figures(dt.date(2026, 3, 1)) == [(account.pk, 100.0, 30.0, 40.0)]
    # A month older than both stored ones: computed from the sums, not stored.
    assert sales_months.figures(dt.date(2025, 6, 1)) == [(account.pk, 100.0, 30.0, 40.0)]
    assert_figures_follow()
    # A newer one (the next month's first scoring): stored, the oldest dropped.
    assert sales_months.figures(dt.date(2027, 2, 1)) == [(account.pk, 0.0, 0.0, 100.0)]
    assert sorted(SalesFiguresMonth.objects.values_list("month", flat=True)) == [
        dt.date(2027, 1, 1),
        dt.date(2027, 2, 1),
    ]
    assert not SalesFigures.objects.filter(month=dt.date(2026, 3, 1)).exists()
    SalesLineFactory(customer=account, date=dt.date(2026, 6, 1), net_amount=D(1), cost=D(1))
    assert sales_months.figures(dt.date(2027, 2, 1)) == [(account.pk, 1.0, 1.0, 100.0)]
    # A deleted customer's figures go with it.
    account.delete()
    assert not SalesFigures.objects.exists()
