"""The reciprocity score's properties: bounded 0–10, monotonic in evidence, older evidence weighs
less, the override wins, and a drop is a drop of at least the threshold."""

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kamp.selection import reciprocity as r

TODAY = date(2026, 12, 1)

evidence = st.builds(
    r.Evidence,
    kind=st.sampled_from(r.KINDS),
    on=st.dates(min_value=date(2015, 1, 1), max_value=TODAY),
    strength=st.floats(0, 1),
)


@given(st.lists(evidence, max_size=40))
def test_bounded(items):
    s = r.compute(items, TODAY).score
    assert 0 <= s <= 10


@given(st.lists(evidence, max_size=30), evidence)
def test_more_evidence_never_lowers_the_score(items, extra):
    assert r.compute([*items, extra], TODAY).score >= r.compute(items, TODAY).score


@given(evidence, st.integers(1, 3000))
def test_older_evidence_weighs_less(e, days):
    older = r.Evidence(e.kind, e.on - timedelta(days=days), e.strength)
    assert r.compute([older], TODAY).points <= r.compute([e], TODAY).points
    if e.strength > 1e-6:
        assert r.compute([older], TODAY).points < r.compute([e], TODAY).points


@given(st.lists(evidence, max_size=20))
def test_the_lines_explain_the_score(items):
    ledger = r.compute(items, TODAY)
    assert len(ledger.lines) == len(items)
    assert ledger.points == pytest.approx(sum(ln.points for ln in ledger.lines))
    assert ledger.score == pytest.approx(r.to_score(ledger.points))


def test_evidence_after_the_day_asked_about_does_not_count_yet():
    e = r.Evidence(r.COMMITMENT, TODAY + timedelta(days=1))
    assert r.compute([e], TODAY).score == 0
    assert r.compute([e], TODAY + timedelta(days=1)).score > 0


def test_a_half_life_halves_the_weight():
    e = r.Evidence(r.COMMITMENT, TODAY - timedelta(days=r.HALF_LIFE_DAYS))
    assert r.compute([e], TODAY).points == pytest.approx(r.DEFAULT_WEIGHTS[r.COMMITMENT] / 2)


@given(st.floats(0, 10), st.floats(0, 10) | st.none())
def test_the_override_wins(computed, override):
    assert r.effective(computed, override) == (computed if override is None else override)


@given(st.floats(0, 10), st.floats(0, 10), st.floats(0.1, 5))
def test_a_drop_is_at_least_the_threshold(before, now, points):
    assert r.dropped(before, now, points) == (round(before - now, 6) >= points)
    assert not r.dropped(None, now, points)


def test_bad_input_is_refused():
    with pytest.raises(ValueError):
        r.Evidence("gossip", TODAY)
    with pytest.raises(ValueError):
        r.Evidence(r.COMMITMENT, TODAY, strength=1.5)
    with pytest.raises(ValueError):
        r.weights_with({r.COMMITMENT: -1})


def test_survey_strength():
    assert r.survey_strength(1) == 0
    assert r.survey_strength(7) == 1
    assert r.survey_strength(4) == pytest.approx(0.5)
