"""The Interactions tab's faster paths give exactly the figures of the full computation: the
held log brought up to date after every kind of write (log, edit of who took part, delete, a
contact's change), the history's quarters read from slices of the log, the last-met dates
(issue 19)."""

import random
from datetime import date, timedelta

import pytest

from kamp.core.choices import Function
from kamp.customers import actions as customer_actions
from kamp.customers.models import CustomerStatus
from kamp.interactions import actions, analysis, summary
from kamp.interactions import forms as rules
from tests.factories import ContactFactory, CustomerFactory, UserFactory

from .factories import log

pytestmark = pytest.mark.django_db

FUNCTIONS = [Function.PURCHASING, Function.FINANCE, Function.ENGINEERING, Function.MANAGEMENT]


def _figures(acc: analysis.Account) -> dict:
    """Everything the tab shows of an account, in comparable form."""
    return {
        "analysis": acc.analysis,
        "risks": [(r.kind, r.detail, r.subjects, r.data) for r in acc.analysis.risks],
        "history": acc.history,
        "ties": acc.ties,
        "people": acc.people,
        "contacts": acc.contacts,
        "last_met": acc.last_met,
        "at_quarter_end": acc.at_quarter_end,
    }


@pytest.fixture
def world(ana):
    """A key account with 120 interactions over three years between four of ours and eight
    of theirs — some older than the tab's two years (their last-met dates come from the
    database), some with nobody of theirs."""
    rng = random.Random(19)
    customer = CustomerFactory(status=CustomerStatus.KEY_ACCOUNT, owner=ana)
    ours = [ana] + [UserFactory(function=f) for f in FUNCTIONS[1:]]
    theirs = [
        ContactFactory(
            customer=customer,
            function=FUNCTIONS[k % 4],
            dmu_roles=["buyer"] if k == 0 else [],
            attitude="champion" if k == 5 else "neutral",
        )
        for k in range(8)
    ]
    for _ in range(120):
        log(
            customer,
            rng.sample(ours, rng.randint(1, 2)),
            rng.sample(theirs, rng.randint(0, 3)),
            days_ago=rng.randint(0, 1100),
        )
    return customer, ours, theirs


def _full(customer) -> dict:
    return _figures(analysis.account(customer, date.today(), all_ties=False))


def test_each_write_refreshed_gives_the_full_figures(world, ana):
    customer, ours, theirs = world
    as_of = date.today()
    held = analysis.account(customer, as_of, all_ties=False)
    assert held.loaded is not None
    assert _figures(held) == _full(customer)

    def refreshed():
        nonlocal held
        before = held.loaded
        held = analysis.account(customer, as_of, all_ties=False, previous=before)
        return before, held

    # Logged: a new interaction that makes a new functional pair (finance with finance).
    new = actions.do_log_interaction(
        ana,
        customer,
        our_people=[ours[1]],
        their_contacts=[theirs[1]],
        date=as_of,
        kind="meeting",
        topic="New",
    )
    before, acc = refreshed()
    assert new.pk in acc.loaded.log
    assert _figures(acc) == _full(customer)
    # The unchanged interactions are the ones held, not read again.
    kept = next(iid for iid in before.log if iid != new.pk)
    assert acc.loaded.log[kept] is before.log[kept]

    # Edited: who took part changes (the KAM and purchasing now; then others).
    actions.do_update_interaction(ana, new, our_people=[ana], their_contacts=[theirs[0]])
    _before, acc = refreshed()
    assert acc.loaded.log[new.pk].ours == frozenset({ana.pk})
    assert _figures(acc) == _full(customer)
    actions.do_update_interaction(
        ana, new, our_people=[ours[2], ours[3]], their_contacts=[theirs[2], theirs[7]]
    )
    _before, acc = refreshed()
    assert _figures(acc) == _full(customer)

    # Edited: the date moves out of the two years, and back into them.
    actions.do_update_interaction(
        ana, new, our_people=[ours[2]], their_contacts=[theirs[2]], date=as_of - timedelta(1000)
    )
    _before, acc = refreshed()
    assert new.pk not in acc.loaded.log
    assert _figures(acc) == _full(customer)
    actions.do_update_interaction(
        ana, new, our_people=[ours[2]], their_contacts=[theirs[2]], date=as_of - timedelta(3)
    )
    _before, acc = refreshed()
    assert _figures(acc) == _full(customer)

    # Deleted: this one and an old one of the window.
    actions.do_delete_interaction(ana, new)
    _before, acc = refreshed()
    assert new.pk not in acc.loaded.log
    assert _figures(acc) == _full(customer)
    other = customer.interactions.filter(date__gte=as_of - timedelta(60)).first()
    actions.do_delete_interaction(ana, other)
    _before, acc = refreshed()
    assert _figures(acc) == _full(customer)


def test_the_tab_refreshes_its_held_log_and_follows_contact_changes(world, ana, monkeypatch):
    """Through :func:`summary.account`, as the tab calls it: a log of any size is held here."""
    customer, ours, theirs = world
    monkeypatch.setattr(summary, "_LOADED_MIN_INTERACTIONS", 0)
    summary._LOADED.clear()
    summary._HELD_ACCOUNTS.clear()
    summary._HELD.clear()

    def tab():
        return _figures(summary.account(customer))

    assert tab() == _full(customer)
    first = summary._LOADED[customer.pk][1]
    actions.do_log_interaction(
        ana,
        customer,
        our_people=[ours[3]],
        their_contacts=[theirs[3]],
        date=date.today(),
        kind="call",
        topic="Plan",
    )
    assert tab() == _full(customer)
    second = summary._LOADED[customer.pk][1]
    assert second is not first
    assert any(second.log[iid] is first.log[iid] for iid in first.log)  # refreshed, not re-read

    # A contact's change (their function, then they leave): the log is read again whole.
    customer_actions.do_update_contact(ana, theirs[1], function=Function.ENGINEERING)
    assert tab() == _full(customer)
    third = summary._LOADED[customer.pk][1]
    assert all(third.log[iid] is not second.log[iid] for iid in third.log if iid in second.log)
    theirs[5].refresh_from_db()
    customer_actions.do_update_contact(ana, theirs[5], active=False, left_on=date.today())
    assert tab() == _full(customer)
    # A contact deleted: their links go with them.
    customer_actions.do_delete_contact(ana, theirs[6])
    assert tab() == _full(customer)


def test_the_history_of_slices_is_the_history_of_the_whole_log():
    """Each quarter's analysis on its slice of the log equals the analysis on the whole log,
    for random logs and thresholds."""
    rng = random.Random(7)
    people = {p: rules.Person(p, rng.choice(["finance", "logistics", "sales"])) for p in range(6)}
    for _ in range(30):
        contacts = {
            c: rules.Contact(
                c,
                rng.choice(["finance", "logistics", "purchasing"]),
                frozenset(rng.sample(rules.CORE_ROLES, rng.randint(0, 2))),
                f"C{c}",
                rng.random() > 0.2,
            )
            for c in range(100, 110)
        }
        as_of = date(2026, 12, 5) - timedelta(rng.randint(0, 400))
        log_ = [
            rules.Interaction(
                as_of - timedelta(rng.randint(-30, 900)),
                frozenset(rng.sample(range(6), rng.randint(0, 2))),
                frozenset(rng.sample(range(100, 110), rng.randint(0, 3))),
                n,
            )
            for n in range(rng.randint(0, 300))
        ]
        settings = rules.Settings(
            window_days=rng.choice([7, 30, 90, 200]),
            min_pairs=rng.randint(1, 3),
            single_thread_share=rng.choice([0.3, 0.5, 0.8]),
            not_met_days=rng.choice([7, 45, 90, 365]),
        )
        kam = rng.choice([0, 1, None])
        got = rules.quarter_analyses(
            log_, kam_id=kam, people=people, contacts=contacts, as_of=as_of, settings=settings
        )
        for (year, q), (label, a) in zip(rules.quarters_back(as_of, 8), got, strict=True):
            end = min(rules.quarter_end(year, q), as_of)
            whole = rules.analyse(
                log_, kam_id=kam, people=people, contacts=contacts, as_of=end, settings=settings
            )
            assert label == f"{year}-Q{q}"
            assert a == whole
            assert [r.data for r in a.risks] == [r.data for r in whole.risks]
        # Some interactions added, some removed: the quarters none of them falls in are
        # taken from the earlier analyses, and all equal a fresh computation.
        removed = set(rng.sample(range(len(log_)), min(len(log_), rng.randint(0, 3))))
        added = [
            rules.Interaction(
                as_of - timedelta(rng.randint(0, 700)), frozenset({2}), frozenset(), -k
            )
            for k in range(rng.randint(0, 2))
        ]
        changed_log = [i for n, i in enumerate(log_) if n not in removed] + added
        changed_on = {log_[n].date for n in removed} | {i.date for i in added}
        args = {"kam_id": kam, "people": people, "contacts": contacts, "as_of": as_of}
        again = rules.quarter_analyses(
            changed_log, **args, settings=settings, known=dict(got), changed_on=changed_on
        )
        assert again == rules.quarter_analyses(changed_log, **args, settings=settings)
