"""Feeding :mod:`kamp.interactions.target` from the database: an account's target form, the
form kamp suggests from the trust of its counted survey round, progress now and at the end of
the last period, and the next functional pair to open. The Interactions tab, the API, the CLI
and the alerts all read here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Q

from kamp.core.models import User
from kamp.customers.models import Customer

from . import analysis
from . import forms as rules
from . import target as pure
from .models import InteractionSettings, TargetForm


def period_end_before(as_of: date) -> date:
    """The end of the quarter before the one holding ``as_of`` — "the last period"."""
    year, q = rules.quarter_of(as_of)
    return date(year, q * 3 - 2, 1) - timedelta(days=1)


def our_functions(customer: Customer) -> set[str]:
    """The functions of the KAM and of the account team."""
    return set(
        User.objects.filter(
            Q(pk=customer.owner_id) | Q(team_memberships__customer=customer), is_active=True
        )
        .exclude(function="")
        .values_list("function", flat=True)
    )


def _progress(t: TargetForm, a: rules.Analysis, s: rules.Settings) -> pure.Progress:
    return pure.progress(
        t.form,
        t.pair_tuples,
        a.functional_pairs,
        knot=a.kam_purchasing_interactions > 0,
        min_pairs=s.min_pairs,
    )


@dataclass
class State:
    target: TargetForm | None
    suggestion: pure.Suggestion
    progress: pure.Progress | None
    before: pure.Progress | None
    falling_back: bool
    next_pair: pure.NextPair | None
    before_on: date


def state(customer: Customer, acc: analysis.Account | None = None) -> State:
    """Everything about ``customer``'s target form on ``acc.as_of`` (today by default)."""
    from kamp.relationships.results import latest_trust

    settings = acc.settings if acc else InteractionSettings.load().as_rules()
    acc = acc or analysis.account(customer, settings=settings, all_ties=False)
    a = acc.analysis
    target = TargetForm.objects.filter(customer=customer).first()
    before_on = period_end_before(acc.as_of)
    now = before = None
    if target is not None:
        now = _progress(target, a, settings)
        # The history already analysed the end of the last quarter.
        earlier = acc.at_quarter_end.get(before_on)
        if earlier is None:
            earlier = analysis.analyse_many([customer.pk], as_of=before_on, settings=settings)[
                customer.pk
            ]
        before = _progress(target, earlier, settings)
    met = {t.contact_id for t in acc.ties if t.count}
    nxt = pure.next_pair(
        our_functions=our_functions(customer),
        contacts=acc.contacts.values(),
        current=a.functional_pairs,
        met=met,
        named=target.pair_tuples if target else (),
    )
    return State(
        target=target,
        suggestion=pure.suggest(latest_trust(customer)),
        progress=now,
        before=before,
        falling_back=bool(now and before and pure.falling_back(now, before)),
        next_pair=nxt,
        before_on=before_on,
    )


def falling_back_many(customers, as_of: date) -> dict[int, tuple[pure.Progress, pure.Progress]]:
    """The accounts among ``customers`` with a target that are further from it on ``as_of``
    than at the end of the last period: constant queries for any number of accounts."""
    targets = {t.customer_id: t for t in TargetForm.objects.filter(customer__in=customers)}
    if not targets:
        return {}
    settings = InteractionSettings.load().as_rules()
    now = analysis.analyse_many(list(targets), as_of=as_of, settings=settings)
    then = analysis.analyse_many(list(targets), as_of=period_end_before(as_of), settings=settings)
    out = {}
    for pk, t in targets.items():
        p_now, p_then = _progress(t, now[pk], settings), _progress(t, then[pk], settings)
        if pure.falling_back(p_now, p_then):
            out[pk] = (p_now, p_then)
    return out
