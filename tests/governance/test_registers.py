"""Registers that answer template questions: distributed leadership (on the team page too), the
QI skills register, data responsibility per milestone, and the relationship map drawn as a
picture with its next steps and history."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from governance.selectors.registers import data_responsibility, distributed_leadership, qi_skills_register
from measures.models import Milestone
from pace_hub.models import Agency, Membership
from pace_hub.relationship_map import MapAgency, draw_relationship_map
from pace_hub.roles import Role
from tests.factories import AgencyFactory
from tests.measures.factories import MilestoneFactory
from tests.pdsa.factories import ChangeIdeaFactory, PDSACycleFactory

pytestmark = pytest.mark.django_db


def _lead_work(cast) -> None:
    lead, member = cast.members[Role.LEAD], cast.members[Role.MEMBER]
    social_work = AgencyFactory(organisation=cast.org, name="Social work", kind="social_work")
    Membership.objects.filter(pk=lead.pk).update(agency=social_work)
    idea = ChangeIdeaFactory(organisation=cast.org, title="Panel papers", lead=lead)
    for number in (1, 2, 3):
        PDSACycleFactory(change_idea=idea, number=number, lead=lead)
    PDSACycleFactory(change_idea=ChangeIdeaFactory(organisation=cast.org, lead=member), number=1)
    old = PDSACycleFactory(change_idea=idea, number=4, lead=cast.members[Role.DATA])
    type(old).objects.filter(pk=old.pk).update(updated_at=timezone.now() - datetime.timedelta(days=100))


def test_distributed_leadership_counts_leads_agencies_and_the_busiest_share(cast) -> None:
    _lead_work(cast)
    register = distributed_leadership(cast.org)
    assert [(row.membership, row.cycles, row.ideas) for row in register.rows] == [
        (cast.members[Role.LEAD], 3, 1),
        (cast.members[Role.MEMBER], 0, 1),
    ]
    assert (register.leads, register.items, register.busiest_share, register.concentrated) == (2, 5, 80, True)
    assert [(entry.agency, entry.leads, entry.items) for entry in register.by_agency] == [
        ("No agency recorded", 1, 1),
        ("Social work", 1, 4),
    ]
    # The unled cycle of the member's idea counts as unled, not as anyone's.
    assert register.unled_cycles == 1


def test_the_team_page_loads_the_distributed_leadership_card(cast) -> None:
    _lead_work(cast)
    client = cast.client(Role.VIEWER)
    team = client.get(reverse("team", args=[cast.org.slug])).content.decode()
    url = reverse("leadership_register", args=[cast.org.slug])
    assert f'hx-get="{url}"' in team
    card = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert card.lstrip().startswith("<section") and "<html" not in card
    assert "<strong>2 different people</strong> led 5 PDSA cycles and change ideas" in card
    assert "led 80%" in card and "One person leads more than half of the testing." in card
    page = client.get(url).content.decode()
    assert "<h1" in page and "Leads of PDSA cycles and change ideas, last 90 days" in page


def test_one_lead_is_a_single_point_of_failure(cast) -> None:
    idea = ChangeIdeaFactory(organisation=cast.org, lead=cast.members[Role.LEAD])
    PDSACycleFactory(change_idea=idea, lead=cast.members[Role.LEAD])
    card = (
        cast.client(Role.LEAD)
        .get(reverse("leadership_register", args=[cast.org.slug]), HTTP_HX_REQUEST="true")
        .content.decode()
    )
    assert "Only one person leads testing — a single point of failure." in card


def test_qi_skills_register_by_agency_helpers_training_and_filters(cast) -> None:
    org = cast.org
    health = AgencyFactory(organisation=org, name="NHS Grampian", kind="health")
    Membership.objects.filter(pk=cast.members[Role.LEAD].pk).update(qi_skill="sil", agency=health)
    Membership.objects.filter(pk=cast.members[Role.ADMIN].pk).update(qi_skill="advisor")
    Membership.objects.filter(pk=cast.members[Role.MEMBER].pk).update(
        wants_qi_training=True, qi_cpd_interest="Scottish Improvement Leader programme", agency=health
    )
    register = qi_skills_register(org)
    assert {m.pk for m in register.helpers} == {cast.members[Role.LEAD].pk, cast.members[Role.ADMIN].pk}
    assert [m.pk for m in register.training_wanted] == [cast.members[Role.MEMBER].pk]
    assert dict(register.by_agency) == {"NHS Grampian": [1, 0, 0, 1, 0], "No agency recorded": [2, 0, 0, 0, 1]}
    filtered = qi_skills_register(org, filters={"agency": str(health.pk), "wants_training": True})
    assert [m.pk for m in filtered.members] == [cast.members[Role.MEMBER].pk]
    page = (
        cast.client(Role.VIEWER)
        .get(reverse("qi_skills_register", args=[org.slug]) + f"?agency={health.pk}&level=sil")
        .content.decode()
    )
    assert "Members matching the filters (1)" in page
    assert f'href="mailto:{cast.members[Role.LEAD].user.email}"' in page
    assert "Update my QI skills" not in page  # viewers change nothing


def test_members_edit_their_own_skills_and_admins_edit_everyones(cast) -> None:
    member = cast.members[Role.MEMBER]
    client = cast.client(Role.MEMBER)
    response = client.post(
        reverse("qi_skills_mine", args=[cast.org.slug]),
        {"qi_skill": "practitioner", "wants_qi_training": "on", "qi_cpd_interest": "Run charts"},
    )
    assert response.status_code == 302
    member.refresh_from_db()
    assert (member.qi_skill, member.wants_qi_training, member.qi_cpd_interest) == ("practitioner", True, "Run charts")
    other = reverse("qi_skills_edit", args=[cast.org.slug, cast.members[Role.DATA].code])
    assert client.post(other, {"qi_skill": "advisor"}).status_code == 403
    assert cast.client(Role.VIEWER).post(reverse("qi_skills_mine", args=[cast.org.slug]), {}).status_code == 403
    assert cast.client(Role.ADMIN).post(other, {"qi_skill": "advisor"}).status_code == 302
    assert Membership.objects.get(pk=cast.members[Role.DATA].pk).qi_skill == "advisor"
    bad = client.post(reverse("qi_skills_mine", args=[cast.org.slug]), {"qi_skill": "guru"})
    assert "Select a valid choice" in bad.content.decode()


def test_data_responsibility_warns_when_one_person_holds_all_of_it(cast) -> None:
    org, data = cast.org, cast.members[Role.DATA]
    first = MilestoneFactory(organisation=org, name="Looked after", order=1)
    second = MilestoneFactory(organisation=org, name="Panel", order=2)
    MilestoneFactory(organisation=org, name="Not used", order=3, active=False)
    client = cast.client(Role.DATA)
    edit = reverse("data_register_edit", args=[org.slug])
    response = client.post(edit, {f"milestone-{first.code}": data.pk, f"milestone-{second.code}": data.pk})
    assert response.status_code == 302
    assert data_responsibility(org).single_holder == data
    page = cast.client(Role.VIEWER).get(reverse("data_register", args=[org.slug])).content.decode()
    assert 'id="single-holder"' in page and f"{data} is responsible for every active milestone" in page
    client.post(edit, {f"milestone-{first.code}": data.pk, f"milestone-{second.code}": cast.members[Role.LEAD].pk})
    assert data_responsibility(org).single_holder is None
    assert Milestone.objects.get(pk=second.pk).responsible == cast.members[Role.LEAD]
    refused = client.post(edit, {f"milestone-{first.code}": cast.outsider.pk})
    assert "Choose a member of Aberdeen City for Looked after." in refused.content.decode()
    assert cast.client(Role.MEMBER).post(edit, {}).status_code == 403


def test_the_relationship_map_is_a_picture_with_a_text_alternative(cast) -> None:
    lead = cast.members[Role.LEAD]
    AgencyFactory(
        organisation=cast.org,
        name="SCRA locality office",
        kind="scra",
        relationship="emerging",
        next_step="Invite the reporter",
        next_step_owner=lead,
        next_step_due=timezone.localdate() - datetime.timedelta(days=2),
    )
    AgencyFactory(organisation=cast.org, name="Legal Services", kind="legal", relationship="strong")
    page = cast.client(Role.VIEWER).get(reverse("agencies", args=[cast.org.slug])).content.decode()
    assert '<svg xmlns="http://www.w3.org/2000/svg"' in page and 'role="img"' in page
    assert '<title id="map-title">Relationship map of Aberdeen City</title>' in page
    assert "Legal Services (strong), SCRA locality office (emerging)" in page
    assert 'class="agency agency-emerging"' in page and "Overdue" in page
    assert 'id="relationship-table"' in page and f"{lead}</td>" in page and "overdue</span>" in page


def test_relationship_status_history_is_kept(cast) -> None:
    client = cast.client(Role.MEMBER)
    client.post(
        reverse("agency_create", args=[cast.org.slug]),
        {"name": "Education — virtual school", "kind": "education", "relationship": "none"},
    )
    agency = Agency.objects.get(organisation=cast.org)
    edit = reverse("agency_edit", args=[cast.org.slug, agency.code])
    fields = {"name": agency.name, "kind": "education", "contact": "Head teacher"}
    client.post(edit, {**fields, "relationship": "emerging"})
    client.post(edit, {**fields, "relationship": "emerging", "contact": "Depute head"})
    response = client.post(
        edit,
        {
            **fields,
            "relationship": "working",
            "next_step": "Joint training day",
            "next_step_owner": cast.members[Role.MEMBER].pk,
            "next_step_due": "2030-01-31",
        },
    )
    assert response.status_code == 302
    page = client.get(reverse("agency_detail", args=[cast.org.slug, agency.code])).content.decode()
    assert page.count('<tr><th scope="row"') == 3
    assert "From emerging to working" in page and "From none yet to emerging" in page and "Added as none yet" in page
    assert "31 Jan 2030" in page
    refused = client.post(edit, {**fields, "relationship": "working", "next_step_due": "2030-01-31"})
    assert "Say what the next step is before giving it an owner or a due date." in refused.content.decode()


def test_the_map_drawing_escapes_names_and_copes_with_no_agencies() -> None:
    svg = draw_relationship_map(
        centre="Leads <group>",
        agencies=[MapAgency(name="A & B <script>", kind="Other", status="working", status_label="Working")],
    )
    assert "<script>" not in svg and "A &amp; B &lt;script&gt;" in svg
    assert "Leads &lt;group&gt;" in draw_relationship_map(centre="Leads <group>", agencies=[])
