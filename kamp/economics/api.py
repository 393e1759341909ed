"""Economics API under /api/v1/economics/: the P&L, the portfolio, and the inputs (activities,
cost-to-serve records, KAM investments, category spend, exchange rates). Money goes out as
decimal strings in the base currency; every endpoint checks ``can_see_economics`` (403)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from ninja import Router, Schema, Status

from kamp.core.http import AuthenticatedHttpRequest
from kamp.core.money import fits
from kamp.customers.access import can_see_economics, get_customer_for_user
from kamp.customers.identity import CustomerRef, customer_ref, customer_refs

from . import actions, pnl, services
from .models import (
    ActivityRecord,
    ActivityType,
    CategorySpend,
    ExchangeRate,
    Investment,
    InvestmentAllocation,
)
from .pnl import Period

router = Router(tags=["economics"])


def _customer(request, customer_id: int):
    customer = get_customer_for_user(request.user, customer_id)
    if not can_see_economics(request.user, customer):
        raise PermissionDenied
    return customer


def _programme(request) -> None:
    if not request.user.manages_programme:
        raise PermissionDenied


def _period(text: str) -> Period:
    from django.core.exceptions import ValidationError

    try:
        return Period.parse(text)
    except ValueError:
        raise ValidationError({"period": "Use a period like 2025, 2025-Q3 or 2025-07."})


class PnLOut(Schema):
    customer: CustomerRef | None  # null for a total over several customers
    customer_id: int | None
    period: str
    currency: str
    net_revenue: str
    cost_of_goods: str
    gross_margin: str
    cost_to_serve: str
    contribution: str
    kam_investments: str
    profit_after_kam: str
    share_of_wallet: str | None
    category_spend: str | None = None
    potential: str | None = None
    missing_rates: list[str] = []
    previous: dict | None = None
    growth: dict[str, str | None] = {}


def pnl_out(value: pnl.AccountPnL, with_previous: bool = True, ref: dict | None = None) -> dict:
    out = value.as_dict()
    out["customer"], out["customer_id"] = ref, value.customer_id
    out["category_spend"] = None if value.category_spend is None else str(value.category_spend)
    out["potential"] = None if value.potential is None else str(value.potential)
    out["missing_rates"] = [f"{c} {m}" for c, m in sorted(value.missing_rates)]
    if with_previous and value.previous is not None:
        out["previous"] = {
            **value.previous.as_dict(),
            "customer": ref,
            "customer_id": value.previous.customer_id,
        }
        out["growth"] = {
            name: (None if (g := value.growth(name)) is None else str(g)) for name in pnl.PNL_LINES
        }
    return out


@router.get("/customers/{customer_id}/pnl", response=PnLOut)
def customer_pnl(request: AuthenticatedHttpRequest, customer_id: int, period: str):
    """The account P&L for ``period`` (2025, 2025-Q3, 2025-07), with the previous period."""
    customer = _customer(request, customer_id)
    return pnl_out(services.account_pnl(customer, _period(period)), ref=customer_ref(customer))


class AnswersOut(Schema):
    team: int  # how many of our team answered the round
    customer: int  # how many of the customer's people answered it


class FigureOut(Schema):
    value: str | None  # at the precision it is displayed with; null when unknown
    period: str  # "2025-12..2026-11" for the 12-month window; the day the RQI's round opened
    currency: str  # money figures only
    answers: AnswersOut | None = None  # the RQI's n: who answered its round, on each side


class FiguresOut(Schema):
    customer: CustomerRef
    customer_id: int
    revenue: FigureOut | None = None
    margin: FigureOut | None = None
    profit_after_kam: FigureOut | None = None
    share_of_wallet: FigureOut | None = None
    rqi: FigureOut
    diamond_index: FigureOut | None = None
    plan_completeness: FigureOut | None = None


@router.get("/customers/{customer_id}/figures", response=FiguresOut)
def customer_figures(request: AuthenticatedHttpRequest, customer_id: int):
    """The account's headline figures (docs/figures.md) as every page shows them: net revenue,
    gross margin, profit after KAM and share of wallet over the last 12 complete months (null
    for whoever may not see the account's economics) and the RQI of the latest counted round."""
    from . import figures

    customer = get_customer_for_user(request.user, customer_id)
    money = can_see_economics(request.user, customer)
    values = figures.account_figures(customer, date.today(), money=money)
    return {
        "customer": customer_ref(customer),
        "customer_id": customer.pk,
        **figures.figures_json(values),
    }


@router.get("/customers/{customer_id}/pnl/series", response=list[PnLOut])
def customer_pnl_series(
    request: AuthenticatedHttpRequest, customer_id: int, unit: str = "quarter", count: int = 8
):
    """The last ``count`` periods of ``unit`` (month, quarter, year), oldest first."""
    customer = _customer(request, customer_id)
    if unit not in ("month", "quarter", "year"):
        unit = "quarter"
    periods = services.recent_periods(unit, max(1, min(count, 60)), complete=False)
    ref = customer_ref(customer)
    return [
        pnl_out(v, with_previous=False, ref=ref) for v in services.pnl_series(customer, periods)
    ]


class PnLPortfolioRow(Schema):
    """Named apart from the relationships portfolio's row: OpenAPI keeps one schema per name."""

    rank: int
    customer: CustomerRef
    customer_id: int
    cumulative: str
    pnl: PnLOut


@router.get("/portfolio", response=list[PnLPortfolioRow])
def portfolio(request: AuthenticatedHttpRequest, period: str, limit: int = 1000, offset: int = 0):
    """Every customer the user may see the money of, ranked by profit after KAM (the whale
    curve), with its P&L."""
    user = request.user
    if not (user.manages_programme or user.is_kam):
        raise PermissionDenied
    scope = None if user.manages_programme else services.economics_customers(user)
    values = services.portfolio_pnl(_period(period), scope, with_previous=False)
    points = pnl.whale_curve((cid, v.profit_after_kam) for cid, v in values.items())
    limit = max(1, min(limit, 10000))
    page = points[max(0, offset) : max(0, offset) + limit]
    refs = customer_refs(p.key for p in page)
    return [
        {
            "rank": p.rank,
            "customer": refs[p.key],
            "customer_id": p.key,
            "cumulative": str(p.cumulative),
            "pnl": pnl_out(values[p.key], with_previous=False, ref=refs[p.key]),
        }
        for p in page
    ]


# --- activities -------------------------------------------------------------------------------
class ActivityTypeOut(Schema):
    id: int
    name: str
    driver: str
    rate: Decimal
    currency: str
    kam_time: bool
    description: str
    active: bool


class ActivityTypeIn(Schema):
    name: str
    driver: str = "minute"
    rate: Annotated[Decimal, fits(ActivityType, "rate")]
    currency: str = ""
    kam_time: bool = False
    description: str = ""
    active: bool = True


@router.get("/activity-types", response=list[ActivityTypeOut])
def list_activity_types(request: AuthenticatedHttpRequest):
    user = request.user
    if not (user.manages_programme or user.is_kam):
        raise PermissionDenied
    return ActivityType.objects.all()


@router.post("/activity-types", response={201: ActivityTypeOut})
def create_activity_type(request: AuthenticatedHttpRequest, payload: ActivityTypeIn):
    _programme(request)
    return Status(201, actions.do_save_activity_type(request.user, None, **payload.dict()))


class ActivityRecordOut(Schema):
    id: int
    activity_id: int
    activity: str
    month: date
    count: Decimal
    minutes: Decimal | None
    cost: Decimal
    currency: str
    note: str

    @staticmethod
    def resolve_activity(obj):
        return obj.activity.name


class ActivityRecordIn(Schema):
    activity_id: int
    month: str  # 2025-07
    count: Annotated[Decimal, fits(ActivityRecord, "count")]
    minutes: Annotated[Decimal, fits(ActivityRecord, "minutes")] | None = None
    note: str = ""


@router.get("/customers/{customer_id}/activities", response=list[ActivityRecordOut])
def list_activities(request: AuthenticatedHttpRequest, customer_id: int, period: str = ""):
    customer = _customer(request, customer_id)
    qs = ActivityRecord.objects.filter(customer=customer).select_related("activity")
    if period:
        p = _period(period)
        qs = qs.filter(month__gte=p.start, month__lt=p.end)
    return qs.order_by("-month", "id")[:5000]


@router.post("/customers/{customer_id}/activities", response={201: ActivityRecordOut})
def create_activity(request: AuthenticatedHttpRequest, customer_id: int, payload: ActivityRecordIn):
    from django.core.exceptions import ValidationError

    customer = _customer(request, customer_id)
    activity = get_object_or_404(ActivityType, pk=payload.activity_id)
    month = _period(payload.month)
    if month.kind != "month":
        raise ValidationError({"month": "Give a month, e.g. 2025-07."})
    record = actions.do_record_activity(
        request.user, customer, activity, month.start, payload.count, payload.minutes, payload.note
    )
    return Status(201, record)


@router.delete("/customers/{customer_id}/activities/{record_id}", response={204: None})
def delete_activity(request: AuthenticatedHttpRequest, customer_id: int, record_id: int):
    customer = _customer(request, customer_id)
    actions.do_delete_activity_record(
        request.user, get_object_or_404(ActivityRecord, pk=record_id, customer=customer)
    )
    return Status(204, None)


# --- investments ------------------------------------------------------------------------------
class AllocationOut(Schema):
    customer: CustomerRef
    customer_id: int
    amount: Decimal
    currency: str
    weight: Decimal


class InvestmentOut(Schema):
    id: int
    customer: CustomerRef | None  # null for a programme-wide investment
    customer_id: int | None
    kind: str
    amount: Decimal
    currency: str
    date: date
    note: str
    allocation: str
    allocations: list[AllocationOut]

    @staticmethod
    def resolve_allocations(obj):
        if "allocations" in getattr(obj, "_prefetched_objects_cache", {}):
            return list(obj.allocations.all())
        return list(obj.allocations.select_related("customer"))


class InvestmentIn(Schema):
    kind: str
    amount: Annotated[Decimal, fits(Investment, "amount")]
    currency: str = ""
    date: date
    note: str = ""
    allocation: str = ""


@router.get("/customers/{customer_id}/investments", response=list[AllocationOut])
def list_customer_investments(
    request: AuthenticatedHttpRequest, customer_id: int, period: str = ""
):
    """The account's share of every investment (its own and programme-wide)."""
    customer = _customer(request, customer_id)
    qs = InvestmentAllocation.objects.filter(customer=customer).select_related("customer")
    if period:
        p = _period(period)
        qs = qs.filter(date__gte=p.start, date__lt=p.end)
    return qs.order_by("-date", "id")[:5000]


@router.post("/customers/{customer_id}/investments", response={201: InvestmentOut})
def create_customer_investment(
    request: AuthenticatedHttpRequest, customer_id: int, payload: InvestmentIn
):
    customer = _customer(request, customer_id)
    data = payload.dict()
    data.pop("allocation", None)
    return Status(201, actions.do_record_investment(request.user, customer=customer, **data))


@router.get("/investments", response=list[InvestmentOut])
def list_programme_investments(request: AuthenticatedHttpRequest):
    _programme(request)
    return Investment.objects.filter(customer__isnull=True).prefetch_related(
        Prefetch("allocations", InvestmentAllocation.objects.select_related("customer"))
    )[:1000]


@router.post("/investments", response={201: InvestmentOut})
def create_programme_investment(request: AuthenticatedHttpRequest, payload: InvestmentIn):
    """A programme-wide investment, allocated to the key accounts (``allocation``: equal,
    revenue or kam_time)."""
    _programme(request)
    return Status(201, actions.do_record_investment(request.user, customer=None, **payload.dict()))


# --- category spend ---------------------------------------------------------------------------
class SpendOut(Schema):
    id: int
    period: str
    amount: Decimal
    currency: str
    note: str


class SpendIn(Schema):
    period: str
    amount: Annotated[Decimal, fits(CategorySpend, "amount")]
    currency: str = ""
    note: str = ""


@router.get("/customers/{customer_id}/category-spend", response=list[SpendOut])
def list_spend(request: AuthenticatedHttpRequest, customer_id: int):
    customer = _customer(request, customer_id)
    return CategorySpend.objects.filter(customer=customer)


@router.post("/customers/{customer_id}/category-spend", response={201: SpendOut})
def set_spend(request: AuthenticatedHttpRequest, customer_id: int, payload: SpendIn):
    customer = _customer(request, customer_id)
    return Status(201, actions.do_set_category_spend(request.user, customer, **payload.dict()))


# --- rates --------------------------------------------------------------------------------------
class RateOut(Schema):
    id: int
    currency: str
    period: str
    rate: Decimal


class RateIn(Schema):
    currency: str
    period: str
    rate: Annotated[Decimal, fits(ExchangeRate, "rate")]


@router.get("/rates", response=list[RateOut])
def list_rates(request: AuthenticatedHttpRequest):
    user = request.user
    if not (user.manages_programme or user.is_kam):
        raise PermissionDenied
    return ExchangeRate.objects.all()


@router.post("/rates", response={201: RateOut})
def set_rate(request: AuthenticatedHttpRequest, payload: RateIn):
    _programme(request)
    rate = actions.do_set_exchange_rate(
        request.user, payload.currency, payload.period, payload.rate
    )
    return Status(201, rate)
