"""The pure selection rules (kamp.selection.scoring): hypothesis properties and a hand-computed
example from kam-domain.md §2."""

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kamp.selection import scoring as s

KEYS_A = ["profitability", "growth_potential", "strategic_value"]
KEYS_P = ["customer_knowledge", "brand_image", "cost_to_serve"]
DEFAULT = s.Model(s.DEFAULT_FACTORS)

score = st.integers(min_value=2, max_value=20).map(lambda x: x / 2)  # 1.0 … 10.0 in halves
weight = st.floats(min_value=0.5, max_value=100, allow_nan=False, allow_infinity=False)


def customer(i, scores, co):
    return s.CustomerScores(i, f"Customer {i:03d}", scores, co)


customers = st.lists(
    st.tuples(
        st.fixed_dictionaries(dict.fromkeys(KEYS_A + KEYS_P, score)), st.one_of(st.none(), score)
    ),
    min_size=0,
    max_size=30,
).map(lambda rows: [customer(i, sc, co) for i, (sc, co) in enumerate(rows)])

models = st.tuples(
    st.lists(weight, min_size=6, max_size=6),
    st.lists(st.sampled_from([s.HIGHER, s.LOWER]), min_size=6, max_size=6),
    st.integers(min_value=0, max_value=12),
    st.sampled_from([None, 4.0, 5.5, 7.0]),
).map(
    lambda t: s.Model(
        tuple(
            s.Factor(k, s.ATTRACTIVENESS if k in KEYS_A else s.POSITION, w, d)
            for k, w, d in zip(KEYS_A + KEYS_P, t[0], t[1], strict=True)
        ),
        cap=t[2],
        co_investment_min=t[3],
    )
)


def summary(results):
    return [(r.id, r.quadrant, r.recommended, r.rank, r.reason) for r in results]


# --- The hand-computed example ----------------------------------------------------------------


def test_hand_computed_example_from_the_domain_reference():
    """Default model (§2): attractiveness = (40·8 + 35·7 + 25·6) / 100 = 7.15;
    position = (30·7 + 30·6 + 40·(11 − 4)) / 100 = (210 + 180 + 280) / 100 = 6.70."""
    cs = customer(
        1,
        {
            "profitability": 8,
            "growth_potential": 7,
            "strategic_value": 6,
            "customer_knowledge": 7,
            "brand_image": 6,
            "cost_to_serve": 4,
        },
        6,
    )
    [r] = s.score_portfolio(DEFAULT, [cs])
    assert r.attractiveness == pytest.approx(7.15)
    assert r.position == pytest.approx(6.70)
    assert r.quadrant == s.STRATEGIC
    assert (r.recommended, r.rank, r.reason) == (True, 1, s.R_RECOMMENDED)


def test_split_counts_as_high_and_quadrants():
    assert s.quadrant(5.5, 5.5, 5.5) == s.STRATEGIC
    assert s.quadrant(5.5, 5.49, 5.5) == s.STAR
    assert s.quadrant(5.49, 5.5, 5.5) == s.STATUS
    assert s.quadrant(1, 1, 5.5) == s.STREAMLINE
    # float noise on a weighted mean that is 5.5 on paper still counts as high
    assert s.quadrant(5.499999999999, 5.5000000000001, 5.5) == s.STRATEGIC


def test_default_split_and_floor_are_the_midpoint():
    assert DEFAULT.split_value == 5.5
    assert DEFAULT.floor_value == 5.5
    assert s.Model(s.DEFAULT_FACTORS, scale_min=1, scale_max=7).split_value == 4


def test_incomplete_is_never_scored_as_zero():
    c = customer(1, {"profitability": 9}, 9)
    [r] = s.score_portfolio(DEFAULT, [c])
    assert not r.complete and r.quadrant is None and r.attractiveness is None
    assert r.reason == s.R_INCOMPLETE and "cost_to_serve" in r.missing
    assert not r.recommended


def test_reasons_unreciprocated_no_co_investment_beyond_cap_not_strategic():
    high = dict.fromkeys(KEYS_A + KEYS_P, 9) | {"cost_to_serve": 2}
    low = dict.fromkeys(KEYS_A + KEYS_P, 2) | {"cost_to_serve": 9}
    model = s.Model(s.DEFAULT_FACTORS, cap=1)
    rs = s.score_portfolio(
        model,
        [
            customer(1, high, 9),
            customer(2, high, 8),
            customer(3, high, 3),
            customer(4, high, None),
            customer(5, low, 9),
        ],
    )
    assert [r.reason for r in rs] == [
        s.R_RECOMMENDED,
        s.R_BEYOND_CAP,
        s.R_UNRECIPROCATED,
        s.R_NO_CO_INVESTMENT,
        s.R_NOT_STRATEGIC,
    ]
    assert rs[1].rank == 2 and rs[0].rank == 1
    assert rs[4].quadrant == s.STREAMLINE


def test_ties_higher_attractiveness_then_name():
    # both total 14: A has attractiveness 8 / position 6, B 6 / 8 → A first.
    a = {
        "profitability": 8,
        "growth_potential": 8,
        "strategic_value": 8,
        "customer_knowledge": 6,
        "brand_image": 6,
        "cost_to_serve": 5,
    }
    b = {
        "profitability": 6,
        "growth_potential": 6,
        "strategic_value": 6,
        "customer_knowledge": 8,
        "brand_image": 8,
        "cost_to_serve": 3,
    }
    rs = s.score_portfolio(
        DEFAULT, [s.CustomerScores(1, "Zeta", a, 6), s.CustomerScores(2, "Alfa", b, 6)]
    )
    assert [r.rank for r in rs] == [1, 2]
    # equal on both → by name
    rs = s.score_portfolio(
        DEFAULT, [s.CustomerScores(1, "Zeta", a, 6), s.CustomerScores(2, "Alfa", a, 6)]
    )
    assert [r.rank for r in rs] == [2, 1]


def test_validation_refuses_bad_models_with_every_reason():
    bad = s.Model(
        (s.Factor("a", s.ATTRACTIVENESS, 0), s.Factor("a", s.ATTRACTIVENESS, 1, "up")), split=11
    )
    codes = {p.code for p in s.validate(bad)}
    assert codes >= {"weight", "direction", "duplicate_key", "empty_dimension", "split"}
    with pytest.raises(s.ModelError) as exc:
        s.check(bad)
    assert "weight must be greater than 0" in str(exc.value)
    assert s.validate(DEFAULT) == []
    assert {p.code for p in s.validate(s.Model(s.DEFAULT_FACTORS, scale_min=5, scale_max=5))} == {
        "scale"
    }


def test_percentile_mapping_and_thresholds():
    ranks = s.percentile_ranks({1: 10.0, 2: 20.0, 3: 20.0, 4: 40.0})
    assert ranks == {1: 0.0, 2: 0.5, 3: 0.5, 4: 1.0}
    assert s.map_derived({1: 10.0, 2: 40.0, 3: None}, 1, 10) == {1: 1.0, 2: 10.0}
    assert s.map_derived({1: 5.0}, 1, 10) == {1: 5.5}
    assert s.map_thresholds(0, [10, 20, 30], 1, 10) == 1
    assert s.map_thresholds(20, [10, 20, 30], 1, 10) == 7
    assert s.map_thresholds(99, [10, 20, 30], 1, 10) == 10


def test_mean_and_spread():
    assert s.mean_and_spread([6, 8, 7]) == (7, 2)


# --- Properties ---------------------------------------------------------------------------------


@settings(max_examples=150, deadline=None)
@given(
    models,
    customers,
    st.sampled_from([s.ATTRACTIVENESS, s.POSITION]),
    st.sampled_from([0.1, 0.5, 3.0, 7.25, 100.0]),
)
def test_scaling_all_weights_of_a_dimension_changes_nothing(model, cs, dim, k):
    scaled = s.Model(
        tuple(
            s.Factor(
                f.key, f.dimension, f.weight * k if f.dimension == dim else f.weight, f.direction
            )
            for f in model.factors
        ),
        cap=model.cap,
        co_investment_min=model.co_investment_min,
    )
    before = s.score_portfolio(model, cs)
    after = s.score_portfolio(scaled, cs)
    assert summary(before) == summary(after)
    for b, a in zip(before, after, strict=True):
        assert math.isclose(b.attractiveness, a.attractiveness, abs_tol=1e-9)
        assert math.isclose(b.position, a.position, abs_tol=1e-9)


@given(st.sampled_from([s.ATTRACTIVENESS, s.POSITION]), weight, weight, score)
def test_lower_factor_at_the_scale_max_contributes_the_min(dim, w1, w2, other):
    f = s.Factor("x", dim, w1, s.LOWER)
    assert s.oriented(f, 10, 1, 10) == 1
    assert s.oriented(f, 1, 1, 10) == 10
    # a dimension with only that factor scores the minimum
    only = s.Model(
        (f, s.Factor("y", s.POSITION if dim == s.ATTRACTIVENESS else s.ATTRACTIVENESS, w2))
    )
    assert s.dimension_score(only, dim, {"x": 10, "y": other}) == 1


@settings(max_examples=200, deadline=None)
@given(models, customers)
def test_recommended_set_within_cap_strategic_and_reciprocated(model, cs):
    results = s.score_portfolio(model, cs)
    rec = sorted((r for r in results if r.recommended), key=lambda r: r.rank)
    assert len(rec) <= model.cap
    for r in rec:
        assert r.complete and r.quadrant == s.STRATEGIC
        assert r.co_investment is not None and r.co_investment >= model.floor_value - 1e-9
    # the first cap eligible by rank, and ranks are 1..n in rank_key order
    eligible = sorted((r for r in results if r.rank is not None), key=lambda r: r.rank)
    assert [r.rank for r in eligible] == list(range(1, len(eligible) + 1))
    assert eligible == sorted(eligible, key=s.rank_key)
    assert rec == eligible[: model.cap]
    # nothing eligible is left out while the cap is not reached
    if len(rec) < model.cap:
        assert len(rec) == len(eligible)


@settings(max_examples=100, deadline=None)
@given(models, customers)
def test_robustness_matches_full_rescoring(model, cs):
    """The O(1)-per-variation shortcut agrees with rescoring the whole portfolio."""
    base = [
        r.id
        for r in sorted(
            (r for r in s.score_portfolio(model, cs) if r.recommended), key=lambda r: r.rank
        )
    ]
    rob = s.robustness(model, cs)
    assert list(rob.baseline) == base
    for v in rob.variations:
        f = next(f for f in model.factors if f.key == v.factor)
        moved = model.with_weight(f.key, f.weight * (1 + v.change))
        again = {r.id for r in s.score_portfolio(moved, cs) if r.recommended}
        assert set(v.entered) == again - set(base)
        assert set(v.left) == set(base) - again
    assert set(rob.robust) <= set(base)
    assert not set(rob.robust) & rob.changed


@given(
    st.dictionaries(st.integers(), st.floats(-1e6, 1e6, allow_nan=False), min_size=1, max_size=40)
)
def test_percentile_rank_is_monotone_and_spans_the_scale(values):
    mapped = s.map_derived(values, 1, 10)
    for a in values:
        assert 1 <= mapped[a] <= 10
        for b in values:
            if values[a] < values[b]:
                assert mapped[a] < mapped[b]
            if values[a] == values[b]:
                assert mapped[a] == mapped[b]
    if len(set(values.values())) == len(values) > 1:  # no ties: lowest → min, highest → max
        assert min(mapped.values()) == 1 and max(mapped.values()) == 10


@settings(max_examples=100, deadline=None)
@given(models, customers)
def test_portfolio_fast_path_matches_one_customer_at_a_time(model, cs):
    for c, r in zip(cs, s.score_portfolio(model, cs), strict=True):
        one = s.score_customer(model, c)
        assert (one.attractiveness, one.position, one.quadrant, one.complete, one.missing) == (
            r.attractiveness,
            r.position,
            r.quadrant,
            r.complete,
            r.missing,
        )
