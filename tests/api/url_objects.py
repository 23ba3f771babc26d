"""Object makers for the api app's URL arguments (see tests/url_objects.py)."""

import uuid

from api.services.keys import api_key_create
from pace_hub.models import Organisation
from tests.url_objects import register


@register("api_key")
def _api_key(org: Organisation) -> object:
    key, _ = api_key_create(
        organisation=org, user=None, name=f"Key {uuid.uuid4().hex[:8]}", scope="read", expires_at=None
    )
    return key.code
