"""The pipeline's pure figures: weighted pipeline, win rate, reasons by quarter, renewals."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kamp.pipeline import figures
from kamp.pipeline.debrief import DebriefError, parse_people
from kamp.pipeline.figures import BidFacts

stages = st.sampled_from(figures.STAGES)
bids = st.builds(
    BidFacts,
    stage=stages,
    value=st.one_of(st.none(), st.decimals(0, 10**12, places=0)),
    probability=st.integers(0, 100),
    closed_on=st.one_of(st.none(), st.dates(date(2020, 1, 1), date(2030, 12, 31))),
    reasons=st.lists(st.sampled_from(figures.REASONS), max_size=3).map(tuple),
)


def test_weighted_pipeline_counts_open_bids_only():
    items = [
        BidFacts("proposal", Decimal(1000), 50),
        BidFacts("negotiation", Decimal(200), 75),
        BidFacts("won", Decimal(5000), 100),
        BidFacts("identified", None, 10),
    ]
    assert figures.weighted_pipeline(items) == Decimal(650)
    assert figures.open_value(items) == Decimal(1200)


@given(st.lists(bids, max_size=30))
def test_weighted_never_exceeds_open_value(items):
    weighted = figures.weighted_pipeline(items)
    assert Decimal(0) <= weighted <= figures.open_value(items)


@given(st.lists(bids, max_size=30))
def test_win_rate_is_won_over_decided(items):
    rate = figures.win_rate(items)
    won = sum(b.stage == "won" for b in items)
    lost = sum(b.stage == "lost" for b in items)
    if won + lost == 0:
        assert rate is None
    else:
        assert rate == pytest.approx(100 * won / (won + lost))


def test_withdrawn_bids_do_not_count_in_the_win_rate():
    assert figures.win_rate([BidFacts("won", None, 100), BidFacts("withdrawn", None, 0)]) == 100.0


@given(st.lists(bids, max_size=30))
def test_quarters_add_up_to_the_closed_bids(items):
    rows = figures.by_quarter(items)
    assert [r.quarter for r in rows] == sorted(r.quarter for r in rows)
    decided = [b for b in items if b.stage in ("won", "lost") and b.closed_on]
    assert sum(r.won + r.lost for r in rows) == len(decided)
    for r in rows:
        assert all(0 < n <= r.lost for n in r.lost_reasons.values())


def test_by_quarter_counts_reasons_per_outcome():
    rows = figures.by_quarter(
        [
            BidFacts("lost", None, 0, date(2023, 11, 15), ("price", "relationship")),
            BidFacts("lost", None, 0, date(2023, 12, 1), ("price",)),
            BidFacts("won", None, 100, date(2024, 2, 1), ("relationship",)),
        ]
    )
    assert [(r.quarter, r.won, r.lost) for r in rows] == [("2023-Q4", 0, 2), ("2024-Q1", 1, 0)]
    assert rows[0].lost_reasons == {"price": 2, "relationship": 1}
    assert rows[0].win_rate == 0.0
    assert rows[1].won_reasons == {"relationship": 1}


def test_default_probability_per_stage_and_unknown_stage():
    assert [figures.default_probability(s) for s in figures.STAGES] == [10, 25, 50, 75, 100, 0, 0]
    with pytest.raises(ValueError):
        figures.default_probability("maybe")


@given(st.dates(date(2000, 1, 1), date(2100, 1, 1)), st.integers(-400, 400), st.integers(0, 365))
def test_renewal_window(today, offset, days):
    ends = today + timedelta(days=offset)
    assert figures.renewal_due(ends, today, days) == (0 <= offset <= days)


def test_debrief_people_in_english_and_spanish():
    people = parse_people(
        "Andrés Silva; Gerente General; decider, champion\n\n"
        "Jorge Pérez; Jefe de Compras; comprador\nTomás Ríos"
    )
    assert [(p.name, p.title, p.roles) for p in people] == [
        ("Andrés Silva", "Gerente General", ("decider", "champion")),
        ("Jorge Pérez", "Jefe de Compras", ("buyer",)),
        ("Tomás Ríos", "", ()),
    ]


def test_debrief_unknown_role_names_the_line():
    with pytest.raises(DebriefError) as exc:
        parse_people("A; B; decider\nC; D; boss")
    assert exc.value.line == 2 and exc.value.word == "boss"
