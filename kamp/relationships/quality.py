"""Relationship quality: construct scores, the RQI, the perception gap and Cronbach's alpha
(kam-domain.md §4). Pure: answers in, numbers out.

An *answer sheet* is one respondent's answers: ``{item_key: value}`` with values 1–7 (an item
left out means "can't say"). An *item* is ``Item(key, construct, reversed)``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from statistics import fmean, variance

LOW, HIGH = 1, 7

TRUST = "trust"
COMMITMENT = "commitment"
SATISFACTION = "satisfaction"
CONFLICT = "conflict"
SHARED_VALUES = "shared_values"
INFORMATION_SHARING = "information_sharing"
COOPERATION = "cooperation"
CLOSENESS = "closeness"

QUALITY_CONSTRUCTS = [TRUST, COMMITMENT, SATISFACTION, CONFLICT]
ENABLER_CONSTRUCTS = [SHARED_VALUES, INFORMATION_SHARING, COOPERATION, CLOSENESS]
CONSTRUCTS = QUALITY_CONSTRUCTS + ENABLER_CONSTRUCTS

GAP_THRESHOLD = 1.0  # a perception gap "above 1 point" is flagged [default]
ALPHA_MIN_RESPONSES = 5  # complete answer sheets needed before alpha is shown [default]
IDENTIFYING_BELOW = 3  # a side with fewer respondents can be recognised
# A round's figures count toward the account's RQI, trend and stage only with this many answers
# on each side: below it, one person's mood moves the index by more than a real change would.
MIN_TEAM_ANSWERS = 3  # [default] our team
MIN_CUSTOMER_ANSWERS = 2  # [default] the customer's contacts

# A round's standing: counted, still open (provisional), or closed with too few answers.
COUNTED = "counted"
PROVISIONAL = "provisional"
TOO_FEW = "too_few"


@dataclass(frozen=True)
class Item:
    key: str
    construct: str
    reversed: bool = False


def reverse(value: float, low: int = LOW, high: int = HIGH) -> float:
    """Reverse-code a Likert answer: on 1–7, 1 ↔ 7, 2 ↔ 6, 4 stays 4."""
    return low + high - value


def coded(item: Item, value: float) -> float:
    return reverse(value) if item.reversed else float(value)


def _valid(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and LOW <= value <= HIGH


def respondent_scores(items: Sequence[Item], sheet: Mapping[str, float]) -> dict[str, float]:
    """One respondent's construct scores: the mean of the construct's answered items after
    reverse-coding. Constructs with no answered item are left out."""
    found: dict[str, list[float]] = defaultdict(list)
    for item in items:
        value = sheet.get(item.key)
        if value is None:
            continue
        if not _valid(value):
            raise ValueError(f"answer to {item.key} must be {LOW}–{HIGH}, not {value!r}")
        found[item.construct].append(coded(item, value))
    return {c: fmean(v) for c, v in found.items()}


def construct_scores(
    items: Sequence[Item], sheets: Iterable[Mapping[str, float]]
) -> dict[str, float]:
    """A side's construct scores: the mean over its respondents of each one's construct score."""
    per_construct: dict[str, list[float]] = defaultdict(list)
    for sheet in sheets:
        for construct, score in respondent_scores(items, sheet).items():
            per_construct[construct].append(score)
    return {c: round(fmean(v), 4) for c, v in per_construct.items()}


def rqi(scores: Mapping[str, float]) -> float | None:
    """Relationship quality index = mean(trust, commitment, satisfaction, 8 − conflict); None
    unless all four are measured."""
    try:
        parts = [scores[TRUST], scores[COMMITMENT], scores[SATISFACTION], reverse(scores[CONFLICT])]
    except KeyError:
        return None
    return round(fmean(parts), 4)


def with_rqi(scores: Mapping[str, float]) -> dict[str, float]:
    out = dict(scores)
    index = rqi(scores)
    if index is not None:
        out["rqi"] = index
    return out


@dataclass(frozen=True)
class Gap:
    key: str  # a construct or "rqi"
    ours: float | None
    theirs: float | None
    gap: float | None  # ours − theirs (positive: we see it rosier than the customer)
    flagged: bool


def gaps(
    ours: Mapping[str, float], theirs: Mapping[str, float], threshold: float = GAP_THRESHOLD
) -> list[Gap]:
    """Both sides side by side, with the perception gap flagged when |gap| > threshold.
    For conflict a higher score is worse; the gap is still ours − theirs."""
    keys = [k for k in [*CONSTRUCTS, "rqi"] if k in ours or k in theirs]
    out = []
    for key in keys:
        a, b = ours.get(key), theirs.get(key)
        g = None if a is None or b is None else round(a - b, 4)
        out.append(Gap(key, a, b, g, g is not None and abs(g) > threshold + 1e-9))
    return out


def cronbach_alpha(rows: Sequence[Sequence[float]]) -> float | None:
    """Cronbach's alpha for complete answer rows (one per respondent, one column per item, already
    reverse-coded): k/(k−1) · (1 − Σ var(item) / var(total)), sample variances. None when it is not
    defined (fewer than 2 items or 2 rows, or no variance in the totals)."""
    if len(rows) < 2:
        return None
    k = len(rows[0])
    if k < 2 or any(len(r) != k for r in rows):
        return None
    item_var = sum(variance([r[i] for r in rows]) for i in range(k))
    total_var = variance([sum(r) for r in rows])
    if total_var == 0:
        return None
    return round(k / (k - 1) * (1 - item_var / total_var), 4)


def round_standing(
    closed: bool,
    team_answers: int,
    customer_answers: int,
    min_team: int = MIN_TEAM_ANSWERS,
    min_customer: int = MIN_CUSTOMER_ANSWERS,
) -> str:
    """Whether a round's results count: only once it is closed (an open round's figures move
    with every answer) and with at least ``min_team`` / ``min_customer`` answers per side."""
    if not closed:
        return PROVISIONAL
    if team_answers < min_team or customer_answers < min_customer:
        return TOO_FEW
    return COUNTED


def complete_sheets(
    items: Sequence[Item], sheets: Iterable[Mapping[str, float]], construct: str
) -> int:
    """How many answer sheets answer every item of ``construct`` (what alpha is computed on)."""
    mine = [i for i in items if i.construct == construct]
    if not mine:
        return 0
    return sum(1 for sheet in sheets if all(sheet.get(i.key) is not None for i in mine))


def construct_alpha(
    items: Sequence[Item],
    sheets: Iterable[Mapping[str, float]],
    construct: str,
    min_responses: int = ALPHA_MIN_RESPONSES,
) -> float | None:
    """Alpha of one construct over the answer sheets that answer all its items; None when fewer
    than ``min_responses`` sheets do."""
    mine = [i for i in items if i.construct == construct]
    rows = []
    for sheet in sheets:
        if all(sheet.get(i.key) is not None for i in mine):
            rows.append([coded(i, sheet[i.key]) for i in mine])
    if len(rows) < min_responses:
        return None
    return cronbach_alpha(rows)


def identifying(respondent_count: int) -> bool:
    """Fewer than three people on a side: their answers can be told apart."""
    return 0 < respondent_count < IDENTIFYING_BELOW
