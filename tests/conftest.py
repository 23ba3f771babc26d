"""The fixed cast every view test uses: one organisation with a person in every role, and an
outsider who belongs only to another organisation."""

import os
from dataclasses import dataclass

import pytest
from django.test import Client

from pace_hub.models import Membership, Organisation
from pace_hub.roles import Role
from tests.factories import MembershipFactory, OrganisationFactory

# Playwright's sync API runs an event loop in the test thread; Django must allow ORM use there.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@dataclass
class Cast:
    org: Organisation
    other_org: Organisation
    members: dict[str, Membership]  # by role
    outsider: Membership  # admin of other_org, no membership in org

    def client(self, role: str | None) -> Client:
        """A signed-in client: a role of ``org``, "outsider", or None for anonymous."""
        client = Client()
        if role == "outsider":
            client.force_login(self.outsider.user)
        elif role is not None:
            client.force_login(self.members[role].user)
        return client


@pytest.fixture
def cast(db) -> Cast:
    org = OrganisationFactory(name="Aberdeen City", slug="aberdeen-city")
    other = OrganisationFactory(name="Renfrewshire", slug="renfrewshire")
    members = {role.value: MembershipFactory(organisation=org, role=role) for role in Role}
    outsider = MembershipFactory(organisation=other, role=Role.ADMIN)
    return Cast(org=org, other_org=other, members=members, outsider=outsider)


@pytest.fixture
def org(cast: Cast) -> Organisation:
    return cast.org


@pytest.fixture
def admin_client(cast: Cast) -> Client:
    return cast.client(Role.ADMIN)


@pytest.fixture
def lead_client(cast: Cast) -> Client:
    return cast.client(Role.LEAD)


@pytest.fixture
def data_client(cast: Cast) -> Client:
    return cast.client(Role.DATA)


@pytest.fixture
def member_client(cast: Cast) -> Client:
    return cast.client(Role.MEMBER)


@pytest.fixture
def viewer_client(cast: Cast) -> Client:
    return cast.client(Role.VIEWER)


@pytest.fixture
def outsider_client(cast: Cast) -> Client:
    return cast.client("outsider")
