"""Making and revoking API keys (organisation admins)."""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from api.models import ApiKey, key_digest, new_key_token
from pace_hub.models import Organisation


@transaction.atomic
def api_key_create(
    *, organisation: Organisation, user, name: str, scope: str, expires_at: datetime | None
) -> tuple[ApiKey, str]:
    """A new key and its token. The token is returned once, here, and never stored."""
    name = name.strip()
    if ApiKey.objects.for_organisation(organisation).filter(name__iexact=name).exists():
        raise ValidationError({"name": f"There is already a key named “{name}”. Give this one another name."})
    if expires_at is not None and expires_at <= timezone.now():
        raise ValidationError({"expires_at": "The expiry must be in the future."})
    token, prefix = new_key_token()
    key = ApiKey.objects.create(
        organisation=organisation,
        name=name,
        scope=scope,
        prefix=prefix,
        digest=key_digest(token),
        created_by=user,
        expires_at=expires_at,
    )
    return key, token


@transaction.atomic
def api_key_revoke(*, key: ApiKey, user) -> ApiKey:
    """Stop a key working at once. Revoking is final (make a new key instead)."""
    key = ApiKey.objects.select_for_update().get(pk=key.pk)
    if key.revoked_at is not None:
        raise ValidationError("This key is already revoked.")
    key.revoked_at = timezone.now()
    key.revoked_by = user
    key.save(update_fields=["revoked_at", "revoked_by", "updated_at"])
    return key
