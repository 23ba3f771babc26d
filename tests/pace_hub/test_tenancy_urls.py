"""Walks every URL of the project and proves the tenancy and role rules on each.

For every organisation URL, with real objects of organisation A:
- anonymous visitors are sent to sign in;
- a member of organisation B gets 404, both on A's URLs and on B's URLs carrying A's objects;
- each role of A gets 403 when it lacks the view's permission (GET and POST) and a working page
  (200, a redirect, or 405 for POST-only actions) when it has it.
URLs outside /o/<org>/ must be listed in PUBLIC_URL_NAMES.
"""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from pace_hub.roles import Role, role_has
from tests.url_objects import URL_OBJECTS, load_app_registrations

PUBLIC_URL_NAMES = {
    "home",
    "login",
    "logout",
    "password_change",
    "password_change_done",
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
    "invitation_accept",
    # Single sign-on's steps come before anyone is signed in (sso/urls.py; tests/sso/).
    "sso_start",
    "sso_login",
    "sso_callback",
}


def _walk(resolver: URLResolver, prefix: str = "", namespace: str = ""):
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            space = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _walk(entry, prefix + str(entry.pattern), space)
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry, namespace


def _organisation_routes() -> list[tuple[str, URLPattern]]:
    routes = []
    for route, pattern, namespace in _walk(get_resolver()):
        if namespace.startswith("admin") or route.startswith("admin/"):
            continue
        if namespace.startswith("api_v1"):
            continue  # the API's keys, not sessions: its twin is tests/api/test_api_tenancy.py
        if route.startswith("o/<slug:org>/"):
            routes.append((route, pattern))
        else:
            assert pattern.name in PUBLIC_URL_NAMES, f"{route} is outside /o/<org>/ and not declared public"
    return routes


ROUTES = _organisation_routes()


def _arguments(route: str) -> list[str]:
    import re

    return [name for name in re.findall(r"<(?:\w+:)?(\w+)>", route) if name != "org"]


def _url(route: str, org_slug: str, values: dict[str, object]) -> str:
    import re

    def replace(match: re.Match) -> str:
        name = match.group(1)
        return org_slug if name == "org" else str(values[name])

    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", replace, route)


def test_every_organisation_url_is_tested() -> None:
    load_app_registrations()
    assert len(ROUTES) >= 10
    missing = {name for route, _ in ROUTES for name in _arguments(route) if name not in URL_OBJECTS}
    assert not missing, f"add object makers for URL arguments {missing} in tests/<app>/url_objects.py"
    for route, pattern in ROUTES:
        assert hasattr(pattern.callback, "org_permission"), f"{route} is not wrapped in org_view()"


@pytest.mark.parametrize("route", [route for route, _ in ROUTES])
def test_url_obeys_tenancy_and_roles(route: str, cast) -> None:
    load_app_registrations()
    pattern = dict(ROUTES)[route]
    permission = pattern.callback.org_permission
    values = {name: URL_OBJECTS[name](cast.org) for name in _arguments(route)}
    url = _url(route, cast.org.slug, values)

    anonymous = cast.client(None).get(url)
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"], url

    outsider = cast.client("outsider")
    assert outsider.get(url).status_code == 404, f"outsider GET {url}"
    assert outsider.post(url).status_code == 404, f"outsider POST {url}"
    if values:
        # The outsider's own organisation with A's objects: the objects must not resolve.
        foreign = _url(route, cast.other_org.slug, values)
        assert outsider.get(foreign).status_code in {404, 405}, f"outsider GET {foreign}"
        assert outsider.post(foreign).status_code == 404, f"outsider POST {foreign}"

    allowed = [role for role in Role if role_has(role, permission)]
    for role in Role:
        if role in allowed:
            continue
        client = cast.client(role)
        assert client.get(url).status_code == 403, f"{role} GET {url}"
        assert client.post(url).status_code == 403, f"{role} POST {url}"
    for role in allowed:
        response = cast.client(role).get(url)
        assert response.status_code in {200, 302, 405}, f"{role} GET {url}: {response.status_code}"
