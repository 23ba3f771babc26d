"""The self-assessment pages run a constant number of SQL queries whatever the data size:
answers, links, actions and everything the hints count (asserted at two sizes)."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from governance.models import AssessmentQuestion, AssessmentSection, Meeting
from governance.services.self_assessment import AnswerInput, self_assessment_section_save, self_assessment_start
from pace_hub.roles import Role
from tests.aims.factories import AimFactory
from tests.factories import AgencyFactory, TeamFactory
from tests.governance.assessment_factories import CommunicationFactory
from tests.governance.factories import MeetingFactory
from tests.pdsa.factories import ChangeIdeaFactory, FeedbackFactory, ImplementationFactory, PDSACycleFactory

pytestmark = pytest.mark.django_db
# The sections answered in full (with links and actions) as the data grows.
SECTIONS = ["team", "data", "aims"]


def _grow(cast, assessment, n: int, start: int) -> None:
    """n more of everything the page and its hints read, and answers with links and actions."""
    org, lead = cast.org, cast.members[Role.LEAD]
    team = TeamFactory(organisation=org, kind="aims", name=f"Aims group {start}")
    for i in range(start, start + n):
        aim = AimFactory(organisation=org, title=f"Aim {i}", status="active", lead=lead, aims_group=team)
        idea = ChangeIdeaFactory(organisation=org, title=f"Idea {i}", status="testing", lead=lead)
        cycle = PDSACycleFactory(change_idea=idea, number=1, lead=lead, status="study")
        FeedbackFactory(organisation=org, voice="infant", cycle=cycle, response="We did")
        ImplementationFactory(change_idea=ChangeIdeaFactory(organisation=org, status="implementing"))
        AgencyFactory(organisation=org, name=f"Agency {i}")
        CommunicationFactory(organisation=org, channel="intranet")
        MeetingFactory(
            organisation=org,
            team=team,
            starts_at=timezone.now() - datetime.timedelta(days=i + 1),
            status=Meeting.Status.HELD,
        )
        links = f"{aim.get_absolute_url()}\n{cycle.get_absolute_url()}"
        for section in AssessmentSection.objects.filter(template=assessment.template, key__in=SECTIONS):
            answers = [
                AnswerInput(
                    question.key,
                    "started" if i % 2 else "in_place",
                    evidence=f"Evidence {i}",
                    links=links,
                    action_description=f"Action {i} on {question.key}",
                    action_owner=lead,
                    action_due_on=timezone.localdate() + datetime.timedelta(days=30),
                )
                for question in AssessmentQuestion.objects.filter(section=section)
            ]
            self_assessment_section_save(
                assessment=assessment, section=section, answers=answers, member=lead, user=lead.user
            )


@pytest.mark.parametrize("role", [Role.LEAD, Role.VIEWER])
def test_the_assessment_page_runs_constant_queries(
    cast, role, django_assert_num_queries, django_assert_max_num_queries
) -> None:
    assessment = self_assessment_start(
        organisation=cast.org, taken_on=datetime.date(2026, 6, 1), created_by=cast.members[Role.LEAD].user
    )
    client = cast.client(role)
    url = assessment.get_absolute_url()
    _grow(cast, assessment, 1, 0)
    client.get(url)
    with django_assert_max_num_queries(70) as small:
        first = client.get(url)
    assert first.status_code == 200
    _grow(cast, assessment, 3, 10)
    with django_assert_num_queries(len(small.captured_queries)):
        response = client.get(url)
    page = response.content.decode()
    assert "Action 12 on aims-local" in page and "Aim: Aim 12" in page


def test_the_list_compare_and_section_pages_run_constant_queries(
    cast, django_assert_num_queries, django_assert_max_num_queries
) -> None:
    lead = cast.members[Role.LEAD]
    first = self_assessment_start(organisation=cast.org, taken_on=datetime.date(2026, 1, 1), created_by=lead.user)
    second = self_assessment_start(
        organisation=cast.org, taken_on=datetime.date(2026, 7, 1), created_by=lead.user, start_from=first
    )
    client = cast.client(Role.LEAD)
    urls = [
        reverse("self_assessments", args=[cast.org.slug]),
        reverse("self_assessment_compare", args=[cast.org.slug]) + f"?before={first.code}&after={second.code}",
        reverse("self_assessment_section", args=[cast.org.slug, second.code, "team"]),
    ]
    _grow(cast, second, 1, 0)
    counts = []
    for url in urls:
        client.get(url)
        with django_assert_max_num_queries(80) as captured:
            client.get(url)
        counts.append(len(captured.captured_queries))
    _grow(cast, second, 2, 10)
    for n in range(3):
        self_assessment_start(organisation=cast.org, taken_on=datetime.date(2025, 1, 1 + n), created_by=lead.user)
    for url, count in zip(urls, counts, strict=True):
        with django_assert_num_queries(count):
            assert client.get(url).status_code == 200
