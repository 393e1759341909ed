"""The pipeline API under /api/v1/pipeline/: the same actions and figures as the pages; amounts
only for who may see the account's economics."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status

from kamp.core.money import fits
from kamp.customers.access import can_see_economics, customers_visible_to, get_customer_for_user
from kamp.customers.identity import CustomerRef, customer_ref

from . import actions, service
from .access import get_bid_for_user, get_contract_for_user
from .models import Bid, Contract

router = Router(tags=["pipeline"])

StageName = Literal[
    "identified", "qualifying", "proposal", "negotiation", "won", "lost", "withdrawn"
]
ReasonName = Literal["price", "relationship", "capability", "buying_process", "culture"]


class BidOut(Schema):
    id: int
    customer: CustomerRef
    customer_id: int
    title: str
    scope: str
    stage: str
    probability: int
    due_on: dt.date | None
    rivals: str
    closed_on: dt.date | None
    # null for who may not see the account's economics
    value: Decimal | None
    currency: str | None
    weighted_value: Decimal | None
    reasons: list[str]
    debrief_note: str
    learnt_needs: str
    learnt_buying: str
    learnt_culture: str
    learnt_people: str
    seeded_on: dt.date | None


class BidIn(Schema):
    title: str
    scope: str = ""
    stage: StageName = "identified"
    probability: int | None = None
    due_on: dt.date | None = None
    rivals: str = ""
    closed_on: dt.date | None = None
    value: Annotated[Decimal, fits(Bid, "value")] | None = None
    currency: str = ""
    reasons: list[ReasonName] = []
    debrief_note: str = ""
    learnt_needs: str = ""
    learnt_buying: str = ""
    learnt_culture: str = ""
    learnt_people: str = ""


class BidPatch(Schema):
    """Only the fields sent change."""

    title: str | None = None
    scope: str | None = None
    stage: StageName | None = None
    probability: int | None = None
    due_on: dt.date | None = None
    rivals: str | None = None
    closed_on: dt.date | None = None
    value: Annotated[Decimal, fits(Bid, "value")] | None = None
    currency: str | None = None
    reasons: list[ReasonName] | None = None
    debrief_note: str | None = None
    learnt_needs: str | None = None
    learnt_buying: str | None = None
    learnt_culture: str | None = None
    learnt_people: str | None = None


class ContractIn(Schema):
    title: str
    starts_on: dt.date
    ends_on: dt.date
    value: Annotated[Decimal, fits(Contract, "value")] | None = None
    currency: str = ""
    bid_id: int | None = None


class ContractPatch(Schema):
    """Only the fields sent change."""

    title: str | None = None
    starts_on: dt.date | None = None
    ends_on: dt.date | None = None
    value: Annotated[Decimal, fits(Contract, "value")] | None = None
    currency: str | None = None
    bid_id: int | None = None


class ContractOut(Schema):
    id: int
    customer: CustomerRef
    customer_id: int
    title: str
    starts_on: dt.date
    ends_on: dt.date
    value: Decimal | None
    currency: str | None
    renewal_due: bool


class QuarterOut(Schema):
    quarter: str
    won: int
    lost: int
    win_rate: float | None
    won_reasons: dict[str, int]
    lost_reasons: dict[str, int]


class SummaryOut(Schema):
    open_count: int
    won: int
    lost: int
    win_rate: float | None
    quarters: list[QuarterOut]
    # {currency: {"weighted", "open"}}; null for who may not see the economics
    pipeline: dict[str, dict[str, Decimal]] | None


class SeedOut(Schema):
    bid_id: int
    customer: CustomerRef
    customer_id: int
    status: str
    foundations_id: int
    plan_id: int | None
    contacts_added: list[str]


def bid_out(bid: Bid, money: bool) -> dict:
    from . import figures

    return {
        "id": bid.pk,
        "customer": customer_ref(bid.customer),
        "customer_id": bid.customer_id,
        "title": bid.title,
        "scope": bid.scope,
        "stage": bid.stage,
        "probability": bid.probability,
        "due_on": bid.due_on,
        "rivals": bid.rivals,
        "closed_on": bid.closed_on,
        "value": bid.value if money else None,
        "currency": bid.currency if money else None,
        "weighted_value": figures.weighted_value(service.facts(bid))
        if money and bid.value is not None
        else None,
        "reasons": list(bid.reasons or []),
        "debrief_note": bid.debrief_note,
        "learnt_needs": bid.learnt_needs,
        "learnt_buying": bid.learnt_buying,
        "learnt_culture": bid.learnt_culture,
        "learnt_people": bid.learnt_people,
        "seeded_on": bid.seeded_on,
    }


def contract_out(c: Contract, money: bool, as_of: dt.date) -> dict:
    from . import figures

    return {
        "id": c.pk,
        "customer": customer_ref(c.customer),
        "customer_id": c.customer_id,
        "title": c.title,
        "starts_on": c.starts_on,
        "ends_on": c.ends_on,
        "value": c.value if money else None,
        "currency": c.currency if money else None,
        "renewal_due": figures.renewal_due(c.ends_on, as_of, service.renewal_days()),
    }


@router.get("/customers/{customer_id}/bids", response=list[BidOut])
def list_bids(request: HttpRequest, customer_id: int):
    customer = get_customer_for_user(request.user, customer_id)
    money = can_see_economics(request.user, customer)
    bids = Bid.objects.filter(customer=customer)
    for b in bids:
        b.customer = customer
    return [bid_out(b, money) for b in bids]


@router.post("/customers/{customer_id}/bids", response={201: BidOut})
def create_bid(request: HttpRequest, customer_id: int, payload: BidIn):
    customer = get_customer_for_user(request.user, customer_id, write=True)
    values = payload.dict()
    if values.get("value") is None:
        values.pop("value")
        values.pop("currency")
    bid = actions.do_save_bid(request.user, customer, None, **values)
    return Status(201, bid_out(bid, can_see_economics(request.user, customer)))


@router.get("/bids/{bid_id}", response=BidOut)
def get_bid(request: HttpRequest, bid_id: int):
    bid = get_bid_for_user(request.user, bid_id)
    return bid_out(bid, can_see_economics(request.user, bid.customer))


# Fields that may be sent empty (null) to clear them; the others keep their value when null.
_BID_NULLABLE = {"due_on", "closed_on", "probability", "value"}


def _money_sent(user, customer, values: dict) -> None:
    """Clearing an amount (``null``) is changing it: only who may see the economics does."""
    if actions.MONEY_FIELDS & set(values) and not can_see_economics(user, customer):
        raise PermissionDenied(_("Only who may see this account's economics enters amounts."))


@router.patch("/bids/{bid_id}", response=BidOut)
def update_bid(request: HttpRequest, bid_id: int, payload: BidPatch):
    """Only the fields sent change, through the same action as the edit page."""
    bid = get_bid_for_user(request.user, bid_id, write=True)
    values = payload.dict(exclude_unset=True)
    _money_sent(request.user, bid.customer, values)
    for name in [k for k, v in values.items() if v is None and k not in _BID_NULLABLE]:
        values[name] = [] if name == "reasons" else ""
    if "title" in values and not values["title"].strip():
        raise ValidationError({"title": _("This field cannot be empty.")})
    bid = actions.do_save_bid(request.user, bid.customer, bid, **values)
    return bid_out(bid, can_see_economics(request.user, bid.customer))


@router.delete("/bids/{bid_id}", response={204: None})
def delete_bid(request: HttpRequest, bid_id: int):
    bid = get_bid_for_user(request.user, bid_id, write=True)
    actions.do_delete_bid(request.user, bid)
    return Status(204, None)


@router.post("/bids/{bid_id}/candidate", response=SeedOut)
def seed_candidate(request: HttpRequest, bid_id: int):
    """From lost bid to key account: the lost bid's debrief seeds the candidate."""
    bid = get_bid_for_user(request.user, bid_id, write=True)
    done = actions.do_seed_candidate(request.user, bid)
    bid.customer.refresh_from_db(fields=["status"])
    return {
        "bid_id": bid.pk,
        "customer": customer_ref(bid.customer),
        "customer_id": bid.customer_id,
        "status": bid.customer.status,
        "foundations_id": done["foundations"].pk,
        "plan_id": done["plan"].pk if done["plan"] else None,
        "contacts_added": [c.name for c in done["contacts"]],
    }


@router.get("/customers/{customer_id}/contracts", response=list[ContractOut])
def list_contracts(request: HttpRequest, customer_id: int):
    customer = get_customer_for_user(request.user, customer_id)
    money = can_see_economics(request.user, customer)
    today = timezone.localdate()
    contracts = Contract.objects.filter(customer=customer)
    for c in contracts:
        c.customer = customer
    return [contract_out(c, money, today) for c in contracts]


def _contract_values(customer, values: dict) -> dict:
    if "bid_id" in values:
        bid_id = values.pop("bid_id")
        bid = Bid.objects.filter(pk=bid_id).first() if bid_id is not None else None
        if bid_id is not None and (bid is None or bid.customer_id != customer.pk):
            raise ValidationError({"bid_id": _("That bid is another customer's.")})
        values["bid"] = bid
    for name in ("title", "starts_on", "ends_on"):
        if name in values and (values[name] is None or values[name] == ""):
            raise ValidationError({name: _("This field cannot be empty.")})
    if values.get("currency") is None:
        values.pop("currency", None)
    return values


@router.post("/customers/{customer_id}/contracts", response={201: ContractOut})
def create_contract(request: HttpRequest, customer_id: int, payload: ContractIn):
    customer = get_customer_for_user(request.user, customer_id, write=True)
    values = _contract_values(customer, payload.dict())
    if values.get("value") is None:
        values.pop("value", None)
        values.pop("currency", None)
    contract = actions.do_save_contract(request.user, customer, None, **values)
    money = can_see_economics(request.user, customer)
    return Status(201, contract_out(contract, money, timezone.localdate()))


@router.patch("/contracts/{contract_id}", response=ContractOut)
def update_contract(request: HttpRequest, contract_id: int, payload: ContractPatch):
    """Only the fields sent change, through the same action as the edit page."""
    contract = get_contract_for_user(request.user, contract_id, write=True)
    customer = contract.customer
    values = payload.dict(exclude_unset=True)
    _money_sent(request.user, customer, values)
    values = _contract_values(customer, values)
    contract = actions.do_save_contract(request.user, customer, contract, **values)
    money = can_see_economics(request.user, customer)
    return contract_out(contract, money, timezone.localdate())


@router.get("/summary", response=SummaryOut)
def summary(request: HttpRequest, customer_id: int | None = None):
    """The weighted pipeline, win rate and reasons by quarter: of one account
    (``customer_id``) or of every account the reader may see (amounts only of those whose
    economics they may see)."""
    return pipeline_summary(request.user, customer_id)


def pipeline_summary(user, customer_id: int | None = None) -> dict:
    if customer_id is not None:
        customer = get_customer_for_user(user, customer_id)
        bids = list(Bid.objects.filter(customer=customer))
        for b in bids:
            b.customer = customer
    else:
        bids = list(
            Bid.objects.filter(customer__in=customers_visible_to(user)).select_related("customer")
        )
    allowed = {b.customer_id for b in bids if can_see_economics(user, b.customer)}
    out = service.summary(bids, money=False)
    money_bids = [b for b in bids if b.customer_id in allowed]
    out["pipeline"] = (
        service.by_currency(money_bids, lambda b: b.customer.currency or "")
        if (customer_id is None or allowed)
        else None
    )
    out["quarters"] = [q.__dict__ for q in out["quarters"]]
    return out
