from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from pace_hub import services
from pace_hub.models import Invitation, Membership
from pace_hub.roles import Role
from tests.factories import InvitationFactory, UserFactory

User = get_user_model()


def test_admin_invites_by_email_and_the_link_is_sent(cast, admin_client, django_capture_on_commit_callbacks) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            f"/o/{cast.org.slug}/team/invite/",
            {"email": "New.Person@Health.example", "role": Role.DATA, "job_title": "Analyst"},
        )
    assert response.status_code == 302
    invitation = Invitation.objects.get()
    assert (invitation.email, invitation.role, invitation.organisation) == (
        "new.person@health.example",
        Role.DATA,
        cast.org,
    )
    assert len(mail.outbox) == 1
    assert f"/invitations/{invitation.token}/" in mail.outbox[0].body
    assert "data lead" in mail.outbox[0].body


def test_inviting_an_existing_member_is_refused(cast, admin_client) -> None:
    member = cast.members[Role.MEMBER]
    response = admin_client.post(
        f"/o/{cast.org.slug}/team/invite/", {"email": member.user.email.upper(), "role": Role.VIEWER}
    )
    assert response.status_code == 200
    assert "already a member" in response.content.decode()
    assert not Invitation.objects.exists()


def test_new_person_accepts_sets_password_and_is_signed_in(cast, client) -> None:
    invitation = InvitationFactory(organisation=cast.org, email="reporter@scra.example", role=Role.MEMBER)
    response = client.post(
        f"/invitations/{invitation.token}/",
        {
            "first_name": "Nadia",
            "last_name": "Ali",
            "password1": "an-unusual-passphrase",
            "password2": "an-unusual-passphrase",
        },
    )
    assert response.status_code == 302 and response["Location"] == f"/o/{cast.org.slug}/"
    membership = Membership.objects.get(user__email="reporter@scra.example")
    assert membership.role == Role.MEMBER and membership.organisation == cast.org
    assert membership.user.check_password("an-unusual-passphrase")
    assert client.get(f"/o/{cast.org.slug}/").status_code == 200
    invitation.refresh_from_db()
    assert invitation.accepted_at is not None


def test_mismatched_or_weak_passwords_are_explained(cast, client) -> None:
    invitation = InvitationFactory(organisation=cast.org)
    response = client.post(
        f"/invitations/{invitation.token}/",
        {
            "first_name": "A",
            "last_name": "B",
            "password1": "an-unusual-passphrase",
            "password2": "different-one-here",
        },
    )
    assert "The two passwords differ." in response.content.decode()
    response = client.post(
        f"/invitations/{invitation.token}/",
        {
            "first_name": "A",
            "last_name": "B",
            "password1": "123",
            "password2": "123",
        },
    )
    assert "too short" in response.content.decode()
    assert not Membership.objects.filter(user__email=invitation.email).exists()


def test_existing_account_joins_a_second_organisation(cast) -> None:
    outsider = cast.outsider
    invitation = InvitationFactory(organisation=cast.org, email=outsider.user.email, role=Role.VIEWER)
    client = cast.client("outsider")
    response = client.post(f"/invitations/{invitation.token}/")
    assert response.status_code == 302
    assert Membership.objects.get(user=outsider.user, organisation=cast.org).role == Role.VIEWER


def test_expired_or_used_invitations_cannot_be_accepted(cast, client) -> None:
    expired = InvitationFactory(organisation=cast.org, expires_at=timezone.now() - timedelta(minutes=1))
    assert client.get(f"/invitations/{expired.token}/").status_code == 410
    used = InvitationFactory(organisation=cast.org, accepted_at=timezone.now())
    assert client.post(f"/invitations/{used.token}/", {}).status_code == 410
    assert client.get("/invitations/not-a-token/").status_code == 404


def test_admin_withdraws_an_invitation(cast, admin_client) -> None:
    invitation = InvitationFactory(organisation=cast.org)
    response = admin_client.post(f"/o/{cast.org.slug}/team/invitations/{invitation.code}/revoke/")
    assert response.status_code == 302
    assert not Invitation.objects.filter(pk=invitation.pk).exists()


def test_purge_removes_only_long_expired_unused_invitations(cast) -> None:
    old = InvitationFactory(organisation=cast.org, expires_at=timezone.now() - timedelta(days=31))
    recent = InvitationFactory(organisation=cast.org, expires_at=timezone.now() - timedelta(days=2))
    accepted = InvitationFactory(
        organisation=cast.org, expires_at=timezone.now() - timedelta(days=60), accepted_at=timezone.now()
    )
    assert services.invitations_purge_expired() == 1
    assert set(Invitation.objects.values_list("pk", flat=True)) == {recent.pk, accepted.pk}
    assert not Invitation.objects.filter(pk=old.pk).exists()


@pytest.mark.parametrize("role", [Role.LEAD, Role.DATA, Role.MEMBER, Role.VIEWER])
def test_only_admins_invite(cast, role) -> None:
    response = cast.client(role).post(f"/o/{cast.org.slug}/team/invite/", {"email": "x@y.example", "role": "admin"})
    assert response.status_code == 403
    assert not Invitation.objects.exists()


def test_user_factory_password_works(db) -> None:
    assert UserFactory().check_password("correct-horse-battery")


def test_an_invitation_for_an_existing_account_opened_signed_out_asks_to_sign_in(cast, client) -> None:
    outsider = cast.outsider.user
    invitation = InvitationFactory(organisation=cast.org, email=outsider.email, role=Role.VIEWER)
    url = f"/invitations/{invitation.token}/"
    page = client.get(url)
    assert page.status_code == 200 and "already has a PACE Hub account" in page.content.decode()
    submitted = client.post(
        url, {"first_name": "A", "last_name": "B", "password1": "a-long-pass-phrase", "password2": "a-long-pass-phrase"}
    )
    assert submitted.status_code == 302 and submitted["Location"].startswith("/accounts/login/?next=%2Finvitations%2F")
    assert User.objects.filter(email__iexact=outsider.email).count() == 1
    assert not Membership.objects.filter(user=outsider, organisation=cast.org).exists()
    # Signing in with the existing account comes back to the invitation, which then joins.
    signed_in = client.post(submitted["Location"], {"username": outsider.email, "password": "correct-horse-battery"})
    assert signed_in["Location"] == url
    assert client.post(url).status_code == 302
    assert Membership.objects.get(user=outsider, organisation=cast.org).role == Role.VIEWER


def test_accepting_for_an_address_that_already_has_an_account_is_refused_by_the_service(cast) -> None:
    invitation = InvitationFactory(organisation=cast.org, email=cast.outsider.user.email.upper())
    with pytest.raises(ValidationError, match="already has an account"):
        services.invitation_accept(invitation=invitation, first_name="A", last_name="B", password="x-long-pass-9")
