"""The pure programme calculations on hand-built data: health checks, benefits, readiness."""

from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from kamp.programme import benefits as bf
from kamp.programme import health, readiness

# --- health ------------------------------------------------------------------------------------


def test_profitability_counts_losing_accounts_and_programme_pnl():
    data = {1: [("2025", 100.0), ("2026", 120.0)], 2: [("2025", 50.0), ("2026", -30.0)], 3: []}
    r = health.profitability([1, 2, 3], data)
    assert r.figures["accounts_with_data"] == 2
    assert r.figures["profitable"] == 1
    assert r.figures["programme_profit"] == 90.0
    assert r.figures["programme_profit_previous"] == 150.0
    assert r.trend == health.DOWN
    assert r.accounts == [2]
    assert r.status == health.WARNING  # 50% profitable


def test_profitability_sharp_fall_needs_attention():
    r = health.profitability([1], {1: [("2026-Q2", 100.0), ("2026-Q3", 80.0)]})
    assert r.status == health.WARNING and r.accounts == []
    r = health.profitability([1], {1: [("2026-Q2", 100.0), ("2026-Q3", 95.0)]})
    assert r.status == health.OK


def test_profitability_unknown_without_economics():
    assert health.profitability([1], None).status == health.UNKNOWN


def test_profitability_negative_programme_is_danger():
    r = health.profitability([1, 2], {1: [("2026", 10.0)], 2: [("2026", -50.0)]})
    assert r.status == health.DANGER


def test_right_kams_flags_overload_salesperson_only_and_turnover():
    kams = [
        {
            "id": 1,
            "accounts": [1, 2, 3, 4, 5],
            "gap_total": 0,
            "salesperson_only": False,
            "assessed": True,
            "turnover_accounts": [],
        },
        {
            "id": 2,
            "accounts": [6],
            "gap_total": 3,
            "salesperson_only": True,
            "assessed": True,
            "turnover_accounts": [6],
        },
        {
            "id": 3,
            "accounts": [7],
            "gap_total": 0,
            "salesperson_only": False,
            "assessed": True,
            "turnover_accounts": [],
        },
    ]
    r = health.right_kams(kams, max_accounts=4)
    assert r.figures["overloaded"] == [1]
    assert r.figures["salesperson_only"] == [2]
    assert r.figures["with_fit_gap"] == [2]
    assert r.figures["turnover_accounts"] == [6]
    assert r.parts["workload"] == health.WARNING
    assert 6 in r.accounts and 1 in r.accounts and 7 not in r.accounts
    assert r.status in (health.WARNING, health.DANGER)


def test_right_kams_healthy():
    kams = [
        {
            "id": 1,
            "accounts": [1, 2],
            "gap_total": 0,
            "salesperson_only": False,
            "assessed": True,
            "turnover_accounts": [],
        }
    ]
    r = health.right_kams(kams)
    assert r.status == health.OK and r.accounts == []
    assert health.right_kams([]).status == health.UNKNOWN


def test_internal_support():
    accounts = {
        1: {"sponsor": True, "sponsor_met": True, "functions": 4, "functions_engaged": 3},
        2: {"sponsor": False, "sponsor_met": False, "functions": 1, "functions_engaged": 1},
    }
    r = health.internal_support(accounts)
    assert r.figures["with_sponsor"] == 1
    assert r.figures["sponsor_met_last_quarter"] == 1
    assert r.figures["staffed_across_functions"] == 1
    assert r.accounts == [2]
    assert r.status == health.WARNING


def test_internal_support_trend_from_the_quarter_before():
    accounts = {
        1: {"sponsor": True, "sponsor_met": True, "functions": 3, "functions_engaged": 2},
        2: {"sponsor": True, "sponsor_met": True, "functions": 3, "functions_engaged": 2},
    }
    assert health.internal_support(accounts, previous_sponsor_met=1).trend == health.UP
    assert health.internal_support(accounts, previous_sponsor_met=2).trend == health.FLAT


def test_internal_support_without_interactions_uses_sponsor_assignment():
    accounts = {
        1: {"sponsor": True, "sponsor_met": None, "functions": 3, "functions_engaged": None}
    }
    r = health.internal_support(accounts)
    assert r.figures["sponsor_met_last_quarter"] is None
    assert r.parts["engaged"] == health.UNKNOWN
    assert r.status == health.OK


def test_trust_rqi_trend_partnership_and_gaps():
    rqi = {
        1: [(date(2025, 1, 1), 4.0), (date(2026, 1, 1), 5.0)],
        2: [(date(2025, 1, 1), 5.5), (date(2026, 1, 1), 4.5)],
    }
    types = {1: "collaborative_partnership", 2: "competitive_interaction"}
    r = health.trust([1, 2], rqi, types, {1: False, 2: True})
    assert r.figures["rqi"] == 4.75 and r.figures["rqi_previous"] == 4.75
    assert r.trend == health.FLAT
    assert r.figures["rqi_falling"] == [2]
    assert r.figures["share_partnership"] == 0.5
    assert r.figures["perception_gaps"] == [2]
    assert r.accounts == [2]
    assert health.trust([1], None, None, None).status == health.UNKNOWN
    # Nothing measured yet is not "healthy".
    assert health.trust([1, 2], {}, {}, {}).status == health.UNKNOWN


@given(
    st.lists(st.tuples(st.booleans(), st.booleans(), st.integers(0, 6)), min_size=1, max_size=30)
)
def test_internal_support_status_is_known_and_accounts_subset(rows):
    accounts = {
        i: {"sponsor": s, "sponsor_met": m, "functions": f, "functions_engaged": f}
        for i, (s, m, f) in enumerate(rows)
    }
    r = health.internal_support(accounts)
    assert r.status in (health.OK, health.WARNING, health.DANGER)
    assert set(r.accounts) <= set(accounts)


@given(st.floats(0, 1))
def test_share_status_is_monotonic(x):
    order = {health.DANGER: 0, health.WARNING: 1, health.OK: 2}
    assert order[health.share_status(x)] <= order[health.share_status(min(1.0, x + 0.1))]


def test_growth_rate():
    assert health.growth_rate(120, 100) == 0.2
    assert health.growth_rate(100, 0) is None
    assert health.growth_rate(None, 5) is None


# --- benefits ----------------------------------------------------------------------------------


def test_movement_first_last_and_before_after():
    s = [(2023, 3.0), (2024, 3.5), (2025, 5.0), (2026, 6.0)]
    m = bf.movement(s, True, key_since=2025)
    assert (m.first, m.last, m.delta, m.improved) == (3.0, 6.0, 3.0, True)
    assert m.before == 3.25 and m.after == 5.5


def test_before_after_mixes_years_and_dates():
    m = bf.movement([(2024, 1.0), (2026, 3.0)], True, key_since=date(2025, 6, 1))
    assert (m.before, m.after) == (1.0, 3.0)


def test_conflict_falling_is_an_improvement():
    m = bf.movement([(1, 5.0), (2, 3.0)], higher_is_better=False)
    assert m.improved is True


def test_movement_empty_and_single_point():
    assert bf.movement([], True).points == 0
    m = bf.movement([(1, 4.0)], True)
    assert m.delta is None and m.improved is None


def test_yearly_growth_and_innovation_series():
    assert bf.yearly_growth({2024: 100.0, 2025: 150.0, 2026: 0.0}) == [(2025, 0.5), (2026, -1.0)]
    assert bf.yearly_growth({2024: 0.0, 2025: 10.0}) == []
    assert bf.innovation_series([{"year": 2025}, {"year": 2026}, {"year": 2026}]) == [
        (2025, 1.0),
        (2026, 3.0),
    ]


def test_programme_benefits_counts():
    a = bf.account_benefits(
        {"trust": [(1, 4.0), (2, 5.0)], "conflict": [(1, 3.0), (2, 4.0)], "innovation": None}
    )
    b = bf.account_benefits({"trust": [(1, 5.0), (2, 4.0)], "conflict": [], "innovation": None})
    p = bf.programme_benefits({1: a, 2: b})
    assert (
        p["trust"]["improved"] == 1 and p["trust"]["worsened"] == 1 and p["trust"]["measured"] == 2
    )
    assert p["conflict"]["worsened"] == 1
    assert p["innovation"]["available"] is False


@given(st.lists(st.tuples(st.integers(2000, 2030), st.floats(-1e6, 1e6)), max_size=20))
def test_movement_delta_is_last_minus_first(points):
    points = sorted(points)
    m = bf.movement(points)
    if len(points) > 1:
        assert m.delta == points[-1][1] - points[0][1]


# --- readiness ---------------------------------------------------------------------------------

QUESTIONS = [
    {"key": "a1", "area": "a", "points": [0, 1, 2, 3]},
    {"key": "a2", "area": "a", "points": [0, 1, 2, 3]},
    {"key": "b1", "area": "b", "points": [0, 1, 2, 3]},
    {"key": "c1", "area": "c", "points": [0, 1, 2, 3]},
]


def test_score_per_area_and_level():
    r = readiness.score(QUESTIONS, {"a1": 3, "a2": 0, "b1": 3, "c1": 1})
    assert r["areas"] == {"a": 50, "b": 100, "c": 33}
    assert r["overall"] == round(100 * 7 / 12)
    assert r["level"] == "developing"
    assert readiness.score(QUESTIONS, {})["overall"] is None


def test_next_steps_lowest_first_one_per_area():
    steps = readiness.next_steps(QUESTIONS, {"a1": 0, "a2": 0, "b1": 3, "c1": 1})
    assert steps == ["a1", "c1", "a2"]
    assert readiness.next_steps(QUESTIONS, {"a1": 3, "a2": 3, "b1": 3, "c1": 3}) == []


def test_compare_takes():
    assert readiness.compare({"a": 40, "b": None}, {"a": 60, "b": 10}) == {"a": 20, "b": None}


@given(st.dictionaries(st.sampled_from(["a1", "a2", "b1", "c1"]), st.integers(0, 3)))
def test_scores_stay_in_range(answers):
    r = readiness.score(QUESTIONS, answers)
    for v in r["areas"].values():
        assert v is None or 0 <= v <= 100
    assert len(readiness.next_steps(QUESTIONS, answers)) <= 3


def test_real_questionnaire_has_about_25_questions_covering_ten_areas():
    from kamp.programme.questionnaire import AREAS
    from kamp.programme.questionnaire import QUESTIONS as REAL

    assert 22 <= len(REAL) <= 30
    assert {q[1] for q in REAL} == {a for a, _l, _g in AREAS}
    assert all(len(q[3]) == 4 for q in REAL)
