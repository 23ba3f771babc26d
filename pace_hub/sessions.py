"""Sessions end after a spell without activity (``SESSION_IDLE_TIMEOUT``, 8 hours unless the
environment says otherwise): a council laptop left signed in does not stay open for days.

The last request's time is kept in the session, written at most once a minute so that ordinary
browsing does not write the session on every request. An htmx request (a polling fragment) that
is sent to sign in takes the whole page there, not just its fragment.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import resolve_url

LAST_ACTIVITY = "pace_last_activity"
# How stale the recorded time may get before it is written again (seconds).
ACTIVITY_RESOLUTION = 60


def mark_active(sender: object, request: HttpRequest, user: object, **kwargs: object) -> None:
    """On sign-in (the ``user_logged_in`` signal): the session starts active now."""
    if request is not None and hasattr(request, "session"):
        request.session[LAST_ACTIVITY] = int(time.time())


def idle_timeout_text() -> str:
    minutes = settings.SESSION_IDLE_TIMEOUT // 60
    if minutes % 60 == 0:
        hours = minutes // 60
        return f"{hours} hour{'s' if hours != 1 else ''}"
    return f"{minutes} minutes"


class IdleTimeoutMiddleware:
    """Sign out a session idle for longer than ``SESSION_IDLE_TIMEOUT`` seconds. Goes after the
    authentication and message middleware."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            now = int(time.time())
            last = request.session.get(LAST_ACTIVITY)
            if isinstance(last, int) and now - last > settings.SESSION_IDLE_TIMEOUT:
                logout(request)
                messages.info(
                    request, f"You were signed out after {idle_timeout_text()} without activity. Sign in again."
                )
                return self._for_htmx(request, redirect_to_login(request.get_full_path()))
            if not isinstance(last, int) or now - last >= ACTIVITY_RESOLUTION:
                request.session[LAST_ACTIVITY] = now
        return self._for_htmx(request, self.get_response(request))

    @staticmethod
    def _for_htmx(request: HttpRequest, response: HttpResponse) -> HttpResponse:
        location = response.get("Location", "")
        if (
            request.headers.get("HX-Request")
            and response.status_code == 302
            and location.startswith(resolve_url(settings.LOGIN_URL))
        ):
            response["HX-Redirect"] = location
        return response
