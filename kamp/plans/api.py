"""Account plans over the API (/api/v1/plans/): the same access rule, forms and actions as the
pages. Money (whitespace revenue and potential, financial objectives' values) only for those who
may see the account's economics."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Body, Field, Router, Schema, Status
from ninja.errors import HttpError

from kamp.core.versioning import VersionConflict, parse_if_match
from kamp.customers.access import can_edit_customer, customers_visible_to, get_customer_for_user
from kamp.customers.identity import CustomerRef, customer_ref

from . import actions, live
from .access import get_item_for_user, get_plan_for_user, sees_money
from .forms import ITEM_FORMS, JointLinkForm, PlanForm
from .health import PlanHealth, health_for
from .models import AccountPlan, JointPlanLink

router = Router(tags=["plans"])

JSON_BODY = Body(...)  # the section's fields, as on the page's form
Section = Literal["objectives", "actions", "whitespace", "initiatives", "risks", "reviews"]


class HealthOut(Schema):
    completeness: int
    missing: dict[str, str]
    freshness: str
    days_since_update: int
    stale: bool
    open_actions: int
    overdue_actions: int
    objectives_off_track: int
    execution: str = Field(
        description="up_to_date (nothing overdue, no objective off track, changed lately), "
        "aging, behind or stale; apart from completeness"
    )
    up_to_date: bool


class PlanOut(Schema):
    id: int
    customer: CustomerRef
    customer_id: int
    period: str
    business_and_goals: str
    strategy: str
    created_at: datetime
    last_updated_at: datetime
    health: HealthOut
    version: int


class PlanIn(Schema):
    period: str
    business_and_goals: str = ""
    strategy: str = ""


class PlanPatch(Schema):
    """Only the fields sent change. ``version`` (or ``If-Match``): the version read; the change
    is refused (409, 412 with If-Match) when the plan has moved on since."""

    period: str | None = None
    business_and_goals: str | None = None
    strategy: str | None = None
    version: int | None = None


class LinkIn(Schema):
    label: str = ""
    language: Literal["es", "en"] = "es"
    days: int = 30
    share_objectives: bool = True
    share_actions: bool = True
    share_initiatives: bool = True


class LinkOut(Schema):
    id: int
    label: str
    language: str
    url: str
    share_objectives: bool
    share_actions: bool
    share_initiatives: bool
    expires_at: datetime
    revoked_at: datetime | None
    view_count: int


class CommentOut(Schema):
    id: int
    name: str
    text: str
    created_at: datetime
    link_id: int


class MyActionOut(Schema):
    id: int
    title: str
    due: date | None
    status: str
    overdue: bool
    plan_id: int
    period: str
    customer: CustomerRef
    customer_id: int
    customer_name: str


def _health(plan: AccountPlan) -> dict:
    return _health_out(health_for(plans=[plan])[plan.pk])


def _health_out(h: PlanHealth) -> dict:
    return {
        "completeness": h.percent,
        "missing": dict(h.completeness.missing),
        "freshness": h.freshness,
        "days_since_update": h.days_since_update,
        "stale": h.stale,
        "open_actions": h.open_actions,
        "overdue_actions": h.overdue_actions,
        "objectives_off_track": h.objectives_off_track,
        "execution": h.execution.status,
        "up_to_date": h.up_to_date,
    }


def _plan_out(plan: AccountPlan) -> dict:
    return {
        "id": plan.pk,
        "customer": customer_ref(plan.customer),
        "customer_id": plan.customer_id,
        "period": plan.period,
        "business_and_goals": plan.business_and_goals,
        "strategy": plan.strategy,
        "created_at": plan.created_at,
        "last_updated_at": plan.last_updated_at,
        "health": _health(plan),
        "version": plan.version,
    }


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return value


def _item_out(item, money: bool) -> dict[str, Any]:
    section = actions.SECTION_OF[type(item)]
    _model, fields = actions.ITEM_MODELS[section]
    out: dict[str, Any] = {"id": item.pk, "section": section, "version": item.version}
    for name in fields:
        field = item._meta.get_field(name)
        key = field.attname if field.is_relation else name
        out[key] = _plain(getattr(item, key))
    if section == "whitespace" and not money:
        out.pop("current_revenue", None)
        out.pop("potential", None)
    if section == "objectives" and item.metric:
        # Computed from the account's figures, as the plan tab shows it (docs/figures.md).
        out["current"] = _plain(live.bind([item], item.plan.customer, money)[0].current)
    if section == "objectives" and item.is_financial and not money:
        out["target"] = out["current"] = None
    return out


def _expected(request: HttpRequest, body_version: Any) -> tuple[Any, int]:
    """The version the client read: ``If-Match`` (a mismatch answers 412) or the body's (409)."""
    try:
        header = parse_if_match(request.headers.get("If-Match"))
    except ValueError:
        raise HttpError(400, 'If-Match must name a version, e.g. If-Match: "3".')
    return (header, 412) if header is not None else (body_version, 409)


def _conflict(status: int, current: dict) -> Status:
    return Status(
        status,
        {
            "detail": "Someone else changed this since you read it: read it again and resend "
            "your change with its version.",
            "current": current,
        },
    )


def _errors(form_or_exc) -> dict:
    if isinstance(form_or_exc, ValidationError):
        return {
            "detail": form_or_exc.message_dict
            if hasattr(form_or_exc, "error_dict")
            else {"__all__": form_or_exc.messages}
        }
    return {"detail": form_or_exc.errors.get_json_data()}


def _form_data(form_class, payload: dict, instance=None) -> dict:
    """Form data from JSON: for a partial update, the instance's current values fill the gaps
    (the version too, unless the body names the version its sender read)."""
    data = {}
    if instance is not None:
        for name in form_class._meta.fields:
            field = instance._meta.get_field(name)
            value = getattr(instance, field.attname if field.is_relation else name)
            data[name] = "" if value is None else value
        data["version"] = instance.version
    for key, value in payload.items():
        key = key[:-3] if key.endswith("_id") and key[:-3] in form_class._meta.fields else key
        if isinstance(value, (dict, list)):
            value = str(value)  # a form field takes text; the form then rejects it cleanly
        data[key] = "" if value is None else value
    # Unchecked booleans are absent in form data, as in a browser.
    for name in list(data):
        if data[name] is False:
            del data[name]
    return data


@router.get("/", response=list[PlanOut])
def list_plans(
    request: HttpRequest, customer: int | None = None, limit: int = 100, offset: int = 0
):
    qs = AccountPlan.objects.filter(customer__in=customers_visible_to(request.user))
    if customer is not None:
        qs = qs.filter(customer_id=customer)
    limit = max(1, min(limit, 500))
    offset = min(offset, 2**62)  # past SQLite's 64-bit integers (a 500); no rows there anyway
    plans = list(
        qs.select_related("customer").order_by("customer_id", "-period")[
            max(0, offset) : max(0, offset) + limit
        ]
    )
    health = health_for(plans=plans)
    out = []
    for p in plans:
        h = health[p.pk]
        out.append(
            {
                **{
                    k: getattr(p, k)
                    for k in (
                        "id",
                        "customer_id",
                        "period",
                        "business_and_goals",
                        "strategy",
                        "created_at",
                        "last_updated_at",
                        "version",
                    )
                },
                "customer": customer_ref(p.customer),
                "health": _health_out(h),
            }
        )
    return out


@router.post("/", response={201: PlanOut, 422: dict})
def create_plan(request: HttpRequest, customer: int, payload: PlanIn):
    c = get_customer_for_user(request.user, customer, write=True)
    form = PlanForm(payload.dict(), customer=c)
    if not form.is_valid():
        return Status(422, _errors(form))
    plan = actions.do_create_plan(request.user, c, **form.cleaned_data)
    return Status(201, _plan_out(plan))


@router.get("/my-actions", response=list[MyActionOut])
def my_actions(request: HttpRequest, days: int = 30):
    from .summary import my_actions_grouped as gather

    data = gather(request.user, upcoming_days=days)
    return [
        {
            "id": a.pk,
            "title": a.title,
            "due": a.due,
            "status": a.status,
            "overdue": a.is_overdue(),
            "plan_id": a.plan_id,
            "period": a.plan.period,
            "customer": customer_ref(a.plan.customer),
            "customer_id": a.plan.customer_id,
            "customer_name": a.plan.customer.name,
        }
        for a in data["overdue"] + data["upcoming"] + data["later"]
    ]


@router.get("/{plan_id}", response=dict)
def get_plan(request: HttpRequest, plan_id: int):
    """The whole plan: its texts, health and every section (money only where allowed)."""
    plan = get_plan_for_user(request.user, plan_id)
    money = sees_money(request.user, plan)
    out: dict[str, Any] = PlanOut(**_plan_out(plan)).dict()
    out["created_at"] = plan.created_at.isoformat()
    out["last_updated_at"] = plan.last_updated_at.isoformat()
    out["can_edit"] = can_edit_customer(request.user, plan.customer)
    out["sees_money"] = money
    for section in actions.ITEM_MODELS:
        out[section] = [_item_out(i, money) for i in getattr(plan, section).all()]
    return out


@router.patch("/{plan_id}", response={200: PlanOut, 409: dict, 412: dict, 422: dict})
def update_plan(request: HttpRequest, plan_id: int, payload: PlanPatch):
    plan = get_plan_for_user(request.user, plan_id, write=True)
    values = {k: v for k, v in payload.dict().items() if v is not None}
    version, mismatch = _expected(request, values.pop("version", None))
    data = {
        "period": plan.period,
        "business_and_goals": plan.business_and_goals,
        "strategy": plan.strategy,
        "version": plan.version if version is None else version,
    } | values
    form = PlanForm(data, instance=AccountPlan.objects.get(pk=plan.pk), customer=plan.customer)
    if not form.is_valid():
        return Status(422, _errors(form))
    fresh = AccountPlan.objects.get(pk=plan.pk)
    version = form.take_version()
    try:
        actions.do_update_plan(request.user, fresh, version=version, **form.cleaned_data)
    except VersionConflict as exc:
        if exc.current is None:
            raise HttpError(404, "Not found")
        return _conflict(mismatch, _plan_out(exc.current))
    return Status(200, _plan_out(fresh))


@router.delete("/{plan_id}", response={204: None})
def delete_plan(request: HttpRequest, plan_id: int):
    plan = get_plan_for_user(request.user, plan_id, write=True)
    actions.do_delete_plan(request.user, plan)
    return Status(204, None)


@router.get("/{plan_id}/joint-links", response=list[LinkOut])
def list_links(request: HttpRequest, plan_id: int):
    plan = get_plan_for_user(request.user, plan_id, write=True)
    return [_link_out(request, link) for link in plan.joint_links.all()]


def _link_out(request, link: JointPlanLink) -> dict:
    return {
        "id": link.pk,
        "label": link.label,
        "language": link.language,
        "url": request.build_absolute_uri(f"/plans/joint/{link.token}/"),
        "share_objectives": link.share_objectives,
        "share_actions": link.share_actions,
        "share_initiatives": link.share_initiatives,
        "expires_at": link.expires_at,
        "revoked_at": link.revoked_at,
        "view_count": link.view_count,
    }


@router.post("/{plan_id}/joint-links", response={201: LinkOut, 422: dict})
def create_link(request: HttpRequest, plan_id: int, payload: LinkIn):
    plan = get_plan_for_user(request.user, plan_id, write=True)
    form = JointLinkForm(_form_data(JointLinkForm, payload.dict()))
    if not form.is_valid():
        return Status(422, _errors(form))
    data = dict(form.cleaned_data)
    days = data.pop("days")
    link = actions.do_create_joint_link(request.user, plan, days=days, **data)
    return Status(201, _link_out(request, link))


@router.post("/{plan_id}/joint-links/{link_id}/revoke", response=LinkOut)
def revoke_link(request: HttpRequest, plan_id: int, link_id: int):
    plan = get_plan_for_user(request.user, plan_id, write=True)
    link = get_object_or_404(JointPlanLink, pk=link_id, plan=plan)
    actions.do_revoke_joint_link(request.user, link)
    return _link_out(request, link)


@router.get("/{plan_id}/comments", response=list[CommentOut])
def list_comments(request: HttpRequest, plan_id: int):
    plan = get_plan_for_user(request.user, plan_id)
    return list(plan.comments.order_by("-created_at")[:500])


# Section routes last: their {section} would otherwise swallow /joint-links and /comments.
# --- Foundations: the customer journey and the buying process --------------------------------


class JourneyStageIO(Schema):
    name: str
    touchpoints: str = ""
    pain_points: str = ""
    dated: date | None = None


class DeciderOut(Schema):
    id: int
    name: str


class BuyingStepIn(Schema):
    name: str
    deciders: list[int] = []
    dated: date | None = None
    note: str = ""


class BuyingStepOut(Schema):
    name: str
    deciders: list[DeciderOut]
    dated: date | None
    note: str


class FoundationsIn(Schema):
    journey: list[JourneyStageIO] | None = None
    buying: list[BuyingStepIn] | None = None


class FoundationsOut(Schema):
    plan_id: int
    journey: list[JourneyStageIO]
    buying: list[BuyingStepOut]


def foundations_out(plan: AccountPlan) -> dict:
    return {
        "plan_id": plan.pk,
        "journey": [
            {
                "name": s.name,
                "touchpoints": s.touchpoints,
                "pain_points": s.pain_points,
                "dated": s.dated,
            }
            for s in plan.journey_stages.all()
        ],
        "buying": [
            {
                "name": s.name,
                "deciders": [{"id": c.pk, "name": c.name} for c in s.deciders.all()],
                "dated": s.dated,
                "note": s.note,
            }
            for s in plan.buying_steps.prefetch_related("deciders")
        ],
    }


@router.get("/{plan_id}/foundations", response=FoundationsOut)
def get_foundations(request: HttpRequest, plan_id: int):
    """The plan's customer journey (stages with touchpoints and pain points) and buying process
    (steps with who decides at each, from the DMU map), in order."""
    return foundations_out(get_plan_for_user(request.user, plan_id))


@router.put("/{plan_id}/foundations", response={200: FoundationsOut, 422: dict})
def put_foundations(request: HttpRequest, plan_id: int, payload: FoundationsIn):
    """Replace the journey and/or the buying process (a list left out stays as it is)."""
    plan = get_plan_for_user(request.user, plan_id, write=True)
    try:
        actions.set_foundations(
            request.user,
            plan,
            journey=[s.dict() for s in payload.journey] if payload.journey is not None else None,
            buying=[s.dict() for s in payload.buying] if payload.buying is not None else None,
        )
    except ValidationError as exc:
        return Status(422, {"detail": "; ".join(exc.messages)})
    return foundations_out(plan)


@router.post("/{plan_id}/{section}", response={201: dict, 422: dict})
def add_item(
    request: HttpRequest, plan_id: int, section: Section, payload: dict[str, Any] = JSON_BODY
):
    """Add to a section; the body holds the section's fields (as on the page's form), owners
    and objectives by id (``owner`` or ``owner_id``)."""
    plan = get_plan_for_user(request.user, plan_id, write=True)
    money = sees_money(request.user, plan)
    form_class = ITEM_FORMS[section]
    # The model's defaults (status "to do", today's date…) fill what the body leaves out.
    defaults = form_class._meta.model()
    form = form_class(
        _form_data(form_class, payload, instance=defaults), plan=plan, sees_money=money
    )
    if not form.is_valid():
        return Status(422, _errors(form))
    try:
        item = actions.do_add_item(request.user, plan, section, **form.cleaned_data)
    except ValidationError as exc:
        return Status(422, _errors(exc))
    return Status(201, _item_out(item, money))


@router.patch(
    "/{plan_id}/{section}/{item_id}", response={200: dict, 409: dict, 412: dict, 422: dict}
)
def update_item(
    request: HttpRequest,
    plan_id: int,
    section: Section,
    item_id: int,
    payload: dict[str, Any] = JSON_BODY,
):
    model, _fields = actions.ITEM_MODELS[section]
    item = get_item_for_user(request.user, model, item_id, write=True)
    if item.plan_id != plan_id:
        raise HttpError(404, "Not found")
    money = sees_money(request.user, item.plan)
    form_class = ITEM_FORMS[section]
    data = _form_data(form_class, payload, instance=item)
    header, mismatch = _expected(request, None)
    if header is not None:
        data["version"] = header
    form = form_class(data, instance=item, plan=item.plan, sees_money=money)
    if not form.is_valid():
        return Status(422, _errors(form))
    fresh = model.objects.get(pk=item.pk)
    fresh.plan = item.plan
    version = form.take_version()
    try:
        actions.do_update_item(request.user, fresh, version=version, **form.cleaned_data)
    except ValidationError as exc:
        return Status(422, _errors(exc))
    except VersionConflict as exc:
        if exc.current is None:
            raise HttpError(404, "Not found")
        return _conflict(mismatch, _item_out(exc.current, money))
    return Status(200, _item_out(fresh, money))


@router.delete("/{plan_id}/{section}/{item_id}", response={204: None})
def delete_item(request: HttpRequest, plan_id: int, section: Section, item_id: int):
    model, _fields = actions.ITEM_MODELS[section]
    item = get_item_for_user(request.user, model, item_id, write=True)
    if item.plan_id != plan_id:
        raise HttpError(404, "Not found")
    actions.do_delete_item(request.user, item)
    return Status(204, None)
