"""The OpenAPI document: valid OpenAPI 3.1, and every operation answers as it says — schemathesis
against the live schema (every operation, generated inputs, real objects' codes mixed in), with
no server error and every response matching the document."""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from openapi_spec_validator import validate
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from api.models import ApiKey
from tests.aims.factories import AimFactory
from tests.api.conftest import make_key
from tests.measures.factories import MeasureFactory, monthly_points

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
WRITE_OPERATIONS = ("/milestones/", "/imports/")


@pytest.mark.django_db
def test_the_document_is_valid_openapi(client) -> None:
    answer = client.get("/api/v1/openapi.json")
    assert answer.status_code == 200
    document = answer.json()
    validate(document)
    assert document["openapi"].startswith("3.1")
    assert document["components"]["securitySchemes"]["ApiKeyAuth"]["scheme"] == "bearer"
    push = document["paths"]["/api/v1/milestones/"]["post"]
    assert set(push["responses"]) >= {"201", "202", "401", "403", "409", "413", "422", "429"}
    assert "application/problem+json" in push["responses"]["422"]["content"]
    docs = client.get("/api/v1/docs/")
    assert docs.status_code == 200 and b"swagger-ui-bundle.js" in docs.content


@pytest.fixture
def fuzz_world(cast, settings):
    """Real objects to find, and one key per scope (no rate limit: it is not under test here)."""
    settings.API_RATE_LIMIT_PER_MINUTE = 1_000_000
    measure = MeasureFactory(organisation=cast.org)
    monthly_points(measure, [3, 4, 5, 4, 6, 5, 4, 3, 5, 6, 4, 5, 9, 9, 9, 9, 9, 9, 9, 9])
    aim = AimFactory(organisation=cast.org, outcome_measure=measure, progress_score="2.0")
    # Requests go through the real WSGI handler, which closes "old" connections when a request
    # starts and ends: inside the test's transaction that closes PostgreSQL's connection under
    # the test. Django's own test client disconnects the same handler for the same reason.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield {
        "keys": {scope: make_key(cast.org, scope) for scope in ApiKey.Scope.values},
        "codes": {"measure": str(measure.code), "aim": str(aim.code)},
    }
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def _operations() -> list:
    # The schema as the running app serves it (schemathesis's own pytest plugin does not load
    # under pytest 9, so its strategies are driven with hypothesis directly).
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())
    return [result.ok() for result in schema.get_all_operations()]


def _check_operation(operation, mode: GenerationMode, token: str, codes: dict[str, str]) -> None:
    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=20,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large],
    )
    def answers_as_documented(case) -> None:
        for name, code in codes.items():
            # Mostly generated codes (404s), sometimes a real one, so both answers are checked.
            value = (case.path_parameters or {}).get(name)
            if value is not None and len(str(value)) % 2:
                case.path_parameters[name] = code
        response = case.call(headers={"Authorization": f"Bearer {token}"})
        case.validate_response(response, checks=CHECKS)

    answers_as_documented()


@pytest.mark.django_db
@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_every_operation_answers_as_documented(fuzz_world, mode) -> None:
    operations = _operations()
    assert len(operations) == 9
    for operation in operations:
        scope = ApiKey.Scope.MILESTONES_WRITE if operation.path.startswith(WRITE_OPERATIONS) else ApiKey.Scope.READ
        _check_operation(operation, mode, fuzz_world["keys"][scope].token, fuzz_world["codes"])
