"""Schemathesis over the plans API: whatever it sends, the answer is never a server error."""

import json

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from kamp.api import api

schema = schemathesis.openapi.from_dict(api.get_openapi_schema(path_prefix="/api/v1"))


@pytest.fixture
def ana_client(client_for, ana, plan):
    return client_for(ana)


@schema.include(path_regex="^/api/v1/plans").parametrize()
@settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
    ],
)
def test_plans_api_never_fails(case, ana_client):
    if case.method.upper() not in ("GET", "POST", "PATCH", "PUT", "DELETE"):
        return
    path = case.formatted_path
    body = None if type(case.body).__name__ == "NotSet" else case.body
    kwargs = {"data": case.query or {}} if case.method.upper() == "GET" else {}
    if case.method.upper() in ("POST", "PATCH", "PUT"):
        from urllib.parse import urlencode

        if case.query:
            path += "?" + urlencode(case.query, doseq=True)
        raw = body if isinstance(body, (bytes, str)) else json.dumps(body, default=str)
        kwargs = {"data": raw if body is not None else "", "content_type": "application/json"}
    elif case.method.upper() == "DELETE" and case.query:
        from urllib.parse import urlencode

        path += "?" + urlencode(case.query, doseq=True)
    response = getattr(ana_client, case.method.lower())(path, **kwargs)
    assert response.status_code < 500, (case.method, path, body, response.content[:300])
