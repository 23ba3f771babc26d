"""Run with the provider's settings (tests/sso/provider.py does): ``create REDIRECT_URI CLIENT_ID
CLIENT_SECRET username:e-mail:last-name ...`` makes its database, people and the client that
stands for PACE Hub; ``add-redirect URI`` registers another PACE Hub callback address."""

import sys

import django

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from oauth2_provider.models import Application  # noqa: E402

PASSWORD = "provider-password"


def create(redirect_uri: str, client_id: str, client_secret: str, *people: str) -> None:
    call_command("migrate", verbosity=0)
    for person in people:
        username, email, last_name = person.split(":")
        get_user_model().objects.create_user(username, email, PASSWORD, first_name="Test", last_name=last_name)
    Application.objects.create(
        name="PACE Hub",
        client_id=client_id,
        client_secret=client_secret,
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        redirect_uris=redirect_uri,
        algorithm=Application.RS256_ALGORITHM,
        skip_authorization=True,
    )


def add_redirect(uri: str) -> None:
    application = Application.objects.get(name="PACE Hub")
    application.redirect_uris = f"{application.redirect_uris} {uri}"
    application.save(update_fields=["redirect_uris"])


if __name__ == "__main__":
    command, *arguments = sys.argv[1:]
    {"create": create, "add-redirect": add_redirect}[command](*arguments)
