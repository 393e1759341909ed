"""Access rows of the interaction pages (log, coverage, DMU map, calendar import) and the
interactions API: see docs/roles.md."""

from tests.access_policies import NOT_ALLOWED, Api, Web


def _pk(w):
    return {"pk": w.account.pk}


def _iid(w):
    return {"pk": w.account.pk, "iid": w.interaction.pk}


def _contact(w):
    return {"pk": w.account.pk, "contact_pk": w.contact.pk}


WEB = [
    Web("interactions:customer_tab", get="READ", post=NOT_ALLOWED, kwargs=_pk),
    Web("interactions:create", get="EDIT", post="EDIT", kwargs=_pk),
    Web("interactions:edit", get="EDIT", post="EDIT", kwargs=_iid),
    Web("interactions:delete", get=NOT_ALLOWED, post="EDIT", kwargs=_iid),
    Web("interactions:target", get=NOT_ALLOWED, post="EDIT", kwargs=_pk),
    Web("interactions:coverage", get="READ", post=NOT_ALLOWED, kwargs=_pk),
    Web("interactions:dmu", get="READ", post=NOT_ALLOWED, kwargs=_pk),
    Web("interactions:dmu_add", get="EDIT", post="EDIT", kwargs=_pk),
    Web("interactions:dmu_card", get="READ", post=NOT_ALLOWED, kwargs=_contact),
    Web("interactions:dmu_contact", get="EDIT", post="EDIT", kwargs=_contact),
    Web(
        "interactions:person",
        get="SIGNED_IN",
        post=NOT_ALLOWED,
        kwargs=lambda w: {"user_pk": w.users["member"].pk},
    ),
    Web("interactions:risks", get="SIGNED_IN", post=NOT_ALLOWED),
    Web("interactions:settings", get="PROGRAMME", post="PROGRAMME"),
    Web("interactions:calendar_upload", get="EDITS_ANY", post="EDITS_ANY"),
    Web(
        "interactions:calendar_review",
        get="OWN_UPLOAD",
        post="OWN_UPLOAD",
        kwargs=lambda w: {"batch_pk": w.calendar_batch.pk},
    ),
]


def _cid(w):
    return {"customer_id": w.account.pk}


API = [
    Api("GET", "/interactions/analysis", "SIGNED_IN"),
    Api("GET", "/interactions/customers/{customer_id}/analysis", "READ", _cid),
    Api("GET", "/interactions/customers/{customer_id}/interactions", "READ", _cid),
    Api("GET", "/interactions/customers/{customer_id}/target", "READ", _cid),
    Api(
        "PUT",
        "/interactions/customers/{customer_id}/target",
        "EDIT",
        _cid,
        body=lambda w: {"form": "B", "pairs": [["finance", "finance"]]},
    ),
    Api(
        "POST",
        "/interactions/customers/{customer_id}/interactions",
        "EDIT",
        _cid,
        body=lambda w: {
            "date": "2026-01-10",
            "topic": "Matrix",
            "our_people": [w.users["kam_own"].pk],
            "their_contacts": [w.contact.pk],
        },
    ),
    Api(
        "DELETE",
        "/interactions/customers/{customer_id}/interactions/{interaction_id}",
        "EDIT",
        lambda w: {"customer_id": w.account.pk, "interaction_id": w.interaction.pk},
    ),
]
