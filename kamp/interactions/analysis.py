"""Feeding the pure rules of :mod:`kamp.interactions.forms` from the database, in bulk.

Every function here runs a constant number of queries whatever the number of accounts or
interactions, then hands plain tuples to the pure module: the views, the API, the CLI, the
alerts and the benchmark all go through here.
"""

from __future__ import annotations

import dataclasses
import gc
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta

from django.db import connection
from django.db.models import CharField, QuerySet
from django.db.models.functions import Cast
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kamp.core.formatting import format_percent
from kamp.core.models import User
from kamp.customers.models import Contact, Customer, DMURole

from . import forms as rules
from .models import Interaction, InteractionContact, InteractionPerson, InteractionSettings


@dataclass
class Inputs:
    kam_id: dict[int, int | None]
    names: dict[int, str]
    contacts: dict[int, dict[int, rules.Contact]]
    logs: dict[int, list[rules.Interaction]]
    people: dict[int, rules.Person]


def _customer_filter(customers) -> dict:
    if isinstance(customers, QuerySet):
        return {"customer_id__in": customers.values("pk")}
    return {"customer_id__in": list(customers)}


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector held off while a large log is turned into the rules'
    tuples: the hundreds of thousands of objects made (none of them in a cycle) set it off
    again and again, each pass walking the whole process' heap — measured, two to four times
    the time of the work itself. Left as found when somebody else had paused it."""
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()


def load(customers, since: date | None, until: date) -> Inputs:
    """The analysis inputs of ``customers`` (a queryset or ids), with the interactions dated
    from ``since`` (None: all) to ``until``. Five queries."""
    with _collector_paused():
        return _load(customers, since, until)


def _load(
    customers, since: date | None, until: date, interaction_ids: list[int] | None = None
) -> Inputs:
    if isinstance(customers, QuerySet):
        head = customers.order_by().values_list("pk", "owner_id", "name")
    else:
        head = Customer.objects.filter(pk__in=list(customers)).values_list("pk", "owner_id", "name")
    kam_id, names = {}, {}
    for pk, owner_id, name in head:
        kam_id[pk] = owner_id
        names[pk] = name
    ids = list(kam_id)

    contacts: dict[int, dict[int, rules.Contact]] = {pk: {} for pk in ids}
    for (
        cid,
        customer_id,
        function,
        roles,
        name,
        active,
        attitude,
        left_on,
    ) in Contact.objects.filter(
        customer_id__in=customers.order_by().values_list("pk", flat=True)
        if isinstance(customers, QuerySet)
        else ids
    ).values_list(
        "id", "customer_id", "function", "dmu_roles", "name", "active", "attitude", "left_on"
    ):
        contacts[customer_id][cid] = rules.Contact(
            cid, function, frozenset(roles or ()), name, active, attitude, left_on
        )

    date_filter = {"interaction__date__lte": until}
    if since is not None:
        date_filter["interaction__date__gte"] = since
    scope = customers.order_by().values("pk") if isinstance(customers, QuerySet) else ids
    flt = {"interaction__customer_id__in": scope, **date_filter}
    if interaction_ids is not None:
        flt["interaction_id__in"] = interaction_ids
    # Straight from the cursor into the shape the rules want: on large logs Django's per-value
    # converters and intermediate tuples cost more than the queries (a log has few dates).
    meta: dict[int, tuple[int, date]] = {}
    sides: list[dict[int, list[int]]] = [defaultdict(list), defaultdict(list)]
    dates: dict = {}
    links: tuple[tuple[type[InteractionPerson | InteractionContact], str], ...] = (
        (InteractionPerson, "user_id"),
        (InteractionContact, "contact_id"),
    )
    if interaction_ids is not None and not interaction_ids:
        links = ()  # none to read (``IN ()`` is no query at all for Django)
    for k, (model, column) in enumerate(links):
        # The date as text: SQLite's date converter would parse every row again.
        qs = (
            model.objects.filter(**flt)
            .annotate(day=Cast("interaction__date", output_field=CharField()))
            .values_list("interaction__customer_id", "interaction_id", "day", column)
        )
        sql, params = qs.query.sql_with_params()
        side = sides[k]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            while chunk := cursor.fetchmany(20000):
                for customer_id, iid, d, pid in chunk:
                    side[iid].append(pid)
                    if iid not in meta:
                        day = dates.get(d)
                        if day is None:
                            day = dates[d] = (
                                d if isinstance(d, date) else date.fromisoformat(str(d)[:10])
                            )
                        meta[iid] = (customer_id, day)
    ours, theirs = sides
    logs: dict[int, list[rules.Interaction]] = defaultdict(list)
    empty: tuple = ()
    for iid, (customer_id, day) in meta.items():
        logs[customer_id].append(
            rules.Interaction(
                day, frozenset(ours.get(iid, empty)), frozenset(theirs.get(iid, empty)), iid
            )
        )

    person_ids = {p for ps in ours.values() for p in ps} | {k for k in kam_id.values() if k}
    people = _people(person_ids)
    return Inputs(kam_id, names, contacts, {pk: logs.get(pk, []) for pk in ids}, people)


def _people(person_ids: set[int]) -> dict[int, rules.Person]:
    return {
        pk: rules.Person(pk, function, name or email)
        for pk, function, name, email in User.objects.filter(pk__in=person_ids).values_list(
            "pk", "function", "name", "email"
        )
    }


def analyse_many(
    customers, as_of: date | None = None, settings: rules.Settings | None = None
) -> dict[int, rules.Analysis]:
    """The analysis of every account in ``customers`` on ``as_of`` (today by default)."""
    as_of = as_of or date.today()
    settings = settings or InteractionSettings.load().as_rules()
    span = max(settings.window_days, settings.not_met_days + 1)
    data = load(customers, rules.window_start(as_of, span), as_of)
    return {
        pk: rules.analyse(
            data.logs[pk],
            kam_id=data.kam_id[pk],
            people=data.people,
            contacts=data.contacts[pk],
            as_of=as_of,
            settings=settings,
        )
        for pk in data.kam_id
    }


@dataclass
class Account:
    """Everything the Interactions tab shows about one account."""

    customer: Customer
    as_of: date
    settings: rules.Settings
    analysis: rules.Analysis
    history: list[rules.QuarterPoint]
    ties: list[rules.Tie]
    people: dict[int, rules.Person]
    contacts: dict[int, rules.Contact]
    last_met: dict[int, date]
    #: The full analysis at the end of each quarter of the history (the last one: ``as_of``'s):
    #: what the target's "end of the last period" reads, without loading the log again.
    at_quarter_end: dict[date, rules.Analysis] = dataclasses.field(default_factory=dict)
    #: The log this was computed from, to bring up to date by reading only what changed.
    loaded: Loaded | None = dataclasses.field(default=None, repr=False, compare=False)


@dataclass(frozen=True)
class Loaded:
    """One account's loaded log (interactions dated ``since`` to ``until``) and what tells
    what changed since it was read: every interaction of the span (with participants or not)
    with the time it was last saved. Never changed once made: a refresh makes a new one."""

    customer_id: int
    since: date
    until: date
    log: dict[int, rules.Interaction]
    saved: dict[int, str]  # interaction id → its updated_at, as the database writes it
    #: The dates of the interactions that changed since the previous read (their old and new
    #: dates): the quarters that hold none of them are judged as before.
    changed_on: frozenset[date] = frozenset()
    #: What the quarters were judged with besides the log (KAM, people, contacts, settings),
    #: and their analyses by label.
    basis: tuple = ()
    quarters: dict[str, rules.Analysis] = dataclasses.field(default_factory=dict)


HISTORY_QUARTERS = 8
#: Past this many changed interactions (an import), a refresh reads the whole span again.
REFRESH_MAX = 2000


def account(
    customer: Customer,
    as_of: date | None = None,
    settings: rules.Settings | None = None,
    all_ties: bool = True,
    previous: Loaded | None = None,
) -> Account:
    """``all_ties=False``: the ties of the window only (what the network shows; all of them
    when the window is empty) — much less work on a large log.

    ``previous``: the account's log as loaded for an earlier :class:`Account` of the same day,
    KAM, contacts, people and settings (the caller knows; :mod:`.summary` compares them): only
    the interactions added, edited or deleted since are read (the figures are the same as a full
    read's)."""
    as_of = as_of or date.today()
    settings = settings or InteractionSettings.load().as_rules()
    first_quarter = rules.quarters_back(as_of, HISTORY_QUARTERS)[0]
    quarter_start = date(first_quarter[0], first_quarter[1] * 3 - 2, 1)
    since = quarter_start - timedelta(days=max(settings.window_days, settings.not_met_days) + 1)
    with _collector_paused():
        if previous is not None and (previous.customer_id, previous.since, previous.until) == (
            customer.pk,
            since,
            as_of,
        ):
            loaded, data = _refresh(previous)
        else:
            loaded, data = _read(customer.pk, since, as_of)
        return _account(customer, as_of, settings, since, all_ties, loaded, data)


def _saved(customer_id: int, since: date, until: date) -> dict[int, str]:
    """Every interaction of the span with the time it was last saved, as text (one query, read
    from the ``interaction_fingerprint`` index; no date parsing). Compared with an earlier
    read, it tells exactly which were added, edited (an edit of who took part saves the
    interaction) or deleted — whatever the order in which their transactions committed."""
    qs = (
        Interaction.objects.filter(customer_id=customer_id, date__gte=since, date__lte=until)
        .order_by()
        .annotate(saved=Cast("updated_at", output_field=CharField()))
        .values_list("id", "saved")
    )
    sql, params = qs.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return dict(cursor.fetchall())


def _read(customer_id: int, since: date, until: date) -> tuple[Loaded, Inputs]:
    saved = _saved(customer_id, since, until)
    data = _load([customer_id], since, until)
    log = {i.id: i for i in data.logs[customer_id] if i.id is not None}
    return Loaded(customer_id, since, until, log, saved), data


def _refresh(previous: Loaded) -> tuple[Loaded, Inputs]:
    """``previous`` brought up to date: the interactions added, edited or deleted since it was
    read are read again, the others kept as they were."""
    pk, since, until = previous.customer_id, previous.since, previous.until
    saved = _saved(pk, since, until)
    before = previous.saved
    changed = [iid for iid, stamp in saved.items() if before.get(iid) != stamp]
    if len(changed) > REFRESH_MAX:
        return _read(pk, since, until)
    # The contacts and the KAM read again (a handful of rows), the changed interactions' links.
    data = _load([pk], since, until, interaction_ids=changed)
    kept = previous.log
    log = {
        iid: kept[iid] for iid, stamp in saved.items() if iid in kept and before.get(iid) == stamp
    }
    fresh = {i.id: i for i in data.logs[pk] if i.id is not None}
    log.update(fresh)
    kam = data.kam_id[pk]
    person_ids = {p for i in log.values() for p in i.ours} | ({kam} if kam else set())
    data.people = _people(person_ids)
    data.logs[pk] = list(log.values())
    # Old dates of the interactions edited or deleted, new dates of those read again.
    gone = set(changed) | (before.keys() - saved.keys())
    changed_on = {kept[iid].date for iid in gone if iid in kept} | {i.date for i in fresh.values()}
    return Loaded(
        pk,
        since,
        until,
        log,
        saved,
        frozenset(changed_on),
        previous.basis,
        previous.quarters,
    ), data


def _account(
    customer: Customer,
    as_of: date,
    settings: rules.Settings,
    since: date,
    all_ties: bool,
    loaded: Loaded,
    data: Inputs,
) -> Account:
    log, contacts, kam = data.logs[customer.pk], data.contacts[customer.pk], customer.owner_id
    # The last-met dates: the loaded span's from the log, older ones from one aggregate query
    # over what lies before it (not the whole log again).
    last = _last_met(customer, as_of, before=since)
    last.update(rules.last_met(log))
    basis = (kam, data.people, contacts, settings)
    quarters = rules.quarter_analyses(
        log,
        kam_id=kam,
        people=data.people,
        contacts=contacts,
        as_of=as_of,
        quarters=HISTORY_QUARTERS,
        settings=settings,
        # Refreshed with the same people, contacts and settings: the quarters the changed
        # interactions are not in are as they were.
        known=loaded.quarters if loaded.basis == basis else None,
        changed_on=loaded.changed_on,
    )
    loaded = dataclasses.replace(loaded, basis=basis, quarters=dict(quarters))
    return Account(
        customer=customer,
        as_of=as_of,
        settings=settings,
        # The last quarter's ends on ``as_of``: the analysis of the day.
        analysis=quarters[-1][1],
        history=rules.history_points(quarters),
        at_quarter_end={a.as_of: a for _label, a in quarters if a.as_of},
        ties=_ties(log, kam, contacts, as_of, settings, all_ties),
        people=data.people,
        contacts=contacts,
        last_met=last,
        loaded=loaded,
    )


def _ties(log, kam, contacts, as_of, settings, all_ties: bool) -> list[rules.Tie]:
    if not all_ties:
        window = rules.in_window(log, as_of, settings.window_days)
        if window:
            return rules.ties(
                window, kam_id=kam, contacts=contacts, as_of=as_of, window_days=settings.window_days
            )
    return rules.ties(
        log, kam_id=kam, contacts=contacts, as_of=as_of, window_days=settings.window_days
    )


def _last_met(customer: Customer, as_of: date, before: date | None = None) -> dict[int, date]:
    """The last interaction date of each contact of ``customer`` up to ``as_of`` — with
    ``before``, among the interactions dated before it only."""
    from django.db.models import Max

    dated = {"interaction__date__lte": as_of}
    if before is not None:
        dated["interaction__date__lt"] = before
    return {
        row["contact_id"]: row["last"]
        for row in InteractionContact.objects.filter(interaction__customer=customer, **dated)
        .values("contact_id")
        .annotate(last=Max("interaction__date"))
        .order_by()
    }


# --- Words ------------------------------------------------------------------------------------


def form_label(form: str) -> str:
    return _("Type B · diamond") if form == rules.TYPE_B else _("Type A · bow-tie")


def role_label(role: str) -> str:
    return str(dict(DMURole.choices).get(role, role))


def risk_severity(risk: rules.Risk) -> str:
    return "danger" if risk.kind in ("single_threaded", "champion_left") else "warning"


def risk_title(kind: str) -> str:
    return {
        "single_threaded": _("Single-threaded account"),
        "no_interactions": _("No interactions logged"),
        "dmu_gap": _("DMU roles with no contact"),
        "not_met": _("Contacts not met"),
        "champion_left": _("A champion or decider left"),
    }.get(kind, kind)


def risk_message(risk: rules.Risk) -> str:
    """The risk's sentence in the user's language (the pure module speaks English only)."""
    d = risk.data
    if risk.kind == "single_threaded":
        return _(
            "%(name)s took part in %(n)d of the %(total)d interactions of the last %(days)d "
            "days (%(share)s): if they leave, the relationship goes with them. Bring other "
            "people on both sides into contact."
        ) % {
            "name": d["name"],
            "n": d["n"],
            "total": d["total"],
            "days": d["days"],
            "share": format_percent(d["share"], 0),
        }
    if risk.kind == "no_interactions":
        return _("No interaction logged in the last %(days)d days.") % {"days": d["days"]}
    if risk.kind == "dmu_gap":
        return _(
            "Nobody mapped as: %(roles)s. Find out who plays these roles in the buying decision."
        ) % {"roles": ", ".join(role_label(r) for r in d["roles"])}
    if risk.kind == "not_met":
        names = d["names"]
        shown = ", ".join(names[:8]) + ("…" if len(names) > 8 else "")
        return ngettext(
            "%(count)d active contact not met in the last %(days)d days: %(names)s.",
            "%(count)d active contacts not met in the last %(days)d days: %(names)s.",
            d["count"],
        ) % {"count": d["count"], "days": d["days"], "names": shown}
    if risk.kind == "champion_left":
        what = _("champion") if d["what"] == "champion" else _("decider")
        if d.get("left_on"):
            return _(
                "%(name)s, a %(what)s, left the company on %(date)s. Find who takes their "
                "place and build the tie."
            ) % {
                "name": d["name"],
                "what": what,
                "date": date_format(d["left_on"], "SHORT_DATE_FORMAT"),
            }
        return _(
            "%(name)s, a %(what)s, left the company. Find who takes their place and build the tie."
        ) % {"name": d["name"], "what": what}
    return risk.detail


def form_explanation(a: rules.Analysis, s: rules.Settings) -> str:
    if a.form == rules.TYPE_B:
        return ngettext(
            "%(n)d functional pair besides the KAM and purchasing had contact in the last %(days)d "
            "days (%(min)d needed for a diamond).",
            "%(n)d functional pairs besides the KAM and purchasing had contact in the last "
            "%(days)d days (%(min)d needed for a diamond).",
            len(a.functional_pairs),
        ) % {"n": len(a.functional_pairs), "days": s.window_days, "min": s.min_pairs}
    if not a.functional_pairs:
        return _(
            "No functional pair besides the KAM and purchasing had contact in the last "
            "%(days)d days; a diamond needs %(min)d. Contact runs only through the KAM and "
            "purchasing: efficient, but fragile if either leaves."
        ) % {"days": s.window_days, "min": s.min_pairs}
    return ngettext(
        "Only %(n)d functional pair besides the KAM and purchasing had contact in the last "
        "%(days)d days; a diamond needs %(min)d. Contact runs mainly through the KAM and "
        "purchasing: efficient, but fragile if either leaves.",
        "Only %(n)d functional pairs besides the KAM and purchasing had contact in the last "
        "%(days)d days; a diamond needs %(min)d. Contact runs mainly through the KAM and "
        "purchasing: efficient, but fragile if either leaves.",
        len(a.functional_pairs),
    ) % {"n": len(a.functional_pairs), "days": s.window_days, "min": s.min_pairs}
