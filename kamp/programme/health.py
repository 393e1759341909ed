"""Programme health: the four challenges of KAM (kam-domain.md §9) as measured checks.

Pure module (no Django): each check takes plain per-account data and returns a
:class:`CheckResult` with a status, its figures, a trend and the accounts behind it. The views,
the API and ``kamp programme --json`` call these same functions.

Statuses: ``ok``, ``warning``, ``danger``, or ``unknown`` when the data are not available.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from statistics import mean

OK, WARNING, DANGER, UNKNOWN = "ok", "warning", "danger", "unknown"
UP, DOWN, FLAT = "up", "down", "flat"

# Thresholds [defaults]: a share at or above OK_SHARE is healthy, below WARN_SHARE is a danger.
OK_SHARE = 0.8
WARN_SHARE = 0.5
MIN_FUNCTIONS = 3  # a team "staffed across functions": the KAM plus members from 2+ others
RQI_TREND_EPSILON = 0.1
PROFIT_DROP = 0.10  # a fall of the programme P&L by more than this share needs attention


@dataclass
class CheckResult:
    key: str
    status: str
    figures: dict = field(default_factory=dict)
    trend: str | None = None
    accounts: list[int] = field(default_factory=list)  # the accounts that need attention
    parts: dict = field(default_factory=dict)  # sub-measure -> status ("unknown" when missing)

    def as_dict(self) -> dict:
        return asdict(self)


def growth_rate(this: float | None, previous: float | None) -> float | None:
    """(this − previous) / |previous|; None when there is no base to compare with."""
    if this is None or previous is None or previous == 0:
        return None
    return (this - previous) / abs(previous)


def share_status(share: float | None, ok: float = OK_SHARE, warn: float = WARN_SHARE) -> str:
    if share is None:
        return UNKNOWN
    if share >= ok:
        return OK
    if share >= warn:
        return WARNING
    return DANGER


def trend_of(current: float | None, previous: float | None, epsilon: float = 0.0) -> str | None:
    if current is None or previous is None:
        return None
    if current > previous + epsilon:
        return UP
    if current < previous - epsilon:
        return DOWN
    return FLAT


def worst(statuses: Sequence[str]) -> str:
    known = [s for s in statuses if s != UNKNOWN]
    if not known:
        return UNKNOWN
    for s in (DANGER, WARNING):
        if s in known:
            return s
    return OK


def _share(n: int, d: int) -> float | None:
    return n / d if d else None


# --- (1) Profitability ---------------------------------------------------------------------


def profitability(
    key_accounts: Sequence[int], profit_after_kam: Mapping[int, Sequence[tuple[str, float]]] | None
) -> CheckResult:
    """Key accounts profitable after KAM in their latest period, and the programme P&L (sum of
    profit after KAM over key accounts) in the latest period against the one before.

    ``profit_after_kam``: per account, (period label, profit after KAM) oldest first; labels
    sort in time order (e.g. "2025", "2026-Q1")."""
    if profit_after_kam is None:
        return CheckResult("profitability", UNKNOWN)
    with_data = [cid for cid in key_accounts if profit_after_kam.get(cid)]
    losing = [cid for cid in with_data if profit_after_kam[cid][-1][1] < 0]
    periods = sorted({p for cid in with_data for p, _ in profit_after_kam[cid]})
    totals = dict.fromkeys(periods, 0.0)
    for cid in with_data:
        for p, v in profit_after_kam[cid]:
            totals[p] += v
    current = totals[periods[-1]] if periods else None
    previous = totals[periods[-2]] if len(periods) > 1 else None
    share = _share(len(with_data) - len(losing), len(with_data))
    status = share_status(share)
    if current is not None and current < 0:
        status = DANGER
    elif (
        current is not None
        and previous is not None
        and previous > 0
        and current < previous * (1 - PROFIT_DROP)
    ):
        # A programme whose profit falls sharply needs attention even if each account pays.
        status = worst([status, WARNING])
    return CheckResult(
        "profitability",
        status,
        figures={
            "accounts_with_data": len(with_data),
            "profitable": len(with_data) - len(losing),
            "share_profitable": share,
            "programme_profit": current,
            "programme_profit_previous": previous,
            "period": periods[-1] if periods else None,
            "series": [[p, totals[p]] for p in periods],
        },
        trend=trend_of(current, previous),
        accounts=losing,
        parts={"profitable_accounts": status},
    )


# --- (2) The right KAMs ------------------------------------------------------------------------


def right_kams(kams: Sequence[Mapping], max_accounts: int = 4) -> CheckResult:
    """Each KAM: ``{"id", "accounts": [customer ids], "gap_total", "salesperson_only",
    "assessed", "turnover_accounts": [customer ids]}``. Healthy: every KAM within the workload,
    assessed, with no fit gap and more than the salesperson hat; no key account whose KAM
    changed twice in two years."""
    if not kams:
        return CheckResult("right_kams", UNKNOWN, figures={"kams": 0})
    overloaded = [k for k in kams if len(k["accounts"]) > max_accounts]
    assessed = [k for k in kams if k.get("assessed")]
    gaps = [k for k in assessed if k.get("gap_total", 0) > 0]
    sp_only = [k for k in assessed if k.get("salesperson_only")]
    turnover = sorted({cid for k in kams for cid in k.get("turnover_accounts", [])})
    fit = [k for k in assessed if k.get("gap_total", 0) == 0 and not k.get("salesperson_only")]
    total_accounts = sum(len(k["accounts"]) for k in kams)
    parts = {
        "workload": OK if not overloaded else (WARNING if len(overloaded) == 1 else DANGER),
        "fit": share_status(_share(len(fit), len(assessed))) if assessed else UNKNOWN,
        "turnover": OK if not turnover else (WARNING if len(turnover) == 1 else DANGER),
    }
    flagged_accounts = set(turnover)
    for k in overloaded + gaps + sp_only:
        flagged_accounts.update(k["accounts"])
    return CheckResult(
        "right_kams",
        worst(list(parts.values())),
        figures={
            "kams": len(kams),
            "assessed": len(assessed),
            "overloaded": [k["id"] for k in overloaded],
            "with_fit_gap": [k["id"] for k in gaps],
            "salesperson_only": [k["id"] for k in sp_only],
            "share_fit": _share(len(fit), len(assessed)),
            "accounts_per_kam": round(total_accounts / len(kams), 2),
            "turnover_accounts": turnover,
            "max_accounts": max_accounts,
        },
        accounts=sorted(flagged_accounts),
        parts=parts,
    )


# --- (3) Internal support and a customer-centred culture ---------------------------------------


def internal_support(
    accounts: Mapping[int, Mapping], previous_sponsor_met: int | None = None
) -> CheckResult:
    """Each key account: ``{"sponsor": bool, "sponsor_met": bool | None (None: interactions not
    available), "functions": int (distinct functions on the team, KAM included),
    "functions_engaged": int | None (functions of ours in contact with the customer, from the
    interaction log)}``. ``previous_sponsor_met``: how many sponsors met their customer in the
    quarter before, for the trend."""
    if not accounts:
        return CheckResult("internal_support", UNKNOWN, figures={"accounts": 0})
    n = len(accounts)
    with_sponsor = [c for c, a in accounts.items() if a.get("sponsor")]
    met_known = all(a.get("sponsor_met") is not None for a in accounts.values())
    sponsor_met = [c for c, a in accounts.items() if a.get("sponsor") and a.get("sponsor_met")]
    staffed = [c for c, a in accounts.items() if a.get("functions", 0) >= MIN_FUNCTIONS]
    engaged_known = all(a.get("functions_engaged") is not None for a in accounts.values())
    engaged = [c for c, a in accounts.items() if (a.get("functions_engaged") or 0) >= 2]
    sponsor_share = _share(len(sponsor_met) if met_known else len(with_sponsor), n)
    parts = {
        "sponsor": share_status(sponsor_share),
        "staffed": share_status(_share(len(staffed), n)),
        "engaged": share_status(_share(len(engaged), n)) if engaged_known else UNKNOWN,
    }
    behind = set(accounts) - (set(sponsor_met) if met_known else set(with_sponsor))
    behind |= set(accounts) - set(staffed)
    if engaged_known:
        behind |= set(accounts) - set(engaged)
    return CheckResult(
        "internal_support",
        worst(list(parts.values())),
        figures={
            "accounts": n,
            "with_sponsor": len(with_sponsor),
            "sponsor_met_last_quarter": len(sponsor_met) if met_known else None,
            "staffed_across_functions": len(staffed),
            "functions_engaged": len(engaged) if engaged_known else None,
            "min_functions": MIN_FUNCTIONS,
            "sponsor_met_previous_quarter": previous_sponsor_met if met_known else None,
        },
        trend=trend_of(len(sponsor_met), previous_sponsor_met) if met_known else None,
        accounts=sorted(behind),
        parts=parts,
    )


# --- (4) Trust and long-term relationships --------------------------------------------------


def trust(
    key_accounts: Sequence[int],
    rqi: Mapping[int, Sequence[tuple[object, float]]] | None,
    types: Mapping[int, str] | None,
    perception_gaps: Mapping[int, bool] | None,
) -> CheckResult:
    """RQI trend (mean of each account's latest vs its previous measurement), share of key
    accounts in collaborative partnership, and accounts with a perception gap."""
    if rqi is None and types is None and perception_gaps is None:
        return CheckResult("trust", UNKNOWN)
    parts: dict[str, str] = {}
    figures: dict = {"accounts": len(key_accounts)}
    behind: set[int] = set()
    trend = None
    if rqi is not None:
        latest = [rqi[c][-1][1] for c in key_accounts if rqi.get(c)]
        prev = [rqi[c][-2][1] for c in key_accounts if rqi.get(c) and len(rqi[c]) > 1]
        falling = [
            c
            for c in key_accounts
            if rqi.get(c) and len(rqi[c]) > 1 and rqi[c][-1][1] < rqi[c][-2][1] - RQI_TREND_EPSILON
        ]
        cur = mean(latest) if latest else None
        before = mean(prev) if prev else None
        trend = trend_of(cur, before, RQI_TREND_EPSILON)
        figures.update(
            {
                "rqi": cur,
                "rqi_previous": before,
                "rqi_measured": len(latest),
                "rqi_falling": falling,
            }
        )
        behind.update(falling)
        parts["rqi"] = (
            UNKNOWN
            if cur is None
            else DANGER
            if trend == DOWN and len(falling) > 1
            else WARNING
            if falling
            else OK
        )
    else:
        parts["rqi"] = UNKNOWN
    if types is not None:
        typed = [c for c in key_accounts if types.get(c)]
        partners = [c for c in typed if types[c] == "collaborative_partnership"]
        share = _share(len(partners), len(typed))
        figures.update(
            {
                "typed": len(typed),
                "collaborative_partnership": len(partners),
                "share_partnership": share,
            }
        )
        # Partnership is the aim, not a requirement of every account: warn only below a quarter.
        parts["partnership"] = share_status(share, ok=0.5, warn=0.25)
    else:
        parts["partnership"] = UNKNOWN
    if perception_gaps is not None:
        measured = [c for c in key_accounts if c in perception_gaps]
        gaps = [c for c in measured if perception_gaps[c]]
        figures["perception_gaps"] = gaps
        figures["perception_measured"] = len(measured)
        behind.update(gaps)
        if not measured:
            parts["perception_gap"] = UNKNOWN  # no survey answered by both sides yet
        else:
            parts["perception_gap"] = OK if not gaps else (WARNING if len(gaps) <= 1 else DANGER)
    else:
        parts["perception_gap"] = UNKNOWN
    return CheckResult(
        "trust",
        worst(list(parts.values())),
        figures=figures,
        trend=trend,
        accounts=sorted(behind),
        parts=parts,
    )
