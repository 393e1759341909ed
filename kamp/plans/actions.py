"""Every change to account plans: atomic, audited on the customer's History, and each one stamps
the plan's ``last_updated_at`` — a plan is alive as long as people keep touching it."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta
from typing import Any, TypeVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from kamp.core import audit
from kamp.core.money import check_decimal_fields
from kamp.core.versioning import claim

from .models import (
    AccountPlan,
    ActionStatus,
    Initiative,
    JointPlanComment,
    JointPlanLink,
    Objective,
    PlanAction,
    PlanItem,
    Review,
    Risk,
    WhitespaceCell,
)

PLAN_FIELDS = ["period", "business_and_goals", "strategy"]

ItemT = TypeVar("ItemT", bound=PlanItem)

# The plan's parts, by the key the views, API and audit use, with the fields that are audited.
ITEM_MODELS: dict[str, tuple[type[PlanItem], list[str]]] = {
    "objectives": (
        Objective,
        ["title", "measure", "target", "current", "is_financial", "due", "metric"],
    ),
    "actions": (
        PlanAction,
        ["title", "owner", "due", "status", "shared_with_customer", "objective"],
    ),
    "whitespace": (
        WhitespaceCell,
        ["buying_unit", "offering", "current_revenue", "potential", "status", "note"],
    ),
    "initiatives": (Initiative, ["title", "stage", "value_for_customer", "value_for_us", "owner"]),
    "risks": (Risk, ["title", "likelihood", "impact", "mitigation", "closed"]),
    "reviews": (Review, ["date", "title", "attendees", "outcomes"]),
}
SECTION_OF: dict[type[models.Model], str] = {
    model: key for key, (model, _fields) in ITEM_MODELS.items()
}

# Comments the customer may leave through one link, per sender and per link.
COMMENTS_PER_SENDER_PER_HOUR = 5
COMMENTS_PER_LINK_PER_DAY = 50
LINK_DAYS_DEFAULT = 30
LINK_DAYS_MAX = 365


class RateLimited(Exception):
    """Too many comments: the customer is asked to wait."""


def _touch(plan: AccountPlan, user) -> None:
    plan.last_updated_at = timezone.now()
    plan.last_updated_by = user if getattr(user, "pk", None) else None
    AccountPlan.objects.filter(pk=plan.pk).update(
        last_updated_at=plan.last_updated_at, last_updated_by=plan.last_updated_by
    )


def _item_repr(item: models.Model) -> str:
    return f"{item._meta.verbose_name}: {item}"


def _holds_money(item: models.Model, before: dict[str, Any] | None = None) -> bool:
    """Whether the item's audit entry holds amounts: every whitespace cell, and an objective
    that is (or was, before this change) financial."""
    if isinstance(item, WhitespaceCell):
        return True
    if isinstance(item, Objective):
        return bool(item.is_financial or (before or {}).get("is_financial"))
    return False


@transaction.atomic
def do_create_plan(acting_user, customer, period: str, **values: Any) -> AccountPlan:
    plan = AccountPlan(
        customer=customer,
        period=period,
        created_by=acting_user,
        last_updated_by=acting_user,
        **values,
    )
    plan.full_clean()
    plan.save()
    audit.record(
        acting_user,
        "create",
        plan,
        customer_id=customer.pk,
        changes=audit.diff({}, audit.snapshot(plan, PLAN_FIELDS)),
    )
    return plan


@transaction.atomic
def do_update_plan(
    acting_user, plan: AccountPlan, *, version: Any = None, **values: Any
) -> AccountPlan:
    """With ``version``, only if nobody saved the plan since (``VersionConflict`` otherwise)."""
    claim(plan, version)
    before = audit.snapshot(plan, PLAN_FIELDS)
    for name, value in values.items():
        setattr(plan, name, value)
    plan.full_clean()
    plan.last_updated_at = timezone.now()
    plan.last_updated_by = acting_user
    plan.save()
    changes = audit.diff(before, audit.snapshot(plan, PLAN_FIELDS))
    if changes:
        audit.record(acting_user, "update", plan, customer_id=plan.customer_id, changes=changes)
    return plan


@transaction.atomic
def do_delete_plan(acting_user, plan: AccountPlan) -> None:
    audit.record(
        acting_user,
        "delete",
        plan,
        customer_id=plan.customer_id,
        changes=audit.diff(audit.snapshot(plan, PLAN_FIELDS), {}),
    )
    plan.delete()


def _clean(item: models.Model) -> None:
    # The plan is set by us, never by the form; validate_constraints catches a duplicate
    # whitespace cell as a form error rather than an IntegrityError.
    item.full_clean()
    check_decimal_fields(item)  # amounts the database keeps exactly (SQLite: 15 digits)


@transaction.atomic
def do_add_item(acting_user, plan: AccountPlan, section: str, **values: Any) -> PlanItem:
    """Add an objective, action, whitespace cell, initiative, risk or review to ``plan``."""
    model, fields = ITEM_MODELS[section]
    item = model(plan=plan, **values)
    if isinstance(item, PlanAction) and item.status == ActionStatus.DONE:
        item.completed_at = timezone.now()
    _clean(item)
    item.save()
    _touch(plan, acting_user)
    audit.record(
        acting_user,
        "create",
        item,
        customer_id=plan.customer_id,
        object_repr=lambda: _item_repr(item),
        changes=audit.diff({}, audit.snapshot(item, fields)),
        money=_holds_money(item),
    )
    return item


@transaction.atomic
def do_update_item(acting_user, item: ItemT, *, version: Any = None, **values: Any) -> ItemT:
    """With ``version``, only if nobody saved the item since (``VersionConflict`` otherwise)."""
    _model, fields = ITEM_MODELS[SECTION_OF[type(item)]]
    claim(item, version)
    before = audit.snapshot(item, fields)
    for name, value in values.items():
        setattr(item, name, value)
    if isinstance(item, PlanAction):
        if item.status == ActionStatus.DONE and item.completed_at is None:
            item.completed_at = timezone.now()
        elif item.status != ActionStatus.DONE:
            item.completed_at = None
    _clean(item)
    item.save()
    changes = audit.diff(before, audit.snapshot(item, fields))
    if changes:
        _touch(item.plan, acting_user)
        audit.record(
            acting_user,
            "update",
            item,
            customer_id=item.plan.customer_id,
            object_repr=lambda: _item_repr(item),
            changes=changes,
            money=_holds_money(item, before),
        )
    return item


@transaction.atomic
def do_delete_item(acting_user, item: PlanItem) -> None:
    _model, fields = ITEM_MODELS[SECTION_OF[type(item)]]
    plan = item.plan
    audit.record(
        acting_user,
        "delete",
        item,
        customer_id=plan.customer_id,
        object_repr=lambda: _item_repr(item),
        changes=audit.diff(audit.snapshot(item, fields), {}),
        money=_holds_money(item),
    )
    item.delete()
    _touch(plan, acting_user)


def do_set_action_status(acting_user, action: PlanAction, status: str) -> PlanAction:
    if status not in ActionStatus.values:
        raise ValidationError({"status": _("Unknown status.")})
    return do_update_item(acting_user, action, status=status)


# --- The joint plan --------------------------------------------------------------------------


@transaction.atomic
def do_create_joint_link(
    acting_user, plan: AccountPlan, *, days: int = LINK_DAYS_DEFAULT, **values: Any
) -> JointPlanLink:
    days = max(1, min(int(days), LINK_DAYS_MAX))
    link = JointPlanLink(
        plan=plan,
        token=secrets.token_urlsafe(32),
        created_by=acting_user,
        expires_at=timezone.now() + timedelta(days=days),
        **values,
    )
    link.full_clean()
    link.save()
    audit.record(
        acting_user,
        "create",
        link,
        customer_id=plan.customer_id,
        object_repr=audit.say(
            gettext_noop("Joint plan link %(label)s"), label=link.label or plan.period
        ),
        summary=audit.say(
            gettext_noop("Shared with the customer until %(date)s"),
            date=timezone.localdate(link.expires_at).isoformat(),
        ),
    )
    return link


@transaction.atomic
def do_revoke_joint_link(acting_user, link: JointPlanLink) -> JointPlanLink:
    if link.revoked_at is None:
        link.revoked_at = timezone.now()
        link.save(update_fields=["revoked_at"])
        audit.record(
            acting_user,
            "update",
            link,
            customer_id=link.plan.customer_id,
            object_repr=audit.say(
                gettext_noop("Joint plan link %(label)s"), label=link.label or link.plan.period
            ),
            summary=audit.say(gettext_noop("Link revoked")),
        )
    return link


def sender_hash(address: str) -> str:
    return hmac.new(
        settings.SECRET_KEY.encode(), (address or "").encode(), hashlib.sha256
    ).hexdigest()


def do_record_joint_view(link: JointPlanLink) -> None:
    JointPlanLink.objects.filter(pk=link.pk).update(
        last_viewed_at=timezone.now(), view_count=models.F("view_count") + 1
    )


@transaction.atomic
def do_add_joint_comment(
    link: JointPlanLink, name: str, text: str, address: str = ""
) -> JointPlanComment:
    """A comment from the customer (not a kamp user: ``actor`` is empty in the audit)."""
    now = timezone.now()
    sender = sender_hash(address)
    recent = JointPlanComment.objects.filter(link=link)
    if (
        recent.filter(sender=sender, created_at__gte=now - timedelta(hours=1)).count()
        >= COMMENTS_PER_SENDER_PER_HOUR
        or recent.filter(created_at__gte=now - timedelta(days=1)).count()
        >= COMMENTS_PER_LINK_PER_DAY
    ):
        raise RateLimited
    comment = JointPlanComment(
        link=link,
        plan=link.plan,
        name=name.strip(),
        text=text.strip(),
        sender=sender,
        created_at=now,
    )
    comment.full_clean()
    comment.save()
    audit.record(
        None,
        "create",
        comment,
        customer_id=link.plan.customer_id,
        object_repr=audit.say(gettext_noop("Customer comment from %(name)s"), name=comment.name),
        summary=comment.text[:200],
    )
    return comment


# --- Foundations: the customer journey and the buying process --------------------------------


def _foundation_rows(rows, kind: str) -> list[dict[str, Any]]:
    from datetime import date

    out = []
    kind = _(kind)
    for n, row in enumerate(rows, start=1):
        if not isinstance(row, dict):
            raise ValidationError(_("Each %(kind)s is a record with a name.") % {"kind": kind})
        name = str(row.get("name") or "").strip()
        if not name:
            raise ValidationError(_("%(kind)s %(n)d has no name.") % {"kind": kind, "n": n})
        if len(name) > 120:
            raise ValidationError(
                _("%(kind)s %(n)d: the name is longer than 120 characters.")
                % {"kind": kind, "n": n}
            )
        dated = row.get("dated")
        if isinstance(dated, str) and dated:
            try:
                dated = date.fromisoformat(dated)
            except ValueError:
                raise ValidationError(
                    _("%(kind)s %(n)d: the date must look like 2026-03-31.")
                    % {"kind": kind, "n": n}
                )
        out.append({**row, "name": name, "dated": dated or None})
    return out


@transaction.atomic
def set_foundations(
    acting_user,
    plan: AccountPlan,
    *,
    journey: list[dict[str, Any]] | None = None,
    buying: list[dict[str, Any]] | None = None,
) -> AccountPlan:
    """Replace the plan's customer journey and/or buying process (None leaves one as it is).

    ``journey``: ``[{"name", "touchpoints", "pain_points", "dated"}]``; ``buying``:
    ``[{"name", "deciders": [contact ids of the plan's customer], "dated", "note"}]``, in order.
    Dates are ``date`` objects or ISO text. Bad input raises ``ValidationError`` and changes
    nothing. Audited on the plan."""
    from kamp.customers.models import Contact

    from .models import BuyingStep, JourneyStage

    stages = (
        _foundation_rows(journey, gettext_noop("Journey stage")) if journey is not None else None
    )
    steps = _foundation_rows(buying, gettext_noop("Buying step")) if buying is not None else None
    contacts: dict[int, Contact] = {}
    if steps:
        wanted = {int(c) for s in steps for c in (s.get("deciders") or ())}
        contacts = {c.pk: c for c in Contact.objects.filter(pk__in=wanted, customer=plan.customer)}
        unknown = sorted(wanted - set(contacts))
        if unknown:
            raise ValidationError(
                _("Not a contact of this customer: %(ids)s.")
                % {"ids": ", ".join(str(i) for i in unknown)}
            )
    before = foundations_snapshot(plan)
    if stages is not None:
        plan.journey_stages.all().delete()
        JourneyStage.objects.bulk_create(
            JourneyStage(
                plan=plan,
                position=i,
                name=s["name"],
                touchpoints=str(s.get("touchpoints") or "").strip(),
                pain_points=str(s.get("pain_points") or "").strip(),
                dated=s["dated"],
            )
            for i, s in enumerate(stages)
        )
    if steps is not None:
        plan.buying_steps.all().delete()
        for i, s in enumerate(steps):
            step = BuyingStep.objects.create(
                plan=plan,
                position=i,
                name=s["name"],
                dated=s["dated"],
                note=str(s.get("note") or "").strip(),
            )
            step.deciders.set([contacts[int(c)] for c in (s.get("deciders") or ())])
    after = foundations_snapshot(plan)
    changes = audit.diff(before, after)
    if changes:
        _touch(plan, acting_user)
        audit.record(acting_user, "update", plan, customer_id=plan.customer_id, changes=changes)
    return plan


def foundations_snapshot(plan: AccountPlan) -> dict[str, Any]:
    """The journey and buying process as plain text lines (the audit trail, tests)."""
    journey = [
        f"{s.name}: {s.touchpoints} / {s.pain_points}"
        + (f" ({s.dated.isoformat()})" if s.dated else "")
        for s in plan.journey_stages.all()
    ]
    buying = [
        f"{s.name}: {', '.join(c.name for c in s.deciders.all())}"
        + (f" ({s.dated.isoformat()})" if s.dated else "")
        for s in plan.buying_steps.prefetch_related("deciders")
    ]
    return {"customer_journey": "\n".join(journey), "buying_process": "\n".join(buying)}
