"""The pure group-account rules (kamp.customers.groups): by examples and by properties — under
any sequence of moves between groups, each month of each company counts for exactly one group
(or none), and the group totals add up to the sum of the companies' amounts."""

from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from kamp.customers import groups
from kamp.customers.groups import Span

START = date(2024, 1, 1)
FIRST, LAST = groups.month_index(2024, 1), groups.month_index(2025, 12)
COMPANIES = [1, 2, 3, 4, 5]
GROUPS = [100, 200, 300]


def test_a_company_moved_counts_its_past_months_for_its_former_group():
    spans = groups.move([], 1, 100, date(2024, 1, 1))
    assert spans == [Span(1, 100, None, None)]  # first membership: all its history
    spans = groups.move(spans, 1, 200, date(2025, 4, 1))
    assert groups.group_at(spans, 1, date(2025, 3, 31)) == 100
    assert groups.group_at(spans, 1, date(2025, 4, 1)) == 200
    months = groups.months_in_group(spans, 200, FIRST, LAST)
    assert months[1][0] == groups.month_index(2025, 4)
    # A move in the middle of a month counts from the next month (the first day's group).
    later = groups.move(spans, 1, None, date(2025, 6, 15))
    assert groups.months_in_group(later, 200, FIRST, LAST)[1] == [
        groups.month_index(2025, 4),
        groups.month_index(2025, 5),
        groups.month_index(2025, 6),
    ]


def test_moving_to_the_same_group_changes_nothing_and_a_same_day_move_replaces():
    spans = groups.move([], 1, 100, date(2024, 1, 1))
    assert groups.move(spans, 1, 100, date(2024, 5, 1)) == spans
    spans = groups.move(spans, 1, 200, date(2024, 5, 1))
    spans = groups.move(spans, 1, 300, date(2024, 5, 1))
    assert [s.group for s in spans] == [100, 300]
    assert groups.group_at(spans, 1, date(2024, 5, 1)) == 300


def test_nearest_group_walks_the_parent_chain_and_survives_a_loop():
    parents = {1: 2, 2: 3, 3: None, 4: 5, 5: 4}
    assert groups.nearest_group(1, parents, {3}) == 3
    assert groups.nearest_group(1, parents, {2, 3}) == 2  # the nearest one
    assert groups.nearest_group(3, parents, {3}) == 3  # a group account is its own group
    assert groups.nearest_group(4, parents, {9}) is None  # a loop ends the walk


def test_runs_and_roll_up_by_example():
    assert groups.runs([5, 1, 2, 3, 7, 7]) == [(1, 3), (5, 5), (7, 7)]
    spans = [Span(1, 100, None, date(2024, 3, 1)), Span(1, 200, date(2024, 3, 1), None)]
    amounts = {(1, groups.month_index(2024, m)): Decimal(m) for m in range(1, 7)}
    amounts[(100, FIRST)] = Decimal(1000)  # the group account's own sales
    first, last = FIRST, groups.month_index(2024, 6)
    assert groups.roll_up(amounts, spans, 100, first, last, account=100) == Decimal(1003)
    assert groups.roll_up(amounts, spans, 200, first, last, account=200) == Decimal(3 + 4 + 5 + 6)


moves = st.lists(
    st.tuples(
        st.integers(0, 720),  # days after START
        st.sampled_from(COMPANIES),
        st.sampled_from([*GROUPS, None]),
    ),
    max_size=25,
)
amounts_st = st.dictionaries(
    st.tuples(st.sampled_from(COMPANIES), st.integers(FIRST, LAST)),
    st.decimals(min_value=-10_000, max_value=1_000_000, places=2, allow_nan=False),
    max_size=80,
)


def _apply(sequence):
    spans: list[Span] = []
    for offset, company, group in sorted(sequence, key=lambda m: m[0]):
        spans = groups.move(spans, company, group, START + timedelta(days=offset))
    return spans


@settings(max_examples=200, deadline=None)
@given(moves, amounts_st)
def test_group_totals_equal_the_sum_of_the_companies_under_moves(sequence, amounts):
    spans = _apply(sequence)
    totals = {g: groups.roll_up(amounts, spans, g, FIRST, LAST) for g in GROUPS}
    # The months no group holds (before a first move, after leaving).
    outside = sum(
        (
            a
            for (c, m), a in amounts.items()
            if groups.group_at(spans, c, groups.first_day(m)) is None
        ),
        Decimal(0),
    )
    assert sum(totals.values(), Decimal(0)) + outside == sum(amounts.values(), Decimal(0))
    # Each group's total is the brute-force sum of its companies' months in it.
    for g in GROUPS:
        expected = sum(
            (
                a
                for (c, m), a in amounts.items()
                if groups.group_at(spans, c, groups.first_day(m)) == g
            ),
            Decimal(0),
        )
        assert totals[g] == expected


@settings(max_examples=200, deadline=None)
@given(moves)
def test_a_company_is_in_one_group_at_most_on_any_day_and_where_it_last_moved(sequence):
    spans = _apply(sequence)
    ordered = sorted(sequence, key=lambda m: m[0])
    for company in COMPANIES:
        mine = [s for s in spans if s.company == company]
        assert sum(1 for s in mine if s.open) <= 1
        for offset in range(0, 760, 17):
            day = START + timedelta(days=offset)
            covering = [s for s in mine if s.covers(day)]
            assert len(covering) <= 1
            # The last move on or before the day says where it is; a company's first group
            # holds its history before it (a move out of no group before it changes nothing).
            mine_moves = [m for m in ordered if m[1] == company]
            while mine_moves and mine_moves[0][2] is None:
                mine_moves.pop(0)
            before = [m for m in mine_moves if m[0] <= offset]
            if before:
                assert groups.group_at(spans, company, day) == before[-1][2]
            elif mine_moves:
                assert groups.group_at(spans, company, day) == mine_moves[0][2]
            else:
                assert groups.group_at(spans, company, day) is None


@given(
    st.dictionaries(st.integers(1, 30), st.one_of(st.none(), st.integers(1, 30))),
    st.sets(st.integers(1, 30)),
)
def test_nearest_group_is_an_ancestor_marked_as_account(parents, accounts):
    for company in parents:
        found = groups.nearest_group(company, parents, accounts)
        chain, current = [], company
        while current is not None and current not in chain:
            chain.append(current)
            current = parents.get(current)
        if found is None:
            assert not set(chain) & accounts
        else:
            assert found in accounts and found in chain
            assert not set(chain[: chain.index(found)]) & accounts
