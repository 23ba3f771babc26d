"""API keys, the log of every API call, and milestone batches pushed through the API.

A key belongs to one organisation and acts only inside it. Only a SHA-256 digest of the key is
stored: keys are 256-bit random strings, so a fast digest is as safe as a slow password hash
and lets every request find its key with one indexed lookup.
"""

import hashlib
import secrets
from datetime import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone

from measures.models import MilestoneImport
from pace_hub.models import Organisation, TenantModel, TenantQuerySet, TenantRow

KEY_PREFIX = "pace"


def key_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_key_token() -> tuple[str, str]:
    """A new key as (token shown once, its public prefix). The prefix identifies the key in lists
    and logs without revealing it."""
    prefix = secrets.token_hex(4)
    return f"{KEY_PREFIX}_{prefix}_{secrets.token_urlsafe(32)}", prefix


class ApiKeyQuerySet(TenantQuerySet):
    def usable(self, now: datetime | None = None) -> "ApiKeyQuerySet":
        now = now or timezone.now()
        return self.filter(revoked_at__isnull=True).filter(
            models.Q(expires_at__isnull=True) | models.Q(expires_at__gt=now)
        )


class ApiKey(TenantModel):
    class Scope(models.TextChoices):
        MILESTONES_WRITE = "milestones:write", "milestones:write — push milestone dates, read imports"
        READ = "read", "read — measures, charts, aims, timescales (as a viewer sees them)"

    name = models.CharField(max_length=100, help_text="Which system uses it, e.g. “Mosaic nightly export”.")
    scope = models.CharField(max_length=20, choices=Scope.choices)
    prefix = models.CharField(max_length=8, editable=False)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    expires_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = ApiKeyQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "API key"
        constraints = [models.UniqueConstraint(fields=["organisation", "name"], name="apikey_unique_name")]

    def __str__(self) -> str:
        return f"{self.name} ({KEY_PREFIX}_{self.prefix}_…)"

    @property
    def shown_prefix(self) -> str:
        return f"{KEY_PREFIX}_{self.prefix}_…"

    @property
    def is_expired(self) -> bool:
        return self.expires_at is not None and self.expires_at <= timezone.now()

    @property
    def status(self) -> str:
        if self.revoked_at is not None:
            return "revoked"
        return "expired" if self.is_expired else "active"


class ApiCall(models.Model):
    """One API call: which key (if any was recognised), what was asked, when, and the answer.
    Not a tenant model: calls with an unknown key belong to no organisation."""

    organisation = models.ForeignKey(Organisation, null=True, on_delete=models.CASCADE, related_name="+")
    key = models.ForeignKey(ApiKey, null=True, on_delete=models.SET_NULL, related_name="calls")
    # The presented key's prefix when no key matched (to trace a misconfigured system).
    presented_prefix = models.CharField(max_length=8, blank=True)
    method = models.CharField(max_length=8)
    path = models.CharField(max_length=300)
    status = models.PositiveSmallIntegerField()
    duration_ms = models.PositiveIntegerField()
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at"]
        indexes = [
            # The key's page lists its latest calls.
            models.Index(fields=["key", "-at"], name="apicall_by_key"),
            # The organisation's call log, newest first.
            models.Index(fields=["organisation", "-at"], name="apicall_by_organisation"),
        ]

    def __str__(self) -> str:
        return f"{self.method} {self.path} → {self.status}"


class MilestoneBatch(TenantRow):
    """A batch of milestone dates pushed with POST /api/v1/milestones/: the key that sent it, the
    import it became, and, for an Idempotency-Key, the first answer to replay. No change
    history of its own: the import's log is the audit trail, as for uploads."""

    class Layout(models.TextChoices):
        RECORDS = "records", "One date per item (long)"
        CHILDREN = "children", "One row per child (wide)"

    key = models.ForeignKey(ApiKey, on_delete=models.PROTECT, related_name="batches")
    milestone_import = models.OneToOneField(
        MilestoneImport, null=True, blank=True, on_delete=models.SET_NULL, related_name="api_batch"
    )
    layout = models.CharField(max_length=8, choices=Layout.choices)
    idempotency_key = models.CharField(max_length=200, blank=True)
    # SHA-256 of the request body as canonical JSON: a replay with another body is refused.
    body_digest = models.CharField(max_length=64)
    records = models.PositiveIntegerField(default=0)
    # The first answer (empty while the request is being handled).
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    response_body = models.JSONField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "milestone batches"
        constraints = [
            models.UniqueConstraint(
                fields=["key", "idempotency_key"],
                condition=~models.Q(idempotency_key=""),
                name="milestonebatch_one_per_idempotency_key",
            ),
        ]

    def __str__(self) -> str:
        return f"batch of {self.records} from {self.key}"
