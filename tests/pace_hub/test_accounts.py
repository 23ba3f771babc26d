import re

import pytest
from django.core import mail

from pace_hub.roles import Role
from tests.factories import MembershipFactory


def test_sign_in_with_email_lands_on_the_only_organisation(cast, client) -> None:
    member = cast.members[Role.MEMBER]
    response = client.post(
        "/accounts/login/", {"username": member.user.email.upper(), "password": "correct-horse-battery"}
    )
    assert response.status_code == 302
    assert client.get("/").url == f"/o/{cast.org.slug}/"


def test_several_organisations_show_the_chooser_then_remember_the_last(cast) -> None:
    member = cast.members[Role.MEMBER]
    MembershipFactory(user=member.user, organisation=cast.other_org, role=Role.VIEWER)
    client = cast.client(Role.MEMBER)
    page = client.get("/").content.decode()
    assert "Choose an organisation" in page and cast.other_org.name in page
    client.get(f"/o/{cast.other_org.slug}/")
    assert client.get("/").url == f"/o/{cast.other_org.slug}/"
    # The switcher in the navigation lists both, with the role in each.
    home = client.get(f"/o/{cast.org.slug}/").content.decode()
    assert 'Renfrewshire <span class="small">(Viewer)</span>' in home


def test_repeated_failures_lock_the_account_out(cast, client) -> None:
    member = cast.members[Role.MEMBER]
    for _ in range(5):
        response = client.post("/accounts/login/", {"username": member.user.email, "password": "wrong"})
    assert response.status_code == 429
    assert "Too many failed sign-in attempts" in response.content.decode()
    # Even the right password is refused while locked.
    locked = client.post("/accounts/login/", {"username": member.user.email, "password": "correct-horse-battery"})
    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session


def test_password_reset_by_email(cast, client) -> None:
    member = cast.members[Role.MEMBER]
    client.post("/accounts/password_reset/", {"email": member.user.email})
    assert len(mail.outbox) == 1
    link = re.search(r"https?://[^/]+(/accounts/reset/\S+)", mail.outbox[0].body).group(1)
    form_url = client.get(link).url  # Django swaps the token for a session and redirects
    response = client.post(
        form_url, {"new_password1": "a-fresh-passphrase-42", "new_password2": "a-fresh-passphrase-42"}
    )
    assert response.status_code == 302
    member.user.refresh_from_db()
    assert member.user.check_password("a-fresh-passphrase-42")


def test_password_change_requires_the_old_password(cast) -> None:
    client = cast.client(Role.VIEWER)
    response = client.post(
        "/accounts/password_change/",
        {
            "old_password": "wrong",
            "new_password1": "a-fresh-passphrase-42",
            "new_password2": "a-fresh-passphrase-42",
        },
    )
    assert "Your old password was entered incorrectly" in response.content.decode()
    response = client.post(
        "/accounts/password_change/",
        {
            "old_password": "correct-horse-battery",
            "new_password1": "a-fresh-passphrase-42",
            "new_password2": "a-fresh-passphrase-42",
        },
    )
    assert response.status_code == 302


def test_sign_out_is_a_post(cast) -> None:
    client = cast.client(Role.MEMBER)
    assert client.post("/accounts/logout/").status_code == 302
    assert client.get(f"/o/{cast.org.slug}/").status_code == 302


@pytest.mark.parametrize("role", list(Role))
def test_home_warns_until_pace_and_data_leads_are_named(cast, role) -> None:
    client = cast.client(role)
    # Viewers land on the governance dashboard, which carries the same warning.
    page = client.get(f"/o/{cast.org.slug}/", follow=True).content.decode()
    assert "No PACE Lead is named." in page and "No Data Lead is named." in page
    cast.org.pace_lead = cast.members[Role.LEAD]
    cast.org.data_lead = cast.members[Role.DATA]
    cast.org.save()
    page = client.get(f"/o/{cast.org.slug}/", follow=True).content.decode()
    assert "leadership-gaps" not in page
    if role != Role.VIEWER:  # the leads home names them; a viewer's dashboard does not list people
        assert cast.members[Role.LEAD].display_name in page


def test_admin_names_the_leads_in_settings(cast, admin_client) -> None:
    lead, data = cast.members[Role.LEAD], cast.members[Role.DATA]
    response = admin_client.post(
        f"/o/{cast.org.slug}/settings/",
        {
            "name": cast.org.name,
            "pace_lead": lead.pk,
            "data_lead": data.pk,
            "upload_interval_days": 31,
        },
    )
    assert response.status_code == 302
    cast.org.refresh_from_db()
    assert (cast.org.pace_lead, cast.org.data_lead) == (lead, data)
    # Someone from another organisation cannot be named.
    response = admin_client.post(
        f"/o/{cast.org.slug}/settings/",
        {
            "name": cast.org.name,
            "pace_lead": cast.outsider.pk,
        },
    )
    assert response.status_code == 200
