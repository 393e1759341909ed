"""Access rows of the relationship pages (type, quality surveys, stages), the customer's
private survey link and the relationships API: see docs/roles.md."""

from tests.access_policies import NOT_ALLOWED, Api, Web


def _pk(w):
    return {"pk": w.account.pk}


def _round(w):
    return {"pk": w.round.pk}


WEB = [
    Web("relationships:portfolio", get="SIGNED_IN", post=NOT_ALLOWED),
    Web("relationships:customer_tab", get="READ", post=NOT_ALLOWED, kwargs=_pk),
    Web("relationships:assess", get="EDIT", post="EDIT", kwargs=_pk),
    Web("relationships:foundations", get="EDIT", post="EDIT", kwargs=_pk),
    Web("relationships:stage", get="EDIT", post="EDIT", kwargs=_pk),
    Web("relationships:round_new", get="EDIT", post="EDIT", kwargs=_pk),
    Web("relationships:round", get="READ", post=NOT_ALLOWED, kwargs=_round),
    Web("relationships:answer", get="RESPONDENT", post="RESPONDENT", kwargs=_round),
    Web("relationships:remind", get=NOT_ALLOWED, post="EDIT", kwargs=_round),
    Web("relationships:add", get=NOT_ALLOWED, post="EDIT", kwargs=_round),
    Web("relationships:extend", get=NOT_ALLOWED, post="EDIT", kwargs=_round),
    Web("relationships:close", get=NOT_ALLOWED, post="EDIT", kwargs=_round),
    Web(
        "relationships:public_survey",
        get="PUBLIC_TOKEN",
        post="PUBLIC_TOKEN",
        kwargs=lambda w: {"token": w.survey_token},
    ),
]


def _cid(w):
    return {"customer_id": w.account.pk}


API = [
    Api("GET", "/relationships/customers/{customer_id}", "READ", _cid),
    Api("GET", "/relationships/customers/{customer_id}/assessments", "READ", _cid),
    Api(
        "POST",
        "/relationships/customers/{customer_id}/assessments",
        "EDIT",
        _cid,
        body=lambda w: {},
    ),
    Api("GET", "/relationships/customers/{customer_id}/rounds", "READ", _cid),
    Api("GET", "/relationships/rounds/{round_id}", "READ", lambda w: {"round_id": w.round.pk}),
    Api(
        "POST",
        "/relationships/rounds/{round_id}/remind",
        "EDIT",
        lambda w: {"round_id": w.round.pk},
        body=lambda w: {},
    ),
    Api("GET", "/relationships/customers/{customer_id}/stage", "READ", _cid),
    Api(
        "POST",
        "/relationships/customers/{customer_id}/stage",
        "EDIT",
        _cid,
        body=lambda w: {"stage": "mid"},
    ),
    Api("GET", "/relationships/portfolio", "SIGNED_IN"),
]
