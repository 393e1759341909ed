"""Who may and who may not, for every customer page, the core pages and the API
(architecture.md, practice 5). Read → 200, refused write → 403, invisible → 404,
anonymous → the login page (401 in JSON for the API)."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from kamp.customers.models import Contact, Customer
from tests.factories import ContactFactory, SalesLineFactory

PEOPLE = ["admin", "director", "ana", "bruno", "member", "viewer", "anonymous"]


def client(request, client_for, person):
    if person == "anonymous":
        return request.getfixturevalue("anonymous")
    return client_for(request.getfixturevalue(person))


def expect(response, status):
    if status == "login":
        assert response.status_code == 302 and "/login/" in response["Location"], (
            response.status_code
        )
    else:
        assert response.status_code == status, (response.status_code, status)


READ_ALL = {
    "admin": 200,
    "director": 200,
    "ana": 200,
    "bruno": 200,
    "member": 200,
    "viewer": 200,
    "anonymous": "login",
}
EDIT = {
    "admin": 200,
    "director": 200,
    "ana": 200,
    "bruno": 403,
    "member": 200,
    "viewer": 403,
    "anonymous": "login",
}
MONEY = {
    "admin": 200,
    "director": 200,
    "ana": 200,
    "bruno": 403,
    "member": 403,
    "viewer": 403,
    "anonymous": "login",
}
PROGRAMME = {
    "admin": 200,
    "director": 200,
    "ana": 403,
    "bruno": 403,
    "member": 403,
    "viewer": 403,
    "anonymous": "login",
}
CREATE = {
    "admin": 200,
    "director": 200,
    "ana": 200,
    "bruno": 200,
    "member": 403,
    "viewer": 403,
    "anonymous": "login",
}
DELETE = {
    "admin": 200,
    "director": 200,
    "ana": 403,
    "bruno": 403,
    "member": 403,
    "viewer": 403,
    "anonymous": "login",
}


@pytest.fixture
def contact(account):
    return ContactFactory(customer=account, name="Jorge Pérez")


PAGES = [
    ("customers:list", lambda a, c: [], READ_ALL),
    ("customers:lookup", lambda a, c: [], READ_ALL),
    ("customers:detail", lambda a, c: [a.pk], READ_ALL),
    ("customers:people", lambda a, c: [a.pk], READ_ALL),
    ("customers:history", lambda a, c: [a.pk], READ_ALL),
    ("customers:sales", lambda a, c: [a.pk], MONEY),
    ("customers:edit", lambda a, c: [a.pk], EDIT),
    ("customers:contact_create", lambda a, c: [a.pk], EDIT),
    ("customers:contact_edit", lambda a, c: [a.pk, c.pk], EDIT),
    ("customers:contact_delete", lambda a, c: [a.pk, c.pk], EDIT),
    ("customers:delete", lambda a, c: [a.pk], DELETE),
    ("customers:create", lambda a, c: [], CREATE),
    ("core:settings", lambda a, c: [], PROGRAMME),
    ("core:audit", lambda a, c: [], PROGRAMME),
    ("home", lambda a, c: [], READ_ALL),
]


@pytest.mark.parametrize("person", PEOPLE)
@pytest.mark.parametrize("name, args, rule", PAGES, ids=[p[0] for p in PAGES])
def test_get(request, client_for, account, contact, person, name, args, rule, monkeypatch):
    from kamp.core.registry import registry

    monkeypatch.delitem(registry["hooks"], "programme_dashboard", raising=False)
    SalesLineFactory(customer=account)
    expect(
        client(request, client_for, person).get(reverse(name, args=args(account, contact))),
        rule[person],
    )


@pytest.mark.parametrize(
    "name",
    [
        "customers:detail",
        "customers:people",
        "customers:history",
        "customers:edit",
        "customers:sales",
    ],
)
def test_member_cannot_reach_an_account_off_their_team(client_for, member, other_account, name):
    assert client_for(member).get(reverse(name, args=[other_account.pk])).status_code == 404


def test_a_contact_is_reached_only_through_its_own_customer(
    client_for, admin, account, other_account
):
    theirs = ContactFactory(customer=other_account)
    url = reverse("customers:contact_edit", args=[account.pk, theirs.pk])
    assert client_for(admin).get(url).status_code == 404


def customer_post(name="Constructora CS", **extra):
    data = {
        "name": name,
        "tax_id": "76.123.456-0",
        "country": "CL",
        "industry": "Construcción",
        "region": "Metropolitana",
        "currency": "CLP",
    }
    data.update(extra)
    return data


WRITE = {
    "admin": 302,
    "director": 302,
    "ana": 302,
    "bruno": 403,
    "member": 302,
    "viewer": 403,
    "anonymous": "login",
}


@pytest.mark.parametrize("person", PEOPLE)
def test_post_edit(request, client_for, account, person):
    data = customer_post(version=account.version, notes=f"by {person}")
    expect(
        client(request, client_for, person).post(
            reverse("customers:edit", args=[account.pk]), data
        ),
        WRITE[person],
    )
    account.refresh_from_db()
    assert (account.notes == f"by {person}") == (WRITE[person] == 302)


@pytest.mark.parametrize("person", PEOPLE)
def test_post_contact_create(request, client_for, account, person):
    data = {
        "name": "Camila Vera",
        "function": "finance",
        "attitude": "neutral",
        "influence": 3,
        "active": "on",
    }
    expect(
        client(request, client_for, person).post(
            reverse("customers:contact_create", args=[account.pk]), data
        ),
        WRITE[person],
    )
    assert Contact.objects.filter(name="Camila Vera").exists() == (WRITE[person] == 302)


@pytest.mark.parametrize("person", PEOPLE)
def test_post_contact_delete(request, client_for, account, contact, person):
    expect(
        client(request, client_for, person).post(
            reverse("customers:contact_delete", args=[account.pk, contact.pk])
        ),
        WRITE[person],
    )
    assert Contact.objects.filter(pk=contact.pk).exists() != (WRITE[person] == 302)


@pytest.mark.parametrize("person", PEOPLE)
def test_post_delete_customer(request, client_for, account, person):
    status = {**DELETE, "admin": 302, "director": 302}[person]
    expect(
        client(request, client_for, person).post(reverse("customers:delete", args=[account.pk])),
        status,
    )
    assert Customer.objects.filter(pk=account.pk).exists() != (status == 302)


@pytest.mark.parametrize("person", PEOPLE)
def test_post_create_customer(request, client_for, person, ana):
    status = {**CREATE, "admin": 302, "director": 302, "ana": 302, "bruno": 302}[person]
    expect(
        client(request, client_for, person).post(
            reverse("customers:create"), customer_post(name="Nueva SpA", tax_id="")
        ),
        status,
    )
    assert Customer.objects.filter(name="Nueva SpA").exists() == (status == 302)


@pytest.mark.parametrize("person", PEOPLE)
def test_post_settings(request, client_for, person):
    status = {**PROGRAMME, "admin": 302, "director": 302}[person]
    expect(
        client(request, client_for, person).post(
            reverse("core:settings"),
            {"company_name": "SAF", "size_class": "sme", "base_currency": "clp", "version": 1},
        ),
        status,
    )


@pytest.mark.parametrize(
    "person, status",
    [("admin", 200), ("director", 302), ("ana", 302), ("viewer", 302), ("anonymous", 302)],
)
def test_django_admin_is_for_admins_only(request, client_for, person, status):
    c = client(request, client_for, person)
    if person == "director":
        request.getfixturevalue("director").__class__.objects.filter(role="director").update(
            is_staff=True
        )
    assert c.get("/admin/").status_code == status


# --- API ----------------------------------------------------------------------------------
API_READ = {
    "admin": 200,
    "director": 200,
    "ana": 200,
    "bruno": 200,
    "member": 200,
    "viewer": 200,
    "anonymous": 401,
}


def api(c, method, url, body=None):
    kwargs = {"content_type": "application/json"}
    if body is not None:
        kwargs["data"] = json.dumps(body)
    return getattr(c, method)(url, **kwargs)


@pytest.mark.parametrize("person", PEOPLE)
def test_api_reads(request, client_for, account, contact, person):
    c = client(request, client_for, person)
    for url in [
        "/api/v1/customers/",
        f"/api/v1/customers/{account.pk}",
        f"/api/v1/customers/{account.pk}/contacts",
    ]:
        assert api(c, "get", url).status_code == API_READ[person], url


@pytest.mark.parametrize(
    "person, status",
    [
        ("admin", 201),
        ("director", 201),
        ("ana", 201),
        ("bruno", 201),
        ("member", 403),
        ("viewer", 403),
        ("anonymous", 401),
    ],
)
def test_api_create_customer(request, client_for, person, status):
    r = api(
        client(request, client_for, person),
        "post",
        "/api/v1/customers/",
        {"name": "Nueva SpA", "tax_id": "76.086.428-5"},
    )
    assert r.status_code == status, r.content
    assert Customer.objects.filter(name="Nueva SpA").exists() == (status == 201)


@pytest.mark.parametrize(
    "person, status",
    [
        ("admin", 200),
        ("director", 200),
        ("ana", 200),
        ("bruno", 403),
        ("member", 200),
        ("viewer", 403),
        ("anonymous", 401),
    ],
)
def test_api_update_customer(request, client_for, account, person, status):
    r = api(
        client(request, client_for, person),
        "patch",
        f"/api/v1/customers/{account.pk}",
        {"region": "Biobío"},
    )
    assert r.status_code == status, r.content
    account.refresh_from_db()
    assert (account.region == "Biobío") == (status == 200)


@pytest.mark.parametrize(
    "person, status",
    [
        ("admin", 204),
        ("director", 204),
        ("ana", 403),
        ("bruno", 403),
        ("member", 403),
        ("viewer", 403),
        ("anonymous", 401),
    ],
)
def test_api_delete_customer(request, client_for, account, person, status):
    r = api(client(request, client_for, person), "delete", f"/api/v1/customers/{account.pk}")
    assert r.status_code == status


@pytest.mark.parametrize(
    "person, status",
    [
        ("admin", 201),
        ("director", 201),
        ("ana", 201),
        ("bruno", 403),
        ("member", 201),
        ("viewer", 403),
        ("anonymous", 401),
    ],
)
def test_api_contacts_write(request, client_for, account, contact, person, status):
    c = client(request, client_for, person)
    r = api(
        c,
        "post",
        f"/api/v1/customers/{account.pk}/contacts",
        {"name": "Paula Herrera", "function": "operations", "dmu_roles": ["user", "influencer"]},
    )
    assert r.status_code == status, r.content
    ok = status == 201
    r = api(c, "patch", f"/api/v1/customers/{account.pk}/contacts/{contact.pk}", {"title": "CFO"})
    assert r.status_code == (200 if ok else status)
    r = api(c, "delete", f"/api/v1/customers/{account.pk}/contacts/{contact.pk}")
    assert r.status_code == (204 if ok else status)


def test_api_member_cannot_see_other_accounts(client_for, member, account, other_account):
    c = client_for(member)
    assert api(c, "get", f"/api/v1/customers/{other_account.pk}").status_code == 404
    ids = [row["id"] for row in api(c, "get", "/api/v1/customers/").json()]
    assert ids == [account.pk]
