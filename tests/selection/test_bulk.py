"""The column-wise rescoring (kamp.selection.bulk) gives exactly what the per-customer rules of
kamp.selection.scoring give: attractiveness, position, quadrant, reason, rank, the recommended set
and the robustness analysis, on random portfolios — with missing scores, ties, duplicate names,
scores on or a hair off the split, any scale."""

import math

import numpy as np
from hypothesis import example, given, settings
from hypothesis import strategies as st

from kamp.selection import bulk
from kamp.selection import scoring as s

KEYS = ["f0", "f1", "f2", "f3", "f4"]

# Scores in halves hit the split and each other exactly; a few arbitrary floats land a hair off.
scores = st.one_of(
    st.integers(min_value=2, max_value=20).map(lambda x: x / 2),
    st.floats(min_value=1, max_value=10, allow_nan=False),
    st.sampled_from([5.5 - 1e-10, 5.5 + 1e-10, 5.4999999996, 5.5000000004]),
)
weights = st.one_of(
    st.integers(min_value=1, max_value=60),
    st.floats(min_value=0.5, max_value=100, allow_nan=False),
    st.sampled_from([1 / 3, 2 / 3, 0.1, 0.7]),
)


@st.composite
def models(draw):
    n = draw(st.integers(min_value=2, max_value=5))
    dims = [s.ATTRACTIVENESS, s.POSITION] + draw(
        st.lists(st.sampled_from(s.DIMENSIONS), min_size=n - 2, max_size=n - 2)
    )
    factors = tuple(
        s.Factor(KEYS[i], dims[i], draw(weights), draw(st.sampled_from(s.DIRECTIONS)))
        for i in range(n)
    )
    scale = draw(st.sampled_from([(1, 10), (1.0, 10.0), (0, 5), (1, 7)]))
    split = draw(st.sampled_from([None, 5.5, 4.0, 3.0]))
    if split is not None and not scale[0] <= split <= scale[1]:
        split = None
    floor = draw(st.sampled_from([None, 5.5, 2.0]))
    if floor is not None and not scale[0] <= floor <= scale[1]:
        floor = None
    return s.Model(factors, scale[0], scale[1], split, floor, draw(st.integers(0, 8)))


@st.composite
def portfolios(draw, model):
    n = draw(st.integers(min_value=0, max_value=40))
    ids = draw(st.lists(st.integers(1, 10_000), min_size=n, max_size=n, unique=True))
    out = []
    for cid in ids:
        sc = {}
        for f in model.factors:
            if draw(st.integers(0, 9)) > 0:  # now and then a missing score
                sc[f.key] = draw(scores)
        co = draw(st.one_of(st.none(), scores))
        # Duplicate names exercise the tie-break on the id (as text: "10" before "9").
        out.append(s.CustomerScores(cid, draw(st.sampled_from(["A", "B", "a", "Zé"])), sc, co))
    return out


def columns(model: s.Model, customers: list[s.CustomerScores]) -> bulk.Portfolio:
    def col(values):
        return np.array([math.nan if v is None else v for v in values], dtype=np.float64)

    return bulk.Portfolio(
        ids=np.array([c.id for c in customers], dtype=np.int64),
        names=[c.name for c in customers],
        scores={f.key: col([c.scores.get(f.key) for c in customers]) for f in model.factors},
        co_investment=col([c.co_investment for c in customers]),
    )


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_bulk_scoring_and_robustness_equal_the_reference(data):
    model = data.draw(models())
    customers = data.draw(portfolios(model))
    reference = s.score_portfolio(model, customers)
    portfolio = columns(model, customers)
    scored = bulk.score(model, portfolio)
    results = bulk.results(portfolio, scored)
    # Every field, floats compared exactly.
    assert results == reference
    recommended = [
        r.id for r in sorted((r for r in reference if r.recommended), key=lambda r: r.rank or 0)
    ]
    assert [int(portfolio.ids[i]) for i in scored.recommended] == recommended
    assert bulk.robustness(model, portfolio, scored) == s.robustness(model, customers)
    assert bulk.robustness(model, portfolio, scored, baseline=recommended) == s.robustness(
        model, customers, baseline=recommended
    )


def test_a_weighted_mean_a_hair_below_the_split_counts_as_the_split():
    # (1/3)·5 + (2/3)·5.75 is 5.5 on paper and 5.499999999999999 in floats.
    model = s.Model(
        (
            s.Factor("f0", s.ATTRACTIVENESS, 1 / 3),
            s.Factor("f1", s.ATTRACTIVENESS, 2 / 3),
            s.Factor("f2", s.POSITION, 1),
        ),
        cap=1,
    )
    customers = [s.CustomerScores(1, "A", {"f0": 5.0, "f1": 5.75, "f2": 5.5}, 6.0)]
    portfolio = columns(model, customers)
    results = bulk.results(portfolio, bulk.score(model, portfolio))
    assert results == s.score_portfolio(model, customers)
    assert results[0].quadrant == s.STRATEGIC and results[0].recommended


raw_values = st.lists(
    st.one_of(
        st.none(),
        st.floats(-1e6, 1e6, allow_nan=False),
        st.sampled_from([0.0, -0.0, 1.0, 100.0]),  # ties
    ),
    max_size=40,
)


@settings(max_examples=300, deadline=None)
@given(
    raw_values,
    st.sampled_from([(1, 10), (1.0, 10.0), (0, 5)]),
    st.one_of(
        st.none(),
        st.lists(st.floats(-1e3, 1e3, allow_nan=False), min_size=1, max_size=9).map(sorted),
    ),
)
@example([5.0], (1, 10), None)  # a lone value sits in the middle
def test_bulk_derived_mapping_equals_the_reference(values, scale, thresholds):
    raw = dict(enumerate(values))
    expected = s.map_derived(raw, scale[0], scale[1], thresholds)
    column = np.array([math.nan if v is None else v for v in values], dtype=np.float64)
    mapped = bulk.map_derived(column, scale[0], scale[1], thresholds)
    assert {i: v for i, v in enumerate(mapped.tolist()) if not math.isnan(v)} == expected


def test_ties_in_score_and_name_are_broken_on_the_id_as_text():
    model = s.Model((s.Factor("f0", s.ATTRACTIVENESS, 1), s.Factor("f1", s.POSITION, 1)), cap=1)
    customers = [s.CustomerScores(i, "A", {"f0": 8.0, "f1": 8.0}, 9.0) for i in (9, 10)]
    portfolio = columns(model, customers)
    scored = bulk.score(model, portfolio)
    assert bulk.results(portfolio, scored) == s.score_portfolio(model, customers)
    assert [int(portfolio.ids[i]) for i in scored.recommended] == [10]
    assert bulk.robustness(model, portfolio, scored) == s.robustness(model, customers)
