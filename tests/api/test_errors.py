"""Regressions for the 500s the generated requests of test_schema.py found: each now answers a
4xx with a message."""

import json

import pytest


def _post(client, path, body):
    return client.post(path, json.dumps(body), content_type="application/json")


@pytest.mark.parametrize(
    ("body", "status", "detail"),
    [
        ({"key": "no-such-alert", "reason": "label"}, 404, "No such open alert."),
        ({"key": "no-such-alert", "reason": "  "}, 422, "A reason is required."),
    ],
)
def test_dismissing_an_unknown_alert_or_without_reason_is_refused(
    client_for, director, body, status, detail
):
    # was: AttributeError 'Router' object has no attribute 'api' (500)
    response = _post(client_for(director), "/api/v1/programme/alerts/dismiss", body)
    assert response.status_code == status
    assert response.json() == {"detail": detail}


def test_an_id_too_large_for_the_database_is_refused(client_for, director, account):
    # was: OverflowError "Python int too large to convert to SQLite INTEGER" (500)
    huge = 17157899473664452914577408
    response = _post(
        client_for(director),
        f"/api/v1/interactions/customers/{account.pk}/interactions",
        {"topic": "x", "date": "2026-01-05", "our_people": [huge], "their_contacts": []},
    )
    assert response.status_code in (404, 422)
    assert response.json()["detail"]


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/customers/{huge}",
        "/api/v1/plans/{huge}",
        "/api/v1/programme/readiness/{huge}",
    ],
)
def test_a_path_id_too_large_for_the_database_is_refused(client_for, director, path):
    response = client_for(director).get(path.format(huge=2**70))
    assert response.status_code in (404, 422)
    assert response.json()["detail"]


@pytest.mark.parametrize("body", ["[1, 2]", "null", "3", '"label"'])
def test_a_body_that_is_not_a_json_object_is_refused(client_for, director, body):
    # was: 200, a snapshot taken with the defaults (the same for a plan's joint link)
    response = client_for(director).post(
        "/api/v1/selection/snapshots", body, content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["detail"]


def test_an_empty_object_still_takes_the_defaults(client_for, director):
    response = client_for(director).post(
        "/api/v1/selection/snapshots", "{}", content_type="application/json"
    )
    assert response.status_code == 200


@pytest.mark.parametrize("path", ["/api/v1/customers/", "/api/v1/plans/"])
def test_an_offset_past_the_database_integers_gives_an_empty_page(client_for, director, path):
    # was: IntegrityError "datatype mismatch" from SQLite's OFFSET (500)
    response = client_for(director).get(path, {"offset": 3399806172975907995648, "limit": 5})
    assert response.status_code == 200
    assert response.json() == []


def test_an_offset_past_the_database_integers_gives_no_interactions(client_for, director, account):
    # was: IntegrityError "datatype mismatch" from SQLite's OFFSET (500)
    response = client_for(director).get(
        f"/api/v1/interactions/customers/{account.pk}/interactions",
        {"offset": 15258261605773750272},
    )
    assert response.status_code == 200
    assert response.json() == []
