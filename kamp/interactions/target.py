"""The target interaction form of an account and the next functional pair to open (kam-domain.md
§7): type A bow-tie, type B diamond, or a mix with named pairs.

Pure code, no Django. The lecture's caution is the rule here: a diamond "needs knowledge and
trust", so kamp **suggests B only when the trust construct of the account's counted survey round
is at least ``trust_for_b``** (5 on the 1–7 scale by default); a mix — a few named pairs where
the trust already is — from one point below; otherwise A (and A with no counted round at all).

Progress toward a target, written down so that nothing is opaque:

- **A**: one step, the bow-tie's knot — the KAM met the purchasing side in the window;
- **B**: ``min_pairs`` functional pairs in the window (or as many as the named ones, if more),
  the named pairs first, any other pair counting toward the rest;
- **mix**: every named pair had contact in the window.

An account **falls back** when it is further from its target now than at the end of the last
period (more steps missing).

The **next pair** to open: a named pair of the target not yet in contact first; then one of the
customer's active contacts outside purchasing whose function one of our account people holds and
whose (function, function) pair had no contact in the window — those holding a core DMU role we
have not met in the window first (decider, influencer, user, gatekeeper, then initiator and
champion), then champions and supporters before the others, then by name.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from .forms import Contact

FORM_A = "A"
FORM_B = "B"
FORM_MIX = "mix"
FORMS = (FORM_A, FORM_B, FORM_MIX)

TRUST_FOR_B = 5.0
MIX_BELOW = 1.0  # a mix is suggested from TRUST_FOR_B − MIX_BELOW

ROLE_ORDER = ("decider", "influencer", "user", "gatekeeper", "initiator", "champion")
ATTITUDE_ORDER = ("champion", "supporter", "neutral", "critic", "opponent")

Pair = tuple[str, str]  # (our function, their function)


@dataclass(frozen=True, slots=True)
class Suggestion:
    form: str
    reason: str  # "no_trust" (no counted round), "trust_low", "trust_some", "trust_high"
    trust: float | None
    threshold: float


def suggest(trust: float | None, threshold: float = TRUST_FOR_B) -> Suggestion:
    """The form kamp suggests for an account whose measured trust is ``trust`` (1–7, None when
    no counted survey round has measured it)."""
    if trust is None:
        return Suggestion(FORM_A, "no_trust", None, threshold)
    if trust >= threshold:
        return Suggestion(FORM_B, "trust_high", trust, threshold)
    if trust >= threshold - MIX_BELOW:
        return Suggestion(FORM_MIX, "trust_some", trust, threshold)
    return Suggestion(FORM_A, "trust_low", trust, threshold)


@dataclass(frozen=True, slots=True)
class Progress:
    form: str
    done: int
    needed: int
    missing: tuple[Pair, ...]  # named pairs without contact in the window

    @property
    def distance(self) -> int:
        return self.needed - self.done

    @property
    def reached(self) -> bool:
        return self.done >= self.needed

    @property
    def share(self) -> float:
        return 1.0 if self.needed == 0 else self.done / self.needed


def clean_pairs(pairs: Iterable[Sequence[str]]) -> tuple[Pair, ...]:
    """The named pairs without blanks or repeats, in their order."""
    out: list[Pair] = []
    for p in pairs:
        ours, theirs = (str(p[0]).strip(), str(p[1]).strip())
        if ours and theirs and (ours, theirs) not in out:
            out.append((ours, theirs))
    return tuple(out)


def progress(
    form: str,
    named: Iterable[Sequence[str]],
    current: Iterable[Pair],
    *,
    knot: bool,
    min_pairs: int = 2,
) -> Progress:
    """How far the account is from its target ``form`` with named pairs ``named``, given the
    functional pairs ``current`` that had contact in the window and whether the KAM met the
    purchasing side (``knot``)."""
    if form not in FORMS:
        raise ValueError(f"Unknown interaction form {form!r}.")
    names = clean_pairs(named)
    now = set(current)
    missing = tuple(p for p in names if p not in now)
    covered = len(names) - len(missing)
    if form == FORM_A:
        return Progress(form, int(knot), 1, ())
    if form == FORM_MIX:
        return Progress(form, covered, max(1, len(names)), missing)
    needed = max(min_pairs, len(names))
    others = len(now - set(names))
    return Progress(form, covered + min(others, needed - len(names)), needed, missing)


def falling_back(now: Progress, before: Progress) -> bool:
    """Further from the same target than at the end of the last period."""
    return now.distance > before.distance


@dataclass(frozen=True, slots=True)
class NextPair:
    ours: str
    theirs: str
    contact_id: int | None
    contact_name: str
    roles: tuple[str, ...]  # the core DMU roles not met that this contact holds
    named: bool  # one of the target's named pairs


def _rank(c: Contact, unmet_roles: frozenset[str]) -> tuple:
    held = [ROLE_ORDER.index(r) for r in c.roles & unmet_roles if r in ROLE_ORDER]
    attitude = ATTITUDE_ORDER.index(c.attitude) if c.attitude in ATTITUDE_ORDER else 2
    return (min(held) if held else len(ROLE_ORDER), attitude, c.name, c.id)


def next_pair(
    *,
    our_functions: Iterable[str],
    contacts: Iterable[Contact],
    current: Iterable[Pair],
    met: Iterable[int],
    named: Iterable[Sequence[str]] = (),
) -> NextPair | None:
    """The next functional pair to open, or None when no contact of ours can open one.

    ``our_functions``: the functions of the KAM and the account team; ``contacts``: the
    customer's people; ``current``: the pairs with contact in the window; ``met``: the contacts
    met in the window; ``named``: the target's named pairs."""
    ours = {f for f in our_functions if f}
    now = set(current)
    seen = set(met)
    people = [c for c in contacts if c.active]
    for o, t in clean_pairs(named):
        if (o, t) in now or o not in ours:
            continue
        who = sorted((c for c in people if c.function == t), key=lambda c: _rank(c, frozenset()))
        first = who[0] if who else None
        return NextPair(
            o,
            t,
            first.id if first else None,
            first.name if first else "",
            (),
            True,
        )
    unmet_roles = frozenset(r for c in people if c.id not in seen for r in c.roles) & frozenset(
        ROLE_ORDER
    )
    candidates = [
        c
        for c in people
        if c.function
        and not c.is_purchasing
        and c.function in ours
        and (c.function, c.function) not in now
    ]
    if not candidates:
        return None
    best = min(candidates, key=lambda c: _rank(c, unmet_roles if c.id not in seen else frozenset()))
    held = tuple(
        r for r in ROLE_ORDER if r in best.roles and best.id not in seen and r in unmet_roles
    )
    return NextPair(best.function, best.function, best.id, best.name, held, False)
