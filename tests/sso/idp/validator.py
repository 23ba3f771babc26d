"""The test provider's claims. A person's last name picks a misbehaviour, so that the tests can
check PACE Hub refuses what a faulty or hostile provider might send: ``wrong-audience`` (an ID
token issued to another client), ``expired`` (an ID token past its expiry) and ``unverified``
(an e-mail address the provider has not verified)."""

import time

from oauth2_provider.oauth2_validators import OAuth2Validator


class ScenarioValidator(OAuth2Validator):
    oidc_claim_scope = None  # every claim, whatever the scopes

    def get_additional_claims(self, request) -> dict:
        user = request.user
        return {
            "email": user.email,
            "email_verified": user.last_name != "unverified",
            "name": user.get_full_name(),
        }

    def get_id_token_dictionary(self, token, token_handler, request):
        claims, expiration_time = super().get_id_token_dictionary(token, token_handler, request)
        scenario = request.user.last_name
        if scenario == "wrong-audience":
            claims["aud"] = "another-application"
        if scenario == "expired":
            claims["exp"] = int(time.time()) - 3600
        return claims, expiration_time
