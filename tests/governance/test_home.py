"""The home pages by role: the leads group's (my work, aims with their sparklines and progress
scores, reviews due, the inbox and recent testing), the data lead's (the milestone data first),
and the chooser for someone in several organisations."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from measures.milestones import derived
from measures.milestones.pathway import pathway_ensure_defaults
from measures.models import Measure
from pace_hub.roles import Role
from tests.aims.factories import AimFactory
from tests.factories import MembershipFactory, OrganisationFactory
from tests.governance.factories import MeetingFactory
from tests.measures.factories import MeasureFactory, MilestoneImportFactory, monthly_points
from tests.pdsa.factories import ChangeIdeaFactory, IdeaSubmissionFactory, PDSACycleFactory

pytestmark = pytest.mark.django_db


def _fill(cast, n: int) -> None:
    lead = cast.members[Role.LEAD]
    for i in range(n):
        outcome = MeasureFactory(organisation=cast.org, kind=Measure.Kind.OUTCOME, unit="%", better=Measure.Better.UP)
        monthly_points(outcome, [50, 55, 60, 58, 62, 70])
        aim = AimFactory(
            organisation=cast.org,
            title=f"My aim {i}",
            lead=lead,
            status="active",
            review_interval_days=1,
            outcome_measure=outcome,
            progress_score="2.5",
        )
        aim.last_reviewed = datetime.date(2020, 1, 1)
        aim.save()
        idea = ChangeIdeaFactory(organisation=cast.org, title=f"My idea {i}", lead=lead, status="testing")
        PDSACycleFactory(organisation=cast.org, change_idea=idea, number=1, lead=lead)
        IdeaSubmissionFactory(organisation=cast.org, what=f"Waiting submission {i}")


def test_home_shows_my_work_reviews_inbox_and_recent_testing(cast) -> None:
    _fill(cast, 2)
    AimFactory(organisation=cast.other_org, title="Another council's aim", lead=cast.outsider)
    content = cast.client(Role.LEAD).get(reverse("org_home", args=[cast.org.slug])).content.decode()
    assert "My aim 0" in content and "My idea 1" in content
    assert 'id="reviews-due"' in content and "last reviewed 1 Jan 2020" in content
    assert "Waiting submission 0" in content and "2 waiting" in content
    assert "My idea 0 — cycle 1" in content
    assert "Another council" not in content
    assert 'id="leads-heading"' in content and 'id="relationships-heading"' in content  # the earlier cards stay


def test_members_do_not_see_the_triage_card(cast) -> None:
    IdeaSubmissionFactory(organisation=cast.org, what="Waiting submission")
    content = cast.client(Role.MEMBER).get(reverse("org_home", args=[cast.org.slug])).content.decode()
    assert "Ideas awaiting triage" not in content and "Waiting submission" not in content
    # Viewers land on the governance dashboard instead (tests/governance/test_dashboard.py).
    viewer = cast.client(Role.VIEWER).get(reverse("org_home", args=[cast.org.slug]))
    assert viewer.status_code == 302 and viewer["Location"] == reverse("governance_dashboard", args=[cast.org.slug])


def test_home_uses_a_constant_number_of_queries(cast, django_assert_num_queries) -> None:
    client = cast.client(Role.LEAD)
    url = reverse("org_home", args=[cast.org.slug])
    _fill(cast, 1)
    client.get(url)  # the session, and the aims' charts into the chart cache
    with CaptureQueriesContext(connection) as first:
        client.get(url)
    expected = len(first.captured_queries)  # read now: the next request clears the query log
    _fill(cast, 6)
    AimFactory(organisation=cast.org, title="Someone else's aim", status="active")  # a lead sees every active aim
    client.get(url)
    with django_assert_num_queries(expected):
        response = client.get(url)
    content = response.content.decode()
    assert "My aim 5" in content and "Someone else&#x27;s aim" in content
    assert content.count('class="sparkline-svg"') == 7


# The aims on the home page ------------------------------------------------------------------


def test_each_aim_shows_its_sparkline_against_target_and_its_progress_on_the_scale(cast) -> None:
    _fill(cast, 1)
    AimFactory(organisation=cast.org, title="Unscored aim", status="active", lead=cast.members[Role.LEAD])
    content = cast.client(Role.LEAD).get(reverse("org_home", args=[cast.org.slug])).content.decode()
    aims = content[content.index('id="home-aims"') : content.index('id="my-work-heading"')]
    row = aims[aims.index("My aim 0") : aims.index("Unscored aim")]
    assert "2.5 — changes tested, but no improvement" in row
    assert 'class="sparkline-svg"' in row and "target 90%" in row  # drawn against the aim's target
    assert "Latest 70%" in row and "You lead" in row
    assert "Not scored yet" in aims[aims.index("Unscored aim") :]


def test_a_member_sees_the_aims_they_lead_and_a_lead_sees_every_active_aim(cast) -> None:
    member = cast.members[Role.MEMBER]
    AimFactory(organisation=cast.org, title="Member's draft aim", status="draft", lead=member)
    AimFactory(organisation=cast.org, title="Council-wide aim", status="active")
    AimFactory(organisation=cast.other_org, title="Another council's aim", status="active")
    mine = cast.client(Role.MEMBER).get(reverse("org_home", args=[cast.org.slug])).content.decode()
    assert "Aims I lead" in mine and "Member&#x27;s draft aim" in mine and "Council-wide aim" not in mine
    lead = cast.client(Role.LEAD).get(reverse("org_home", args=[cast.org.slug])).content.decode()
    assert "Council-wide aim" in lead and "Member&#x27;s draft aim" not in lead  # a draft led by someone else
    assert "Another council" not in lead


def test_members_do_not_see_values_resting_on_fewer_than_five_children(cast) -> None:

    pathway_ensure_defaults(cast.org)
    within = Measure.objects.filter(
        organisation=cast.org, source=Measure.Source.DERIVED, derivation=Measure.Derivation.WITHIN_TARGET
    ).first()
    monthly_points(within, [(6, 12), (7, 12), (1, 3)])
    AimFactory(
        organisation=cast.org,
        title="Small group aim",
        status="active",
        outcome_measure=within,
        lead=cast.members[Role.MEMBER],
    )
    member = cast.client(Role.MEMBER).get(reverse("org_home", args=[cast.org.slug])).content.decode()
    assert "33.3" not in member
    lead = cast.client(Role.LEAD).get(reverse("org_home", args=[cast.org.slug])).content.decode()
    assert "33.3" in lead


# The data lead's home -----------------------------------------------------------------------


def _saved_upload(org, *, days_ago: int, name: str):

    when = timezone.now() - datetime.timedelta(days=days_ago)
    upload = MilestoneImportFactory(organisation=org, original_name=name, status="committed", committed_at=when)
    type(upload).objects.filter(pk=upload.pk).update(created_at=when)
    return upload


def test_the_data_lead_lands_on_the_state_of_the_milestone_data(cast) -> None:

    org = cast.org
    pathway_ensure_defaults(org)
    saved = _saved_upload(org, days_ago=40, name="october.csv")
    checked = MilestoneImportFactory(organisation=org, original_name="november.csv", status="invalid", error_count=3)
    derived.pathway_summary_refresh(organisation=org, today=timezone.localdate())

    content = cast.client(Role.DATA).get(reverse("org_home", args=[org.slug])).content.decode()
    card = content[content.index('id="data-status"') : content.index('id="my-actions"')]
    assert reverse("milestone_import", args=[org.slug, checked.code]) in card and "november.csv" in card
    assert "Has errors" in card
    assert "3 errors to fix" in card
    due = timezone.localdate(saved.committed_at) + datetime.timedelta(days=org.upload_interval_days)
    assert f"Due {due:%-d %b %Y}" in card and "9 days overdue" in card
    assert f"every {org.upload_interval_days} days after the last saved one" in card
    assert reverse("milestone_completeness", args=[org.slug]) in card
    assert 'id="home-waiting"' in card and "Counted today" in card
    assert card.count("data-waiting=") == len(derived.usable_timescales(org))
    # Leads and members keep the leads group's home without the data card.
    assert 'id="data-status"' not in cast.client(Role.LEAD).get(reverse("org_home", args=[org.slug])).content.decode()
    assert 'id="data-status"' not in cast.client(Role.MEMBER).get(reverse("org_home", args=[org.slug])).content.decode()


def test_counts_from_an_earlier_day_say_so_and_no_child_row_is_read(cast) -> None:
    org = cast.org
    pathway_ensure_defaults(org)
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    derived.pathway_summary_refresh(organisation=org, today=yesterday)
    client = cast.client(Role.DATA)
    with CaptureQueriesContext(connection) as queries:
        content = client.get(reverse("org_home", args=[org.slug])).content.decode()
    assert f"Counted on {yesterday:%-d %b %Y}; today's count is being worked out" in content
    assert not any("measures_child" in query["sql"] for query in queries.captured_queries)


def test_with_no_upload_saved_the_next_one_is_due_now(cast) -> None:
    content = cast.client(Role.DATA).get(reverse("org_home", args=[cast.org.slug])).content.decode()
    assert "No milestone data has been uploaded yet." in content
    assert "Due now: no upload has been saved yet." in content


def test_the_data_leads_home_uses_a_constant_number_of_queries(cast, django_assert_num_queries) -> None:

    org = cast.org
    pathway_ensure_defaults(org)
    derived.pathway_summary_refresh(organisation=org, today=timezone.localdate())
    client = cast.client(Role.DATA)
    url = reverse("org_home", args=[org.slug])
    _saved_upload(org, days_ago=3, name="first.csv")
    client.get(url)

    with CaptureQueriesContext(connection) as few:
        client.get(url)
    expected = len(few.captured_queries)
    for day in range(10):
        _saved_upload(org, days_ago=day + 4, name=f"earlier-{day}.csv")
    with django_assert_num_queries(expected):
        client.get(url)


# The chooser --------------------------------------------------------------------------------


def _advisor(cast, *more_orgs):
    advisor = cast.members[Role.LEAD]
    for org in (cast.other_org, *more_orgs):
        MembershipFactory(organisation=org, user=advisor.user, role=Role.VIEWER, job_title="Improvement advisor")
    return advisor


def test_the_chooser_says_something_about_each_organisation(cast) -> None:
    _advisor(cast)
    AimFactory(organisation=cast.org, status="active")
    AimFactory(organisation=cast.org, status="active")
    AimFactory(organisation=cast.org, status="draft")
    _saved_upload(cast.other_org, days_ago=2, name="renfrewshire.csv")
    meeting = MeetingFactory(organisation=cast.other_org)
    MeetingFactory(organisation=cast.other_org, starts_at=meeting.starts_at + datetime.timedelta(days=7))
    client = cast.client(Role.LEAD)
    content = client.get(reverse("home")).content.decode()
    aberdeen = content[content.index('data-organisation="aberdeen-city"') : content.index('data-organisation="renfrew')]
    renfrewshire = content[content.index('data-organisation="renfrewshire"') :]
    assert "Lead" in aberdeen and "2 active aims" in aberdeen and "no upload saved yet" in aberdeen
    assert "no meeting planned" in aberdeen
    assert "Viewer (Improvement advisor)" in renfrewshire and "no active aims" in renfrewshire
    assert "last upload saved" in renfrewshire and f"next meeting: {meeting.team.name} on" in renfrewshire


def test_the_chooser_uses_a_constant_number_of_queries(cast, django_assert_num_queries) -> None:

    _advisor(cast)
    client = cast.client(Role.LEAD)
    client.get(reverse("home"))
    with CaptureQueriesContext(connection) as two:
        assert client.get(reverse("home")).status_code == 200
    expected = len(two.captured_queries)
    others = [OrganisationFactory() for _ in range(3)]
    for org in others:
        MembershipFactory(organisation=org, user=cast.members[Role.LEAD].user, role=Role.MEMBER)
        AimFactory(organisation=org, status="active")
        MeetingFactory(organisation=org)
    with django_assert_num_queries(expected):
        response = client.get(reverse("home"))
    assert response.content.decode().count("data-organisation=") == 5


def test_the_last_organisation_opened_is_where_the_root_goes(cast) -> None:
    _advisor(cast)
    client = cast.client(Role.LEAD)
    assert client.get(reverse("home")).status_code == 200  # the chooser
    client.get(reverse("org_home", args=[cast.other_org.slug]))  # a viewer there: lands on the dashboard
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response["Location"] == reverse("org_home", args=[cast.other_org.slug])
