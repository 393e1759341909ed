"""What the programme reads from the other business areas, behind one small adapter per figure.

Each function takes customer ids (and a date) and returns ``{customer_id: value}`` — or ``None``
when the area that owns the data is not installed or cannot answer, so that a tile or a check
says "not available" instead of failing. Every function runs a constant number of queries
whatever the number of customers (they call the areas' own bulk functions:
``kamp.economics.services``, ``kamp.selection.engine``, ``kamp.relationships.results``,
``kamp.interactions.analysis``, ``kamp.plans.health``).
"""

from __future__ import annotations

import contextvars
import functools
import heapq
import logging
from collections import defaultdict
from collections.abc import Hashable, Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from typing import Any

from django.urls import reverse

from kamp.core.lookups import Ids
from kamp.customers.models import Contact, Customer, CustomerStatus

log = logging.getLogger(__name__)

CORE_DMU_ROLES = ("user", "influencer", "buyer", "decider", "gatekeeper")


def degrade(fn):
    """An area missing or failing makes its figure unavailable, never the page."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except ImportError:
            return None
        except Exception:  # noqa: BLE001 - a broken area must not take the dashboard down
            log.exception("programme source %s failed", fn.__name__)
            return None

    return wrapper


def dmu_coverage(ids) -> dict[int, dict]:
    """Share of the five core DMU roles held by at least one active contact (foundation data)."""
    ids = list(ids)
    roles: dict[int, set] = defaultdict(set)
    counts: dict[int, int] = defaultdict(int)
    for cid, dmu in Contact.objects.filter(customer_id__in=ids, active=True).values_list(
        "customer_id", "dmu_roles"
    ):
        counts[cid] += 1
        roles[cid].update(r for r in (dmu or []) if r in CORE_DMU_ROLES)
    return {
        cid: {
            "covered": len(roles[cid]),
            "of": len(CORE_DMU_ROLES),
            "contacts": counts[cid],
            "share": len(roles[cid]) / len(CORE_DMU_ROLES),
        }
        for cid in ids
    }


# --- selection ---------------------------------------------------------------------------------


#: Within :func:`one_reading`, the selection run read so far (one page's readers of it).
_reading: contextvars.ContextVar[dict | None] = contextvars.ContextVar(
    "programme_selection_reading", default=None
)


@contextmanager
def one_reading() -> Iterator[None]:
    """A page that only reads asks for the selection run once, however many of its parts (the
    matrix thumbnail, the checks, the KAM profiles) need it: its fingerprint, aggregates over
    every customer, is not taken again for each, and every part shows the same run."""
    token = _reading.set({})
    try:
        yield
    finally:
        _reading.reset(token)


def _selection_run():
    """The run the matrix shows: above ``INLINE_CUSTOMERS``, right after a change, the previous
    one while the worker prepares the next (never a rescoring of the portfolio in a view)."""
    from kamp.selection import prepared

    memo = _reading.get()
    if memo is not None and "run" in memo:
        return memo["run"]
    run, updating = prepared.current()
    if memo is not None:
        memo["run"], memo["updating"] = run, updating
    return run


def selection_updating() -> bool:
    """Whether the run :func:`_selection_run` gives is the previous one, being updated."""
    from kamp.selection import prepared

    memo = _reading.get()
    if memo is not None and "updating" in memo:
        return memo["updating"]
    return prepared.current()[1]


@degrade
def quadrants(ids) -> dict[int, str] | None:
    run = _selection_run()
    out = {}
    for cid in ids:
        r = run.by_id.get(cid)
        if r is not None and r.complete and r.quadrant:
            out[cid] = r.quadrant
    return out


@degrade
def matrix_points(ids=None) -> list[dict] | None:
    """Every scored customer (or those in ``ids``) on the matrix, key accounts marked."""
    run = _selection_run()
    wanted = None if ids is None else set(ids)
    # The link's pattern reversed once: a reverse() per point cost seconds at 100,000 customers.
    url = reverse("selection:customer_tab", args=[0]).replace("/0/", "/{}/")
    points = []
    for r in run.results:
        if not r.complete or (wanted is not None and r.id not in wanted):
            continue
        info = run.customers.get(r.id)
        points.append(
            _matrix_point(r, bool(info and info.status == CustomerStatus.KEY_ACCOUNT), url)
        )
    return points


def pick_thumbnail(items: list, limit: int, is_key, rank) -> tuple[list, int]:
    """(the items a thumbnail draws, how many it leaves out): all of them up to ``limit``; past
    it every key item, then the best others by ``rank`` (smallest first) up to ``limit``."""
    if len(items) <= limit:
        return items, 0
    keys = [i for i in items if is_key(i)]
    others = heapq.nsmallest(max(0, limit - len(keys)), (i for i in items if not is_key(i)), rank)
    shown = keys + others
    return shown, len(items) - len(shown)


@degrade
def matrix_thumbnail(limit: int) -> tuple[list[dict], int] | None:
    """The dashboard's matrix thumbnail: (the points drawn, how many are left to the full
    matrix) — every key account, then the most attractive and best placed others, at most
    ``limit``. Chosen before the points are made: 100,000 dicts for 300 drawn cost a tenth of
    the dashboard."""
    run = _selection_run()
    url = reverse("selection:customer_tab", args=[0]).replace("/0/", "/{}/")

    def make() -> tuple[list[dict], int]:
        complete = [r for r in run.results if r.complete]
        keys = {c.id for c in run.key_accounts()}
        shown, hidden = pick_thumbnail(
            complete,
            limit,
            lambda r: r.id in keys,
            lambda r: (-(round(r.attractiveness, 2) + round(r.position, 2)), r.name),
        )
        return [_matrix_point(r, r.id in keys, url) for r in shown], hidden

    # The same for every view of this run: kept with it.
    points, hidden = run.kept(("thumbnail", limit, url), make)
    return [dict(p) for p in points], hidden


def _matrix_point(r, key: bool, url: str) -> dict:
    return {
        "id": r.id,
        "name": r.name,
        "attractiveness": round(r.attractiveness, 2),
        "position": round(r.position, 2),
        "quadrant": r.quadrant,
        "key": key,
        "url": url.format(r.id),
    }


@degrade
def key_account_since(ids) -> dict[int, date] | None:
    """When each customer last became a key account (the selection decisions)."""
    from kamp.selection.models import Decision

    out: dict[int, date] = {}
    for cid, on in (
        Decision.objects.filter(customer_id__in=list(ids), kind="make")
        .order_by("decided_on")
        .values_list("customer_id", "decided_on")
    ):
        out[cid] = on
    return out


# --- relationships -------------------------------------------------------------------------------


@degrade
def relationship_types(ids) -> dict[int, str] | None:
    from kamp.relationships import results

    return {cid: a.type for cid, a in results.latest_assessments(ids).items()}


@degrade
def stages(ids) -> dict[int, str] | None:
    """The recorded relationship stage of each account (accounts without one are left out)."""
    from kamp.relationships import results

    return {cid: s.stage for cid, s in results.latest_stages(ids).items()}


@degrade
def rqi_series(ids) -> dict[int, list[tuple[date, float]]] | None:
    from kamp.relationships import results

    out = {}
    for cid, rounds in results.latest_scored_rounds(ids).items():
        pts = [(r.opened_on, float(r.rqi)) for r in reversed(rounds) if r.rqi is not None]
        if pts:
            out[cid] = pts
    return out


@degrade
def perception_gaps(ids) -> dict[int, bool] | None:
    from kamp.relationships import results

    return {
        cid: rounds[0].gap_flagged
        for cid, rounds in results.latest_scored_rounds(ids).items()
        if rounds
    }


@degrade
def survey_constructs(ids) -> dict[int, list[dict]] | None:
    """Per account, each counted survey round's construct scores (the customer's side when it
    answered, else our team's), oldest first: ``[{"when": date, "trust": 5.2, "conflict": 2.1, …}]``."""
    from kamp.relationships import quality, results
    from kamp.relationships.models import Side, SurveyItem, SurveyRound

    # Only counted rounds: an open round's first answers are not yet a measurement.
    rounds = list(
        SurveyRound.objects.filter(customer_id__in=list(ids))
        .filter(results.counted_filter())
        .order_by("opened_on", "id")
    )
    if not rounds:
        return {}
    sheets = results._sheets([r.pk for r in rounds])
    items: dict[int, list] = defaultdict(list)
    for item in SurveyItem.objects.filter(template_id__in={r.template_id for r in rounds}):
        items[item.template_id].append(quality.Item(item.key, item.construct, item.reversed))
    out: dict[int, list[dict]] = defaultdict(list)
    for r in rounds:
        team: list[dict[str, float]] = []
        cust: list[dict[str, float]] = []
        for entry in sheets.get(r.pk, {}).values():
            (team if entry["side"] == Side.TEAM else cust).append(entry["sheet"])
        chosen = cust or team
        if not chosen:
            continue
        scores = quality.with_rqi(quality.construct_scores(items[r.template_id], chosen))
        out[r.customer_id].append({"when": r.opened_on, **{k: float(v) for k, v in scores.items()}})
    return dict(out)


# --- interactions --------------------------------------------------------------------------------


@degrade
def interaction_forms(ids, as_of: date) -> dict[int, dict] | None:
    """Each account's form of relationship (A/B), diamond index and functional pairs. The
    analysis reads every interaction of the window (tens of thousands on a large account), so
    this process keeps each account's last result while its inputs are unchanged: a working
    day's interaction logged on one account recomputes that account, not the programme (what
    they are held under: :func:`_forms_inputs`)."""
    from kamp.interactions import analysis

    ids = sorted(set(ids))
    if not ids:
        return {}
    common, per_account = _forms_inputs(ids, as_of)
    if _FORMS_CACHE.get("common") != common:
        _FORMS_CACHE.clear()
        _FORMS_CACHE["common"] = common
        _FORMS_CACHE["accounts"] = {}
    held: dict[int, tuple] = _FORMS_CACHE["accounts"]
    stale = [cid for cid in ids if cid not in held or held[cid][0] != per_account.get(cid)]
    if stale:
        for cid, a in analysis.analyse_many(stale, as_of).items():
            held[cid] = (
                per_account.get(cid),
                {
                    "form": a.form,
                    "diamond_index": a.diamond_index,
                    "functional_pairs": [list(p) for p in a.functional_pairs],
                },
            )
    return {cid: held[cid][1] for cid in ids if cid in held}


#: ``common``: what every account's analysis reads; ``accounts``: {id: (its inputs, result)}.
_FORMS_CACHE: dict[str, Any] = {}


def _forms_inputs(ids: list[int], as_of: date) -> tuple[tuple, dict[int, tuple]]:
    """What the interaction analysis of ``ids`` reads, summed up: (what every account's reads —
    the date, our people, the settings; each account's own — its interactions, contacts and
    row, by count, largest id and latest edit). Any of them changed gives other figures."""
    from kamp.core.fingerprints import grouped_summaries
    from kamp.core.models import User
    from kamp.customers.models import Contact
    from kamp.interactions.models import Interaction, InteractionSettings

    people = hash(tuple(User.objects.order_by("pk").values_list("pk", "function", "is_active")))
    settings = tuple(InteractionSettings.objects.order_by("pk").values_list())
    wanted = Ids(ids)
    interactions, contacts, rows = grouped_summaries(
        (Interaction.objects.filter(customer_id__any=wanted), "customer_id", ("id", "updated_at")),
        (Contact.objects.filter(customer_id__any=wanted), "customer_id", ("id", "updated_at")),
        (Customer.objects.filter(pk__any=wanted), "id", ("id", "updated_at")),
    )
    return (as_of, people, settings), {
        cid: (interactions.get(cid), contacts.get(cid), rows.get(cid)) for cid in ids
    }


@degrade
def sponsor_meetings(
    ids, sponsors: dict[int, list[int]], as_of: date, days: int = 92
) -> dict[int, int] | None:
    """Per account, how many interactions its executive sponsors took part in (last quarter)."""
    from kamp.interactions.models import InteractionPerson

    wanted = {(cid, uid) for cid, uids in sponsors.items() for uid in uids}
    out: dict[int, int] = defaultdict(int)
    if not wanted:
        return out
    for cid, uid in InteractionPerson.objects.filter(
        interaction__customer_id__in=list(sponsors),
        user_id__in={u for _c, u in wanted},
        interaction__date__gt=as_of - timedelta(days=days),
        interaction__date__lte=as_of,
    ).values_list("interaction__customer_id", "user_id"):
        if (cid, uid) in wanted:
            out[cid] += 1
    return out


@degrade
def functions_engaged(ids, as_of: date, days: int = 365) -> dict[int, list[str]] | None:
    """Per account, our functions that took part in interactions with the customer."""
    from kamp.interactions.models import InteractionPerson

    out: dict[int, set] = defaultdict(set)
    for cid, fn in (
        InteractionPerson.objects.filter(
            interaction__customer_id__any=Ids(ids),
            interaction__date__gt=as_of - timedelta(days=days),
            interaction__date__lte=as_of,
        )
        .values_list("interaction__customer_id", "user__function")
        .distinct()
    ):
        out[cid].add(fn)
    return {cid: sorted(v) for cid, v in out.items()}


# --- economics ---------------------------------------------------------------------------------


@degrade
def profit_after_kam(
    ids, as_of: date, quarters: int = 4
) -> dict[int, list[tuple[str, float]]] | None:
    """Per account, profit after KAM over the last complete quarters: [(period, value)]."""
    import hashlib

    from django.core.cache import cache

    from kamp.economics import services

    ids = sorted(ids)
    if not ids:
        return {}
    # The programme's P&L check on every view of the director's home: a P&L of every key
    # account over four quarters (a tenth of a second at 500 accounts). Kept in this process
    # while nothing it reads has changed (the economics data version, as the stored
    # portfolios); every process checks that version itself.
    digest = hashlib.sha1(",".join(map(str, ids)).encode()).hexdigest()
    key = f"programme:profit_after_kam:{services.data_version()}:{as_of}:{quarters}:{digest}"
    found = cache.get(key)
    if found is not None:
        return found
    periods = services.recent_periods("quarter", quarters, as_of)
    values = services.compute(periods, ids, services.rate_table())
    out: dict[int, list[tuple[str, float]]] = {}
    for (cid, i), v in sorted(values.items(), key=lambda kv: (kv[0][0], kv[0][1])):
        out.setdefault(cid, [(str(p), 0.0) for p in periods])[i] = (
            str(periods[i]),
            float(v.profit_after_kam),
        )
    cache.set(key, out, 3600)
    return out


@degrade
def sales_by_year(ids, as_of: date, years: int = 3) -> dict[int, dict[int, float]] | None:
    """Per account, net revenue of the trailing 12 months (key 0), the 12 before (1)…"""
    from kamp.economics import services
    from kamp.economics.pnl import Period

    ids = list(ids)
    if not ids:
        return {}
    last = Period.trailing(as_of, 12)
    periods = [last.shift(-n) for n in range(years)]
    values = services.compute(periods, ids, services.rate_table())
    out: dict[int, dict[int, float]] = defaultdict(dict)
    for (cid, i), v in values.items():
        out[cid][i] = float(v.net_revenue)
    return dict(out)


@degrade
def share_of_wallet(
    ids, as_of: date, years: int = 3
) -> dict[int, list[tuple[object, float]]] | None:
    """Per account, share of wallet of each trailing 12 months, oldest first (by year ending).
    The latest is the account's headline figure (``kamp.economics.figures``, docs/figures.md),
    at its displayed precision: the benefits page's "latest" reads what the customer page does."""
    from kamp.economics import figures, services
    from kamp.economics.pnl import Period

    ids = list(ids)
    if not ids:
        return {}
    last = Period.trailing(as_of, 12)
    periods = [last.shift(-n) for n in range(years - 1, -1, -1)]
    values = services.compute(periods[:-1], ids, services.rate_table()) if years > 1 else {}
    shares = {key: v.share_of_wallet for key, v in values.items()}
    headline = figures.figures_for(ids, as_of, keys={"share_of_wallet"})
    for cid, row in headline.items():
        shares[(cid, years - 1)] = row["share_of_wallet"].rounded
    out: dict[int, list] = defaultdict(list)
    for (cid, i), share in sorted(shares.items(), key=lambda kv: kv[0]):
        if share is not None:
            out[cid].append((as_of.year - (years - 1 - i), float(share)))
    return dict(out)


@degrade
def whale_curve(ids, as_of: date) -> list[dict] | None:
    """Every customer with money, ranked by profit after KAM over the last 12 months, with the
    cumulative profit (the whale curve), sampled to about 300 points; key accounts marked.
    ``ids`` is ignored: the curve is about the whole portfolio. Read from the ranked portfolio
    the worker keeps (``kamp.economics.portfolio``): a large portfolio is never re-ranked in the
    request; after a change the previous curve shows until the worker has the next one."""
    from kamp.economics import pnl, portfolio

    ranked = portfolio.summary("all", pnl.Period.trailing(as_of, 12), None)
    points = pnl.sample_curve(ranked["sample"], 300)
    if not points:
        return []
    # The curve's keys are the customer ids given to it (typed ``Hashable`` by ``pnl``).
    names: dict[Hashable, str] = dict(
        Customer.objects.filter(pk__in=[p.key for p in points]).values_list("pk", "name")
    )
    return [
        {
            "id": p.key,
            "name": names.get(p.key, ""),
            "profit": float(p.profit),
            "cumulative": float(p.cumulative),
            "url": reverse("economics:customer_tab", args=[p.key]),
        }
        for p in points
    ]


# --- plans -------------------------------------------------------------------------------------


def _plan_health(ids, as_of: date):
    from kamp.plans import health

    current = health.current_plans(ids)
    return current, health.health_for(plan_ids=list(current.values()), today=as_of)


@degrade
def plan_completeness(ids, as_of: date) -> dict[int, dict] | None:
    # The same health_for the figures set (``plan_completeness``) and the plan tab read.
    current, found = _plan_health(list(ids), as_of)
    return {
        cid: {
            "completeness": found[pid].percent / 100,
            "stale": found[pid].stale,
            "last_updated": found[pid].last_updated,
        }
        for cid, pid in current.items()
        if pid in found
    }


@degrade
def stale_plans(ids, as_of: date) -> list[dict] | None:
    """Key accounts whose current plan is stale (no update in 90 days) or who have no plan."""
    ids = list(
        Customer.objects.filter(pk__in=list(ids), status=CustomerStatus.KEY_ACCOUNT)
        .order_by("name")
        .values_list("pk", "name")
    )
    current, found = _plan_health([c for c, _n in ids], as_of)
    out = []
    for cid, name in ids:
        pid = current.get(cid)
        h = found.get(pid) if pid else None
        if h is None or h.stale:
            out.append(
                {
                    "customer_id": cid,
                    "customer": name,
                    "last_updated": h.last_updated if h else None,
                    "url": reverse("plans:customer_tab", args=[cid]),
                }
            )
    return out


@degrade
def overdue_actions(ids, as_of: date, owner=None) -> list[dict] | None:
    """Open plan actions past their due date on these accounts (only ``owner``'s, when given,
    plus the unassigned ones on accounts they own)."""
    from django.db.models import Q

    from kamp.plans.models import OPEN_STATUSES, PlanAction

    qs = PlanAction.objects.filter(
        plan__customer_id__in=list(ids), status__in=OPEN_STATUSES, due__lt=as_of
    )
    if owner is not None:
        qs = qs.filter(Q(owner=owner) | Q(owner__isnull=True, plan__customer__owner=owner))
    return [
        {
            "customer_id": a.plan.customer_id,
            "customer": a.plan.customer.name,
            "title": a.title,
            "due": a.due,
            "owner": str(a.owner or ""),
            "url": reverse("plans:customer_tab", args=[a.plan.customer_id]),
        }
        for a in qs.select_related("plan__customer", "owner").order_by("due")[:200]
    ]


@degrade
def initiatives(ids) -> dict[int, list[dict]] | None:
    """Per account, its co-creation initiatives: ``{"title", "stage", "year", "value"}``."""
    from kamp.plans.models import Initiative

    out: dict[int, list[dict]] = defaultdict(list)
    for cid, title, stage, created, vc, vu in Initiative.objects.filter(
        plan__customer_id__in=list(ids)
    ).values_list(
        "plan__customer_id", "title", "stage", "created_at", "value_for_customer", "value_for_us"
    ):
        out[cid].append(
            {
                "title": title,
                "stage": stage,
                "year": created.year,
                "value": None,
                "described_value": bool(vc or vu),
            }
        )
    return dict(out)
