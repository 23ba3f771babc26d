"""Every call to /api/v1/ is logged: key, endpoint, when, result (issue 14). The schema and
docs pages are not calls and are not logged."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from api.models import ApiCall

logger = logging.getLogger(__name__)

API_PREFIX = "/api/v1/"
UNLOGGED = {f"{API_PREFIX}openapi.json", f"{API_PREFIX}docs/", f"{API_PREFIX}docs"}


class ApiCallLogMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith(API_PREFIX) or request.path in UNLOGGED:
            return self.get_response(request)
        started = time.monotonic()
        response = self.get_response(request)
        key = getattr(request, "api_key", None)
        try:
            ApiCall.objects.create(
                organisation_id=key.organisation_id if key else None,
                key=key,
                presented_prefix=getattr(request, "api_presented_prefix", ""),
                method=request.method[:8],
                path=request.path[:300],
                status=response.status_code,
                duration_ms=round((time.monotonic() - started) * 1000),
            )
        except Exception:
            # The answer has been worked out; a failed log write must not turn it into a 500.
            logger.exception("Could not log API call %s %s", request.method, request.path)
        return response
