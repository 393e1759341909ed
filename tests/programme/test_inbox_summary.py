"""The dashboard's head of the inbox (kamp.programme.inbox.summary_for): for a director it is
counted and picked in the database (alert_store.head); it must say exactly what the whole inbox
says — the same first alerts in the same order, the same counts, the same dismissed."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone, translation

from kamp.customers.models import Customer
from kamp.programme import actions, inbox
from kamp.programme.models import AlertDismissal, StoredAlert

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(db, django_capture_on_commit_callbacks):
    from kamp.core import demo

    with django_capture_on_commit_callbacks(execute=True):
        return demo.load(today=timezone.localdate(), log=lambda *_: None)


def _whole_inbox(user, top=8):
    """The head as the inbox page reads it: every alert built, ranked, then counted."""
    open_, gone = inbox.alerts_for(user, timezone.localdate())
    counts = Counter(a.severity for a in open_)
    return (
        [(a.key, a.customer_name, str(a.message), a.value_visible) for a in open_[:top]],
        len(open_),
        [(s, counts[s]) for s in ("danger", "warning", "info") if counts[s]],
        len(gone),
    )


def _head(user, top=8):
    s = inbox.summary_for(user, timezone.localdate(), top=top)
    return (
        [(a.key, a.customer_name, str(a.message), a.value_visible) for a in s.top],
        s.open_count,
        s.by_severity,
        s.dismissed_count,
    )


def test_a_directors_head_is_the_whole_inboxs_head(demo, director, admin):
    for user in (director, admin):
        for language in ("es", "en"):
            with translation.override(language):
                for top in (1, 8, 50):
                    assert _head(user, top) == _whole_inbox(user, top)
    # The demo's head has alerts about customers, with their value at stake shown and ranking.
    top, count, by_severity, _dismissed = _head(director, 8)
    assert count == StoredAlert.objects.count()
    assert any(value_visible for _k, _n, _m, value_visible in top)
    assert sum(n for _s, n in by_severity) == count


def test_dismissed_alerts_leave_the_head_and_are_counted(demo, director):
    open_, _gone = inbox.alerts_for(director, timezone.localdate())
    about_customers = [a for a in open_ if a.customer_id]
    general = [a for a in open_ if not a.customer_id]
    assert len(about_customers) > 3 and general
    # The two most urgent alerts about customers, one further down and one about the programme.
    for a in (about_customers[0], about_customers[1], about_customers[-1], general[0]):
        actions.do_dismiss_alert(director, a, "handled in the quarterly review")
    # Snoozed until yesterday: open again.
    actions.do_dismiss_alert(
        director,
        about_customers[2],
        "wait for the new buyer",
        until=timezone.localdate() - timedelta(days=1),
    )
    head = _head(director)
    assert head == _whole_inbox(director)
    keys = [k for k, _n, _m, _v in head[0]]
    assert about_customers[0].key not in keys and about_customers[2].key in keys
    assert head[1] == len(open_) - 4 and head[3] == 4


def test_a_dismissal_given_for_other_signs_does_not_hide_the_alert(demo, director):
    """A new kind of sign on a dismissed cause reopens the alert, on the dashboard too."""
    open_, _gone = inbox.alerts_for(director, timezone.localdate())
    first = next(a for a in open_ if a.customer_id)
    d = actions.do_dismiss_alert(director, first, "known")
    AlertDismissal.objects.filter(pk=d.pk).update(kind="some_other_sign")
    head = _head(director)
    assert head == _whole_inbox(director)
    assert first.key in [k for k, _n, _m, _v in head[0]] and head[3] == 0


def test_ties_are_broken_as_the_inbox_breaks_them(demo, director):
    """Equal scores: the severity, then the account's name, the cause and the subject, compared
    as Python compares them (accents and capitals included), on both databases."""
    if connection.vendor == "postgresql":
        # A database created with a Spanish locale, as many are (this one's default is "C"):
        # its own order puts "alvarez" beside "Álvarez"; the inbox's does not.
        with connection.cursor() as cursor:
            cursor.execute(
                "ALTER TABLE programme_storedalert"
                ' ALTER COLUMN customer_name TYPE varchar(200) COLLATE "es-x-icu",'
                ' ALTER COLUMN subject TYPE varchar(100) COLLATE "es-x-icu",'
                ' ALTER COLUMN cause TYPE varchar(60) COLLATE "es-x-icu"'
            )
    inbox.summary_for(director, timezone.localdate())  # the first read catches up
    template = StoredAlert.objects.filter(customer_id__isnull=False).first()
    names = ["Zeta", "zeta", "Álvarez", "Alvarez", "alvarez", "Ábaco", "Ñandú", "Nube", "éclair"]
    customers = list(Customer.objects.order_by("pk").values_list("pk", flat=True)[: len(names)])
    for i, (name, customer_id) in enumerate(zip(names, customers, strict=True)):
        for cause, subject in (("", "b"), ("plan", "a"), ("plan", "B"), ("", "")):
            StoredAlert.objects.create(
                key=f"test:{i}:{cause}:{subject}",
                area=template.area,
                kind="stale",
                cause=cause,
                severity="danger" if i % 3 else "warning",
                # Above every demo account's: these head the inbox.
                score=Decimal(3 * 10**12) if i % 3 else Decimal(2 * 10**12),
                value_at_stake=Decimal(10**12),
                customer_id=customer_id,
                customer_name=name,
                subject=subject,
                url=template.url,
                sign_kinds=["stale"],
                texts=template.texts,
            )
    head = _head(director, 40)
    assert head == _whole_inbox(director, 40)
    assert sum(name in names for _k, name, _m, _v in head[0]) == 4 * len(names)
    # The database picks which of the tied alerts make the head: cut inside the ties.
    for top in (3, 7, 13, 26):
        assert _head(director, top) == _whole_inbox(director, top)


def test_the_head_reads_a_constant_number_of_queries(demo, director, django_assert_max_num_queries):
    inbox.summary_for(director, timezone.localdate())  # the first read catches up
    template = StoredAlert.objects.filter(customer_id__isnull=False).first()
    StoredAlert.objects.bulk_create(
        StoredAlert(
            key=f"test:{i}",
            area=template.area,
            kind=template.kind,
            severity="warning",
            customer_id=template.customer_id,
            customer_name=f"Customer {i}",
            subject=str(i),
            sign_kinds=[template.kind],
            texts=template.texts,
        )
        for i in range(300)
    )
    with django_assert_max_num_queries(12):
        s = inbox.summary_for(director, timezone.localdate())
    assert s.open_count == StoredAlert.objects.count()


def test_another_day_is_the_whole_inbox(demo, director):
    """Another day's alerts are computed, not stored: the head is taken from them."""
    yesterday = timezone.localdate() - timedelta(days=1)
    s = inbox.summary_for(director, yesterday, top=8)
    open_, gone = inbox.alerts_for(director, yesterday)
    assert [a.key for a in s.top] == [a.key for a in open_[:8]]
    assert (s.open_count, s.dismissed_count) == (len(open_), len(gone))
