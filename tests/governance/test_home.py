"""The leads group's home page: my work, reviews due, the inbox and recent testing."""

import datetime

import pytest
from django.urls import reverse

from pace_hub.roles import Role
from tests.aims.factories import AimFactory
from tests.pdsa.factories import ChangeIdeaFactory, IdeaSubmissionFactory, PDSACycleFactory

pytestmark = pytest.mark.django_db


def _fill(cast, n: int) -> None:
    lead = cast.members[Role.LEAD]
    for i in range(n):
        aim = AimFactory(organisation=cast.org, title=f"My aim {i}", lead=lead, status="active", review_interval_days=1)
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
    client.get(url)
    with django_assert_num_queries(16) as first:  # 15, and one for "My actions"
        client.get(url)
    _fill(cast, 6)
    with django_assert_num_queries(len(first.captured_queries)):
        response = client.get(url)
    assert "My aim 5" in response.content.decode()
