"""The interactions card on the customer summary, and the bow-tie/diamond badge on the homes."""

from __future__ import annotations

from datetime import date

from django.utils.translation import gettext as _

from kamp.core.request_memo import memo

from . import analysis
from . import forms as rules


def card(request, customer):
    """This area's card on the customer summary: (template, context)."""
    a, last = _analysis(customer, date.today())
    if a is None:
        return None
    risks = [
        {
            "title": analysis.risk_title(r.kind),
            "message": analysis.risk_message(r),
            "severity": analysis.risk_severity(r),
        }
        for r in a.risks
    ]
    return "interactions/_summary_card.html", {
        "a": a,
        "form_label": analysis.form_label(a.form),
        "diamond_percent": rules.diamond_percent(a.diamond_index),
        "window_days": (a.as_of - a.window_start).days + 1 if a.window_start and a.as_of else 0,
        "risks": risks,
        "last": last,
        "customer": customer,
    }


#: The analyses of the accounts this process showed lately: {customer id: (fingerprint, analysis,
#: last interaction's date)}. A large account's analysis reads tens of thousands of interactions;
#: its fingerprint, a few aggregates.
_HELD: dict[int, tuple[tuple, rules.Analysis | None, date | None]] = {}
_HELD_MAX = 256


def _fingerprint(customer, as_of: date) -> tuple[tuple, date | None]:
    """What an account's analysis reads, in a few aggregates: the account's interactions (their
    number, newest id, latest edit — an edit of who took part saves the interaction), its
    contacts, its KAM, our people and the settings; and the date of its last interaction.
    Three queries, once per page view (the interactions and relationships cards both ask)."""
    return memo(
        ("interactions:fingerprint", customer.pk, customer.owner_id, as_of),
        lambda: _read_fingerprint(customer, as_of),
    )


def _read_fingerprint(customer, as_of: date) -> tuple[tuple, date | None]:
    from kamp.core.fingerprints import summaries
    from kamp.core.models import User
    from kamp.customers.models import Contact

    from .models import Interaction, InteractionSettings

    logged, contacts = summaries(
        (Interaction.objects.filter(customer_id=customer.pk), ("id", "updated_at", "date")),
        (Contact.objects.filter(customer_id=customer.pk), ("id", "updated_at")),
    )
    last = logged[3]
    if isinstance(last, str):  # SQLite gives the date as its text
        last = date.fromisoformat(last)
    people = hash(
        tuple(
            User.objects.order_by("pk").values_list("pk", "function", "is_active", "name", "email")
        )
    )
    settings = tuple(InteractionSettings.objects.order_by("pk").values_list())
    key: tuple = (as_of, customer.owner_id, tuple(map(str, logged)), tuple(map(str, contacts)))
    key += (people, settings)
    return key, last


def _remember(held: dict, pk: int, value) -> None:
    if len(held) >= _HELD_MAX:
        held.pop(next(iter(held)))
    held[pk] = value


def held_analysis(customer, as_of: date) -> rules.Analysis | None:
    """The account's analysis on ``as_of``, as its card shows it (kept by the process while
    what it reads is unchanged): for other areas that need a figure of it."""
    return _analysis(customer, as_of)[0]


def _analysis(customer, as_of: date) -> tuple[rules.Analysis | None, date | None]:
    """The account's analysis on ``as_of`` and the date of its last interaction, kept by the
    process while what the analysis reads is unchanged (:func:`_fingerprint`). Four queries when
    unchanged. The Interactions tab's account, when held under the same fingerprint, gives it:
    the card and the tab show one analysis."""
    key, last = _fingerprint(customer, as_of)
    held = _HELD.get(customer.pk)
    if held is not None and held[0] == key:
        return held[1], held[2]
    tab = _HELD_ACCOUNTS.get(customer.pk)
    if tab is not None and tab[0] == key:
        found: rules.Analysis | None = tab[1].analysis
    else:
        found = analysis.analyse_many([customer.pk], as_of).get(customer.pk)
    _remember(_HELD, customer.pk, (key, found, last))
    return found, last


#: The Interactions tab's accounts (analysis, quarterly history, ties) this process showed
#: lately, under the same fingerprint as the card's analysis: {customer id: (fingerprint,
#: account)}. Building one reads two years of the account's interactions.
_HELD_ACCOUNTS: dict[int, tuple[tuple, analysis.Account]] = {}

#: The loaded logs of the large accounts among them, {customer id: (fingerprint, log)}: after
#: an interaction of one is logged, edited or deleted, its tab reads only what changed. Few,
#: they are large (tens of MB at 50,000 interactions); a small log is as quick to read whole.
_LOADED: dict[int, tuple[tuple, analysis.Loaded]] = {}
_LOADED_MAX = 4
_LOADED_MIN_INTERACTIONS = 2000


def _only_log_changed(before: tuple, now: tuple) -> bool:
    """Whether two fingerprints differ in the account's interactions only (same day, KAM,
    contacts, people and settings): then the held log may be brought up to date."""
    return before[:2] == now[:2] and before[3:] == now[3:]


def account(customer, as_of: date | None = None) -> analysis.Account:
    """The Interactions tab's :class:`analysis.Account` (window ties) of ``customer`` on
    ``as_of`` (today), kept by the process while what it reads is unchanged: four queries then.
    Its analysis is the one the summary card shows."""
    import dataclasses

    as_of = as_of or date.today()
    key, last = _fingerprint(customer, as_of)
    held = _HELD_ACCOUNTS.get(customer.pk)
    if held is not None and held[0] == key:
        return dataclasses.replace(held[1], customer=customer)
    loaded = _LOADED.get(customer.pk)
    previous = loaded[1] if loaded is not None and _only_log_changed(loaded[0], key) else None
    acc = analysis.account(customer, as_of, all_ties=False, previous=previous)
    _LOADED.pop(customer.pk, None)
    if acc.loaded is not None and len(acc.loaded.log) >= _LOADED_MIN_INTERACTIONS:
        if len(_LOADED) >= _LOADED_MAX:
            _LOADED.pop(next(iter(_LOADED)))
        _LOADED[customer.pk] = (key, acc.loaded)
    acc.loaded = None  # held once, in _LOADED
    card = _HELD.get(customer.pk)
    if card is not None and card[0] == key and card[1] is not None:
        acc.analysis = card[1]  # one figure: what the card already shows
    else:
        _remember(_HELD, customer.pk, (key, acc.analysis, last))
    _remember(_HELD_ACCOUNTS, customer.pk, (key, acc))
    return acc


def badges(customer_ids: list[int]) -> dict[int, list[dict]]:
    """``{customer_id: [{"label", "css", "title"}]}``: bow-tie or diamond, and single-threaded."""
    if not customer_ids:
        return {}
    results = analysis.analyse_many(customer_ids, as_of=date.today())
    # The words, translated once for all the cards (a home shows up to 60).
    label = {rules.TYPE_A: _("Bow-tie"), rules.TYPE_B: _("Diamond")}
    form_label = {form: analysis.form_label(form) for form in (rules.TYPE_A, rules.TYPE_B)}
    index_text = _("diamond index %(p)d %%")
    single_threaded = {
        "label": _("Single-threaded"),
        "css": "single-threaded attitude-opponent",
        "title": analysis.risk_title("single_threaded"),
    }
    out: dict[int, list[dict]] = {}
    for pk, a in results.items():
        form = rules.TYPE_B if a.form == rules.TYPE_B else rules.TYPE_A
        items = [
            {
                "label": label[form],
                "css": "form-B quadrant-strategic"
                if form == rules.TYPE_B
                else "form-A quadrant-star",
                "title": form_label[form]
                + " · "
                + index_text % {"p": rules.diamond_percent(a.diamond_index)},
            }
        ]
        if any(r.kind == "single_threaded" for r in a.risks):
            items.append(dict(single_threaded))
        out[pk] = items
    return out
