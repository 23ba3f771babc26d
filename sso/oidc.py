"""The OpenID Connect client (authlib) for one organisation's identity provider.

Authorisation code flow with PKCE, state and nonce; authlib checks the ID token's signature
against the provider's published keys, its issuer, audience (our client ID), expiry and nonce.
"""

from __future__ import annotations

import requests
from authlib.integrations.base_client import OAuthError
from authlib.integrations.django_client import DjangoOAuth2App, OAuth
from django.conf import settings
from joserfc.errors import JoseError

from sso.models import IdentityProvider

SCOPES = "openid email profile"

# Every way a sign-in response can fail to prove who someone is.
SIGN_IN_ERRORS = (OAuthError, JoseError, requests.RequestException, KeyError, ValueError)


def oidc_client(provider: IdentityProvider) -> DjangoOAuth2App:
    return OAuth().register(
        name=f"organisation-{provider.organisation_id}",
        client_id=provider.client_id,
        client_secret=provider.client_secret,
        server_metadata_url=provider.discovery_url,
        client_kwargs={
            "scope": SCOPES,
            "code_challenge_method": "S256",
            "default_timeout": settings.SSO_HTTP_TIMEOUT_SECONDS,
        },
    )


def discovery_document(issuer: str) -> dict:
    """The provider's discovery document; raises ValueError with a reason to show the admin."""
    url = f"{issuer.rstrip('/')}/.well-known/openid-configuration"
    try:
        response = requests.get(url, timeout=settings.SSO_HTTP_TIMEOUT_SECONDS)
        response.raise_for_status()
        document = response.json()
    except (requests.RequestException, ValueError) as error:
        raise ValueError(f"The discovery document at {url} could not be read ({type(error).__name__}).") from None
    if document.get("issuer", "").rstrip("/") != issuer.rstrip("/"):
        raise ValueError(
            f"The provider at {url} calls itself “{document.get('issuer', '')}”, not “{issuer}”. "
            "Enter the issuer exactly as its discovery document gives it."
        )
    return document


def failure_reason(error: Exception) -> str:
    """Why a sign-in response was not accepted, in words for the person signing in."""
    code = getattr(error, "error", "") or ""
    claim = getattr(error, "claim", "")
    text = f"{claim} {getattr(error, 'description', '') or ''} {error}"
    if code == "expired_token" or "expired" in text.lower():
        return "The sign-in from your council's identity provider had expired. Please sign in again."
    # An ID token for another client fails on aud, or on azp (required when aud is not ours alone).
    if claim in ("aud", "azp"):
        return (
            "The identity provider's answer was issued for another application (wrong audience), so it cannot "
            "sign you in here. Tell your administrator: the client ID in PACE Hub may not match the provider."
        )
    if claim == "iss":
        return "The answer did not come from the identity provider configured for your organisation."
    if claim == "nonce":
        return "The sign-in answer did not match the request made from this browser. Please sign in again."
    if code == "mismatching_state" or "state" in text.lower():
        return "The sign-in answer did not match the request made from this browser. Please sign in again."
    if isinstance(error, requests.RequestException):
        return "Your council's identity provider could not be reached. Try again later or sign in with a password."
    if code == "access_denied":
        return "Sign-in was cancelled or refused at your council's identity provider."
    return "Your council's identity provider's answer could not be verified, so you were not signed in."
