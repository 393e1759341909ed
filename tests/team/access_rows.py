"""Access rows of the account team, ownership and KAM profile pages and the team API: see
docs/roles.md."""

from tests.access_policies import NOT_ALLOWED, Api, Web


def _pk(w):
    return {"pk": w.account.pk}


def _member(w):
    return {"pk": w.account.pk, "member_pk": w.team_member.pk}


def _kam(w):
    return {"pk": w.users["kam_own"].pk}


WEB = [
    Web("team:customer", get="READ", post=NOT_ALLOWED, kwargs=_pk),
    Web("team:panel", get="READ", post=NOT_ALLOWED, kwargs=_pk),
    Web("team:member_add", get=NOT_ALLOWED, post="EDIT", kwargs=_pk),
    Web("team:member_update", get=NOT_ALLOWED, post="EDIT", kwargs=_member),
    Web("team:member_remove", get=NOT_ALLOWED, post="EDIT", kwargs=_member),
    Web("team:owner_change", get=NOT_ALLOWED, post="OWNER", kwargs=_pk),
    # A KAM asking for the list is sent to their own profile (302).
    Web("team:kams", get="KAMS", post=NOT_ALLOWED, ok_get=(200, 302)),
    Web("team:kam", get="KAM_SELF", post=NOT_ALLOWED, kwargs=_kam),
    Web("team:kam_assess", get="KAM_SELF", post="KAM_SELF", kwargs=_kam),
]

API = [
    Api("GET", "/team/customers/{pk}", "READ", _pk),
    Api(
        "POST",
        "/team/customers/{pk}/members",
        "EDIT",
        _pk,
        body=lambda w: {"user_id": w.users["member_other"].pk, "role": "member"},
    ),
    Api("DELETE", "/team/customers/{pk}/members/{member_pk}", "EDIT", _member),
]
