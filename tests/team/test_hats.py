"""The pure hat rules: required profile, fit gap, salesperson-only flag, turnover."""

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from kamp.team import hats

levels = st.fixed_dictionaries({h: st.integers(1, 5) for h in hats.HATS})
quadrants = st.sampled_from(["strategic", "star", "status", "streamline", None, "bogus"])
stages = st.sampled_from(
    ["exploratory", "basic", "cooperative", "interdependent", "integrated", "disintegrating", None]
)


def test_strategic_interdependent_needs_a_strong_conductor_and_strategist():
    need = hats.required_profile("strategic", "interdependent")
    assert need["conductor"] >= 5 and need["strategist"] >= 5
    assert need["conductor"] > hats.required_profile("status", "basic")["conductor"]


def test_early_stage_is_about_selling():
    assert (
        hats.required_profile("strategic", "exploratory")["salesperson"]
        > hats.required_profile("strategic", None)["salesperson"]
    )


@given(quadrants, stages)
def test_required_profile_stays_on_the_scale(q, s):
    need = hats.required_profile(q, s)
    assert set(need) == set(hats.HATS)
    assert all(1 <= v <= 5 for v in need.values())


@given(levels, levels)
def test_fit_gap_is_never_negative_and_zero_when_levels_meet_needs(actual, needed):
    gap = hats.fit_gap(actual, needed)
    assert all(v >= 0 for v in gap.values())
    assert hats.gap_total(hats.fit_gap(needed, needed)) == 0


def test_fit_gap_counts_missing_levels():
    gap = hats.fit_gap(
        {"salesperson": 5, "conductor": 2, "strategist": 3, "innovator": 3},
        {"salesperson": 3, "conductor": 5, "strategist": 5, "innovator": 3},
    )
    assert gap == {"salesperson": 0, "conductor": 3, "strategist": 2, "innovator": 0}
    assert hats.gap_total(gap) == 5
    assert hats.fit_gap(None, {"salesperson": 1}) == {}


def test_combined_need_takes_the_highest_per_hat():
    a = {"salesperson": 4, "conductor": 2, "strategist": 3, "innovator": 1}
    b = {"salesperson": 2, "conductor": 5, "strategist": 3, "innovator": 2}
    assert hats.combined_need([a, b]) == {
        "salesperson": 4,
        "conductor": 5,
        "strategist": 3,
        "innovator": 2,
    }
    assert hats.combined_need([]) is None


def test_salesperson_only():
    assert hats.is_salesperson_only(
        {"salesperson": 5, "conductor": 2, "strategist": 1, "innovator": 2}
    )
    assert not hats.is_salesperson_only(
        {"salesperson": 5, "conductor": 3, "strategist": 1, "innovator": 2}
    )
    assert not hats.is_salesperson_only(
        {"salesperson": 2, "conductor": 1, "strategist": 1, "innovator": 1}
    )
    assert not hats.is_salesperson_only(None)


def test_director_view_wins_over_self():
    s = {"salesperson": 5, "conductor": 5, "strategist": 5, "innovator": 5}
    d = {"salesperson": 4, "conductor": 2, "strategist": 2, "innovator": 2}
    assert hats.blend(s, d) == d
    assert hats.blend(s, None) == s
    assert hats.blend(None, None) is None
    assert hats.perception_gaps(s, d) == ["conductor", "strategist", "innovator"]


def test_turnover_flag_two_changes_in_two_years():
    today = date(2026, 11, 28)
    assert hats.turnover_flag([today - timedelta(days=100), today - timedelta(days=500)], today)
    assert not hats.turnover_flag([today - timedelta(days=100), today - timedelta(days=900)], today)
    assert not hats.turnover_flag([today - timedelta(days=10)], today)
    assert not hats.turnover_flag([], today)
