from tests.sso.provider import oidc_provider  # noqa: F401  (the loopback identity provider)
