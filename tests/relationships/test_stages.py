"""The stage rule of §4, step by step, and the disintegrating flag."""

from datetime import date

import pytest

from kamp.relationships import stages as s

FULL = {
    "has_sales_12m": True,
    "months_with_orders": 12,
    "functional_pairs": 3,
    "systems_linked": True,
    "our_switching_cost": 5,
    "their_switching_cost": 5,
}


def suggest(**kw):
    return s.suggest(s.StageFacts(**{**FULL, **kw}))


def test_no_sales_is_exploratory():
    assert suggest(has_sales_12m=False).stage == s.EXPLORATORY
    assert suggest(has_sales_12m=None).stage == s.EXPLORATORY


def test_irregular_orders_is_basic():
    assert suggest(months_with_orders=5).stage == s.BASIC
    assert suggest(months_with_orders=6).stage != s.BASIC  # 6 of 12 is regular


def test_few_functional_pairs_is_cooperative():
    r = suggest(functional_pairs=2)
    assert r.stage == s.COOPERATIVE and r.reasons[0] == ("few_pairs", {"pairs": 2, "needed": 3})
    assert suggest(functional_pairs=None).stage == s.COOPERATIVE


def test_integrated_needs_systems_and_high_switching_both_sides():
    assert suggest().stage == s.INTEGRATED
    assert suggest(systems_linked=False).stage == s.INTERDEPENDENT
    assert suggest(our_switching_cost=4).stage == s.INTERDEPENDENT
    assert suggest(their_switching_cost=4.9).stage == s.INTERDEPENDENT
    assert suggest(their_switching_cost=None).stage == s.INTERDEPENDENT


def test_rqi_drop_of_one_flags_disintegrating():
    r = suggest(rqi_year_ago=5.5, rqi_now=4.5)
    assert r.stage == s.DISINTEGRATING and r.disintegrating and r.ladder_stage == s.INTEGRATED
    assert not suggest(rqi_year_ago=5.5, rqi_now=4.51).disintegrating


def test_wallet_drop_above_20_percent_flags_disintegrating():
    assert suggest(wallet_year_ago=0.5, wallet_now=0.39).disintegrating
    assert not suggest(wallet_year_ago=0.5, wallet_now=0.40).disintegrating  # exactly 20 %
    assert not suggest(wallet_year_ago=None, wallet_now=0.1).disintegrating


def test_order_of_the_rule():
    # no sales wins over everything else on the ladder
    assert (
        suggest(has_sales_12m=False, months_with_orders=2, functional_pairs=0).stage
        == s.EXPLORATORY
    )


@pytest.mark.parametrize(
    "dates, n",
    [
        ([date(2026, 11, 3), date(2026, 11, 20)], 1),
        ([date(2025, 12, 1), date(2026, 11, 27)], 2),
        ([date(2026, 11, 30)], 0),  # after as_of
        ([date(2025, 11, 30)], 0),  # thirteen months back
        ([date(2026, m, 1) for m in range(1, 12)], 11),
    ],
)
def test_months_with_orders(dates, n):
    assert s.months_with_orders(dates, date(2026, 11, 28)) == n


from hypothesis import given  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

maybe_score = st.one_of(st.none(), st.floats(min_value=1, max_value=7))


@given(
    st.one_of(st.none(), st.booleans()),
    st.one_of(st.none(), st.integers(0, 12)),
    st.one_of(st.none(), st.integers(0, 10)),
    st.booleans(),
    maybe_score,
    maybe_score,
    maybe_score,
    maybe_score,
)
def test_rule_always_answers_with_a_reason(
    sales, months, pairs, linked, ours, theirs, rqi_now, rqi_before
):
    r = s.suggest(s.StageFacts(sales, months, pairs, linked, ours, theirs, rqi_now, rqi_before))
    assert r.stage in s.STAGES and r.reasons
    assert r.disintegrating == (r.stage == s.DISINTEGRATING)
    assert r.ladder_stage != s.DISINTEGRATING
