"""schemathesis against the served OpenAPI document, with a fixed profile (derandomized, few
examples per operation): no 5xx, and only the statuses, content types and bodies it documents."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.core.result import Ok
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.serving.support import WS, Served, served_plan
from trackplan.serving.app import create_app

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture
def served(tmp_path: Path) -> Served:
    return served_plan(tmp_path, n_events=3)


def test_the_api_keeps_to_its_openapi_document(served: Served) -> None:
    schema = schemathesis.openapi.from_asgi("/openapi.json", create_app(served.config))
    results = list(schema.get_all_operations())
    operations = [result.ok() for result in results if isinstance(result, Ok)]
    assert len(operations) == len(results)  # the document itself is valid
    assert len(operations) == 27  # every path but /openapi.json itself, which schemathesis leaves out
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=12, derandomize=True, deadline=None, database=None, suppress_health_check=list(HealthCheck)
        )
        def keeps_to_it(case: Any) -> None:
            if "organizationId" in (case.path_parameters or {}):  # the served one: the handlers run, not only the 404
                case.path_parameters["organizationId"] = served.config.workspaces[WS].organization
            case.call_and_validate(headers=served.auth, checks=CHECKS)

        keeps_to_it()
