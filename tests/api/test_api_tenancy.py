"""The API twin of the tenancy walker: every operation of the OpenAPI document, called with no
key, with the other organisation's keys, and with each scope of the organisation's own keys."""

import re

import pytest

from api.models import ApiKey
from api.v1 import api
from tests.api.conftest import make_key
from tests.url_objects import URL_OBJECTS, load_app_registrations

pytestmark = pytest.mark.django_db

SCHEMA = api.get_openapi_schema(path_prefix="")
OPERATIONS = [
    (path, method, operation) for path, methods in SCHEMA["paths"].items() for method, operation in methods.items()
]
# The scope each operation needs (None: any key).
SCOPES = {
    "pathway": None,
    "timescales": "read",
    "measures": "read",
    "measure_detail": "read",
    "aims": "read",
    "aim_detail": "read",
    "milestones_push": "milestones:write",
    "imports": "milestones:write",
    "import_detail": "milestones:write",
}
BODY = {"records": [{"child_ref": "C-1", "milestone": "looked_after", "date": "2024-01-01"}]}


def _call(client, method: str, url: str):
    return client.post(url, BODY) if method == "post" else client.get(url)


def test_every_operation_has_a_declared_scope() -> None:
    names = {operation["operationId"].removeprefix("api_v1_") for _, _, operation in OPERATIONS}
    assert names == set(SCOPES)


@pytest.mark.parametrize(("path", "method"), [(path, method) for path, method, _ in OPERATIONS])
def test_operation_obeys_tenancy_and_scopes(cast, client, path: str, method: str) -> None:
    load_app_registrations()
    operation = SCHEMA["paths"][path][method]
    name = operation["operationId"].removeprefix("api_v1_")
    values = {argument: URL_OBJECTS[argument](cast.org) for argument in re.findall(r"{(\w+)}", path)}
    url = "/api/v1" + re.sub(r"{(\w+)}", lambda match: str(values[match.group(1)]), path)

    assert _call(client, method, url).status_code == 401, f"no key: {method} {url}"
    needed = SCOPES[name]
    for scope in ApiKey.Scope.values:
        own = make_key(cast.org, scope)
        answer = _call(own, method, url)
        if needed is None or scope == needed:
            assert answer.status_code in {200, 201, 202, 422}, f"{scope}: {method} {url} {answer.status_code}"
        else:
            assert answer.status_code == 403, f"{scope}: {method} {url}"
        foreign = make_key(cast.other_org, scope, name=f"other {scope}")
        answer = _call(foreign, method, url)
        if values:
            # The other organisation's key never reaches this organisation's objects.
            expected = {404} if needed in (None, scope) else {403}
            assert answer.status_code in expected, f"other org {scope}: {method} {url} {answer.status_code}"


def test_lists_show_only_the_keys_organisation(cast) -> None:
    from tests.aims.factories import AimFactory
    from tests.measures.factories import MeasureFactory, MilestoneImportFactory

    mine = (
        MeasureFactory(organisation=cast.org),
        AimFactory(organisation=cast.org),
        MilestoneImportFactory(organisation=cast.org),
    )
    theirs = (
        MeasureFactory(organisation=cast.other_org),
        AimFactory(organisation=cast.other_org),
        MilestoneImportFactory(organisation=cast.other_org),
    )
    read, write = make_key(cast.org, "read"), make_key(cast.org, "milestones:write")
    listed = {
        *(item["code"] for item in read.get("/api/v1/measures/").json()["results"]),
        *(item["code"] for item in read.get("/api/v1/aims/").json()["results"]),
        *(item["code"] for item in write.get("/api/v1/imports/").json()["results"]),
    }
    assert {str(item.code) for item in mine} <= listed
    assert not {str(item.code) for item in theirs} & listed
