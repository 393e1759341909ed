"""Look-back controls and comparison: the matches share the quadrant and the size band, never
include the account, are stable and capped; the verdict follows the figures."""

from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from kamp.selection import lookback as lb

QUADRANTS = ["strategic", "opportunistic", "maintain", "streamline"]
BANDS = ["small", "medium", "large"]

candidates = st.lists(
    st.builds(
        lb.Candidate,
        id=st.integers(1, 500),
        quadrant=st.sampled_from(QUADRANTS) | st.none(),
        band=st.sampled_from(BANDS) | st.none(),
    ),
    max_size=60,
)


@given(candidates, st.integers(1, 500), st.sampled_from(QUADRANTS), st.sampled_from(BANDS))
def test_matches_share_quadrant_and_band(cands, aid, q, b):
    account = lb.Candidate(aid, q, b)
    ids = lb.match(account, cands)
    by_id = {}
    for c in cands:
        by_id.setdefault(c.id, []).append(c)
    assert aid not in ids
    assert len(ids) <= lb.MAX_CONTROLS
    for i in ids:
        assert any(c.quadrant == q and c.band == b for c in by_id[i])
    # Every eligible candidate left out is beyond the cap, after the chosen ones.
    eligible = sorted(c.id for c in cands if c.id != aid and c.quadrant == q and c.band == b)
    assert ids == eligible[: lb.MAX_CONTROLS]


@given(candidates, st.integers(1, 500))
def test_the_matching_does_not_depend_on_order(cands, aid):
    account = lb.Candidate(aid, "strategic", "large")
    assert lb.match(account, cands) == lb.match(account, list(reversed(cands)))


@given(candidates)
def test_no_quadrant_or_band_no_matches(cands):
    assert lb.match(lb.Candidate(1, None, "large"), cands) == []
    assert lb.match(lb.Candidate(1, "strategic", None), cands) == []


pairs = st.tuples(st.floats(-1e6, 1e6) | st.none(), st.floats(-1e6, 1e6) | st.none())


@given(pairs, st.lists(pairs, max_size=10))
def test_comparison_against_the_median(account, controls):
    [c] = lb.compare({"rqi": account}, [{"rqi": p} for p in controls], figures=["rqi"])
    changes = sorted(b - a for a, b in controls if a is not None and b is not None)
    assert c.controls == len(changes)
    if account[0] is None or account[1] is None or not changes:
        assert c.verdict is None
    else:
        assert c.verdict in (lb.BETTER, lb.WORSE, lb.MIXED)
        if c.verdict == lb.WORSE:
            assert c.account_change < max(changes)


def test_an_account_that_fell_behind_its_matches_is_worse():
    account = {"profit_after_kam": (100.0, 90.0), "rqi": (5.0, 4.8)}
    controls = [{"profit_after_kam": (100.0, 110.0), "rqi": (5.0, 5.1)}] * 3
    comps = lb.compare(account, controls)
    assert lb.verdict(comps) == lb.WORSE
    better = {"profit_after_kam": (100.0, 150.0), "rqi": (5.0, 5.9)}
    assert lb.verdict(lb.compare(better, controls)) == lb.BETTER
    assert lb.verdict(lb.compare(better, [])) is None


def test_due_dates_keep_the_day_or_the_month_end():
    assert lb.due_on(date(2024, 2, 29), 12) == date(2025, 2, 28)
    assert lb.due_on(date(2025, 3, 15), 24) == date(2027, 3, 15)
