"""Access rows of the selection pages (portfolio matrix, scoring grid, models, the customer's
selection tab) and the selection API: see docs/roles.md."""

from tests.access_policies import NOT_ALLOWED, Api, Web


def _pk(w):
    return {"pk": w.account.pk}


def _model(w):
    return {"pk": w.selection_model.pk}


WEB = [
    Web("selection:portfolio", get="SIGNED_IN", post=NOT_ALLOWED),
    Web("selection:grid", get="SIGNED_IN", post=NOT_ALLOWED),
    Web(
        "selection:grid_save",
        get=NOT_ALLOWED,
        post="SCORE",
        data=lambda w: {"customer": w.account.pk, "factor": "profitability", "score": "7"},
    ),
    Web("selection:models", get="PROGRAMME", post=NOT_ALLOWED),
    Web("selection:model_create", get="PROGRAMME", post="PROGRAMME"),
    Web("selection:model_edit", get="PROGRAMME", post="PROGRAMME", kwargs=_model),
    Web("selection:model_activate", get=NOT_ALLOWED, post="PROGRAMME", kwargs=_model),
    Web("selection:model_delete", get=NOT_ALLOWED, post="PROGRAMME", kwargs=_model),
    Web("selection:model_export", get="SIGNED_IN", post=NOT_ALLOWED, kwargs=_model),
    Web("selection:snapshot_create", get=NOT_ALLOWED, post="PROGRAMME"),
    Web("selection:customer_tab", get="READ", post=NOT_ALLOWED, kwargs=_pk),
    Web(
        "selection:customer_score",
        get=NOT_ALLOWED,
        post="SCORE",
        kwargs=_pk,
        data=lambda w: {"score_profitability": "7"},
    ),
    Web(
        "selection:decide",
        get="ACCOUNT_DECISION",
        post="ACCOUNT_DECISION",
        kwargs=_pk,
        data=lambda w: {"kind": "revoke", "rationale": "The access matrix"},
    ),
    Web(
        "selection:reciprocity_add",
        get=NOT_ALLOWED,
        post="SCORE",
        kwargs=_pk,
        data=lambda w: {
            "kind": "commitment",
            "happened_on": "2026-01-05",
            "note": "The access matrix",
        },
    ),
    Web(
        "selection:reciprocity_delete",
        get=NOT_ALLOWED,
        post="SCORE",
        kwargs=lambda w: {"pk": w.account.pk, "evidence_id": w.reciprocity_evidence.pk},
    ),
    Web(
        "selection:reciprocity_override",
        get=NOT_ALLOWED,
        post="ACCOUNT_DECISION",
        kwargs=_pk,
        data=lambda w: {"override": "7", "reason": "The access matrix"},
    ),
]


def _cid(w):
    return {"customer_id": w.account.pk}


API = [
    Api("GET", "/selection/models", "SIGNED_IN"),
    Api(
        "POST",
        "/selection/models/{model_id}/activate",
        "PROGRAMME",
        lambda w: {"model_id": w.selection_model.pk},
    ),
    Api("GET", "/selection/results", "SIGNED_IN"),
    Api("GET", "/selection/robustness", "SIGNED_IN"),
    Api("GET", "/selection/customers/{customer_id}", "READ", _cid),
    Api(
        "POST",
        "/selection/customers/{customer_id}/scores",
        "SCORE",
        _cid,
        body=lambda w: {"factor": "profitability", "score": 7},
    ),
    Api(
        "POST",
        "/selection/customers/{customer_id}/decision",
        "ACCOUNT_DECISION",
        _cid,
        body=lambda w: {"kind": "revoke", "rationale": "The access matrix"},
    ),
    Api("POST", "/selection/snapshots", "PROGRAMME", body=lambda w: {"label": "matrix"}),
    Api("GET", "/selection/customers/{customer_id}/reciprocity", "READ", _cid),
    Api(
        "POST",
        "/selection/customers/{customer_id}/reciprocity/evidence",
        "SCORE",
        _cid,
        body=lambda w: {
            "kind": "data_shared",
            "happened_on": "2026-01-05",
            "note": "The access matrix",
        },
    ),
    Api(
        "DELETE",
        "/selection/customers/{customer_id}/reciprocity/evidence/{evidence_id}",
        "SCORE",
        lambda w: {"customer_id": w.account.pk, "evidence_id": w.reciprocity_evidence.pk},
    ),
    Api(
        "PUT",
        "/selection/customers/{customer_id}/reciprocity/override",
        "ACCOUNT_DECISION",
        _cid,
        body=lambda w: {"score": 7, "reason": "The access matrix"},
    ),
    Api("GET", "/selection/customers/{customer_id}/lookbacks", "READ", _cid),
]
