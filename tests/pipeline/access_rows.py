"""Access rows of bids, contracts and followed champions (the customer's Bids tab, the
programme's pipeline page) and the pipeline API: see docs/roles.md."""

from tests.access_policies import NOT_ALLOWED, Api, Web


def _pk(w):
    return {"pk": w.account.pk}


def _bid(w):
    return {"bid_pk": w.bid.pk}


def _contract(w):
    return {"contract_pk": w.pipeline_contract.pk}


WEB = [
    Web("pipeline:programme", get="SIGNED_IN", post=NOT_ALLOWED),
    Web("pipeline:customer_tab", get="READ", post=NOT_ALLOWED, kwargs=_pk),
    Web(
        "pipeline:bid_create",
        get="EDIT",
        post="EDIT",
        kwargs=_pk,
        data=lambda w: {"title": "Matrix bid", "stage": "identified"},
    ),
    Web(
        "pipeline:bid_edit",
        get="EDIT",
        post="EDIT",
        kwargs=_bid,
        data=lambda w: {"title": "Tender", "stage": "lost"},
    ),
    Web("pipeline:bid_delete", get=NOT_ALLOWED, post="EDIT", kwargs=_bid),
    # On a key account the seed is refused with a message (the status is the selection's).
    Web("pipeline:bid_seed", get=NOT_ALLOWED, post="EDIT", kwargs=_bid),
    Web(
        "pipeline:contract_create",
        get="EDIT",
        post="EDIT",
        kwargs=_pk,
        data=lambda w: {"title": "Matrix", "starts_on": "2026-01-01", "ends_on": "2026-12-31"},
    ),
    Web(
        "pipeline:contract_edit",
        get="EDIT",
        post="EDIT",
        kwargs=_contract,
        data=lambda w: {"title": "Framework", "starts_on": "2026-01-01", "ends_on": "2026-12-31"},
    ),
    Web("pipeline:contract_delete", get=NOT_ALLOWED, post="EDIT", kwargs=_contract),
    # The world's contact is still at the company: the POST is refused in the form.
    Web(
        "pipeline:follow",
        get="EDIT",
        post="EDIT",
        kwargs=lambda w: {"contact_pk": w.contact.pk},
        data=lambda w: {"company_name": "Nueva"},
    ),
]


def _cid(w):
    return {"customer_id": w.account.pk}


API = [
    Api("GET", "/pipeline/customers/{customer_id}/bids", "READ", _cid),
    Api(
        "POST",
        "/pipeline/customers/{customer_id}/bids",
        "EDIT",
        _cid,
        body=lambda w: {"title": "Matrix bid"},
    ),
    Api("GET", "/pipeline/bids/{bid_id}", "READ", lambda w: {"bid_id": w.bid.pk}),
    Api(
        "PATCH",
        "/pipeline/bids/{bid_id}",
        "EDIT",
        lambda w: {"bid_id": w.bid.pk},
        body=lambda w: {"title": "Tender (matrix)"},
    ),
    Api("DELETE", "/pipeline/bids/{bid_id}", "EDIT", lambda w: {"bid_id": w.bid.pk}),
    Api("POST", "/pipeline/bids/{bid_id}/candidate", "EDIT", lambda w: {"bid_id": w.bid.pk}),
    Api("GET", "/pipeline/customers/{customer_id}/contracts", "READ", _cid),
    Api(
        "POST",
        "/pipeline/customers/{customer_id}/contracts",
        "EDIT",
        _cid,
        body=lambda w: {"title": "Matrix", "starts_on": "2026-01-01", "ends_on": "2026-12-31"},
    ),
    Api(
        "PATCH",
        "/pipeline/contracts/{contract_id}",
        "EDIT",
        lambda w: {"contract_id": w.pipeline_contract.pk},
        body=lambda w: {"title": "Framework (matrix)"},
    ),
    Api("GET", "/pipeline/summary", "SIGNED_IN"),
]
