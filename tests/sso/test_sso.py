"""Single sign-on against a real OpenID Connect provider on loopback (tests/sso/idp/): the
journey, and every way an answer must be refused."""

import pytest
from django.contrib.auth import get_user_model

from pace_hub.roles import Role
from sso.models import IdentityProvider
from sso.services import identity_provider_save
from tests.factories import MembershipFactory, UserFactory
from tests.sso.flow import sign_in_through_provider
from tests.sso.provider import CLIENT_ID, CLIENT_SECRET, PEOPLE

pytestmark = pytest.mark.django_db


@pytest.fixture
def sso_org(cast, oidc_provider):
    identity_provider_save(
        organisation=cast.org,
        enabled=True,
        issuer=oidc_provider.issuer,
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        allowed_domains="aberdeencity.gov.uk",
    )
    for username in ("alice", "audience", "late", "unverified", "elsewhere"):
        email = PEOPLE[username][0]
        MembershipFactory(organisation=cast.org, role=Role.MEMBER, user=UserFactory(email=email, username=email))
    return cast.org


def _signed_in_user(client):
    return client.session.get("_auth_user_id")


def test_a_member_signs_in_with_the_council_account(client, sso_org, oidc_provider) -> None:
    answer = sign_in_through_provider(client, oidc_provider, sso_org.slug, "alice")
    assert answer.status_code == 302 and answer["Location"] == f"/o/{sso_org.slug}/"
    user = get_user_model().objects.get(pk=_signed_in_user(client))
    assert user.email == "alice.gordon@aberdeencity.gov.uk"
    assert client.get(answer["Location"]).status_code == 200


@pytest.mark.parametrize(
    ("username", "reason"),
    [
        ("audience", "wrong audience"),
        ("late", "had expired"),
        ("unverified", "has not verified"),
        ("elsewhere", "Addresses at example.org may not sign in"),
        ("stranger", "is not a member of Aberdeen City"),
    ],
)
def test_a_sign_in_that_does_not_prove_a_member_is_refused(client, sso_org, oidc_provider, username, reason) -> None:
    answer = sign_in_through_provider(client, oidc_provider, sso_org.slug, username)
    assert answer.status_code == 403
    assert reason in answer.content.decode()
    assert _signed_in_user(client) is None


def test_single_sign_on_never_creates_an_account_or_a_membership(client, sso_org, oidc_provider) -> None:
    users = get_user_model().objects.count()
    sign_in_through_provider(client, oidc_provider, sso_org.slug, "stranger")
    assert get_user_model().objects.count() == users
    assert not get_user_model().objects.filter(email=PEOPLE["stranger"][0]).exists()


def test_a_replayed_callback_is_refused(client, sso_org, oidc_provider) -> None:
    answer = sign_in_through_provider(client, oidc_provider, sso_org.slug, "alice")
    assert answer.status_code == 302
    client.logout()
    # The same code and state again: the state was used up with the first answer.
    replay = client.get(answer.wsgi_request.get_full_path())
    assert replay.status_code == 403 and _signed_in_user(client) is None


def test_the_start_page_sends_people_to_their_councils_provider(client, sso_org) -> None:
    answer = client.post("/accounts/sso/", {"email": "alice.gordon@aberdeencity.gov.uk"})
    assert answer.status_code == 302
    assert answer["Location"] == f"/accounts/sso/{sso_org.slug}/login/?login_hint=alice.gordon%40aberdeencity.gov.uk"
    unknown = client.post("/accounts/sso/", {"email": "someone@nowhere.example"})
    assert unknown.status_code == 200 and "Sign in with your password instead" in unknown.content.decode()


def test_an_organisation_without_sso_has_no_sign_in_steps(client, cast) -> None:
    assert client.get(f"/accounts/sso/{cast.org.slug}/login/").status_code == 404
    assert client.get(f"/accounts/sso/{cast.org.slug}/callback/?code=x&state=y").status_code == 404


def test_password_sign_in_still_works_and_axes_still_guards_it(client, sso_org, settings) -> None:
    member = MembershipFactory(organisation=sso_org, role=Role.VIEWER)
    ok = client.post("/accounts/login/", {"username": member.user.email, "password": "correct-horse-battery"})
    assert ok.status_code == 302
    client.logout()
    other = MembershipFactory(organisation=sso_org, role=Role.VIEWER)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/accounts/login/", {"username": other.user.email, "password": "wrong"})
    locked = client.post("/accounts/login/", {"username": other.user.email, "password": "correct-horse-battery"})
    assert locked.status_code == 429 or "locked" in locked.content.decode().lower()
    assert client.session.get("_auth_user_id") is None


def test_the_admin_configures_sso_and_the_secret_is_stored_encrypted(cast, oidc_provider) -> None:
    admin = cast.client(Role.ADMIN)
    page = admin.get(f"/o/{cast.org.slug}/settings/sign-in/")
    assert page.status_code == 200
    assert f"http://testserver/accounts/sso/{cast.org.slug}/callback/" in page.content.decode()
    answer = admin.post(
        f"/o/{cast.org.slug}/settings/sign-in/",
        {
            "enabled": "on",
            "issuer": oidc_provider.issuer,
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
            "allowed_domains": "@AberdeenCity.gov.uk, aberdeencity.gov.uk",
        },
    )
    assert answer.status_code == 302
    provider = IdentityProvider.objects.get(organisation=cast.org)
    assert provider.allowed_domains == "aberdeencity.gov.uk"
    assert provider.client_secret == CLIENT_SECRET
    assert CLIENT_SECRET not in provider.client_secret_encrypted
    # Saving again without a secret keeps it.
    admin.post(
        f"/o/{cast.org.slug}/settings/sign-in/",
        {
            "enabled": "on",
            "issuer": oidc_provider.issuer,
            "client_id": CLIENT_ID,
            "allowed_domains": "aberdeencity.gov.uk",
        },
    )
    provider.refresh_from_db()
    assert provider.client_secret == CLIENT_SECRET


def test_an_issuer_that_is_not_the_provider_is_refused_on_save(cast, oidc_provider) -> None:
    answer = cast.client(Role.ADMIN).post(
        f"/o/{cast.org.slug}/settings/sign-in/",
        {
            "enabled": "on",
            "issuer": f"{oidc_provider.base}/other",
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
            "allowed_domains": "aberdeencity.gov.uk",
        },
    )
    assert answer.status_code == 200
    assert "could not be read" in answer.content.decode()
    assert not IdentityProvider.objects.filter(organisation=cast.org).exists()


def test_an_issuer_must_use_https_unless_it_is_on_this_machine(cast) -> None:
    answer = cast.client(Role.ADMIN).post(
        f"/o/{cast.org.slug}/settings/sign-in/",
        {
            "issuer": "http://login.example.org/tenant/v2.0",
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
            "allowed_domains": "aberdeencity.gov.uk",
        },
    )
    assert "must be an https:// address" in answer.content.decode()


@pytest.mark.parametrize("role", [Role.LEAD, Role.DATA, Role.MEMBER, Role.VIEWER])
def test_only_admins_configure_sso(cast, role) -> None:
    assert cast.client(role).get(f"/o/{cast.org.slug}/settings/sign-in/").status_code == 403
