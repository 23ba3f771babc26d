"""Single sign-on with the council's OpenID Connect identity provider (e.g. Microsoft Entra ID),
configured per organisation by its admins.

SSO only proves who someone is: a person is signed in only if a user with that verified e-mail
address already has a membership of the organisation. It never makes accounts or memberships.
The client secret is stored encrypted (Fernet, with a key derived from SECRET_KEY).
"""

from __future__ import annotations

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.db import models

from pace_hub.models import Organisation, TenantModel


def _fernet() -> Fernet:
    digest = hashlib.sha256(f"pace-hub-sso:{settings.SECRET_KEY}".encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


class IdentityProvider(TenantModel):
    organisation = models.OneToOneField(Organisation, on_delete=models.CASCADE, related_name="identity_provider")
    enabled = models.BooleanField(
        default=False, help_text="Offer “Sign in with your council account” to people with an allowed e-mail domain."
    )
    issuer = models.URLField(
        max_length=300,
        help_text="The provider's issuer URL, e.g. https://login.microsoftonline.com/<tenant id>/v2.0 "
        "(its discovery document is at <issuer>/.well-known/openid-configuration).",
    )
    client_id = models.CharField("client ID", max_length=200)
    client_secret_encrypted = models.TextField(editable=False)
    allowed_domains = models.CharField(
        "allowed e-mail domains",
        max_length=500,
        help_text="Comma-separated, e.g. aberdeencity.gov.uk. Only people whose verified e-mail is in one of "
        "these domains can sign in this way.",
    )

    class Meta:
        verbose_name = "identity provider"

    def __str__(self) -> str:
        return f"{self.organisation}: {self.issuer}"

    @property
    def client_secret(self) -> str:
        if not self.client_secret_encrypted:
            return ""
        try:
            return _fernet().decrypt(self.client_secret_encrypted.encode()).decode()
        except InvalidToken:
            # SECRET_KEY changed since it was saved: the admin must enter the secret again.
            return ""

    @client_secret.setter
    def client_secret(self, value: str) -> None:
        self.client_secret_encrypted = _fernet().encrypt(value.encode()).decode() if value else ""

    @property
    def domains(self) -> list[str]:
        return [domain.strip().lower().lstrip("@") for domain in self.allowed_domains.split(",") if domain.strip()]

    @property
    def discovery_url(self) -> str:
        return f"{self.issuer.rstrip('/')}/.well-known/openid-configuration"

    def allows(self, email: str) -> bool:
        return email.rpartition("@")[2].lower() in self.domains
