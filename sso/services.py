"""Configuring an organisation's identity provider, and matching a verified identity to a member."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction

from pace_hub.models import Membership, Organisation
from sso.models import IdentityProvider
from sso.oidc import discovery_document

User = get_user_model()


class SignInRefused(Exception):
    """The identity is proven but may not sign in here; ``str()`` says why, for the person."""


@transaction.atomic
def identity_provider_save(
    *,
    organisation: Organisation,
    enabled: bool,
    issuer: str,
    client_id: str,
    client_secret: str,
    allowed_domains: str,
    check_discovery: bool = True,
) -> IdentityProvider:
    """Save the organisation's provider. A blank secret keeps the stored one. Before SSO is
    switched on, the issuer's discovery document must be readable and name the same issuer."""
    provider = IdentityProvider.objects.filter(organisation=organisation).first() or IdentityProvider(
        organisation=organisation
    )
    provider.enabled, provider.issuer, provider.client_id = enabled, issuer.strip(), client_id.strip()
    provider.allowed_domains = ", ".join(
        dict.fromkeys(domain.strip().lower().lstrip("@") for domain in allowed_domains.split(",") if domain.strip())
    )
    if client_secret:
        provider.client_secret = client_secret
    if not provider.client_secret:
        raise ValidationError({"client_secret": "Enter the client secret the identity provider gave you."})
    if enabled and check_discovery:
        try:
            discovery_document(provider.issuer)
        except ValueError as error:
            raise ValidationError({"issuer": str(error)}) from None
    provider.save()
    return provider


def sso_user_for(*, provider: IdentityProvider, claims: dict) -> User:
    """The member to sign in for a verified ID token's claims, or SignInRefused."""
    organisation = provider.organisation
    email = str(claims.get("email") or "").strip()
    if not email:
        raise SignInRefused(
            "Your council's identity provider did not send your e-mail address, so PACE Hub cannot tell who you are."
        )
    # Entra ID marks an address it has verified with xms_edov; other providers use email_verified.
    if claims.get("email_verified") is not True and claims.get("xms_edov") is not True:
        raise SignInRefused(f"Your council's identity provider has not verified the address {email}.")
    if not provider.allows(email):
        raise SignInRefused(
            f"Addresses at {email.rpartition('@')[2]} may not sign in to {organisation.name} with single sign-on."
        )
    membership = (
        Membership.objects.filter(organisation=organisation, user__email__iexact=email, user__is_active=True)
        .select_related("user")
        .first()
    )
    if membership is None:
        raise SignInRefused(
            f"{email} is not a member of {organisation.name} in PACE Hub. Single sign-on does not create accounts: "
            "ask an administrator of your workspace to invite you."
        )
    return membership.user


def providers_for_email(email: str) -> list[IdentityProvider]:
    """The enabled providers that accept this address's domain."""
    domain = email.rpartition("@")[2].strip().lower()
    if not domain:
        return []
    providers = IdentityProvider.objects.filter(enabled=True).select_related("organisation")
    return [provider for provider in providers if domain in provider.domains]
