"""Access rows of the customer pages and the customers API: see docs/roles.md."""

from tests.access_policies import NOT_ALLOWED, Api, Web


def _pk(w):
    return {"pk": w.account.pk}


def _contact(w):
    return {"pk": w.account.pk, "contact_pk": w.contact.pk}


def _customer_form(w):
    a = w.account
    return {
        "name": a.name,
        "tax_id": a.tax_id,
        "country": a.country,
        "status": a.status,
        "industry": a.industry,
        "region": a.region,
        "currency": a.currency,
        "owner": a.owner_id,
        "notes": "changed by the access matrix",
        "version": a.version,  # the edit form carries the version it was opened on
    }


WEB = [
    Web("customers:list", get="SIGNED_IN", post=NOT_ALLOWED),
    Web("customers:lookup", get="SIGNED_IN", post=NOT_ALLOWED),
    Web(
        "customers:create",
        get="CREATE",
        post="CREATE",
        data=lambda w: {
            "name": "Nueva SpA",
            "country": "CL",
            "status": "candidate",
            "currency": "CLP",
        },
    ),
    Web("customers:detail", get="READ", post=NOT_ALLOWED, kwargs=_pk),
    Web("customers:edit", get="EDIT", post="EDIT", kwargs=_pk, data=_customer_form),
    Web("customers:delete", get="ACCOUNT_DECISION", post="ACCOUNT_DECISION", kwargs=_pk),
    Web("customers:people", get="READ", post=NOT_ALLOWED, kwargs=_pk),
    Web(
        "customers:contact_create",
        get="EDIT",
        post="EDIT",
        kwargs=_pk,
        data=lambda w: {
            "name": "Camila Vera",
            "function": "finance",
            "attitude": "neutral",
            "influence": 3,
            "active": "on",
        },
    ),
    Web(
        "customers:contact_edit",
        get="EDIT",
        post="EDIT",
        kwargs=_contact,
        data=lambda w: {
            "name": "Jorge Pérez",
            "function": "purchasing",
            "attitude": "neutral",
            "influence": 4,
            "active": "on",
            "version": w.contact.version,
        },
    ),
    Web("customers:contact_delete", get="EDIT", post="EDIT", kwargs=_contact),
    Web("customers:history", get="READ", post=NOT_ALLOWED, kwargs=_pk),
    Web("customers:sales", get="MONEY", post=NOT_ALLOWED, kwargs=_pk),
    Web("customers:group", get="READ", post=NOT_ALLOWED, kwargs=_pk),
]


def _cid(w):
    return {"customer_id": w.account.pk}


API = [
    Api("GET", "/customers/", "SIGNED_IN"),
    Api(
        "POST",
        "/customers/",
        "CREATE",
        body=lambda w: {"name": "Nueva SpA", "tax_id": "76.086.428-5"},
    ),
    Api("GET", "/customers/{customer_id}", "READ", _cid),
    Api("PATCH", "/customers/{customer_id}", "EDIT", _cid, body=lambda w: {"region": "Biobío"}),
    Api("DELETE", "/customers/{customer_id}", "ACCOUNT_DECISION", _cid),
    Api("GET", "/customers/{customer_id}/contacts", "READ", _cid),
    Api("GET", "/customers/{customer_id}/group", "READ", _cid),
    Api(
        "POST",
        "/customers/{customer_id}/contacts",
        "EDIT",
        _cid,
        body=lambda w: {"name": "Paula Herrera", "function": "operations"},
    ),
    Api(
        "PATCH",
        "/customers/{customer_id}/contacts/{contact_id}",
        "EDIT",
        lambda w: {"customer_id": w.account.pk, "contact_id": w.contact.pk},
        body=lambda w: {"title": "CFO"},
    ),
    Api(
        "POST",
        "/customers/{customer_id}/owner",
        "OWNER",
        _cid,
        body=lambda w: {"owner_id": w.users["kam_team"].pk},
    ),
    Api(
        "DELETE",
        "/customers/{customer_id}/contacts/{contact_id}",
        "EDIT",
        lambda w: {"customer_id": w.account.pk, "contact_id": w.contact.pk},
    ),
]
