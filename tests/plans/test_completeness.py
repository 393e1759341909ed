from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from kamp.plans import completeness as c

TODAY = date(2026, 11, 28)
FULL = c.PlanFacts(
    business_text_len=200,
    strategy_text_len=200,
    objectives=2,
    objectives_with_target=1,
    open_actions=3,
    open_actions_with_owner_and_due=2,
    whitespace_cells=4,
    initiatives=1,
    risks=2,
    risks_with_mitigation=1,
    last_review=TODAY - timedelta(days=30),
)


def test_a_full_plan_is_complete():
    result = c.completeness(FULL, TODAY)
    assert result.percent == 100 and result.missing == {}


def test_an_empty_plan_says_what_is_missing():
    result = c.completeness(c.PlanFacts(), TODAY)
    assert result.percent == 0
    assert result.missing == {
        "business": "empty",
        "objectives": "empty",
        "strategy": "empty",
        "actions": "no_open_actions",
        "whitespace": "empty",
        "initiatives": "empty",
        "risks": "empty",
        "reviews": "empty",
    }


def test_half_filled_sections_are_explained():
    from dataclasses import replace

    facts = replace(
        FULL,
        business_text_len=5,
        objectives_with_target=0,
        open_actions_with_owner_and_due=0,
        risks_with_mitigation=0,
        last_review=TODAY - timedelta(days=200),
    )
    result = c.completeness(facts, TODAY)
    assert result.missing == {
        "business": "too_short",
        "objectives": "no_target",
        "actions": "no_owner_or_due",
        "risks": "no_mitigation",
        "reviews": "no_recent_review",
    }
    assert result.percent == round(100 * 3 / 8)


def test_freshness_boundaries():
    assert c.freshness(TODAY, TODAY) == "fresh"
    assert c.freshness(TODAY - timedelta(days=44), TODAY) == "fresh"
    assert c.freshness(TODAY - timedelta(days=45), TODAY) == "aging"
    assert c.freshness(TODAY - timedelta(days=89), TODAY) == "aging"
    assert c.freshness(TODAY - timedelta(days=90), TODAY) == "stale"
    assert c.is_stale(TODAY - timedelta(days=90), TODAY)
    assert not c.is_stale(TODAY - timedelta(days=89), TODAY)


counts = st.integers(min_value=0, max_value=50)


@given(
    business=counts,
    strategy=counts,
    objectives=counts,
    targets=counts,
    open_=counts,
    ready=counts,
    ws=counts,
    ini=counts,
    risks=counts,
    mitigated=counts,
    review_age=st.one_of(st.none(), st.integers(min_value=0, max_value=1000)),
)
def test_completeness_is_a_share_of_the_eight_sections(
    business, strategy, objectives, targets, open_, ready, ws, ini, risks, mitigated, review_age
):
    facts = c.PlanFacts(
        business,
        strategy,
        objectives,
        min(targets, objectives),
        open_,
        min(ready, open_),
        ws,
        ini,
        risks,
        min(mitigated, risks),
        None if review_age is None else TODAY - timedelta(days=review_age),
    )
    result = c.completeness(facts, TODAY)
    assert 0 <= result.percent <= 100
    assert set(result.filled) | set(result.missing) == set(c.SECTIONS)
    assert not set(result.filled) & set(result.missing)
    # Adding content never makes a plan less complete.
    from dataclasses import replace

    more = replace(facts, whitespace_cells=ws + 1, initiatives=ini + 1)
    assert c.completeness(more, TODAY).percent >= result.percent


@given(st.integers(min_value=-10, max_value=5000))
def test_freshness_is_monotonic(days):
    order = {"fresh": 0, "aging": 1, "stale": 2}
    last = TODAY - timedelta(days=days)
    earlier = last - timedelta(days=1)
    assert order[c.freshness(earlier, TODAY)] >= order[c.freshness(last, TODAY)]
