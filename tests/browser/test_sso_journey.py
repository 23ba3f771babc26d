"""Single sign-on in headless Chromium against the loopback OpenID Connect provider
(tests/sso/idp/), and an admin making an API key."""

import re

import pytest
from playwright.sync_api import Page, expect

from api.models import ApiKey, key_digest
from pace_hub.roles import Role
from sso.services import identity_provider_save
from tests.factories import MembershipFactory, UserFactory
from tests.sso.provider import (
    CLIENT_ID,
    CLIENT_SECRET,
    PASSWORD,
    PEOPLE,
    oidc_provider,  # noqa: F401  (the fixture)
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def sso_org(cast, live_server, oidc_provider):  # noqa: F811
    oidc_provider.add_redirect_uri(f"{live_server.url}/accounts/sso/{cast.org.slug}/callback/")
    identity_provider_save(
        organisation=cast.org,
        enabled=True,
        issuer=oidc_provider.issuer,
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        allowed_domains="aberdeencity.gov.uk",
    )
    email = PEOPLE["alice"][0]
    MembershipFactory(
        organisation=cast.org,
        role=Role.LEAD,
        user=UserFactory(email=email, username=email, first_name="Alice", last_name="Gordon"),
    )
    return cast.org


def _sign_in_at_provider(page: Page, live_server, username: str) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_role("link", name="Sign in with your council account").click()
    page.get_by_label("Your council e-mail address").fill(PEOPLE[username][0])
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="Council identity provider")).to_be_visible()
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in to the provider").click()
    page.wait_for_load_state()


def test_a_member_signs_in_with_the_council_account(page: Page, live_server, sso_org, assert_accessible) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    assert_accessible()
    _sign_in_at_provider(page, live_server, "alice")
    expect(page).to_have_url(f"{live_server.url}/o/{sso_org.slug}/")
    expect(page.get_by_role("button", name=re.compile("Alice Gordon"))).to_be_visible()


def test_someone_without_a_membership_is_told_why(page: Page, live_server, sso_org, assert_accessible) -> None:
    _sign_in_at_provider(page, live_server, "stranger")
    expect(page.get_by_role("heading", name="You were not signed in")).to_be_visible()
    expect(page.get_by_role("alert")).to_contain_text("Single sign-on does not create accounts")
    assert_accessible()


def test_an_admin_makes_and_revokes_an_api_key(page: Page, live_server, cast, sign_in, assert_accessible) -> None:
    sign_in(cast.members[Role.ADMIN].user.email)
    page.goto(f"{live_server.url}/o/{cast.org.slug}/settings/api-keys/")
    assert_accessible()
    page.get_by_role("link", name="Make an API key").click()
    page.get_by_label("Name").fill("Mosaic nightly export")
    page.get_by_label(re.compile("milestones:write")).check()
    page.get_by_role("button", name="Make the key").click()
    token = page.get_by_label(re.compile("The key")).input_value()
    assert ApiKey.objects.get(name="Mosaic nightly export").digest == key_digest(token)
    assert_accessible()
    page.get_by_role("link", name="Back to API keys").click()
    page.get_by_role("button", name="Revoke Mosaic nightly export").click()
    expect(page.get_by_role("row", name=re.compile("Mosaic nightly export"))).to_contain_text("Revoked")
