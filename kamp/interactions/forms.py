"""Interaction forms (kam-domain.md §7): bow-tie (type A) or diamond (type B), from the log.

Pure code, no Django: data in, result out, so the views, the API, the CLI, the alerts and the
benchmark all call the same rules, and hypothesis can test them directly.

Definitions (the settled ones from §7, the rest written down here so that nothing is opaque):

- the **KAM** is the account's owner; the **purchasing side** is every contact whose function is
  purchasing or whose DMU roles include buyer;
- the **window** is the ``window_days`` days up to and including ``as_of``;
- the **diamond index** is the share of the window's interactions that involve neither the KAM
  nor anybody on the purchasing side (0 with no interaction);
- a **functional pair** is a function (logistics, finance…) in which one of our people and one of
  their contacts — functional counterparts — took part in the same interaction in the window,
  neither of them being the KAM nor on the purchasing side (those two make the bow-tie's knot);
  it is written (our function, their function), e.g. ("logistics", "logistics");
- **type B** (diamond) when at least ``min_pairs`` functional pairs had contact in the window,
  else **type A** (bow-tie);
- the risks: ``single_threaded`` (one contact in ≥ ``single_thread_share`` of the window's
  interactions), ``dmu_gap`` (core DMU roles held by no active contact), ``not_met`` (active
  contacts without an interaction in the last ``not_met_days`` days), ``champion_left`` (a
  champion or decider who left the company in the last year), ``no_interactions`` (nothing
  logged in the window).
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import Counter, defaultdict
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from itertools import chain

TYPE_A = "A"
TYPE_B = "B"

PURCHASING = "purchasing"
BUYER = "buyer"
# The roles of Webster & Wind's buying centre that every mapped DMU should have a name for;
# initiator and champion are welcome but not a gap when missing.
CORE_ROLES = ("buyer", "decider", "user", "influencer", "gatekeeper")
DEPARTURE_MEMORY_DAYS = 365


@dataclass(frozen=True, slots=True)
class Settings:
    window_days: int = 90
    min_pairs: int = 2
    single_thread_share: float = 0.8
    not_met_days: int = 90


@dataclass(frozen=True, slots=True)
class Person:
    """One of our people."""

    id: int
    function: str
    name: str = ""


@dataclass(frozen=True, slots=True)
class Contact:
    """One of the customer's people."""

    id: int
    function: str
    roles: frozenset[str] = frozenset()
    name: str = ""
    active: bool = True
    attitude: str = "neutral"
    left_on: date | None = None

    @property
    def is_purchasing(self) -> bool:
        return self.function == PURCHASING or BUYER in self.roles

    @property
    def is_champion(self) -> bool:
        return self.attitude == "champion" or "champion" in self.roles


@dataclass(frozen=True, slots=True)
class Interaction:
    date: date
    ours: frozenset[int]
    theirs: frozenset[int]
    id: int | None = None


@dataclass(frozen=True, slots=True)
class Risk:
    kind: str
    detail: str
    subjects: tuple[int, ...] = ()  # the contacts concerned, when there are some
    # The inputs of ``detail``, so that the UI can say the same sentence in its own language.
    data: dict = field(default_factory=dict, compare=False, hash=False)

    def as_dict(self) -> dict:
        return {"kind": self.kind, "detail": self.detail}


@dataclass
class Analysis:
    form: str
    diamond_index: float
    functional_pairs: list[tuple[str, str]]
    risks: list[Risk]
    interactions_in_window: int = 0
    kam_purchasing_interactions: int = 0
    top_contact_share: float = 0.0
    top_contact_id: int | None = None
    missing_roles: list[str] = field(default_factory=list)
    window_start: date | None = None
    as_of: date | None = None

    def as_dict(self) -> dict:
        return {
            "form": self.form,
            "diamond_index": round(self.diamond_index, 4),
            "functional_pairs": [list(p) for p in self.functional_pairs],
            "risks": [r.as_dict() for r in self.risks],
        }


def diamond_percent(index: float) -> int:
    """The diamond index as every surface prints it, a whole percent rounded half up (0.625 →
    63): the tab, the summary card, the badges and the account figures (docs/figures.md) read
    the same number, where ``round`` would give 62 on one and 63 on another."""
    scaled = Decimal(str(round(index, 4))) * 100
    return int(scaled.quantize(Decimal(1), ROUND_HALF_UP))


def window_start(as_of: date, days: int) -> date:
    """First day of the window of ``days`` days that ends on ``as_of`` (inclusive)."""
    return as_of - timedelta(days=max(days, 1) - 1)


def in_window(log: Iterable[Interaction], as_of: date, days: int) -> list[Interaction]:
    start = window_start(as_of, days)
    return [i for i in log if start <= i.date <= as_of]


def _pairs(
    window: Sequence[Interaction],
    kam_id: int | None,
    people: dict[int, Person],
    contacts: dict[int, Contact],
) -> list[tuple[str, str]]:
    # Each side's function looked up once, not per interaction (a large account's eight
    # quarterly windows hold tens of thousands of interactions).
    our_function = {pid: p.function for pid, p in people.items() if pid != kam_id}
    their_function = {cid: c.function for cid, c in contacts.items() if not c.is_purchasing}
    found: set[str] = set()
    for i in window:
        ours = {our_function[p] for p in i.ours if p in our_function}
        if ours:
            # Counterparts only: our finance with their CFO's team, not with their CEO.
            found |= ours.intersection(their_function[c] for c in i.theirs if c in their_function)
    return sorted((f, f) for f in found)


def analyse(
    log: Iterable[Interaction],
    *,
    kam_id: int | None,
    people: dict[int, Person],
    contacts: dict[int, Contact],
    as_of: date,
    settings: Settings = Settings(),
) -> Analysis:
    """The form, diamond index, functional pairs and risks of one account on ``as_of``.

    ``log`` may hold interactions outside the window (they are ignored, except to know when
    each contact was last met); ``people`` our people who appear in it; ``contacts`` all the
    customer's contacts (active or not)."""
    log = [i for i in log if i.date <= as_of]
    window = in_window(log, as_of, settings.window_days)
    purchasing = {cid for cid, c in contacts.items() if c.is_purchasing}

    # One pass counts both: the interactions in the bow-tie's knot (the KAM or purchasing took
    # part) and those between the KAM and purchasing.
    knot = kam_purchasing = 0
    for i in window:
        with_kam = kam_id is not None and kam_id in i.ours
        with_purchasing = not i.theirs.isdisjoint(purchasing)
        knot += with_kam or with_purchasing
        kam_purchasing += with_kam and with_purchasing
    diamond_index = (len(window) - knot) / len(window) if window else 0.0
    pairs = _pairs(window, kam_id, people, contacts)
    form = TYPE_B if len(pairs) >= settings.min_pairs else TYPE_A

    risks: list[Risk] = []
    with_contacts = [i for i in window if i.theirs]
    top_id, top_share = None, 0.0
    if with_contacts:
        counts = Counter(chain.from_iterable(i.theirs for i in with_contacts))
        top_id, top_n = max(counts.items(), key=lambda kv: (kv[1], -kv[0]))
        top_share = top_n / len(with_contacts)
        if top_share >= settings.single_thread_share:
            name = contacts[top_id].name if top_id in contacts else str(top_id)
            risks.append(
                Risk(
                    "single_threaded",
                    f"{name} took part in {top_n} of the {len(with_contacts)} interactions "
                    f"of the last {settings.window_days} days ({top_share:.0%}).",
                    (top_id,),
                    {
                        "name": name,
                        "n": top_n,
                        "total": len(with_contacts),
                        "share": top_share,
                        "days": settings.window_days,
                    },
                )
            )
    if not window:
        risks.append(
            Risk(
                "no_interactions",
                f"No interaction logged in the last {settings.window_days} days.",
                data={"days": settings.window_days},
            )
        )

    active = [c for c in contacts.values() if c.active]
    held = {r for c in active for r in c.roles}
    missing = [r for r in CORE_ROLES if r not in held]
    if missing:
        risks.append(
            Risk(
                "dmu_gap",
                "No active contact holds the DMU role(s): " + ", ".join(missing) + ".",
                data={"roles": missing},
            )
        )

    since = as_of - timedelta(days=settings.not_met_days)
    met = set().union(*(i.theirs for i in log if i.date > since))
    not_met = sorted((c for c in active if c.id not in met), key=lambda c: (c.name, c.id))
    if not_met:
        risks.append(
            Risk(
                "not_met",
                f"{len(not_met)} active contact(s) not met in the last {settings.not_met_days} days: "
                + ", ".join(c.name or str(c.id) for c in not_met[:8])
                + ("…" if len(not_met) > 8 else "")
                + ".",
                tuple(c.id for c in not_met),
                {
                    "count": len(not_met),
                    "names": [c.name or str(c.id) for c in not_met],
                    "days": settings.not_met_days,
                },
            )
        )

    memory = as_of - timedelta(days=DEPARTURE_MEMORY_DAYS)
    for c in sorted(contacts.values(), key=lambda c: (c.name, c.id)):
        if c.active or not (c.is_champion or "decider" in c.roles):
            continue
        if c.left_on is not None and not (memory <= c.left_on <= as_of):
            continue
        what = "champion" if c.is_champion else "decider"
        risks.append(
            Risk(
                "champion_left",
                f"{c.name or c.id}, a {what}, left the company"
                + (f" on {c.left_on.isoformat()}." if c.left_on else "."),
                (c.id,),
                {"name": c.name or str(c.id), "what": what, "left_on": c.left_on},
            )
        )

    return Analysis(
        form=form,
        diamond_index=diamond_index,
        functional_pairs=pairs,
        risks=risks,
        interactions_in_window=len(window),
        kam_purchasing_interactions=kam_purchasing,
        top_contact_share=top_share,
        top_contact_id=top_id,
        missing_roles=missing,
        window_start=window_start(as_of, settings.window_days),
        as_of=as_of,
    )


# --- History ---------------------------------------------------------------------------------


def quarter_of(d: date) -> tuple[int, int]:
    return d.year, (d.month - 1) // 3 + 1


def quarter_end(year: int, q: int) -> date:
    month = q * 3
    nxt = date(year + (month == 12), month % 12 + 1, 1)
    return nxt - timedelta(days=1)


def quarters_back(as_of: date, n: int) -> list[tuple[int, int]]:
    """The last ``n`` quarters up to the one holding ``as_of``, oldest first."""
    year, q = quarter_of(as_of)
    out = []
    for _ in range(n):
        out.append((year, q))
        year, q = (year - 1, 4) if q == 1 else (year, q - 1)
    return out[::-1]


@dataclass(frozen=True, slots=True)
class QuarterPoint:
    label: str
    end: date
    form: str
    diamond_index: float
    pairs: int
    interactions: int


def quarter_analyses(
    log: Sequence[Interaction],
    *,
    kam_id: int | None,
    people: dict[int, Person],
    contacts: dict[int, Contact],
    as_of: date,
    quarters: int = 8,
    settings: Settings = Settings(),
    known: dict[str, Analysis] | None = None,
    changed_on: Collection[date] = (),
) -> list[tuple[str, Analysis]]:
    """The analysis at the end of each of the last ``quarters`` quarters (the current one as of
    ``as_of``), oldest first, each with its label ("2026-Q3").

    ``known``: the analyses by label of an earlier call with the same arguments but the log,
    and ``changed_on`` the dates of the interactions added, removed or changed since (old and
    new dates): a quarter whose span holds none of them is taken from ``known``."""
    # Each quarter's analysis reads only what it looks at — its window and the not-met span up
    # to its end — so the log, sorted once, is sliced instead of read whole eight times.
    ordered = sorted(log, key=lambda i: i.date)
    days = [i.date for i in ordered]
    out = []
    for year, q in quarters_back(as_of, quarters):
        end = min(quarter_end(year, q), as_of)
        first = min(
            window_start(end, settings.window_days),
            end - timedelta(days=settings.not_met_days - 1),
        )
        label = f"{year}-Q{q}"
        held = (known or {}).get(label)
        if (
            held is not None
            and held.as_of == end
            and not any(first <= d <= end for d in changed_on)
        ):
            out.append((label, held))
            continue
        seen = ordered[bisect_left(days, first) : bisect_right(days, end)]
        a = analyse(
            seen, kam_id=kam_id, people=people, contacts=contacts, as_of=end, settings=settings
        )
        out.append((label, a))
    return out


def history_points(analyses: Iterable[tuple[str, Analysis]]) -> list[QuarterPoint]:
    """The history chart's points of :func:`quarter_analyses`."""
    return [
        QuarterPoint(
            label,
            a.as_of or date.min,
            a.form,
            a.diamond_index,
            len(a.functional_pairs),
            a.interactions_in_window,
        )
        for label, a in analyses
    ]


def history(
    log: Sequence[Interaction],
    *,
    kam_id: int | None,
    people: dict[int, Person],
    contacts: dict[int, Contact],
    as_of: date,
    quarters: int = 8,
    settings: Settings = Settings(),
) -> list[QuarterPoint]:
    """The form at the end of each of the last ``quarters`` quarters (the current one as of
    ``as_of``), each judged on its own window — how an account moves from A to B."""
    return history_points(
        quarter_analyses(
            log,
            kam_id=kam_id,
            people=people,
            contacts=contacts,
            as_of=as_of,
            quarters=quarters,
            settings=settings,
        )
    )


# --- Network and coverage ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Tie:
    person_id: int
    contact_id: int
    count: int  # interactions in the window
    total: int  # interactions ever
    last: date
    knot: bool  # the KAM ↔ purchasing edge of the bow-tie


def tie_strength(
    count_in_window: int, last: date | None, as_of: date, window_days: int = 90
) -> int:
    """0 none, 1 weak (met, but not in the window), 2 some (1–2 in the window), 3 strong
    (3 or more in the window, the last within a month)."""
    if last is None:
        return 0
    if count_in_window == 0:
        return 1
    if count_in_window >= 3 and (as_of - last).days <= 30:
        return 3
    return 2


def ties(
    log: Iterable[Interaction],
    *,
    kam_id: int | None,
    contacts: dict[int, Contact],
    as_of: date,
    window_days: int = 90,
) -> list[Tie]:
    """Every (our person, their contact) couple who met, with counts in the window and ever."""
    start = window_start(as_of, window_days)
    count: Counter[tuple[int, int]] = Counter()
    total: Counter[tuple[int, int]] = Counter()
    last: dict[tuple[int, int], date] = {}
    for i in log:
        if i.date > as_of:
            continue
        for p in i.ours:
            for c in i.theirs:
                k = (p, c)
                total[k] += 1
                if i.date >= start:
                    count[k] += 1
                if k not in last or i.date > last[k]:
                    last[k] = i.date
    out = []
    for (p, c), n in total.items():
        knot = p == kam_id and c in contacts and contacts[c].is_purchasing
        out.append(Tie(p, c, count[(p, c)], n, last[(p, c)], knot))
    return sorted(out, key=lambda t: (-t.count, -t.total, t.person_id, t.contact_id))


def last_met(log: Iterable[Interaction]) -> dict[int, date]:
    """The last interaction date of each contact."""
    out: dict[int, date] = {}
    for i in log:
        for c in i.theirs:
            if c not in out or i.date > out[c]:
                out[c] = i.date
    return out


def group_by_customer(
    rows: Iterable[tuple[int, int, date, str, int]],
) -> dict[int, list[Interaction]]:
    """Build logs from flat rows ``(customer_id, interaction_id, date, side, person_id)`` with
    side ``"o"`` (ours) or ``"t"`` (theirs) — the shape the bulk query returns."""
    ours: dict[int, set[int]] = defaultdict(set)
    theirs: dict[int, set[int]] = defaultdict(set)
    meta: dict[int, tuple[int, date]] = {}
    for customer_id, iid, d, side, pid in rows:
        meta[iid] = (customer_id, d)
        if pid is None:
            continue
        (ours if side == "o" else theirs)[iid].add(pid)
    logs: dict[int, list[Interaction]] = defaultdict(list)
    for iid, (customer_id, d) in meta.items():
        logs[customer_id].append(Interaction(d, frozenset(ours[iid]), frozenset(theirs[iid]), iid))
    return logs
