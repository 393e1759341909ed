"""The bow-tie / diamond rules on small hand-built logs, and their invariants with hypothesis."""

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from kamp.interactions import forms as f

AS_OF = date(2026, 11, 28)
KAM = 1
PEOPLE = {
    1: f.Person(1, "sales", "Ana"),
    2: f.Person(2, "finance", "Felipe"),
    3: f.Person(3, "management", "Rodrigo"),
    4: f.Person(4, "operations", "Lucía"),
}
CONTACTS = {
    10: f.Contact(10, "purchasing", frozenset({"buyer"}), "Jorge"),
    11: f.Contact(11, "finance", frozenset({"decider"}), "María"),
    12: f.Contact(
        12, "management", frozenset({"decider", "champion"}), "Andrés", attitude="champion"
    ),
    13: f.Contact(13, "operations", frozenset({"user", "influencer"}), "Paula"),
    14: f.Contact(14, "other", frozenset({"gatekeeper"}), "Tomás"),
}


def i(days_ago, ours, theirs):
    return f.Interaction(AS_OF - timedelta(days=days_ago), frozenset(ours), frozenset(theirs))


def run(log, contacts=CONTACTS, **kw):
    return f.analyse(log, kam_id=KAM, people=PEOPLE, contacts=contacts, as_of=AS_OF, **kw)


def kinds(a):
    return [r.kind for r in a.risks]


def test_pure_bow_tie():
    a = run([i(d, {1}, {10}) for d in (1, 10, 20, 40)])
    assert a.form == "A"
    assert a.diamond_index == 0
    assert a.functional_pairs == []
    assert a.kam_purchasing_interactions == 4
    assert "single_threaded" in kinds(a)


def test_diamond():
    log = [i(5, {1}, {10}), i(6, {2}, {11}), i(7, {3}, {12}), i(8, {4}, {13}), i(9, {1}, {14})]
    a = run(log)
    assert a.form == "B"
    assert a.functional_pairs == [
        ("finance", "finance"),
        ("management", "management"),
        ("operations", "operations"),
    ]
    # Three of five involve neither the KAM nor purchasing.
    assert a.diamond_index == 0.6
    assert "single_threaded" not in kinds(a)
    assert "dmu_gap" not in kinds(a)


def test_one_pair_is_still_a_bow_tie():
    a = run([i(5, {1}, {10}), i(6, {2}, {11})])
    assert a.form == "A" and a.functional_pairs == [("finance", "finance")]


def test_kam_with_a_non_purchasing_contact_makes_no_pair():
    a = run([i(5, {1}, {11}), i(6, {1}, {12}), i(7, {1}, {13})])
    assert a.form == "A" and a.functional_pairs == [] and a.diamond_index == 0


def test_a_colleague_meeting_purchasing_makes_no_pair():
    a = run([i(5, {2}, {10}), i(6, {3}, {10})])
    assert a.functional_pairs == [] and a.diamond_index == 0


def test_threshold_is_a_setting():
    log = [i(6, {2}, {11})]
    assert run(log, settings=f.Settings(min_pairs=1)).form == "B"


def test_interactions_outside_the_window_are_ignored():
    old = [i(100, {2}, {11}), i(120, {3}, {12}), i(200, {4}, {13})]
    a = run(old + [i(3, {1}, {10})])
    assert a.form == "A"
    assert a.interactions_in_window == 1
    # With a longer window they count.
    assert run(old, settings=f.Settings(window_days=365)).form == "B"


def test_future_interactions_are_ignored():
    a = run(
        [
            f.Interaction(AS_OF + timedelta(days=1), frozenset({2}), frozenset({11})),
            f.Interaction(AS_OF + timedelta(days=2), frozenset({3}), frozenset({12})),
        ]
    )
    assert a.form == "A" and a.interactions_in_window == 0


def test_empty_log():
    a = run([])
    assert a.form == "A"
    assert a.diamond_index == 0
    assert "no_interactions" in kinds(a)
    assert "single_threaded" not in kinds(a)
    not_met = next(r for r in a.risks if r.kind == "not_met")
    assert set(not_met.subjects) == set(CONTACTS)


def test_single_thread_threshold():
    # Jorge in 4 of 5 = 80%: flagged; in 3 of 5 = 60%: not.
    log = [i(d, {1}, {10}) for d in (1, 2, 3, 4)] + [i(5, {2}, {11})]
    r = next(r for r in run(log).risks if r.kind == "single_threaded")
    assert r.subjects == (10,) and r.data["n"] == 4 and r.data["total"] == 5
    log = [i(d, {1}, {10}) for d in (1, 2, 3)] + [i(5, {2}, {11}), i(6, {3}, {12})]
    assert "single_threaded" not in kinds(run(log))


def test_dmu_gap_counts_only_active_contacts():
    contacts = dict(CONTACTS)
    contacts[14] = f.Contact(
        14,
        "other",
        frozenset({"gatekeeper"}),
        "Tomás",
        active=False,
        left_on=AS_OF - timedelta(days=500),
    )
    gap = next(r for r in run([], contacts=contacts).risks if r.kind == "dmu_gap")
    assert gap.data["roles"] == ["gatekeeper"]


def test_departed_champion():
    contacts = dict(CONTACTS)
    contacts[12] = f.Contact(
        12,
        "management",
        frozenset({"decider", "champion"}),
        "Andrés",
        active=False,
        attitude="champion",
        left_on=AS_OF - timedelta(days=30),
    )
    a = run([i(5, {1}, {10})], contacts=contacts)
    left = [r for r in a.risks if r.kind == "champion_left"]
    assert [r.subjects for r in left] == [(12,)]
    # Gone from the "not met" list: they left.
    not_met = next(r for r in a.risks if r.kind == "not_met")
    assert 12 not in not_met.subjects
    # Long gone: no longer news.
    contacts[12] = f.Contact(
        12,
        "management",
        frozenset({"champion"}),
        "Andrés",
        active=False,
        left_on=AS_OF - timedelta(days=800),
    )
    assert "champion_left" not in kinds(run([], contacts=contacts))


def test_not_met():
    a = run([i(5, {1}, {10}), i(100, {2}, {11})])
    not_met = next(r for r in a.risks if r.kind == "not_met")
    assert 10 not in not_met.subjects and 11 in not_met.subjects


def test_history_moves_from_a_to_b():
    log = [i(d, {1}, {10}) for d in range(400, 200, -20)]
    log += [i(d, {2}, {11}) for d in (60, 30)] + [i(d, {3}, {12}) for d in (50, 20)]
    points = f.history(log, kam_id=KAM, people=PEOPLE, contacts=CONTACTS, as_of=AS_OF, quarters=6)
    assert points[0].form == "A" and points[-1].form == "B"
    assert points[-1].label == "2026-Q4"


def test_quarters():
    assert f.quarters_back(date(2026, 2, 1), 3) == [(2025, 3), (2025, 4), (2026, 1)]
    assert f.quarter_end(2026, 4) == date(2026, 12, 31)
    assert f.quarter_end(2026, 1) == date(2026, 3, 31)


def test_ties_and_strength():
    log = [i(1, {1}, {10}), i(2, {1}, {10}), i(3, {1}, {10}), i(200, {2}, {11})]
    t = f.ties(log, kam_id=KAM, contacts=CONTACTS, as_of=AS_OF)
    assert (t[0].person_id, t[0].contact_id, t[0].count, t[0].knot) == (1, 10, 3, True)
    assert f.tie_strength(t[0].count, t[0].last, AS_OF) == 3
    assert f.tie_strength(t[1].count, t[1].last, AS_OF) == 1
    assert f.tie_strength(0, None, AS_OF) == 0


def test_group_by_customer():
    d = date(2026, 1, 1)
    logs = f.group_by_customer([(7, 1, d, "o", 1), (7, 1, d, "t", 10), (8, 2, d, "o", 2)])
    assert logs[7] == [f.Interaction(d, frozenset({1}), frozenset({10}), 1)]
    assert logs[8][0].theirs == frozenset()


# --- hypothesis ------------------------------------------------------------------------------

interactions = st.builds(
    f.Interaction,
    st.integers(0, 200).map(lambda d: AS_OF - timedelta(days=d)),
    st.frozensets(st.sampled_from(list(PEOPLE)), min_size=1, max_size=3),
    st.frozensets(st.sampled_from(list(CONTACTS)), max_size=3),
)


@settings(max_examples=200, deadline=None)
@given(st.lists(interactions, max_size=25), st.integers(0, 89))
def test_kam_meeting_purchasing_never_turns_a_into_b(log, days_ago):
    before = run(log)
    after = run(log + [i(days_ago, {KAM}, {10})])
    if before.form == "A":
        assert after.form == "A"
    assert after.functional_pairs == before.functional_pairs
    assert after.diamond_index <= before.diamond_index


@settings(max_examples=200, deadline=None)
@given(st.lists(interactions, max_size=25), st.integers(1, 400), st.integers(1, 5))
def test_diamond_index_in_unit_interval(log, window, pairs):
    a = run(log, settings=f.Settings(window_days=window, min_pairs=pairs))
    assert 0 <= a.diamond_index <= 1
    assert a.form in ("A", "B")
    assert (a.form == "B") == (len(a.functional_pairs) >= pairs)


@settings(max_examples=100, deadline=None)
@given(st.lists(interactions, max_size=25))
def test_more_pairs_with_a_wider_window(log):
    narrow = run(log, settings=f.Settings(window_days=30))
    wide = run(log, settings=f.Settings(window_days=180))
    assert set(narrow.functional_pairs) <= set(wide.functional_pairs)
