"""The target interaction form's pure rules (kamp.interactions.target): B needs trust, progress,
falling back and the next pair — hand-built cases and invariants with hypothesis."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kamp.interactions import target as t
from kamp.interactions.forms import Contact

FUNCTIONS = ["sales", "purchasing", "logistics", "finance", "operations", "quality", "management"]
ROLES = ["buyer", "decider", "user", "influencer", "gatekeeper", "initiator", "champion"]

trusts = st.one_of(st.none(), st.floats(min_value=1, max_value=7, allow_nan=False))
pairs = st.tuples(st.sampled_from(FUNCTIONS), st.sampled_from(FUNCTIONS))
contacts = st.lists(
    st.builds(
        Contact,
        id=st.integers(1, 50),
        function=st.sampled_from(FUNCTIONS + [""]),
        roles=st.frozensets(st.sampled_from(ROLES), max_size=3),
        name=st.sampled_from(["Ana", "Bea", "Carla", "Diego"]),
        active=st.booleans(),
        attitude=st.sampled_from(["champion", "supporter", "neutral", "critic", "opponent"]),
    ),
    max_size=8,
    unique_by=lambda c: c.id,
)


# --- The suggestion: B only with trust ----------------------------------------------------------


def test_no_counted_round_suggests_the_bow_tie():
    s = t.suggest(None)
    assert (s.form, s.reason) == (t.FORM_A, "no_trust")


@pytest.mark.parametrize(
    "trust, form", [(6.2, "B"), (5.0, "B"), (4.99, "mix"), (4.0, "mix"), (3.9, "A"), (1.0, "A")]
)
def test_suggestion_follows_trust(trust, form):
    assert t.suggest(trust).form == form


@given(trusts, st.floats(min_value=2, max_value=7, allow_nan=False))
def test_b_is_never_suggested_below_the_trust_it_needs(trust, threshold):
    s = t.suggest(trust, threshold)
    if s.form == t.FORM_B:
        assert trust is not None and trust >= threshold
    else:
        assert trust is None or trust < threshold


@given(
    st.floats(min_value=1, max_value=7, allow_nan=False),
    st.floats(min_value=1, max_value=7, allow_nan=False),
)
def test_more_trust_never_suggests_a_weaker_form(a, b):
    low, high = sorted((a, b))
    order = {t.FORM_A: 0, t.FORM_MIX: 1, t.FORM_B: 2}
    assert order[t.suggest(low).form] <= order[t.suggest(high).form]


# --- Progress ---------------------------------------------------------------------------------


def test_bow_tie_target_is_the_knot():
    assert t.progress("A", [], [], knot=False).distance == 1
    assert t.progress("A", [], [("finance", "finance")], knot=True).reached


def test_diamond_counts_named_pairs_first_then_any_other():
    named = [("finance", "finance"), ("quality", "quality"), ("logistics", "logistics")]
    p = t.progress("B", named, [("finance", "finance"), ("operations", "operations")], knot=True)
    # three named pairs need three; the operations pair does not stand in for a named one
    assert (p.done, p.needed) == (1, 3)
    assert p.missing == (("quality", "quality"), ("logistics", "logistics"))
    p = t.progress("B", [], [("finance", "finance"), ("operations", "operations")], knot=False)
    assert p.reached and p.needed == 2


def test_mix_needs_every_named_pair():
    p = t.progress(
        "mix", [("finance", "finance"), ("quality", "quality")], [("finance", "finance")], knot=True
    )
    assert (p.done, p.needed, p.missing) == (1, 2, (("quality", "quality"),))


def test_unknown_form_is_refused():
    with pytest.raises(ValueError):
        t.progress("C", [], [], knot=True)


@given(
    st.sampled_from(t.FORMS),
    st.lists(pairs, max_size=4),
    st.sets(pairs, max_size=6),
    st.booleans(),
    st.integers(1, 4),
)
def test_progress_is_bounded_and_more_contact_never_moves_away(form, named, current, knot, k):
    p = t.progress(form, named, current, knot=knot, min_pairs=k)
    assert 0 <= p.done <= p.needed and 0.0 <= p.share <= 1.0
    assert set(p.missing) <= set(t.clean_pairs(named)) and not set(p.missing) & current
    more = t.progress(form, named, current | set(t.clean_pairs(named)), knot=True, min_pairs=k)
    assert more.distance <= p.distance
    assert not t.falling_back(more, p)


@given(st.sampled_from(t.FORMS), st.lists(pairs, max_size=4), st.sets(pairs, max_size=6))
def test_losing_a_pair_is_falling_back_only_if_the_distance_grows(form, named, current):
    before = t.progress(form, named, current, knot=True)
    for lost in current:
        now = t.progress(form, named, current - {lost}, knot=True)
        assert t.falling_back(now, before) == (now.distance > before.distance)
        assert now.distance >= before.distance


# --- The next pair -----------------------------------------------------------------------------


def test_next_pair_prefers_an_unmet_decider_then_a_named_pair_first():
    people = [
        Contact(1, "purchasing", frozenset({"buyer"}), "Jorge"),
        Contact(2, "operations", frozenset({"user"}), "Paula"),
        Contact(3, "finance", frozenset({"decider"}), "María"),
        Contact(4, "quality", frozenset(), "Quique", attitude="champion"),
    ]
    n = t.next_pair(
        our_functions={"sales", "finance", "operations", "quality"},
        contacts=people,
        current=[],
        met={1},
    )
    assert (n.ours, n.theirs, n.contact_name, n.roles, n.named) == (
        "finance",
        "finance",
        "María",
        ("decider",),
        False,
    )
    named = t.next_pair(
        our_functions={"sales", "finance", "quality"},
        contacts=people,
        current=[],
        met={1},
        named=[("quality", "quality")],
    )
    assert (named.ours, named.contact_name, named.named) == ("quality", "Quique", True)


def test_no_next_pair_without_a_shared_function():
    people = [Contact(2, "operations", frozenset({"user"}), "Paula")]
    assert t.next_pair(our_functions={"sales"}, contacts=people, current=[], met=()) is None


@given(
    st.sets(st.sampled_from(FUNCTIONS), max_size=5),
    contacts,
    st.sets(pairs, max_size=5),
    st.sets(st.integers(1, 50), max_size=10),
    st.lists(pairs, max_size=3),
)
def test_next_pair_is_new_ours_and_opened_with_someone_active(ours, people, current, met, named):
    n = t.next_pair(our_functions=ours, contacts=people, current=current, met=met, named=named)
    if n is None:
        # nobody to open a pair with: no unmet named pair of ours, no matching active contact
        assert not [p for p in t.clean_pairs(named) if p not in current and p[0] in ours]
        assert not [
            c
            for c in people
            if c.active
            and c.function in ours
            and not c.is_purchasing
            and (c.function, c.function) not in current
        ]
        return
    assert (n.ours, n.theirs) not in current and n.ours in ours
    if n.contact_id is not None:
        c = next(c for c in people if c.id == n.contact_id)
        assert c.active and c.function == n.theirs
    if not n.named:
        # the DMU roles given as the reason are the contact's, and only when not met yet
        assert set(n.roles) <= c.roles
        assert not n.roles or n.contact_id not in met
