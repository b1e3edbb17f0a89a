"""Schemathesis-generated requests against the OpenAPI never cause a 5xx.

Skipped when schemathesis is not installed (`pip install schemathesis`). Uses
schemathesis' strategies directly (its pytest plugin's lazy loader does not run
on pytest 9).
"""

from __future__ import annotations

from typing import Any

import pytest
from server_testkit import Terminal

from server.embedded import EmbeddedServer

schemathesis = pytest.importorskip("schemathesis")
hypothesis = pytest.importorskip("hypothesis")

EXAMPLES_PER_OPERATION = 100


def test_generated_requests_never_cause_a_server_error(
        server: EmbeddedServer, terminal: Terminal) -> None:
    schema = schemathesis.openapi.from_url(f"{server.url}/openapi.json")
    auth = {"Authorization": terminal.headers["Authorization"]}
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 6

    for operation in operations:
        @hypothesis.given(case=operation.as_strategy())
        @hypothesis.settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None,
                             derandomize=True, database=None,
                             suppress_health_check=list(hypothesis.HealthCheck))
        def check(case: Any) -> None:
            response = case.call(headers=auth, timeout=30)
            assert response.status_code < 500, f"{case.method} {case.path}: {response.text}"
            if response.status_code >= 400 and case.method.upper() != "HEAD":
                assert {"code", "message"} <= set(response.json()["error"])

        check()
