"""The pure module, by hand-computed examples and by properties (hypothesis)."""

from datetime import date
from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kamp.economics import pnl
from kamp.economics.pnl import Period, RateTable


# --- periods ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "text,start,end,prev",
    [
        ("2025", date(2025, 1, 1), date(2026, 1, 1), "2024"),
        ("2025-Q3", date(2025, 7, 1), date(2025, 10, 1), "2025-Q2"),
        ("2025-Q1", date(2025, 1, 1), date(2025, 4, 1), "2024-Q4"),
        ("2025-07", date(2025, 7, 1), date(2025, 8, 1), "2025-06"),
        ("2025-01", date(2025, 1, 1), date(2025, 2, 1), "2024-12"),
        ("2025-12", date(2025, 12, 1), date(2026, 1, 1), "2025-11"),
    ],
)
def test_periods(text, start, end, prev):
    p = Period.parse(text)
    assert (p.start, p.end, str(p), str(p.previous())) == (start, end, text, prev)


@pytest.mark.parametrize("bad", ["", "25", "2025-Q5", "2025-13", "2025-7", "abc"])
def test_bad_periods(bad):
    with pytest.raises(ValueError):
        Period.parse(bad)


def test_trailing_window():
    p = Period.trailing(date(2026, 3, 15), 12)
    assert (p.start, p.end) == (date(2025, 3, 1), date(2026, 3, 1))


# --- currencies ---------------------------------------------------------------------------
def test_minor_units_and_quantize():
    assert pnl.quantize(D("1234.5"), "CLP") == D("1235")
    assert pnl.quantize(D("1234.565"), "USD") == D("1234.57")
    assert pnl.quantize(D("-0.4"), "CLP") == D("0")
    assert str(pnl.quantize(D("-0.4"), "CLP")) == "0"


def test_rate_table_is_a_step_function():
    m = pnl.month_index
    rates = RateTable.from_rows(
        "CLP", [("USD", m(2025, 1), D("950")), ("USD", m(2025, 7), D("900"))]
    )
    assert rates.rate("CLP", m(2020, 1)) == 1
    assert rates.rate("USD", m(2025, 3)) == D("950")
    assert rates.rate("USD", m(2025, 7)) == D("900")
    assert rates.rate("USD", m(2026, 7)) == D("900")
    with pytest.raises(pnl.MissingRate):
        rates.rate("USD", m(2024, 12))
    assert rates.convert(D("10.50"), "USD", "CLP", m(2025, 3)) == D("9975")
    assert rates.convert(D("9975"), "CLP", "USD", m(2025, 3)) == D("10.50")


# --- allocation -----------------------------------------------------------------------------
def test_allocate_by_hand():
    # 100 CLP over three equal accounts: 34 + 33 + 33, the extra peso to the first.
    assert pnl.allocate(D("100"), {"a": 1, "b": 1, "c": 1}, "CLP") == {"a": 34, "b": 33, "c": 33}
    # 10.00 USD by revenue 1:2:3 → 1.67, 3.33, 5.00
    out = pnl.allocate(D("10"), {"a": D(1), "b": D(2), "c": D(3)}, "USD")
    assert out == {"a": D("1.67"), "b": D("3.33"), "c": D("5.00")}
    # No weights at all: equal split.
    assert pnl.allocate(D("3"), {"a": 0, "b": 0, "c": 0}, "CLP") == {"a": 1, "b": 1, "c": 1}
    assert pnl.allocate(D("-100"), {"a": 1, "b": 1, "c": 1}, "CLP") == {
        "a": -34,
        "b": -33,
        "c": -33,
    }
    assert pnl.allocate(D("5"), {}, "CLP") == {}


money = st.decimals(min_value=D("-1e9"), max_value=D("1e9"), places=2, allow_nan=False)
weights = st.lists(st.decimals(min_value=0, max_value=D("1e7"), places=3), min_size=1, max_size=30)


@given(total=money, ws=weights, currency=st.sampled_from(["CLP", "USD", "CLF"]))
def test_allocations_sum_exactly_to_the_total(total, ws, currency):
    parts = pnl.allocate(total, dict(enumerate(ws)), currency)
    assert sum(parts.values()) == pnl.quantize(total, currency)
    step = pnl.unit(currency)
    assert all(p % step == 0 for p in parts.values())
    # Each part is within one minor unit of its exact share.
    wsum = sum(ws)
    q = pnl.quantize(total, currency)
    for i, w in enumerate(ws):
        exact = q * w / wsum if wsum else q / len(ws)
        assert abs(parts[i] - exact) < step


@given(
    amount=st.decimals(min_value=0, max_value=D("1e10"), places=0),
    r_a=st.decimals(min_value=D("0.0001"), max_value=D("5000"), places=4),
    r_b=st.decimals(min_value=D("0.0001"), max_value=D("5000"), places=4),
    a=st.sampled_from(["CLP", "USD", "EUR"]),
    b=st.sampled_from(["CLP", "USD", "EUR", "CLF"]),
)
def test_conversion_round_trips_within_one_minor_unit(amount, r_a, r_b, a, b):
    """A → B → A differs from the start by at most one minor unit of the coarser currency
    (each rounding loses at most half a unit of its currency)."""
    if a == b:
        return
    rates = RateTable.from_rows("XXX", [(a, 0, r_a), (b, 0, r_b)])
    x = pnl.quantize(amount, a)
    there = rates.convert(x, a, b, 1)
    back = rates.convert(there, b, a, 1)
    unit_b_in_a = pnl.unit(b) * r_b / r_a
    assert abs(back - x) <= max(pnl.unit(a), unit_b_in_a)


# --- the P&L ------------------------------------------------------------------------------
def test_build_pnl_by_hand():
    m = pnl.month_index
    rates = RateTable.from_rows("CLP", [("USD", m(2025, 1), D("950"))])
    p = Period.parse("2025-Q1")
    value = pnl.build_pnl(
        7,
        p,
        rates,
        revenue=[(None, "CLP", D("10000000")), (m(2025, 2), "USD", D("1000.50"))],
        cost_of_goods=[(None, "CLP", D("6000000"))],
        cost_to_serve=[(None, "CLP", D("1200000.4"))],
        investments=[(None, "CLP", D("500000"))],
        category_spend=D("40000000"),
    )
    assert value.net_revenue == D("10950475")  # 10,000,000 + 1000.50 × 950
    assert value.gross_margin == D("4950475")
    assert value.cost_to_serve == D("1200000")
    assert value.contribution == D("3750475")
    assert value.profit_after_kam == D("3250475")
    assert value.share_of_wallet == D("0.2738")
    assert value.potential == D("29049525")
    d = value.as_dict("76.123.456-0")
    assert d["profit_after_kam"] == "3250475" and d["currency"] == "CLP"
    assert d["share_of_wallet"] == "0.2738"


def test_missing_rate_is_reported_not_guessed():
    rates = RateTable.from_rows("CLP", [])
    value = pnl.build_pnl(
        1, Period.parse("2025"), rates, revenue=[(pnl.month_index(2025, 3), "USD", D("10"))]
    )
    assert value.net_revenue == 0
    assert value.missing_rates == {("USD", "2025-03")}


@given(rev=money, cogs=money, cts=money, inv=money)
def test_profit_is_contribution_minus_investments(rev, cogs, cts, inv):
    rates = RateTable.from_rows("USD", [])
    v = pnl.build_pnl(
        1,
        Period.parse("2025"),
        rates,
        revenue=[(None, "USD", rev)],
        cost_of_goods=[(None, "USD", cogs)],
        cost_to_serve=[(None, "USD", cts)],
        investments=[(None, "USD", inv)],
    )
    assert v.profit_after_kam == v.contribution - v.kam_investments
    assert v.contribution == v.gross_margin - v.cost_to_serve
    assert v.gross_margin == v.net_revenue - v.cost_of_goods


def test_growth_and_share():
    assert pnl.growth(D(120), D(100)) == D("0.2")
    assert pnl.growth(D(-50), D(-100)) == D("0.5")
    assert pnl.growth(D(5), D(0)) is None
    assert pnl.share_of_wallet(D(25), None) is None
    assert pnl.share_of_wallet(D(25), D(100)) == D("0.25")
    assert pnl.potential(D(120), D(100)) == 0


def test_prorated_spend():
    m = pnl.month_index
    rates = RateTable.from_rows("CLP", [])
    year = [(m(2025, 1), 12, "CLP", D("1200"))]
    assert pnl.prorated_spend(year, Period.parse("2025-Q3"), rates) == D("300")
    assert pnl.prorated_spend(year, Period.parse("2025"), rates) == D("1200")
    # An estimate for half the period does not give a share.
    assert (
        pnl.prorated_spend([(m(2025, 1), 6, "CLP", D("600"))], Period.parse("2025"), rates) is None
    )


def test_clv_by_hand():
    # Two years of 100 profit, r = 0.9, d = 0.1: 100·0.9/1.1 + 100·0.81/1.21
    value = pnl.clv([(D(150), D(50)), (D(150), D(50))], D("0.9"), D("0.1"))
    assert value.quantize(D("0.01")) == D("148.76")


def test_whale_curve():
    points = pnl.whale_curve([("a", D(50)), ("b", D(100)), ("c", D(-30)), ("d", D(0))])
    assert [p.key for p in points] == ["b", "a", "d", "c"]
    assert [p.cumulative for p in points] == [D(100), D(150), D(150), D(120)]
    assert points[1].cumulative_pct == D("1.25")  # the hump: 125 % of the total profit
    assert points[-1].cumulative_pct == 1
    assert points[0].customers_pct == D("0.25")


def test_sample_curve_keeps_ends_peak_and_keys():
    points = pnl.whale_curve([(i, D(1000 - i)) for i in range(5000)])
    sample = pnl.sample_curve(points, 100, keep={4321})
    keys = [p.key for p in sample]
    assert keys[0] == 0 and keys[-1] == 4999 and 4321 in keys and len(sample) < 110


def test_alert_rules():
    assert pnl.unprofitable_streak([D(5), D(-1), D(-2)], 2)
    assert not pnl.unprofitable_streak([D(-1), D(2), D(-2)], 2)
    assert not pnl.unprofitable_streak([D(-1)], 2)
    assert pnl.cost_to_serve_outgrows_revenue(D(130), D(100), D(110), D(100))
    assert not pnl.cost_to_serve_outgrows_revenue(D(105), D(100), D(110), D(100))
    assert not pnl.cost_to_serve_outgrows_revenue(D(90), D(100), D(50), D(100))


def test_periods_containing_early_dates():
    """Years before 1000 (a date typed by mistake) still make a period, not an error."""
    from datetime import date as _date

    from kamp.economics.pnl import Period as _Period

    assert _Period.containing("quarter", _date(250, 2, 1)) == _Period.parse("0250-Q1")
    assert _Period.containing("year", _date(999, 12, 31)) == _Period.parse("0999")
