"""A token has exactly its user's access: every API operation of the access matrix
(tests/<app>/access_rows.py), requested by each person with a read-and-write personal token
instead of a session, answers what docs/roles.md says for that person; a refused change
changes nothing. A read-only token is refused every change, before anything is written."""

from __future__ import annotations

import json

import pytest

from kamp.connect import actions
from tests.access_policies import expected
from tests.access_world import PEOPLE
from tests.test_access_all_urls import (  # noqa: F401  (fixtures used by name)
    API,
    API_PREFIX,
    _fresh_selection_memo,
    fingerprint,
    outcome,
    world,
)

# The token's own rows move with each request (last used) and the token made for the test.
OWN_TABLES = {"connect_apitoken", "connect_tokenwrite", "core_auditevent"}


def _request(w, row, secret):
    from django.test import Client

    url = API_PREFIX + row.path.format(**row.params(w)) + row.query.format(w=w)
    kwargs = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    if row.method not in ("GET", "DELETE"):
        body = row.body(w) if row.body else {}
        kwargs.update(data=json.dumps(body), content_type="application/json")
    return url, getattr(Client(), row.method.lower())(url, **kwargs)


def _changed(before) -> list[str]:
    after = fingerprint()
    return [t for t in after if after[t] != before.get(t) and t not in OWN_TABLES]


@pytest.mark.parametrize(
    "row, person",
    [
        pytest.param(r, p, id=f"{r.method} {r.path}-{p}")
        for r in API
        for p in PEOPLE[1:]
        if p not in r.known_bugs
    ],
)
def test_a_token_answers_as_its_user(world, db, row, person):  # noqa: F811
    _token, secret = actions.do_create_token(
        world.users[person], name="matrix", scope="write", days=1
    )
    want = expected(row.policy, person)
    before = fingerprint() if row.method != "GET" and want != "ok" else None
    url, response = _request(world, row, secret)
    got = outcome(response, api=True, method=row.method)
    assert got == want, f"{row.method} {url} by {person}'s token: expected {want}, got {got}"
    if before is not None:
        assert _changed(before) == [], f"{row.method} {url} refused but changed the database"


@pytest.mark.parametrize(
    "row", [pytest.param(r, id=f"{r.method} {r.path}") for r in API if r.method != "GET"]
)
def test_a_read_only_token_changes_nothing(world, db, row):  # noqa: F811
    _token, secret = actions.do_create_token(world.users["admin"], name="ro", scope="read", days=1)
    before = fingerprint()
    url, response = _request(world, row, secret)
    assert response.status_code == 403, f"{row.method} {url}: {response.content[:200]!r}"
    assert "read-only" in response.json()["detail"]
    assert _changed(before) == []
