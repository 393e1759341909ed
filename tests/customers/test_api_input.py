"""The API refuses bad input with a 4xx JSON answer naming the problem — never a 500."""

from __future__ import annotations

import json

import pytest

from kamp.customers.models import Customer


def call(c, method, url, body):
    return getattr(c, method)(
        url,
        data=body if isinstance(body, str) else json.dumps(body),
        content_type="application/json",
    )


@pytest.mark.parametrize(
    "body, status, field",
    [
        ({"name": ""}, 422, None),
        ({}, 422, None),
        ("{not json", 400, None),
        ({"name": "X", "tax_id": "76.123.456-7"}, 422, "tax_id"),
        ({"name": "X", "status": "vip"}, 422, "status"),
        ({"name": "X", "size": "huge"}, 422, "size"),
        ({"name": "X", "owner_id": 999999}, 422, "owner_id"),
        ({"name": "X", "parent_id": 999999}, 422, "parent_id"),
        ({"name": "X", "country": "CHL"}, 422, "country"),
        ({"name": "X", "owner_id": "abc"}, 422, None),
    ],
)
def test_create_customer_bad_input(client_for, director, body, status, field):
    r = call(client_for(director), "post", "/api/v1/customers/", body)
    assert r.status_code == status, r.content
    detail = r.json()["detail"]
    if field:
        assert field in detail
    assert not Customer.objects.exists()


def test_duplicate_tax_id(client_for, director, account):
    r = call(
        client_for(director), "post", "/api/v1/customers/", {"name": "Y", "tax_id": account.tax_id}
    )
    assert r.status_code == 422 and "tax_id" in r.json()["detail"]


def test_create_and_patch_round_trip(client_for, ana):
    c = client_for(ana)
    r = call(c, "post", "/api/v1/customers/", {"name": "Nueva SpA", "tax_id": "760864285"})
    assert r.status_code == 201
    data = r.json()
    assert data["tax_id"] == "76.086.428-5" and data["owner_id"] == ana.pk
    r = call(
        c, "patch", f"/api/v1/customers/{data['id']}", {"industry": "Minería", "size": "large"}
    )
    assert (
        r.status_code == 200
        and r.json()["industry"] == "Minería"
        and r.json()["name"] == "Nueva SpA"
    )
    r = call(c, "patch", f"/api/v1/customers/{data['id']}", {"name": None})
    assert r.status_code == 422
    r = call(c, "patch", f"/api/v1/customers/{data['id']}", {"parent_id": data["id"]})
    assert r.status_code == 422 and "parent_id" in r.json()["detail"]


@pytest.mark.parametrize(
    "body, field",
    [
        ({"name": "A", "function": "hr"}, "function"),
        ({"name": "A", "dmu_roles": ["king"]}, "dmu_roles"),
        ({"name": "A", "attitude": "angry"}, "attitude"),
        ({"name": "A", "influence": 9}, None),
        ({"name": "A", "email": "nope"}, "email"),
        ({"name": "A", "reports_to_id": 424242}, "reports_to_id"),
        ({"name": "A", "active": False}, "left_on"),
        ({"name": "A", "left_on": "31-12-2026"}, None),
    ],
)
def test_contact_bad_input(client_for, ana, account, body, field):
    r = call(client_for(ana), "post", f"/api/v1/customers/{account.pk}/contacts", body)
    assert r.status_code == 422, r.content
    if field:
        assert field in r.json()["detail"]
    assert not account.contacts.exists()


def test_contact_round_trip(client_for, ana, account):
    c = client_for(ana)
    boss = call(
        c,
        "post",
        f"/api/v1/customers/{account.pk}/contacts",
        {"name": "María González", "function": "finance", "dmu_roles": ["decider"]},
    ).json()
    r = call(
        c,
        "post",
        f"/api/v1/customers/{account.pk}/contacts",
        {
            "name": "Camila Vera",
            "reports_to_id": boss["id"],
            "dmu_roles": ["influencer", "influencer"],
        },
    )
    assert r.status_code == 201 and r.json()["dmu_roles"] == ["influencer"]
    cid = r.json()["id"]
    r = call(
        c,
        "patch",
        f"/api/v1/customers/{account.pk}/contacts/{cid}",
        {"active": False, "left_on": "2026-10-01"},
    )
    assert r.status_code == 200 and r.json()["active"] is False
    r = call(c, "patch", f"/api/v1/customers/{account.pk}/contacts/{cid}", {"reports_to_id": cid})
    assert r.status_code == 422


def test_unknown_ids_are_404(client_for, admin):
    c = client_for(admin)
    assert call(c, "patch", "/api/v1/customers/999999", {"name": "x"}).status_code == 404
    assert c.get("/api/v1/customers/999999/contacts").status_code == 404
