"""The coverage phase of schemathesis over the whole API: for each operation, the boundary
and malformed values its schema suggests (empty and huge strings, NUL characters, numbers past
their limits, missing and extra fields, wrong types), sent as a logged-in director — never a
5xx, every status documented, documented answers matching their schema.

Bounded: at most ``KAMP_API_COVERAGE_CASES`` cases per operation (default 25), chosen in the
order schemathesis yields them (one per kind of boundary first)."""

from __future__ import annotations

import itertools
import os

import pytest
from django.db import transaction
from schemathesis import GenerationMode
from schemathesis.checks import max_response_time, not_a_server_error
from schemathesis.specs.openapi.checks import (
    response_schema_conformance,
    status_code_conformance,
)

from .test_schema import _ids, _known_ids, client_error_has_message

pytestmark = pytest.mark.xdist_group("api_schema")

CASES = int(os.environ.get("KAMP_API_COVERAGE_CASES", "25"))
CHECKS = [
    not_a_server_error,
    client_error_has_message,
    status_code_conformance,
    response_schema_conformance,
    max_response_time,
]


def test_api_coverage_phase_never_fails(api_schema, director_session, api_data, subtests):
    ids = _ids(api_data)
    session = {"sessionid": director_session.sessionid}
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) > 40
    sent = 0
    for operation in operations:
        config = api_schema.config.generation_for(operation=operation, phase="coverage")
        cases = api_schema.iter_coverage_cases(
            operation,
            generation_modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE],
            generation_config=config,
        )
        with subtests.test(msg=operation.label):
            for case in itertools.islice(cases, CASES):
                case.cookies = {**(case.cookies or {}), **session}
                _known_ids(case, ids)
                with transaction.atomic():
                    response = case.call(
                        headers=director_session.headers, cookies=director_session.cookies
                    )
                    transaction.set_rollback(True)
                sent += 1
                case.validate_response(response, checks=CHECKS)
    assert sent > 10 * len(operations)  # the phase really generated its boundary cases
