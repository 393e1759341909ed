"""What the plan exports show, gathered once for the PDF one-pager and the QBR deck, with the
money rule applied: economics (P&L, whitespace revenue, financial objectives) only for people
who may see them (``can_see_economics``)."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import F
from django.utils import timezone

from kamp.customers.access import can_see_economics
from kamp.plans import live
from kamp.plans.health import PlanHealth, health_for
from kamp.plans.models import OPEN_STATUSES, AccountPlan, InitiativeStage

log = logging.getLogger(__name__)

PNL_LINES = (
    "net_revenue",
    "cost_of_goods",
    "gross_margin",
    "cost_to_serve",
    "contribution",
    "kam_investments",
    "profit_after_kam",
)


@dataclass
class Economics:
    """The account's P&L for the plan's period and the periods before it, when the economics
    area is installed and the reader may see money."""

    available: bool
    currency: str = ""
    period: str = ""
    current: dict[str, Decimal] = field(default_factory=dict)
    previous: dict[str, Decimal] = field(default_factory=dict)
    previous_period: str = ""
    series: list[tuple[str, Decimal, Decimal]] = field(
        default_factory=list
    )  # period, revenue, profit
    share_of_wallet: Decimal | None = None
    note: str = ""


def _economics_period(plan: AccountPlan) -> str:
    """The P&L period matching the plan: the plan's own period when economics understands it
    (2026, 2026-Q3), else its year."""
    return plan.period if len(plan.period) in (4, 7) else plan.period[:4]


def economics_for(plan: AccountPlan) -> Economics:
    """The P&L through ``kamp.economics.services`` (docs/economics.md); without that area, or
    if it fails, an unavailable result with a note instead of an error."""
    try:
        from kamp.economics.services import account_pnl, pnl_series, recent_periods
    except ImportError:
        return Economics(available=False, note="missing")
    try:
        period = _economics_period(plan)
        try:
            value = account_pnl(plan.customer, period)
        except ValueError:
            period = plan.period[:4]
            value = account_pnl(plan.customer, period)
        result = Economics(available=True, currency=value.currency, period=str(period))
        result.current = {line: getattr(value, line) for line in PNL_LINES}
        previous = getattr(value, "previous", None)
        if previous is not None:
            result.previous = {line: getattr(previous, line) for line in PNL_LINES}
            result.previous_period = str(getattr(previous, "period", ""))
        result.share_of_wallet = getattr(value, "share_of_wallet", None)
        series = pnl_series(plan.customer, recent_periods("quarter", 8, complete=False))
        result.series = [(str(v.period), v.net_revenue, v.profit_after_kam) for v in series]
        return result
    except Exception:  # the deck must still be made without the P&L
        log.exception("P&L for the plan export failed")
        return Economics(available=False, note="error")


@dataclass
class PlanReport:
    plan: AccountPlan
    customer: Any
    health: PlanHealth
    sees_money: bool
    objectives: list
    open_actions: list
    overdue: int
    initiatives: list
    risks: list
    whitespace: list
    last_review: Any
    team: list
    economics: Economics | None
    generated: Any
    stage_counts: dict
    # The account's headline figures (docs/figures.md), each with its period: the same values
    # as the customer page and the API, whatever the plan's own period.
    figures: dict = field(default_factory=dict)
    # internal | customer (kamp.reports.editions): the customer edition holds no money, no
    # internal notes, risks, whitespace or review minutes, and only the shared actions.
    edition: str = "internal"
    # The plan's foundations (kam-domain.md §4): the customer's journey stages and the buying
    # steps with who decides at each (names from the DMU map); a step's note is internal.
    journey: list = field(default_factory=list)
    buying: list[dict] = field(default_factory=list)

    @property
    def customer_edition(self) -> bool:
        return self.edition == "customer"

    @property
    def whitespace_by_unit(self) -> list[tuple[str, list]]:
        """The grid folded into one line per buying unit (the cells that are not "no fit")."""
        units: dict[str, list] = {}
        for cell in self.whitespace:
            if cell.status != "no_fit":
                units.setdefault(cell.buying_unit, []).append(cell)
        return sorted(units.items())

    @property
    def whitespace_totals(self) -> dict | None:
        if not self.sees_money or not self.whitespace:
            return None
        # The current revenue from the sales lines, as the plan tab shows it (docs/figures.md).
        return live.whitespace_totals(self.whitespace, self.customer)


def gather(
    user, plan: AccountPlan, *, max_actions: int = 8, edition: str = "internal"
) -> PlanReport:
    customer = plan.customer
    shared = edition == "customer"
    money = can_see_economics(user, customer) and not shared
    today = timezone.localdate()
    objectives = live.bind(plan.objectives.all(), customer, money)
    if shared:
        objectives = [o for o in objectives if not o.is_financial]
    if not money:
        for o in objectives:
            if o.is_financial:
                o.target = o.current = None
                o.hidden_money = True
    actions = plan.actions.filter(shared_with_customer=True) if shared else plan.actions
    open_actions = list(
        actions.filter(status__in=OPEN_STATUSES)
        .select_related("owner")
        .order_by(F("due").asc(nulls_last=True), "id")
    )
    initiatives = list(
        plan.initiatives.exclude(stage=InitiativeStage.STOPPED).select_related("owner")
    )
    stage_counts = {s.value: 0 for s in InitiativeStage}
    for i in initiatives:
        stage_counts[i.stage] += 1
    return PlanReport(
        plan=plan,
        customer=customer,
        health=health_for(plans=[plan], today=today)[plan.pk],
        sees_money=money,
        objectives=objectives,
        open_actions=open_actions[:max_actions],
        overdue=sum(1 for a in open_actions if a.is_overdue(today)),
        initiatives=initiatives,
        risks=[] if shared else [r for r in plan.risks.all() if not r.closed],
        whitespace=[] if shared else list(plan.whitespace.all()),
        last_review=None if shared else plan.reviews.order_by("-date").first(),
        team=list(customer.team_members.select_related("user")),
        economics=economics_for(plan) if money else None,
        generated=timezone.localtime(),
        stage_counts=stage_counts,
        figures=account_figures(customer, money=money),
        edition=edition,
        journey=list(plan.journey_stages.all()),
        buying=[
            {
                "name": b.name,
                "deciders": [c.name for c in b.deciders.all()],
                "dated": b.dated,
                "note": "" if shared else b.note,
            }
            for b in plan.buying_steps.prefetch_related("deciders")
        ],
    )


def account_figures(customer, money: bool) -> dict:
    """The figures through ``kamp.economics.figures``; none without that area or if it fails
    (the export is still made)."""
    try:
        from kamp.economics import figures
    except ImportError:
        return {}
    try:
        return figures.account_figures(customer, timezone.localdate(), money=money)
    except Exception:
        log.exception("Figures for the plan export failed")
        return {}
