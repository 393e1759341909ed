"""The account's headline figures — one definition each (docs/figures.md), one function computing
them — for every surface that shows them: the Summary and Economics tabs, the API, ``kamp pnl
--json``, the plan's PDF one-pager and QBR deck, and the Excel export.

Each figure carries its period, so a reader never has to guess whether "share of wallet" is the
last 12 months or the calendar year: a director saw three values for Constructora CS when each
surface picked its own window. Money figures (revenue, margin, profit after KAM, share of wallet)
are left out for a reader who may not see the account's economics: callers pass ``money=False``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kamp.core.formatting import (
    format_date,
    format_month,
    format_number,
    format_percent,
)
from kamp.core.money import format_money

from . import services
from .pnl import Period

# The window every headline figure is computed over: the 12 complete months before the day
# asked about (the running month is left out, so a figure does not move every day it is read).
WINDOW_MONTHS = 12

# (key, label, kind) in the order the surfaces list them; the keys are the anchors of
# docs/figures.md and of the help page.
FIGURES = (
    ("revenue", gettext_lazy("Net revenue"), "money"),
    ("margin", gettext_lazy("Gross margin"), "money"),
    ("profit_after_kam", gettext_lazy("Profit after KAM"), "money"),
    ("share_of_wallet", gettext_lazy("Share of wallet"), "ratio"),
    ("rqi", gettext_lazy("Relationship quality index (RQI)"), "score"),
    ("diamond_index", gettext_lazy("Diamond index"), "percent"),
    ("plan_completeness", gettext_lazy("Plan completeness"), "percent"),
)
# What each figure means, shown on the help page (/help/figures/) and kept word for word in
# docs/figures.md (a test compares them): one place to read a definition, in both languages.
DEFINITIONS = {
    "revenue": gettext_lazy(
        "Net revenue: the sum of the account's sales lines (net of discounts and credit notes), "
        "converted to the company's base currency at each month's rate, over the last 12 "
        "complete months (the running month is left out)."
    ),
    "margin": gettext_lazy(
        "Gross margin: net revenue minus the cost of goods of the same sales lines, over the "
        "last 12 complete months."
    ),
    "profit_after_kam": gettext_lazy(
        "Profit after KAM: gross margin minus the cost to serve the account minus the KAM "
        "investments allocated to it, over the last 12 complete months."
    ),
    "share_of_wallet": gettext_lazy(
        "Share of wallet: net revenue divided by the customer's estimated spend in our category, "
        "over the last 12 complete months; shown with one decimal (24.2 %), and not shown "
        "without an estimate."
    ),
    "rqi": gettext_lazy(
        "RQI: the relationship quality index of the account's latest counted survey round "
        "(closed, with enough answers on each side): the mean of trust, commitment, "
        "satisfaction and 8 minus conflict, on the 1 to 7 scale of the answers, both sides "
        "averaged, with one decimal; an open round never moves it."
    ),
    "diamond_index": gettext_lazy(
        "Diamond index: the share of the account's interactions in the interactions window "
        "(90 days by default, ending on the day asked about) that involve neither the KAM nor "
        "the customer's purchasing, as a whole percent rounded half up; the account has the "
        "diamond form when functional pairs work beside the KAM, else the bow-tie."
    ),
    "plan_completeness": gettext_lazy(
        "Plan completeness: the share of the current account plan's eight sections (business "
        "and goals, objectives, strategy, actions, whitespace, initiatives, risks, reviews) "
        "that hold something useful, as a whole percent; the plan's period is its own (its "
        "year). Whether the plan is carried out is a separate check (execution)."
    ),
}

MONEY_KEYS = frozenset({"revenue", "margin", "profit_after_kam", "share_of_wallet"})
LABELS = {key: label for key, label, _kind in FIGURES}
KINDS = {key: kind for key, _label, kind in FIGURES}
ALL_KEYS = tuple(key for key, _label, _kind in FIGURES)

# How many decimals each kind is shown with: the comparison of two surfaces uses the same.
RATIO_PLACES = 3  # 0.242 → 24,2 %
SCORE_PLACES = 1  # RQI 3.84 → 3,8


@dataclass(frozen=True)
class Figure:
    key: str
    value: Decimal | None
    period: str  # what the reader sees: "last 12 complete months (2025-12 – 2026-11)"
    period_code: str  # the machine form: "2025-12..2026-11" (the JSON's)
    currency: str = ""
    # A survey figure's n: how many of our team and of the customer answered its round.
    answers: tuple[int, int] | None = None

    @property
    def label(self) -> str:
        return str(LABELS[self.key])

    @property
    def kind(self) -> str:
        return KINDS[self.key]

    @property
    def rounded(self) -> Decimal | None:
        """The value at the precision it is displayed with (money to its minor unit already)."""
        if self.value is None:
            return None
        if self.kind == "ratio":
            # Half up, as the ``percent`` filter rounds: the Economics tab's percentage of the
            # same ratio and this figure never differ by a tenth.
            return self.value.quantize(Decimal(1).scaleb(-RATIO_PLACES), ROUND_HALF_UP)
        if self.kind == "score":
            return self.value.quantize(Decimal(1).scaleb(-SCORE_PLACES), ROUND_HALF_UP)
        if self.kind == "percent":
            return self.value.quantize(Decimal("0.01"), ROUND_HALF_UP)
        return self.value

    @property
    def display(self) -> str:
        """The value as every surface prints it in the active language ("—" when unknown)."""
        value = self.rounded
        if value is None:
            return "—"
        if self.kind == "money":
            return format_money(value, self.currency)
        if self.kind == "ratio":
            return format_percent(value, RATIO_PLACES - 2)
        if self.kind == "percent":
            return format_percent(value, 0)
        return format_number(value, SCORE_PLACES)

    def as_json(self) -> dict:
        out: dict[str, object] = {
            "value": None if self.value is None else str(self.rounded),
            "period": self.period_code,
            "currency": self.currency if self.kind == "money" else "",
        }
        if self.answers is not None:
            out["answers"] = {"team": self.answers[0], "customer": self.answers[1]}
        return out


def window(as_of: date) -> Period:
    return Period.trailing(as_of, WINDOW_MONTHS)


def window_label(period: Period) -> str:
    start, end = period.start, date.fromordinal(period.end.toordinal() - 1)
    return _("last 12 complete months (%(start)s – %(end)s)") % {
        "start": format_month(start),
        "end": format_month(end),
    }


def _rqi(customer_ids: list[int]) -> dict[int, tuple[Decimal, date, tuple[int, int]]]:
    """The RQI of each account's latest counted survey round (the relationships area's rule),
    with the day the round opened (the date the Relationship tab names it by) and how many
    answered on each side (our team, the customer); nothing when that area is not installed."""
    try:
        from kamp.relationships import results
    except ImportError:
        return {}
    out: dict[int, tuple[Decimal, date, tuple[int, int]]] = {}
    for cid, rounds in results.latest_scored_rounds(customer_ids).items():
        if rounds and rounds[0].rqi is not None:
            rnd = rounds[0]
            answers = (rnd.team_answered, rnd.customer_answered)
            out[cid] = (Decimal(str(rnd.rqi)), rnd.opened_on, answers)
    return out


def _diamond(customer_ids: list[int], as_of: date) -> dict[int, Figure]:
    """The interactions area's diamond index (its own rule, ``kamp.interactions.forms``) over
    its window; nothing when that area is not installed."""
    try:
        from kamp.interactions import analysis
        from kamp.interactions.forms import diamond_percent, window_start
        from kamp.interactions.models import InteractionSettings
    except ImportError:
        return {}
    settings = InteractionSettings.load().as_rules()
    start = window_start(as_of, settings.window_days)
    period = _("last %(days)d days (%(start)s – %(end)s)") % {
        "days": settings.window_days,
        "start": format_date(start),
        "end": format_date(as_of),
    }
    code = f"{start.isoformat()}..{as_of.isoformat()}"
    return {
        cid: Figure("diamond_index", Decimal(diamond_percent(a.diamond_index)) / 100, period, code)
        for cid, a in analysis.analyse_many(customer_ids, as_of, settings).items()
    }


def _completeness(customer_ids: list[int], as_of: date) -> dict[int, Figure]:
    """Completeness of each account's current plan (the plans area's rule, ``kamp.plans``),
    named with the plan's period; nothing without that area or without a plan."""
    try:
        from kamp.plans import health
    except ImportError:
        return {}
    plans = health.current_plans(customer_ids)
    found = health.health_for(plan_ids=plans.values(), today=as_of, live=False)
    out = {}
    for h in found.values():
        period = _("plan %(period)s") % {"period": h.period}
        value = Decimal(h.percent) / 100
        out[h.customer_id] = Figure("plan_completeness", value, period, h.period)
    return out


def figures_for(
    customer_ids, as_of: date, money_ids=None, keys=ALL_KEYS, known=None
) -> dict[int, dict[str, Figure]]:
    """Every account's figures: ``{customer id: {key: Figure}}``. ``money_ids`` are the accounts
    whose money may be shown (``None``: all of them); the others get only the figures that are
    not money. ``keys`` limits the work to the figures asked for (the plans area asks for the
    live ones only). ``known``: P&Ls of the window (:func:`window`) the caller already holds,
    ``{customer id: AccountPnL}`` (the customer summary's), not computed again. A constant
    number of queries, whatever the number of accounts."""
    ids = list(customer_ids)
    wanted = set(keys)
    allowed = set(ids) if money_ids is None else set(money_ids) & set(ids)
    if not wanted & MONEY_KEYS:
        allowed = set()
    period = window(as_of)
    label, code = window_label(period), str(period)
    known = {cid: v for cid, v in (known or {}).items() if cid in allowed and v.period == period}
    missing = allowed - set(known)
    values = services.portfolio_pnl(period, missing, with_previous=False) if missing else {}
    values.update(known)
    currency = services.base_currency()
    rqis = _rqi(ids) if "rqi" in wanted else {}
    diamonds = _diamond(ids, as_of) if "diamond_index" in wanted and ids else {}
    plans = _completeness(ids, as_of) if "plan_completeness" in wanted and ids else {}
    out: dict[int, dict[str, Figure]] = {}
    for cid in ids:
        row: dict[str, Figure] = {}
        if cid in allowed:
            v = values.get(cid)
            cur = v.currency if v is not None else currency
            row["revenue"] = Figure("revenue", v.net_revenue if v else Decimal(0), label, code, cur)
            row["margin"] = Figure("margin", v.gross_margin if v else Decimal(0), label, code, cur)
            row["profit_after_kam"] = Figure(
                "profit_after_kam", v.profit_after_kam if v else Decimal(0), label, code, cur
            )
            row["share_of_wallet"] = Figure(
                "share_of_wallet", v.share_of_wallet if v else None, label, code
            )
        found = rqis.get(cid)
        if found is None:
            row["rqi"] = Figure("rqi", None, _("latest counted survey round"), "")
        else:
            rqi, opened, answers = found
            # Its n beside it on every surface (the card, the PDF, the deck, the workbook).
            rqi_period = _(
                "survey round of %(date)s (answers: %(team)d ours, %(customer)d the customer's)"
            ) % {"date": format_date(opened), "team": answers[0], "customer": answers[1]}
            row["rqi"] = Figure("rqi", rqi, rqi_period, opened.isoformat(), answers=answers)
        if "diamond_index" in wanted:
            row["diamond_index"] = diamonds.get(cid) or Figure(
                "diamond_index", None, _("interactions window"), ""
            )
        if "plan_completeness" in wanted:
            row["plan_completeness"] = plans.get(cid) or Figure(
                "plan_completeness", None, _("no account plan"), ""
            )
        out[cid] = {k: f for k, f in row.items() if k in wanted}
    return out


def account_figures(
    customer, as_of: date | None = None, money: bool = True, keys=ALL_KEYS, pnl=None
) -> dict[str, Figure]:
    """One account's figures as of ``as_of`` (today by default); without ``money`` only the
    figures that are not money. ``keys``: only these (a card that shows one figure does not
    pay for the interactions analysis or the plan's health). ``pnl``: the account's P&L of the
    window when the caller already holds it."""
    as_of = as_of or date.today()
    known = {customer.pk: pnl} if pnl is not None else None
    return figures_for([customer.pk], as_of, None if money else set(), keys, known)[customer.pk]


def figures_json(figures: dict[str, Figure]) -> dict[str, dict]:
    return {key: f.as_json() for key, f in figures.items()}
