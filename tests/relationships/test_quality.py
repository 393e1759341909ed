"""Scoring: reverse-coding, construct means, RQI, gap, Cronbach's alpha vs a hand computation."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kamp.relationships import quality as q

ITEMS = [
    q.Item("t1", q.TRUST),
    q.Item("t2", q.TRUST, reversed=True),
    q.Item("c1", q.COMMITMENT),
    q.Item("s1", q.SATISFACTION),
    q.Item("k1", q.CONFLICT),
    q.Item("k2", q.CONFLICT, reversed=True),
]


@pytest.mark.parametrize("answer, coded", [(1, 7), (2, 6), (3, 5), (4, 4), (5, 3), (6, 2), (7, 1)])
def test_reverse_coding(answer, coded):
    assert q.reverse(answer) == coded


def test_construct_score_is_mean_after_reverse_coding():
    sheet = {"t1": 6, "t2": 2, "c1": 5, "s1": 4, "k1": 2, "k2": 6}
    scores = q.respondent_scores(ITEMS, sheet)
    assert scores[q.TRUST] == 6  # (6 + (8−2)) / 2
    assert scores[q.CONFLICT] == 2  # (2 + (8−6)) / 2


def test_rqi_by_hand():
    # trust 6, commitment 5, satisfaction 4, conflict 2 → (6 + 5 + 4 + 6) / 4 = 5.25
    assert q.rqi({q.TRUST: 6, q.COMMITMENT: 5, q.SATISFACTION: 4, q.CONFLICT: 2}) == 5.25
    assert q.rqi({q.TRUST: 6, q.COMMITMENT: 5}) is None


def test_side_scores_average_respondents_and_skip_cant_say():
    sheets = [{"t1": 7, "t2": 1}, {"t1": 5}]  # second skipped t2
    assert q.construct_scores(ITEMS, sheets)[q.TRUST] == 6  # mean(7, 5)


def test_answers_out_of_range_refused():
    with pytest.raises(ValueError):
        q.respondent_scores(ITEMS, {"t1": 8})
    with pytest.raises(ValueError):
        q.respondent_scores(ITEMS, {"t1": 0})


def test_gap_flag_above_threshold_only():
    ours = {q.TRUST: 6.0, q.COMMITMENT: 5.0, q.SATISFACTION: 5.0}
    theirs = {q.TRUST: 4.9, q.COMMITMENT: 4.0, q.SATISFACTION: 5.5}
    gaps = {g.key: g for g in q.gaps(ours, theirs)}
    assert gaps[q.TRUST].flagged and gaps[q.TRUST].gap == pytest.approx(1.1)
    assert not gaps[q.COMMITMENT].flagged  # exactly 1: not above
    assert gaps[q.SATISFACTION].gap == -0.5 and not gaps[q.SATISFACTION].flagged


def test_gap_missing_side():
    g = q.gaps({q.TRUST: 5}, {})[0]
    assert g.gap is None and not g.flagged


def test_cronbach_alpha_hand_computation():
    # 4 respondents × 3 items. Item sample variances: 2.75/3, 2/3, 6.75/3 → Σ = 11.5/3;
    # totals 15, 11, 8, 14 (mean 12) → variance 30/3 = 10; α = 3/2 · (1 − (11.5/3)/10) = 0.925
    rows = [[5, 5, 5], [4, 4, 3], [3, 3, 2], [5, 4, 5]]
    assert q.cronbach_alpha(rows) == pytest.approx(0.925, abs=1e-4)


def test_cronbach_alpha_undefined_cases():
    assert q.cronbach_alpha([[4, 4]]) is None  # one respondent
    assert q.cronbach_alpha([[4], [5]]) is None  # one item
    assert q.cronbach_alpha([[4, 4], [4, 4]]) is None  # no variance


def test_construct_alpha_needs_enough_complete_sheets():
    items = [q.Item("a", q.TRUST), q.Item("b", q.TRUST, reversed=True)]
    sheets = [{"a": v, "b": 8 - v} for v in (2, 3, 5, 6)]
    assert q.construct_alpha(items, sheets, q.TRUST, min_responses=5) is None
    sheets.append({"a": 7, "b": 1})
    assert q.construct_alpha(items, sheets, q.TRUST, min_responses=5) == pytest.approx(1.0)
    sheets.append({"a": 4})  # incomplete: not counted
    assert q.construct_alpha(items, sheets, q.TRUST, min_responses=6) is None


def test_identifying():
    assert q.identifying(1) and q.identifying(2)
    assert not q.identifying(3) and not q.identifying(0)


answer = st.integers(min_value=1, max_value=7)


@given(
    st.lists(
        st.fixed_dictionaries(
            {"t1": answer, "t2": answer, "c1": answer, "s1": answer, "k1": answer, "k2": answer}
        ),
        min_size=1,
        max_size=8,
    )
)
def test_scores_stay_on_the_scale(sheets):
    scores = q.with_rqi(q.construct_scores(ITEMS, sheets))
    for value in scores.values():
        assert 1 <= value <= 7


@given(answer, answer)
def test_reverse_is_an_involution(a, b):
    assert q.reverse(q.reverse(a)) == a
    assert (q.reverse(a) < q.reverse(b)) == (a > b)
