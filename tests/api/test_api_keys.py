"""API keys: made by admins and shown once, stored hashed, scoped, expiring, revocable, rate
limited; every call logged."""

import datetime
import hashlib

import pytest
from django.utils import timezone

from api.models import ApiCall, ApiKey
from pace_hub.roles import Role
from tests.api.conftest import make_key

pytestmark = pytest.mark.django_db


def test_an_admin_makes_a_key_that_is_shown_once_and_stored_hashed(cast) -> None:
    admin = cast.client(Role.ADMIN)
    answer = admin.post(
        f"/o/{cast.org.slug}/settings/api-keys/new/",
        {"name": "Mosaic nightly export", "scope": "milestones:write", "expires_on": ""},
    )
    assert answer.status_code == 200 and "no-store" in answer["Cache-Control"]
    token = answer.context["token"]
    assert token.startswith("pace_") and token in answer.content.decode()
    key = ApiKey.objects.get(organisation=cast.org, name="Mosaic nightly export")
    assert key.digest == hashlib.sha256(token.encode()).hexdigest()
    assert token not in str(list(ApiKey.objects.values()))
    assert key.created_by == cast.members[Role.ADMIN].user and key.expires_at is None
    listing = admin.get(f"/o/{cast.org.slug}/settings/api-keys/").content.decode()
    assert "Mosaic nightly export" in listing and key.shown_prefix in listing and token not in listing


def test_a_key_can_expire_at_the_end_of_a_day(cast) -> None:
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    cast.client(Role.ADMIN).post(
        f"/o/{cast.org.slug}/settings/api-keys/new/",
        {"name": "Trial", "scope": "read", "expires_on": tomorrow.isoformat()},
    )
    key = ApiKey.objects.get(name="Trial")
    assert timezone.localtime(key.expires_at) == timezone.make_aware(
        datetime.datetime.combine(tomorrow + datetime.timedelta(days=1), datetime.time.min)
    )
    past = cast.client(Role.ADMIN).post(
        f"/o/{cast.org.slug}/settings/api-keys/new/",
        {"name": "Old", "scope": "read", "expires_on": "2020-01-01"},
    )
    assert "The expiry must be today or later." in past.content.decode()


def test_key_names_are_unique_in_an_organisation(cast) -> None:
    make_key(cast.org, "read", name="Power BI")
    answer = cast.client(Role.ADMIN).post(
        f"/o/{cast.org.slug}/settings/api-keys/new/", {"name": "power bi", "scope": "read"}
    )
    assert "There is already a key named" in answer.content.decode()


@pytest.mark.parametrize("role", [Role.LEAD, Role.DATA, Role.MEMBER, Role.VIEWER])
def test_only_admins_manage_keys(cast, role) -> None:
    client = cast.client(role)
    assert client.get(f"/o/{cast.org.slug}/settings/api-keys/").status_code == 403
    assert client.post(f"/o/{cast.org.slug}/settings/api-keys/new/", {"name": "x", "scope": "read"}).status_code == 403
    assert not ApiKey.objects.exists()


def test_a_revoked_key_is_refused_at_once(cast) -> None:
    api = make_key(cast.org, "read")
    assert api.get("/api/v1/aims/").status_code == 200
    answer = cast.client(Role.ADMIN).post(f"/o/{cast.org.slug}/settings/api-keys/{api.key.code}/revoke/")
    assert answer.status_code == 302
    refused = api.get("/api/v1/aims/")
    assert refused.status_code == 401 and refused["WWW-Authenticate"].startswith("Bearer")
    assert refused.json()["type"] == "urn:pace-hub:problem:revoked_key"
    assert "was revoked on" in refused.json()["detail"]
    api.key.refresh_from_db()
    assert api.key.revoked_by == cast.members[Role.ADMIN].user


def test_an_expired_key_is_refused(cast) -> None:
    api = make_key(cast.org, "read")
    ApiKey.objects.filter(pk=api.key.pk).update(expires_at=timezone.now() - datetime.timedelta(minutes=1))
    refused = api.get("/api/v1/aims/")
    assert refused.status_code == 401 and refused.json()["type"] == "urn:pace-hub:problem:expired_key"


@pytest.mark.parametrize(
    ("header", "code"),
    [
        (None, "missing_key"),
        ("Basic dXNlcjpwYXNz", "malformed_authorization"),
        ("Bearer pace_00000000_not-a-real-key", "unknown_key"),
    ],
)
def test_calls_without_a_working_key_are_refused_and_logged(client, header, code) -> None:
    headers = {"HTTP_AUTHORIZATION": header} if header else {}
    answer = client.get("/api/v1/aims/", **headers)
    assert answer.status_code == 401 and answer["Content-Type"] == "application/problem+json"
    assert answer.json()["type"] == f"urn:pace-hub:problem:{code}"
    call = ApiCall.objects.get()
    assert (call.key, call.status, call.path) == (None, 401, "/api/v1/aims/")
    if code == "unknown_key":
        assert call.presented_prefix == "00000000"


def test_every_call_is_logged_and_shown_to_admins(cast, read_api) -> None:
    read_api.get("/api/v1/aims/")
    read_api.get("/api/v1/imports/")  # refused: wrong scope
    calls = list(ApiCall.objects.filter(key=read_api.key).order_by("at").values_list("path", "status"))
    assert calls == [("/api/v1/aims/", 200), ("/api/v1/imports/", 403)]
    read_api.key.refresh_from_db()
    assert read_api.key.last_used_at is not None
    page = cast.client(Role.ADMIN).get(f"/o/{cast.org.slug}/settings/api-keys/{read_api.key.code}/")
    assert "GET /api/v1/imports/" in page.content.decode()


def test_each_key_is_rate_limited_with_retry_after(cast, settings) -> None:
    settings.API_RATE_LIMIT_PER_MINUTE = 3
    api = make_key(cast.org, "read")
    other = make_key(cast.org, "read", name="another")
    answers = [api.get("/api/v1/aims/").status_code for _ in range(4)]
    assert answers == [200, 200, 200, 429]
    limited = api.get("/api/v1/aims/")
    assert 1 <= int(limited["Retry-After"]) <= 60
    assert limited.json()["retry_after"] == int(limited["Retry-After"])
    assert "may make 3 calls a minute" in limited.json()["detail"]
    assert other.get("/api/v1/aims/").status_code == 200  # each key has its own allowance
