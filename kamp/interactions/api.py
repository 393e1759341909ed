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


# --- Target form ------------------------------------------------------------------------------


class TargetIn(Schema):
    form: str
    pairs: list[list[str]] = []
    note: str = ""


class ProgressOut(Schema):
    done: int
    needed: int
    missing: list[list[str]]


class NextPairOut(Schema):
    ours: str
    theirs: str
    contact_id: int | None
    contact_name: str
    roles: list[str]
    named: bool


class TargetOut(Schema):
    customer: CustomerRef
    form: str | None
    pairs: list[list[str]]
    note: str
    suggested_form: str
    suggestion_reason: str
    trust: float | None
    trust_for_b: float
    progress: ProgressOut | None
    last_period: ProgressOut | None
    last_period_end: dt.date
    falling_back: bool
    next_pair: NextPairOut | None


def _progress_out(p) -> dict | None:
    if p is None:
        return None
    return {"done": p.done, "needed": p.needed, "missing": [list(m) for m in p.missing]}


def target_row(customer) -> dict:
    """What the API and ``kamp interactions target --json`` print for one account."""
    from . import targets

    st = targets.state(customer)
    t, s, n = st.target, st.suggestion, st.next_pair
    return {
        "customer": customer_ref(customer),
        "form": t.form if t else None,
        "pairs": [list(p) for p in t.pair_tuples] if t else [],
        "note": t.note if t else "",
        "suggested_form": s.form,
        "suggestion_reason": s.reason,
        "trust": round(s.trust, 2) if s.trust is not None else None,
        "trust_for_b": s.threshold,
        "progress": _progress_out(st.progress),
        "last_period": _progress_out(st.before),
        "last_period_end": st.before_on,
        "falling_back": st.falling_back,
        "next_pair": {
            "ours": n.ours,
            "theirs": n.theirs,
            "contact_id": n.contact_id,
            "contact_name": n.contact_name,
            "roles": list(n.roles),
            "named": n.named,
        }
        if n
        else None,
    }


@router.get("/customers/{customer_id}/target", response=TargetOut)
def get_target(request: HttpRequest, customer_id: int):
    """The account's target interaction form (A bow-tie, B diamond, mix with named pairs), the
    form kamp suggests from the trust of its counted survey round, progress now and at the end
    of the last period, and the next functional pair to open."""
    return target_row(get_customer_for_user(request.user, customer_id))


@router.put("/customers/{customer_id}/target", response=TargetOut)
def put_target(request: HttpRequest, customer_id: int, payload: TargetIn):
    customer = get_customer_for_user(request.user, customer_id, write=True)
    if any(len(p) != 2 for p in payload.pairs):
        raise HttpError(422, "Each named pair is [our function, their function].")
    try:
        actions.do_set_target(
            request.user, customer, form=payload.form, pairs=payload.pairs, note=payload.note
        )
    except ValidationError as exc:
        raise HttpError(422, "; ".join(exc.messages))
    return target_row(customer)
