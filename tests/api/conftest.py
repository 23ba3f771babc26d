"""API keys for the cast's organisations and a client that sends them."""

from __future__ import annotations

import json
from dataclasses import dataclass

import pytest
from django.test import Client

from api.models import ApiKey
from api.services.keys import api_key_create
from pace_hub.roles import Role


@dataclass
class KeyClient:
    """Django's test client with an API key: ``get``/``post`` take paths and JSON bodies."""

    key: ApiKey
    token: str

    def headers(self, **extra: str) -> dict:
        return {"HTTP_AUTHORIZATION": f"Bearer {self.token}", **extra}

    def get(self, path: str, **headers: str):
        return Client().get(path, **self.headers(**headers))

    def post(self, path: str, body, **headers: str):
        data = body if isinstance(body, (str, bytes)) else json.dumps(body)
        return Client().post(path, data, content_type="application/json", **self.headers(**headers))


def make_key(organisation, scope: str, name: str = "") -> KeyClient:
    key, token = api_key_create(
        organisation=organisation, user=None, name=name or f"{scope} key", scope=scope, expires_at=None
    )
    return KeyClient(key, token)


@pytest.fixture
def read_api(cast) -> KeyClient:
    return make_key(cast.org, ApiKey.Scope.READ)


@pytest.fixture
def write_api(cast) -> KeyClient:
    return make_key(cast.org, ApiKey.Scope.MILESTONES_WRITE)


@pytest.fixture
def other_org_api(cast) -> dict[str, KeyClient]:
    """Keys of the other organisation, for both scopes."""
    return {scope: make_key(cast.other_org, scope) for scope in ApiKey.Scope.values}


@pytest.fixture
def admin(cast):
    return cast.members[Role.ADMIN]
