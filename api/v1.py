"""The REST API, version 1, at /api/v1/ (django-ninja; see docs/api.md and the README for why).

Each operation is thin, as page views are: the key check (api.auth) → the scope it needs →
one selector or service → the shaped answer. The key decides the organisation; anything of
another organisation is 404. GET answers carry an ETag and honour If-None-Match; every error is
an ``application/problem+json`` document (api.problems).
"""

from __future__ import annotations

import datetime
import hashlib
import logging
import uuid
from typing import Annotated, Any, Literal

from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_vary_headers
from ninja import Header, NinjaAPI, Query
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.openapi.docs import Swagger

from aims.models import Aim
from api import schemas, selectors
from api.auth import ApiKeyAuth, require_scope
from api.models import ApiKey
from api.problems import PROBLEM_MEDIA_TYPE, ApiProblem, json_pointer, problem_response
from api.services.batches import body_digest, milestone_batch_submit
from measures.models import Measure, MilestoneImport

logger = logging.getLogger(__name__)

READ = ApiKey.Scope.READ.value
WRITE = ApiKey.Scope.MILESTONES_WRITE.value
PROBLEM = {"$ref": "#/components/schemas/Problem"}

DESCRIPTION = """
PACE Hub's API for case-management systems and reporting tools. Authenticate with an API key of
your organisation (`Authorization: Bearer <key>`); an administrator makes keys under
*Organisation settings → API keys*. A `read` key reads measures, charts, aims and timescales as a
viewer sees them (counts of 1–4 children withheld); a `milestones:write` key pushes milestone
dates and reads imports. Errors are `application/problem+json`. See docs/api.md for a guide.
"""


class PaceApi(NinjaAPI):
    def create_response(
        self,
        request: HttpRequest,
        data: Any,
        *,
        status: int | None = None,
        temporal_response: HttpResponse | None = None,
    ) -> HttpResponse:
        response = super().create_response(request, data, status=status, temporal_response=temporal_response)
        if request.method in ("GET", "HEAD") and response.status_code == 200:
            # A strong validator from the answer itself: the same data give the same ETag.
            etag = f'"{hashlib.sha256(response.content).hexdigest()[:32]}"'
            response["ETag"] = etag
            response["Cache-Control"] = "private, no-cache"
            patch_vary_headers(response, ["Authorization"])
            return get_conditional_response(request, etag=etag, response=response)
        return response

    def get_openapi_schema(self, *, path_prefix: str | None = None, path_params: dict | None = None) -> Any:
        """ninja's document, plus what it cannot infer: problem documents as the media type of
        every error, the answers every authenticated operation can give (401, 403, 429), and
        ETag / If-None-Match on reads."""
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        components.setdefault("Problem", schemas.Problem.model_json_schema(ref_template="#/components/schemas/{model}"))
        for definition in (
            schemas.Problem.model_json_schema(ref_template="#/components/schemas/{model}").get("$defs", {}).items()
        ):
            components.setdefault(*definition)
        components["Problem"].pop("$defs", None)
        for operations in schema["paths"].values():
            for method, operation in operations.items():
                _document_operation(method, operation)
        return schema


def _problem(description: str, headers: dict | None = None) -> dict:
    answer: dict[str, Any] = {"description": description, "content": {PROBLEM_MEDIA_TYPE: {"schema": PROBLEM}}}
    if headers:
        answer["headers"] = headers
    return answer


def _document_operation(method: str, operation: dict) -> None:
    responses = operation["responses"] = {str(code): answer for code, answer in operation["responses"].items()}
    for code, answer in responses.items():
        if int(code) >= 400:
            answer["content"] = {PROBLEM_MEDIA_TYPE: {"schema": PROBLEM}}
    retry = {"Retry-After": {"description": "Seconds to wait.", "schema": {"type": "integer"}}}
    authenticate = {"WWW-Authenticate": {"description": "Bearer", "schema": {"type": "string"}}}
    responses.setdefault("401", _problem("No key, or the key is unknown, revoked or expired.", authenticate))
    responses.setdefault("403", _problem("The key's scope does not allow this operation."))
    responses.setdefault("422", _problem("A parameter or the body is not valid."))
    responses.setdefault("429", _problem("Too many calls with this key this minute.", retry))
    if "requestBody" in operation:
        responses.setdefault("400", _problem("The body is not valid JSON."))
    if method == "get":
        etag = {"ETag": {"description": "Send it back as If-None-Match.", "schema": {"type": "string"}}}
        for code in ("200",):
            responses[code]["headers"] = {**responses[code].get("headers", {}), **etag}
        responses.setdefault("304", {"description": "Not modified since the ETag sent.", "headers": etag})
        operation.setdefault("parameters", []).append(
            {
                "in": "header",
                "name": "If-None-Match",
                "required": False,
                "description": "An ETag from an earlier answer: 304 if nothing changed.",
                "schema": {"type": "string"},
            }
        )


api = PaceApi(
    title="PACE Hub API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api_v1",
    auth=ApiKeyAuth(),
    docs=Swagger(settings={"persistAuthorization": False}),
    docs_url="/docs/",
    openapi_url="/openapi.json",
)


# Errors -------------------------------------------------------------------------------------------


@api.exception_handler(ApiProblem)
def _on_problem(request: HttpRequest, problem: ApiProblem) -> HttpResponse:
    return problem_response(problem, instance=request.path)


@api.exception_handler(ValidationError)
def _on_invalid(request: HttpRequest, error: ValidationError) -> HttpResponse:
    errors = [_field_error(item) for item in error.errors]
    listed = "; ".join(f"{item['pointer'] or item['source']}: {item['message']}" for item in errors[:5])
    problem = ApiProblem(
        422,
        "invalid_request",
        "The request is not valid",
        f"{len(errors)} problem{'s' if len(errors) != 1 else ''} with the request ({listed}); nothing was saved.",
        errors=errors,
    )
    return problem_response(problem, instance=request.path)


def _field_error(item: dict) -> dict:
    location = list(item.get("loc", ()))
    source = str(location[0]) if location else "body"
    rest = location[1:]
    if source == "body" and rest and rest[0] == "batch":  # the body parameter's own name
        rest = rest[1:]
    message = str(item.get("msg", "is not valid"))
    return {
        "pointer": json_pointer(rest) if source == "body" else str(rest[0] if rest else ""),
        "source": source,
        "message": message,
    }


@api.exception_handler(AuthenticationError)
def _on_unauthenticated(request: HttpRequest, error: AuthenticationError) -> HttpResponse:
    problem = ApiProblem(401, "missing_key", "The API key was not accepted", "Send 'Authorization: Bearer <key>'.")
    return problem_response(problem, instance=request.path)


@api.exception_handler(HttpError)
def _on_http_error(request: HttpRequest, error: HttpError) -> HttpResponse:
    if error.status_code == 400:  # ninja could not parse the body
        problem = ApiProblem(
            400,
            "invalid_json",
            "The body is not valid JSON",
            "The request body could not be read as JSON. Send a JSON object with 'Content-Type: application/json'; "
            "nothing was saved.",
        )
    else:
        problem = ApiProblem(error.status_code, "http_error", str(error.message), str(error.message))
    return problem_response(problem, instance=request.path)


@api.exception_handler(Http404)
def _on_not_found(request: HttpRequest, error: Http404) -> HttpResponse:
    problem = ApiProblem(404, "not_found", "Not found", str(error) or "There is no such object in your organisation.")
    return problem_response(problem, instance=request.path)


@api.exception_handler(RequestDataTooBig)
def _on_too_big(request: HttpRequest, error: RequestDataTooBig) -> HttpResponse:
    problem = ApiProblem(
        413,
        "request_too_large",
        "The request is too large",
        "The request body is larger than the server accepts. Split the batch into smaller ones; nothing was saved.",
    )
    return problem_response(problem, instance=request.path)


@api.exception_handler(Exception)
def _on_fault(request: HttpRequest, error: Exception) -> HttpResponse:
    logger.exception("API call %s %s failed", request.method, request.path)
    problem = ApiProblem(
        500,
        "server_error",
        "Something went wrong on the server",
        "The request failed unexpectedly and nothing was changed. Try again; if it keeps failing, tell PACE Hub's "
        "administrators the time of the call.",
    )
    return problem_response(problem, instance=request.path)


NOT_FOUND = {404: schemas.Problem}


# Pathway and timescales -------------------------------------------------------------------------


@api.get(
    "/pathway/",
    response={200: schemas.PathwayOut},
    url_name="pathway",
    tags=["Pathway"],
    summary="The organisation's milestones (codes for POST /milestones/) and routes",
)
def pathway(request: HttpRequest) -> dict:
    return selectors.pathway_out(request.auth.organisation)


@api.get(
    "/timescales/",
    response={200: schemas.TimescalePage, **NOT_FOUND},
    url_name="timescales",
    tags=["Pathway"],
    summary="Timescales between milestones, their targets and derived measures",
)
def timescales(request: HttpRequest, page: int = Query(1, ge=1), page_size: int = Query(50, ge=1, le=200)) -> dict:
    require_scope(request, READ)
    found = selectors.paginate(
        request, selectors.timescale_queryset(request.auth.organisation), page=page, page_size=page_size
    )
    return {**_page(found), "results": [selectors.timescale_out(item) for item in found.items]}


def _page(found: selectors.Page) -> dict:
    return {"count": found.count, "next": found.next, "previous": found.previous}


# Measures -----------------------------------------------------------------------------------------


@api.get(
    "/measures/",
    response={200: schemas.MeasurePage, **NOT_FOUND},
    url_name="measures",
    tags=["Measures"],
    summary="Measures with their latest value and Making Data Count icons",
)
def measures(
    request: HttpRequest,
    kind: Literal["outcome", "process", "balancing"] | None = None,
    source: Literal["manual", "derived"] | None = None,
    page: int = Query(1, ge=1),
    page_size: int = Query(50, ge=1, le=200),
) -> dict:
    require_scope(request, READ)
    organisation = request.auth.organisation
    queryset = selectors.measure_queryset(organisation, kind=kind or "", source=source or "")
    found = selectors.paginate(request, queryset, page=page, page_size=page_size)
    summaries = selectors.measure_summaries(organisation, found.items)
    return {**_page(found), "results": [selectors.measure_summary_out(summary) for summary in summaries]}


@api.get(
    "/measures/{measure}/",
    response={200: schemas.MeasureDetailOut, **NOT_FOUND},
    url_name="measure_detail",
    tags=["Measures"],
    summary="A measure's data points and chart: centre, limits, signals, icons and reading",
)
def measure_detail(
    request: HttpRequest,
    measure: uuid.UUID,
    period_from: Annotated[datetime.date | None, Query(description="First period to include (yyyy-mm-dd).")] = None,
    period_to: Annotated[datetime.date | None, Query(description="Last period to include (yyyy-mm-dd).")] = None,
) -> dict:
    require_scope(request, READ)
    selectors.check_period(period_from, period_to)
    found: Measure = selectors.measure_for_detail(request.auth.organisation, measure)
    return selectors.measure_detail_out(found, period_from=period_from, period_to=period_to)


# Aims -------------------------------------------------------------------------------------------


@api.get(
    "/aims/",
    response={200: schemas.AimPage, **NOT_FOUND},
    url_name="aims",
    tags=["Aims"],
    summary="Aims with their status and IHI progress score",
)
def aims(
    request: HttpRequest,
    status: Literal["draft", "active", "achieved", "retired"] | None = None,
    kind: Literal["national", "local"] | None = None,
    page: int = Query(1, ge=1),
    page_size: int = Query(50, ge=1, le=200),
) -> dict:
    require_scope(request, READ)
    queryset = selectors.aim_queryset(request.auth.organisation, status=status or "", kind=kind or "")
    found = selectors.paginate(request, queryset, page=page, page_size=page_size)
    return {**_page(found), "results": [selectors.aim_out(aim) for aim in found.items]}


@api.get(
    "/aims/{aim}/",
    response={200: schemas.AimOut, **NOT_FOUND},
    url_name="aim_detail",
    tags=["Aims"],
    summary="One aim",
)
def aim_detail(request: HttpRequest, aim: uuid.UUID) -> dict:
    require_scope(request, READ)
    found: Aim | None = selectors.aim_queryset(request.auth.organisation).filter(code=aim).first()
    if found is None:
        raise selectors.not_found("aim")
    return selectors.aim_out(found)


# Milestone data ---------------------------------------------------------------------------------


@api.post(
    "/milestones/",
    response={
        201: schemas.ImportDetailOut,
        202: schemas.ImportDetailOut,
        409: schemas.Problem,
        413: schemas.Problem,
        422: schemas.Problem,
    },
    url_name="milestones_push",
    tags=["Milestone data"],
    summary="Push a batch of milestone dates (checked by the spreadsheet upload's rules)",
    description=(
        "Checked by exactly the rules of a spreadsheet upload and saved in one transaction as an import "
        "that shows in the import history and can be rolled back. Item i is row i + 2 of the equivalent "
        "spreadsheet. Small batches answer 201 once saved; larger ones 202 with the import's status URL "
        "(Location). Send an Idempotency-Key to make a retry return the first answer."
    ),
)
def milestones_push(
    request: HttpRequest,
    batch: schemas.MilestoneBatchIn,
    idempotency_key: str | None = Header(
        None,
        alias="Idempotency-Key",
        max_length=200,
        description="Any unique string (e.g. a UUID): a retry with the same key and body returns the first answer.",
    ),
) -> HttpResponse:
    key = require_scope(request, WRITE)
    answer = milestone_batch_submit(
        key=key,
        batch=batch,
        digest=body_digest(batch.model_dump(mode="json")),
        idempotency_key=(idempotency_key or "").strip(),
        today=timezone.localdate(),
    )
    content_type = PROBLEM_MEDIA_TYPE if answer.status >= 400 else "application/json"
    response = HttpResponse(
        api.renderer.render(request, answer.body, response_status=answer.status),
        status=answer.status,
        content_type=content_type,
    )
    if answer.location:
        response["Location"] = answer.location
    if answer.replayed:
        response["Idempotent-Replayed"] = "true"
    return response


@api.get(
    "/imports/",
    response={200: schemas.ImportPage, **NOT_FOUND},
    url_name="imports",
    tags=["Milestone data"],
    summary="Milestone imports (API batches and spreadsheet uploads), newest first",
)
def imports(
    request: HttpRequest,
    status: Literal[tuple(MilestoneImport.Status.values)] | None = None,  # type: ignore[valid-type]
    created_from: Annotated[datetime.date | None, Query(description="Made on or after this day (yyyy-mm-dd).")] = None,
    created_to: Annotated[datetime.date | None, Query(description="Made on or before this day (yyyy-mm-dd).")] = None,
    page: int = Query(1, ge=1),
    page_size: int = Query(50, ge=1, le=200),
) -> dict:
    require_scope(request, WRITE)
    selectors.check_period(created_from, created_to)
    queryset = selectors.import_queryset(
        request.auth.organisation, status=status or "", created_from=created_from, created_to=created_to
    )
    found = selectors.paginate(request, queryset, page=page, page_size=page_size)
    return {**_page(found), "results": [selectors.import_out(item) for item in found.items]}


@api.get(
    "/imports/{milestone_import}/",
    response={200: schemas.ImportDetailOut, **NOT_FOUND},
    url_name="import_detail",
    tags=["Milestone data"],
    summary="An import's status, counts and problems (the status URL of a pushed batch)",
)
def import_detail(request: HttpRequest, milestone_import: uuid.UUID) -> dict:
    require_scope(request, WRITE)
    found = (
        MilestoneImport.objects.for_organisation(request.auth.organisation)
        .select_related("api_batch__key")
        .filter(code=milestone_import)
        .first()
    )
    if found is None:
        raise selectors.not_found("import")
    return selectors.import_detail_out(found)
