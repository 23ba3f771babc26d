from pace_hub.models import Agency, Membership, Team
from pace_hub.roles import Role
from tests.factories import AgencyFactory, MembershipFactory, TeamFactory


def test_admin_changes_a_role_and_profile(cast, admin_client) -> None:
    member = cast.members[Role.MEMBER]
    agency = AgencyFactory(organisation=cast.org, kind=Agency.Kind.HEALTH)
    response = admin_client.post(
        f"/o/{cast.org.slug}/team/members/{member.code}/edit/",
        {
            "role": Role.LEAD,
            "job_title": "Aim lead",
            "agency": agency.pk,
            "qi_skill": "practitioner",
            "wants_qi_training": "on",
        },
    )
    assert response.status_code == 302
    member.refresh_from_db()
    assert (member.role, member.job_title, member.agency, member.qi_skill, member.wants_qi_training) == (
        Role.LEAD,
        "Aim lead",
        agency,
        "practitioner",
        True,
    )
    # The change is in the audit trail, attributed to the admin.
    record = member.history.first()
    assert record.history_user == cast.members[Role.ADMIN].user


def test_agency_of_another_organisation_cannot_be_chosen(cast, admin_client) -> None:
    member = cast.members[Role.MEMBER]
    foreign = AgencyFactory(organisation=cast.other_org)
    response = admin_client.post(
        f"/o/{cast.org.slug}/team/members/{member.code}/edit/",
        {
            "role": Role.MEMBER,
            "agency": foreign.pk,
            "qi_skill": "none",
        },
    )
    assert response.status_code == 200
    member.refresh_from_db()
    assert member.agency is None


def test_the_last_admin_cannot_be_demoted_or_removed(cast, admin_client) -> None:
    admin = cast.members[Role.ADMIN]
    response = admin_client.post(
        f"/o/{cast.org.slug}/team/members/{admin.code}/edit/",
        {
            "role": Role.MEMBER,
            "qi_skill": "none",
        },
    )
    assert "at least one admin" in response.content.decode()
    admin.refresh_from_db()
    assert admin.role == Role.ADMIN
    admin_client.post(f"/o/{cast.org.slug}/team/members/{admin.code}/remove/")
    assert Membership.objects.filter(pk=admin.pk).exists()
    # With a second admin, removal works.
    MembershipFactory(organisation=cast.org, role=Role.ADMIN)
    admin_client.post(f"/o/{cast.org.slug}/team/members/{admin.code}/remove/")
    assert not Membership.objects.filter(pk=admin.pk).exists()


def test_team_page_lists_people_in_constant_queries(cast, member_client, django_assert_max_num_queries) -> None:
    team = TeamFactory(organisation=cast.org)
    for _ in range(15):
        team.members.add(MembershipFactory(organisation=cast.org, agency=AgencyFactory(organisation=cast.org)))
    with django_assert_max_num_queries(10):
        response = member_client.get(f"/o/{cast.org.slug}/team/")
    assert response.status_code == 200
    assert response.content.decode().count(team.name) == 15
    # Members see no admin controls.
    assert "Invite someone" not in response.content.decode()


def test_lead_creates_a_leads_group_with_members_and_chair(cast, lead_client) -> None:
    lead, member = cast.members[Role.LEAD], cast.members[Role.MEMBER]
    response = lead_client.post(
        f"/o/{cast.org.slug}/team/groups/new/",
        {
            "name": "PACE leads group",
            "kind": Team.Kind.LEADS,
            "meeting_frequency": "monthly",
            "chair": lead.pk,
            "members": [lead.pk, member.pk],
            "purpose": "Runs PACE",
        },
    )
    assert response.status_code == 302
    team = Team.objects.get(organisation=cast.org)
    assert team.chair == lead and set(team.members.all()) == {lead, member}
    duplicate = lead_client.post(
        f"/o/{cast.org.slug}/team/groups/new/",
        {
            "name": "PACE leads group",
            "kind": Team.Kind.AIMS,
            "meeting_frequency": "monthly",
        },
    )
    assert "already exists" in duplicate.content.decode()


def test_member_of_another_organisation_cannot_join_a_team(cast, lead_client) -> None:
    response = lead_client.post(
        f"/o/{cast.org.slug}/team/groups/new/",
        {
            "name": "Aims group",
            "kind": Team.Kind.AIMS,
            "meeting_frequency": "monthly",
            "members": [cast.outsider.pk],
        },
    )
    assert response.status_code == 200
    assert not Team.objects.exists()


def test_relationship_map_groups_agencies_and_names_missing_kinds(cast, viewer_client) -> None:
    AgencyFactory(organisation=cast.org, name="SCRA Aberdeen", kind=Agency.Kind.SCRA, relationship="strong")
    AgencyFactory(organisation=cast.other_org, name="Foreign legal", kind=Agency.Kind.LEGAL)
    page = viewer_client.get(f"/o/{cast.org.slug}/team/agencies/").content.decode()
    assert "SCRA Aberdeen" in page and "Foreign legal" not in page
    assert "Local authority legal" in page.split("Not yet on the map:")[1].split("</div>")[0]
    assert "Add an agency" not in page  # viewers read only


def test_member_adds_an_agency(cast, member_client) -> None:
    response = member_client.post(
        f"/o/{cast.org.slug}/team/agencies/new/",
        {
            "name": "Local health visiting team",
            "kind": Agency.Kind.HEALTH,
            "relationship": "emerging",
            "contact": "Team lead",
            "next_step": "Invite to leads group",
        },
    )
    assert response.status_code == 302
    assert Agency.objects.get(organisation=cast.org).name == "Local health visiting team"


def test_a_malformed_object_code_is_a_404_not_an_error(cast, lead_client, admin_client) -> None:
    assert lead_client.get(f"/o/{cast.org.slug}/team/groups/not-a-uuid/edit/").status_code == 404
    # Codes posted in a form go through the same helper.
    response = cast.client(Role.LEAD).post(f"/o/{cast.org.slug}/testing/library/withdraw/", {"item": "nonsense"})
    assert response.status_code == 404
