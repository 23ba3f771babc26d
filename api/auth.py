"""Who is calling: the API key in ``Authorization: Bearer <key>``, its scope and its rate.

The key decides the organisation: every read and write of the call is scoped to
``request.auth.organisation``, as ``org_view`` scopes pages to ``request.org``.
"""

from __future__ import annotations

import math
import time
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from django.utils import timezone
from ninja.security import HttpBearer

from api.models import KEY_PREFIX, ApiKey, key_digest
from api.problems import ApiProblem
from pace_hub.dates import moment_text

# last_used_at is written at most this often per key, not on every call.
LAST_USED_RESOLUTION = timedelta(minutes=1)
RATE_WINDOW_SECONDS = 60


def _unauthorised(code: str, detail: str) -> ApiProblem:
    return ApiProblem(
        401, code, "The API key was not accepted", detail, headers={"WWW-Authenticate": 'Bearer realm="PACE Hub"'}
    )


class ApiKeyAuth(HttpBearer):
    """django-ninja's bearer scheme (so the OpenAPI document says how to authenticate), with a
    precise problem for each way a key can be refused."""

    def __call__(self, request: HttpRequest) -> ApiKey:
        header = request.headers.get(self.header, "")
        if not header:
            raise _unauthorised(
                "missing_key",
                "Send your organisation's API key as 'Authorization: Bearer <key>'. "
                "An administrator makes keys under Organisation settings → API keys.",
            )
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise _unauthorised("malformed_authorization", "The Authorization header must read 'Bearer <key>'.")
        return self.authenticate(request, token.strip())

    def authenticate(self, request: HttpRequest, token: str) -> ApiKey:
        key = ApiKey.objects.select_related("organisation").filter(digest=key_digest(token)).first()
        if key is None:
            parts = token.split("_")
            if len(parts) == 3 and parts[0] == KEY_PREFIX:
                request.api_presented_prefix = parts[1][:8]
            raise _unauthorised("unknown_key", "This API key is not recognised. Check that it was copied in full.")
        request.api_key = key  # logged with the call even when refused below
        if key.revoked_at is not None:
            raise _unauthorised(
                "revoked_key",
                f"This API key was revoked on {moment_text(key.revoked_at)}. "
                "Ask an administrator of your organisation for a new key.",
            )
        if key.is_expired:
            raise _unauthorised(
                "expired_key",
                f"This API key expired on {moment_text(key.expires_at)}. "
                "Ask an administrator of your organisation for a new key.",
            )
        check_rate(key)
        _touch(key)
        return key


def check_rate(key: ApiKey) -> None:
    """At most API_RATE_LIMIT_PER_MINUTE calls per key in each clock minute.

    A fixed-window counter in the Django cache: ``add`` then ``incr`` are atomic in Redis, so
    every gunicorn worker counts against the same number (ninja's own throttles keep a list per
    key that each process reads and writes back, which undercounts under load).
    """
    limit = settings.API_RATE_LIMIT_PER_MINUTE
    now = time.time()
    window = int(now // RATE_WINDOW_SECONDS)
    cache_key = f"api-rate:{key.code}:{window}"
    cache.add(cache_key, 0, timeout=RATE_WINDOW_SECONDS * 2)
    try:
        count = cache.incr(cache_key)
    except ValueError:  # expired between add and incr
        cache.set(cache_key, 1, timeout=RATE_WINDOW_SECONDS * 2)
        count = 1
    if count > limit:
        retry_after = max(1, math.ceil((window + 1) * RATE_WINDOW_SECONDS - now))
        raise ApiProblem(
            429,
            "rate_limited",
            "Too many requests",
            f"This key may make {limit} calls a minute. Try again in {retry_after} seconds.",
            headers={"Retry-After": str(retry_after)},
            retry_after=retry_after,
        )


def _touch(key: ApiKey) -> None:
    now = timezone.now()
    if key.last_used_at is None or now - key.last_used_at >= LAST_USED_RESOLUTION:
        ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
        key.last_used_at = now


def require_scope(request: HttpRequest, scope: str) -> ApiKey:
    """The calling key, if its scope allows the operation; a 403 problem otherwise."""
    key: ApiKey = request.auth
    if key.scope != scope:
        raise ApiProblem(
            403,
            "insufficient_scope",
            "This key's scope does not allow this",
            f"This operation needs a key with the '{scope}' scope; this key's scope is '{key.scope}'.",
        )
    return key
