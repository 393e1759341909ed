"""Access rows of the account plan pages, the customer's private joint-plan link, the plan
exports and the plans API: see docs/roles.md."""

from tests.access_policies import NOT_ALLOWED, Api, Web


def _plan(w):
    return {"plan_pk": w.plan.pk}


def _risk(w):
    return {"plan_pk": w.plan.pk, "section": "risks", "item_pk": w.items["risks"].pk}


def _risk_form(prefix):
    return lambda w: {
        f"{prefix}-risks-title": "R",
        f"{prefix}-risks-likelihood": 1,
        f"{prefix}-risks-impact": 1,
        f"{prefix}-risks-version": w.items["risks"].version,  # what the edit form carries
    }


WEB = [
    Web("plans:portfolio", get="SIGNED_IN", post=NOT_ALLOWED),
    Web("plans:my_actions", get="SIGNED_IN", post=NOT_ALLOWED),
    Web("plans:customer_tab", get="READ", post=NOT_ALLOWED, kwargs=lambda w: {"pk": w.account.pk}),
    Web(
        "plans:create",
        get=NOT_ALLOWED,
        post="EDIT",
        kwargs=lambda w: {"pk": w.account.pk},
        data=lambda w: {"period": "2030"},
    ),
    Web("plans:edit", get="EDIT", post="EDIT", kwargs=_plan),
    Web("plans:delete", get=NOT_ALLOWED, post="EDIT", kwargs=_plan),
    Web("plans:health", get="READ", post=NOT_ALLOWED, kwargs=_plan),
    Web(
        "plans:text",
        get="READ",
        post="EDIT",
        kwargs=lambda w: {"plan_pk": w.plan.pk, "field": "strategy"},
        data=lambda w: {"strategy": "x", "version": w.plan.version},
    ),
    Web(
        "plans:share",
        get="READ",
        post="EDIT",
        kwargs=_plan,
        data=lambda w: {"language": "es", "days": 3, "share_actions": "on"},
    ),
    Web(
        "plans:section",
        get="READ",
        post=NOT_ALLOWED,
        kwargs=lambda w: {"plan_pk": w.plan.pk, "section": "risks"},
    ),
    Web(
        "plans:item_add",
        get=NOT_ALLOWED,
        post="EDIT",
        kwargs=lambda w: {"plan_pk": w.plan.pk, "section": "risks"},
        data=_risk_form("new"),
    ),
    Web("plans:item_edit", get="EDIT", post="EDIT", kwargs=_risk, data=_risk_form("edit")),
    Web("plans:item_delete", get=NOT_ALLOWED, post="EDIT", kwargs=_risk),
    Web(
        "plans:foundations",
        get="EDIT",
        post="EDIT",
        kwargs=_plan,
        data=lambda w: {"j_name": "Need", "j_touchpoints": "", "j_pain_points": "", "j_dated": ""},
    ),
    Web(
        "plans:action_status",
        get=NOT_ALLOWED,
        post="EDIT",
        kwargs=lambda w: {"item_pk": w.items["actions"].pk},
        data=lambda w: {"status": "done"},
    ),
    Web(
        "plans:initiative_stage",
        get=NOT_ALLOWED,
        post="EDIT",
        kwargs=lambda w: {"item_pk": w.items["initiatives"].pk},
        data=lambda w: {"stage": "launched"},
    ),
    Web("plans:link_revoke", get=NOT_ALLOWED, post="EDIT", kwargs=lambda w: {"link_pk": w.link.pk}),
    Web(
        "plans:joint",
        get="PUBLIC_TOKEN",
        post="PUBLIC_TOKEN",
        kwargs=lambda w: {"token": w.link.token},
    ),
]


def _pid(w):
    return {"plan_id": w.plan.pk}


def _item(w):
    return {"plan_id": w.plan.pk, "section": "risks", "item_id": w.items["risks"].pk}


API = [
    Api("GET", "/plans/", "SIGNED_IN"),
    Api(
        "POST",
        "/plans/",
        "EDIT",
        body=lambda w: {"period": "2031"},
        query="?customer={w.account.pk}",
    ),
    Api("GET", "/plans/my-actions", "SIGNED_IN"),
    Api("GET", "/plans/{plan_id}", "READ", _pid),
    Api("PATCH", "/plans/{plan_id}", "EDIT", _pid, body=lambda w: {"strategy": "y"}),
    Api("GET", "/plans/{plan_id}/foundations", "READ", _pid),
    Api(
        "PUT",
        "/plans/{plan_id}/foundations",
        "EDIT",
        _pid,
        body=lambda w: {"journey": [{"name": "Tender"}]},
    ),
    Api("DELETE", "/plans/{plan_id}", "EDIT", _pid),
    Api("GET", "/plans/{plan_id}/joint-links", "EDIT", _pid),
    Api("POST", "/plans/{plan_id}/joint-links", "EDIT", _pid, body=lambda w: {"days": 3}),
    Api(
        "POST",
        "/plans/{plan_id}/joint-links/{link_id}/revoke",
        "EDIT",
        lambda w: {"plan_id": w.plan.pk, "link_id": w.link.pk},
        body=lambda w: {},
    ),
    Api("GET", "/plans/{plan_id}/comments", "READ", _pid),
    Api(
        "POST",
        "/plans/{plan_id}/{section}",
        "EDIT",
        lambda w: {"plan_id": w.plan.pk, "section": "risks"},
        body=lambda w: {"title": "R", "likelihood": 1, "impact": 1},
    ),
    Api(
        "PATCH",
        "/plans/{plan_id}/{section}/{item_id}",
        "EDIT",
        _item,
        body=lambda w: {"title": "R2"},
    ),
    Api("DELETE", "/plans/{plan_id}/{section}/{item_id}", "EDIT", _item),
]
