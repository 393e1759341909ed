"""Every change to bids, contracts and followed contacts: atomic, audited (docs/pipeline.md).

A customer's status is never set here: "from lost bid to key account" leaves the customer a
candidate (what every new customer is) and pre-fills what the selection decision will read."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from kamp.core import audit
from kamp.core.money import base_currency, check_money
from kamp.customers.access import can_create_customer, can_edit_customer, can_see_economics
from kamp.customers.actions import do_create_contact, do_create_customer
from kamp.customers.models import Attitude, Contact, Customer, CustomerStatus, DMURole

from . import debrief, figures
from .models import Bid, Contract, FollowedContact, Reason, Stage

BID_FIELDS = [
    "title",
    "scope",
    "value",
    "currency",
    "stage",
    "probability",
    "due_on",
    "rivals",
    "closed_on",
    "reasons",
    "debrief_note",
    "learnt_needs",
    "learnt_buying",
    "learnt_culture",
    "learnt_people",
]
MONEY_FIELDS = {"value", "currency"}
CONTRACT_FIELDS = ["title", "starts_on", "ends_on", "value", "currency", "bid"]


def _check_rights(acting_user, customer: Customer, values: dict[str, Any]) -> None:
    if not can_edit_customer(acting_user, customer):
        raise PermissionDenied
    if MONEY_FIELDS & {k for k, v in values.items() if v not in (None, "")} and not (
        can_see_economics(acting_user, customer)
    ):
        raise PermissionDenied(_("Only who may see this account's economics enters amounts."))


def _currency(customer: Customer, values: dict[str, Any], current: str = "") -> str:
    return (values.get("currency") or current or customer.currency or base_currency()).upper()


@transaction.atomic
def do_save_bid(acting_user, customer: Customer, bid: Bid | None = None, **values: Any) -> Bid:
    """Create a bid (``bid`` None) or change one. Without a probability, a new stage brings its
    default; a closed stage without a closing day closes it today."""
    _check_rights(acting_user, customer, values)
    unknown = set(values) - set(BID_FIELDS)
    if unknown:
        raise ValidationError(_("Unknown field: %(name)s") % {"name": sorted(unknown)[0]})
    reasons = values.get("reasons")
    if reasons is not None:
        bad = [r for r in reasons if r not in Reason.values]
        if bad:
            raise ValidationError({"reasons": _("Unknown reason: %(r)s") % {"r": bad[0]}})
        values["reasons"] = [r for r in Reason.values if r in reasons]
    if values.get("learnt_people"):
        try:
            debrief.parse_people(values["learnt_people"])
        except debrief.DebriefError as exc:
            raise ValidationError(
                {
                    "learnt_people": _("Line %(line)s: unknown role “%(word)s”.")
                    % {"line": exc.line, "word": exc.word}
                }
            ) from None
    creating = bid is None
    if bid is None:
        bid = Bid(customer=customer, created_by=acting_user if acting_user.pk else None)
        before: dict[str, Any] = {}
    else:
        before = audit.snapshot(bid, BID_FIELDS)
    old_stage = bid.stage if not creating else None
    stage = values.get("stage") or bid.stage
    if stage not in Stage.values:
        raise ValidationError({"stage": _("Unknown stage.")})
    if values.get("probability") is None:
        values.pop("probability", None)
        if creating or stage != old_stage:
            values["probability"] = figures.default_probability(stage)
    if values.get("value") not in (None, ""):
        values["currency"] = _currency(customer, values, bid.currency)
        values["value"] = check_money(Bid, "value", values["value"], values["currency"])
    for name, value in values.items():
        setattr(bid, name, value)
    if bid.stage in figures.CLOSED_STAGES and bid.closed_on is None:
        bid.closed_on = timezone.localdate()
    if bid.stage in figures.OPEN_STAGES:
        bid.closed_on = None
    bid.full_clean()
    bid.save()
    after = audit.snapshot(bid, BID_FIELDS)
    changes = audit.diff(before, after)
    if changes:
        audit.record(
            acting_user,
            "create" if creating else "update",
            bid,
            customer_id=customer.pk,
            changes=changes,
            money=bid.value is not None,
        )
    return bid


def _delete(acting_user, record: Bid | Contract, fields: list[str]) -> None:
    """Delete a bid or a contract, its audited fields kept in the trail (money if it had any)."""
    _check_rights(acting_user, record.customer, {})
    audit.record(
        acting_user,
        "delete",
        record,
        customer_id=record.customer_id,
        changes=audit.diff(audit.snapshot(record, fields), {}),
        money=record.value is not None,
    )
    record.delete()


@transaction.atomic
def do_delete_bid(acting_user, bid: Bid) -> None:
    _delete(acting_user, bid, BID_FIELDS)


@transaction.atomic
def do_save_contract(
    acting_user, customer: Customer, contract: Contract | None = None, **values: Any
) -> Contract:
    _check_rights(acting_user, customer, values)
    creating = contract is None
    if contract is None:
        contract = Contract(customer=customer)
        before: dict[str, Any] = {}
    else:
        before = audit.snapshot(contract, CONTRACT_FIELDS)
    if values.get("bid") is not None and values["bid"].customer_id != customer.pk:
        raise ValidationError({"bid": _("That bid is another customer's.")})
    if values.get("value") not in (None, ""):
        values["currency"] = _currency(customer, values, contract.currency)
        values["value"] = check_money(Contract, "value", values["value"], values["currency"])
    for name, value in values.items():
        setattr(contract, name, value)
    if contract.starts_on and contract.ends_on and contract.ends_on < contract.starts_on:
        raise ValidationError({"ends_on": _("A contract ends on or after the day it starts.")})
    contract.full_clean()
    contract.save()
    changes = audit.diff(before, audit.snapshot(contract, CONTRACT_FIELDS))
    if changes:
        audit.record(
            acting_user,
            "create" if creating else "update",
            contract,
            customer_id=customer.pk,
            changes=changes,
            money=contract.value is not None,
        )
    return contract


@transaction.atomic
def do_delete_contract(acting_user, contract: Contract) -> None:
    _delete(acting_user, contract, CONTRACT_FIELDS)


def _foundations_note(bid: Bid) -> str:
    parts = [
        (_("Customer needs"), bid.learnt_needs),
        (_("Buying process"), bid.learnt_buying),
        (_("Culture"), bid.learnt_culture),
    ]
    head = _("From the debrief of the lost bid “%(title)s”") % {"title": bid.title}
    return "\n\n".join([head] + [f"{label}: {text.strip()}" for label, text in parts if text])


@transaction.atomic
def do_seed_candidate(acting_user, bid: Bid, *, on: date | None = None) -> dict[str, Any]:
    """From lost bid to key account: the customer of a lost bid stays (or is) a candidate —
    the selection decision alone makes it a key account — and its foundations (needs, buying
    process, culture), its plan's picture of the customer's business and its DMU map are
    pre-filled from the bid's debrief. Returns what was filled."""
    # Imported here: relationships and plans import customers, never pipeline; kept local so
    # that loading the pipeline's models never loads theirs first.
    from kamp.plans.actions import do_create_plan, do_update_plan
    from kamp.plans.models import AccountPlan
    from kamp.relationships.actions import do_save_foundations
    from kamp.relationships.models import Foundations

    customer = Customer.objects.select_for_update().get(pk=bid.customer_id)
    if not can_edit_customer(acting_user, customer):
        raise PermissionDenied
    if bid.stage != Stage.LOST:
        raise ValidationError(_("Only a lost bid can become a candidate's seed."))
    if bid.seeded_on is not None:
        raise ValidationError(_("This bid already seeded the candidate."))
    if customer.status == CustomerStatus.KEY_ACCOUNT:
        raise ValidationError(_("%(name)s is already a key account.") % {"name": customer.name})
    if customer.status == CustomerStatus.FORMER:
        raise ValidationError(
            _(
                "%(name)s is a former key account: only a selection decision makes it a key "
                "account again."
            )
            % {"name": customer.name}
        )
    day = on or timezone.localdate()
    # Foundations: the latest checklist kept, the buying process ticked when the debrief
    # wrote it down, the learnings as the note.
    latest = Foundations.objects.filter(customer=customer).first()
    checks = dict(latest.checks) if latest else {}
    if bid.learnt_buying.strip():
        checks["buying_process"] = True
    if bid.learnt_needs.strip():
        checks["business_understood"] = True
    foundations = do_save_foundations(
        acting_user, customer, checks=checks, note=_foundations_note(bid), date=day
    )
    # The plan's picture of the customer's business: the needs we learnt.
    plan = AccountPlan.objects.filter(customer=customer, period=str(day.year)).first()
    if bid.learnt_needs.strip():
        if plan is None:
            plan = do_create_plan(
                acting_user, customer, str(day.year), business_and_goals=bid.learnt_needs
            )
        elif not plan.business_and_goals.strip():
            plan = do_update_plan(acting_user, plan, business_and_goals=bid.learnt_needs)
    # The DMU: the people the debrief named, added when not already a contact.
    known = {c.name.casefold(): c for c in Contact.objects.filter(customer=customer)}
    added = []
    for person in debrief.parse_people(bid.learnt_people):
        if person.name.casefold() in known:
            continue
        contact = do_create_contact(
            acting_user,
            customer,
            name=person.name,
            title=person.title,
            dmu_roles=list(person.roles),
            attitude=Attitude.NEUTRAL,
        )
        known[person.name.casefold()] = contact
        added.append(contact)
    bid.seeded_on = day
    bid.seeded_by = acting_user if getattr(acting_user, "pk", None) else None
    bid.save(update_fields=["seeded_on", "seeded_by"])
    audit.record(
        acting_user,
        "other",
        bid,
        customer_id=customer.pk,
        summary=audit.say(
            gettext_noop("Lost bid made the seed of the candidate: %(count)s people added"),
            count=len(added),
        ),
        changes=[{"field": "seeded_on", "old": None, "new": day.isoformat()}],
    )
    return {"foundations": foundations, "plan": plan, "contacts": added}


def is_champion(contact: Contact) -> bool:
    return contact.attitude == Attitude.CHAMPION or DMURole.CHAMPION in (contact.dmu_roles or [])


@transaction.atomic
def do_follow_contact(
    acting_user,
    contact: Contact,
    *,
    customer: Customer | None = None,
    company_name: str = "",
    title: str = "",
    email: str = "",
) -> FollowedContact:
    """A champion who left for another company becomes a contact there (at ``customer``, or
    at a new candidate customer named ``company_name``), linked to the old contact and so to
    their history."""
    if not can_edit_customer(acting_user, contact.customer):
        raise PermissionDenied
    if contact.active:
        raise ValidationError(_("%(name)s has not left the company.") % {"name": contact.name})
    if not is_champion(contact):
        raise ValidationError(_("%(name)s was not a champion.") % {"name": contact.name})
    if FollowedContact.objects.filter(former=contact).exists():
        raise ValidationError(_("%(name)s is already followed.") % {"name": contact.name})
    company_name = (company_name or "").strip()
    if customer is None:
        if not company_name:
            raise ValidationError({"company_name": _("Name the company they moved to.")})
        if not can_create_customer(acting_user):
            raise PermissionDenied(_("Only a KAM, a director or an admin adds a customer."))
        customer = do_create_customer(acting_user, name=company_name)
    elif not can_edit_customer(acting_user, customer):
        raise PermissionDenied
    if customer.pk == contact.customer_id:
        raise ValidationError({"customer": _("They left this company: choose the new one.")})
    new = do_create_contact(
        acting_user,
        customer,
        name=contact.name,
        title=title or "",
        function=contact.function,
        seniority=contact.seniority,
        email=email or "",
        attitude=contact.attitude,
    )
    link = FollowedContact.objects.create(
        former=contact, new=new, created_by=acting_user if acting_user.pk else None
    )
    audit.record(
        acting_user,
        "create",
        link,
        customer_id=customer.pk,
        summary=audit.say(
            gettext_noop("%(name)s followed from %(company)s"),
            name=contact.name,
            company=contact.customer.name,
        ),
    )
    return link
