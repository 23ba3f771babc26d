"""Errors as problem documents (RFC 9457, ``application/problem+json``).

Every error the API gives — bad key, wrong scope, unknown object, invalid body, a batch with
row problems, too many requests — is one of these, with a ``title`` that names the kind of
problem and a ``detail`` that says what to do about this one. ``type`` is a URN naming the
kind (``urn:pace-hub:problem:<code>``); docs/api.md lists them.
"""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpResponse

PROBLEM_MEDIA_TYPE = "application/problem+json"
PROBLEM_TYPE_PREFIX = "urn:pace-hub:problem:"


class ApiProblem(Exception):
    """Raise from an operation (or the key check) to answer with a problem document."""

    def __init__(
        self,
        status: int,
        code: str,
        title: str,
        detail: str,
        *,
        headers: dict[str, str] | None = None,
        **extensions: Any,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.code = code
        self.title = title
        self.detail = detail
        self.headers = headers or {}
        self.extensions = extensions

    def document(self) -> dict[str, Any]:
        return {
            "type": PROBLEM_TYPE_PREFIX + self.code,
            "title": self.title,
            "status": self.status,
            "detail": self.detail,
            **self.extensions,
        }


def problem_response(problem: ApiProblem, *, instance: str = "") -> HttpResponse:
    document = problem.document()
    if instance:
        document["instance"] = instance
    response = HttpResponse(json.dumps(document), status=problem.status, content_type=PROBLEM_MEDIA_TYPE)
    for name, value in problem.headers.items():
        response[name] = value
    return response


def json_pointer(parts: list[str | int]) -> str:
    """A JSON pointer (RFC 6901) to a place in the request body."""
    return "".join("/" + str(part).replace("~", "~0").replace("/", "~1") for part in parts)
