"""/api/v1/interactions/: the bow-tie/diamond analysis and the interaction log."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Schema, Status
from ninja.errors import HttpError

from kamp.core.models import User
from kamp.customers.access import customers_visible_to, get_customer_for_user
from kamp.customers.identity import CustomerRef, customer_ref, customer_refs

from . import actions, analysis
from .models import Interaction, InteractionKind

router = Router(tags=["interactions"])


class RiskOut(Schema):
    kind: str
    detail: str


class AnalysisOut(Schema):
    customer: CustomerRef
    customer_id: int  # as before the identity was nested: kept for existing clients
    name: str
    form: str
    diamond_index: float
    functional_pairs: list[list[str]]
    risks: list[RiskOut]


class InteractionOut(Schema):
    id: int
    customer: CustomerRef
    customer_id: int
    date: dt.date
    kind: str
    topic: str
    notes: str
    follow_up: str
    our_people: list[int]
    their_contacts: list[int]


class InteractionIn(Schema):
    date: dt.date
    kind: InteractionKind = InteractionKind.MEETING
    topic: str
    our_people: list[int]
    their_contacts: list[int]
    notes: str = ""
    follow_up: str = ""


def analysis_rows(customers, as_of: dt.date | None) -> list[dict]:
    """What the API and ``kamp interactions analyse --json`` print, one dict per customer."""
    results = analysis.analyse_many(customers, as_of=as_of)
    refs = customer_refs(results)
    return [
        {
            "customer": refs[pk],
            "customer_id": pk,
            "name": refs[pk]["name"],
            **a.as_dict(),
            "risks": [{"kind": r.kind, "detail": analysis.risk_message(r)} for r in a.risks],
        }
        for pk, a in sorted(results.items())
    ]


@router.get("/analysis", response=list[AnalysisOut])
def analyse_all(
    request: HttpRequest,
    customer: int | None = None,
    as_of: dt.date | None = None,
    status: str = "",
):
    """Per customer the reader may see: form A (bow-tie) or B (diamond), diamond index,
    functional pairs and risks."""
    qs = customers_visible_to(request.user)
    if customer is not None:
        qs = qs.filter(pk=get_customer_for_user(request.user, customer).pk)
    if status:
        qs = qs.filter(status=status)
    return analysis_rows(qs, as_of)


@router.get("/customers/{customer_id}/analysis", response=AnalysisOut)
def analyse_one(request: HttpRequest, customer_id: int, as_of: dt.date | None = None):
    customer = get_customer_for_user(request.user, customer_id)
    return analysis_rows(customers_visible_to(request.user).filter(pk=customer.pk), as_of)[0]


def _out(i: Interaction, customer) -> dict:
    return {
        "id": i.pk,
        "customer": customer_ref(customer),
        "customer_id": i.customer_id,
        "date": i.date,
        "kind": i.kind,
        "topic": i.topic,
        "notes": i.notes,
        "follow_up": i.follow_up,
        "our_people": sorted(u.pk for u in i.our_people.all()),
        "their_contacts": sorted(c.pk for c in i.their_contacts.all()),
    }


@router.get("/customers/{customer_id}/interactions", response=list[InteractionOut])
def list_interactions(request: HttpRequest, customer_id: int, limit: int = 100, offset: int = 0):
    customer = get_customer_for_user(request.user, customer_id)
    limit = max(1, min(limit, 1000))
    offset = min(offset, 2**62)  # past SQLite's 64-bit integers (a 500); no rows there anyway
    qs = (
        Interaction.objects.filter(customer=customer)
        .order_by("-date", "-id")
        .prefetch_related("our_people", "their_contacts")
    )[max(0, offset) : max(0, offset) + limit]
    return [_out(i, customer) for i in qs]


@router.post("/customers/{customer_id}/interactions", response={201: InteractionOut})
def create_interaction(request: HttpRequest, customer_id: int, payload: InteractionIn):
    customer = get_customer_for_user(request.user, customer_id, write=True)
    ours = list(User.objects.filter(pk__in=payload.our_people, is_active=True))
    # Contacts are looked up among all customers so that a stranger is reported, not ignored.
    from kamp.customers.models import Contact

    theirs = list(Contact.objects.filter(pk__in=payload.their_contacts))
    if len(theirs) != len(set(payload.their_contacts)) or len(ours) != len(set(payload.our_people)):
        raise HttpError(422, "Unknown person or contact id.")
    try:
        i = actions.do_log_interaction(
            request.user,
            customer,
            our_people=ours,
            their_contacts=theirs,
            date=payload.date,
            kind=payload.kind,
            topic=payload.topic,
            notes=payload.notes,
            follow_up=payload.follow_up,
        )
    except ValidationError as exc:
        raise HttpError(422, "; ".join(exc.messages))
    return Status(201, _out(i, customer))


@router.delete("/customers/{customer_id}/interactions/{interaction_id}", response={204: None})
def delete_interaction(request: HttpRequest, customer_id: int, interaction_id: int):
    customer = get_customer_for_user(request.user, customer_id, write=True)
    actions.do_delete_interaction(
        request.user, get_object_or_404(Interaction, pk=interaction_id, customer=customer)
    )
    return Status(204, None)
