"""Relationship type: dependence × relational orientation (kam-domain.md §3).

Pure: numbers in, a type key out. Views, API, import and CLI all classify through
:func:`classify`, so there is one implementation of the table.

- RO, D_s, D_b are on 1–7.
- Relative power RP = D_b − D_s (positive: the supplier holds more power).
- RO "high" (relational) when RO ≥ ``ro_high`` (4.5); "balanced" when |RP| ≤ ``balance`` (1);
  in balance, mutual dependence when mean(D_s, D_b) ≥ ``mutual`` (4), else independence.
"""

from __future__ import annotations

from dataclasses import dataclass
from statistics import fmean

SCALE_MIN = 1.0
SCALE_MAX = 7.0

RO_HIGH = 4.5
BALANCE = 1.0
MUTUAL = 4.0

VULNERABLE_SUPPLIER = "vulnerable_supplier"
VULNERABLE_BUYER = "vulnerable_buyer"
INVITING_BUYER = "inviting_buyer"
INVITING_SUPPLIER = "inviting_supplier"
COMPETITIVE_INTERACTION = "competitive_interaction"
COLLABORATIVE_PARTNERSHIP = "collaborative_partnership"
INDEPENDENT = "independent"

TYPES = [
    VULNERABLE_SUPPLIER,
    VULNERABLE_BUYER,
    INVITING_BUYER,
    INVITING_SUPPLIER,
    COMPETITIVE_INTERACTION,
    COLLABORATIVE_PARTNERSHIP,
    INDEPENDENT,
]

# Digits kept before comparing with a threshold: 5.1 − 4.1 must count as exactly 1.
_PRECISION = 9


@dataclass(frozen=True)
class Classification:
    ro: float
    ds: float
    db: float
    relative_power: float
    mean_dependence: float
    relational: bool
    power: str  # "buyer" | "supplier" | "balanced"
    type: str


def _check(name: str, value: float) -> float:
    value = float(value)
    if not (SCALE_MIN <= value <= SCALE_MAX):
        raise ValueError(f"{name} must be between {SCALE_MIN:g} and {SCALE_MAX:g}, not {value!r}")
    return value


def relative_power(ds: float, db: float) -> float:
    """RP = D_b − D_s: positive when the customer depends on us more than we on it."""
    return round(float(db) - float(ds), _PRECISION)


def classify(
    ro: float,
    ds: float,
    db: float,
    *,
    ro_high: float = RO_HIGH,
    balance: float = BALANCE,
    mutual: float = MUTUAL,
) -> Classification:
    """The §3 classification of one relationship. Raises ValueError outside 1–7."""
    ro, ds, db = _check("RO", ro), _check("D_s", ds), _check("D_b", db)
    rp = relative_power(ds, db)
    mean_dep = round((ds + db) / 2, _PRECISION)
    relational = round(ro, _PRECISION) >= ro_high
    if rp < -balance:
        power = "buyer"
        kind = INVITING_BUYER if relational else VULNERABLE_SUPPLIER
    elif rp > balance:
        power = "supplier"
        kind = INVITING_SUPPLIER if relational else VULNERABLE_BUYER
    else:
        power = "balanced"
        if mean_dep >= mutual:
            kind = COLLABORATIVE_PARTNERSHIP if relational else COMPETITIVE_INTERACTION
        else:
            kind = INDEPENDENT
    return Classification(ro, ds, db, rp, mean_dep, relational, power, kind)


def dependence(items: list[float | None]) -> float | None:
    """A dependence score (D_s or D_b): the mean of the items scored (1–7), None if none are."""
    scored = [float(v) for v in items if v is not None]
    return round(fmean(scored), 2) if scored else None


def share_hint(
    share: float | None, bands: tuple[float, ...] = (0.01, 0.02, 0.05, 0.10, 0.20, 0.35)
) -> int | None:
    """A 1–7 suggestion for a 'share' item (the customer's share of our sales, or our share of
    its category spend) from the fraction observed in the data: below the first band → 1,
    at or above the last → 7."""
    if share is None:
        return None
    score = 1
    for edge in bands:
        if share >= edge:
            score += 1
    return score


def wallet_hint(share_of_wallet: float | None) -> int | None:
    """Our share of the customer's category spend (0–1) mapped linearly onto 1–7."""
    if share_of_wallet is None:
        return None
    share = min(max(float(share_of_wallet), 0.0), 1.0)
    return int(round(SCALE_MIN + share * (SCALE_MAX - SCALE_MIN)))
