"""Children waiting past target: names the children for leads and data leads, counts for others."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from measures.milestones.derived import waiting_children
from measures.milestones.pathway import pathway_create_defaults
from measures.models import Milestone, MilestoneDate, Timescale
from tests.measures.factories import ChildFactory


@pytest.fixture
def org(cast):
    pathway_create_defaults(organisation=cast.org)
    return cast.org


def looked_after(org, reference: str, days_ago: int, reached_rec: bool = False):
    child = ChildFactory(organisation=org, reference=reference)
    today = timezone.localdate()
    milestones = {m.code: m for m in Milestone.objects.filter(organisation=org)}
    MilestoneDate.objects.create(
        organisation=org, child=child, milestone=milestones["looked_after"], date=today - timedelta(days=days_ago)
    )
    if reached_rec:
        MilestoneDate.objects.create(
            organisation=org, child=child, milestone=milestones["permanence_rec"], date=today - timedelta(days=1)
        )
    return child


def test_waiting_children_are_those_past_target_without_the_next_milestone(org):
    looked_after(org, "C-1", 200)
    looked_after(org, "C-2", 300)
    looked_after(org, "C-3", 100)  # not past 183 days
    looked_after(org, "C-4", 250, reached_rec=True)
    timescale = Timescale.objects.get(organisation=org, to_milestone__code="permanence_rec")
    waiting = waiting_children(timescale, timezone.localdate())
    assert [(child.reference, child.days_waiting, child.days_over) for child in waiting] == [
        ("C-2", 300, 117),
        ("C-1", 200, 17),
    ]


def test_data_lead_sees_the_children_and_viewer_sees_a_suppressed_count(cast, org):
    looked_after(org, "C-1", 200)
    looked_after(org, "C-2", 300)
    page_url = reverse("milestone_waiting", args=[org.slug])
    page = cast.client("data").get(page_url).content.decode()
    assert "C-1" in page and "C-2" in page and "<strong>2</strong> children waiting" in page
    viewer = cast.client("viewer").get(page_url).content.decode()
    assert "C-1" not in viewer and "<strong>&lt;5</strong> children waiting" in viewer
    member = cast.client("member").get(page_url).content.decode()
    assert "C-1" not in member


def test_viewer_sees_counts_of_five_or_more(cast, org):
    for number in range(5):
        looked_after(org, f"C-{number}", 200 + number)
    viewer = cast.client("viewer").get(reverse("milestone_waiting", args=[org.slug])).content.decode()
    assert "<strong>5</strong> children waiting" in viewer and "C-1" not in viewer


def test_waiting_page_uses_a_constant_number_of_queries(cast, org, django_assert_num_queries):
    client = cast.client("data")
    page_url = reverse("milestone_waiting", args=[org.slug])
    looked_after(org, "C-1", 200)
    client.get(page_url)
    with CaptureQueriesContext(connection) as first:
        client.get(page_url)
    for number in range(2, 30):
        looked_after(org, f"C-{number}", 190 + number)
    with django_assert_num_queries(len(first.captured_queries)):
        response = client.get(page_url)
    assert "C-29" in response.content.decode()


def test_data_home_shows_waiting_counts_suppressed_for_viewers(cast, org):
    looked_after(org, "C-1", 200)
    home = reverse("milestone_data", args=[org.slug])
    assert "1 child<" in cast.client("data").get(home).content.decode()
    viewer = cast.client("viewer").get(home).content.decode()
    assert "&lt;5 children" in viewer and "Upload milestone data" not in viewer


def test_children_whose_route_never_reaches_the_milestone_are_not_waiting(org):
    home = looked_after(org, "C-1", 700)
    home.route = "home"
    home.save()
    looked_after(org, "C-2", 700)  # adoption
    timescale = Timescale.objects.get(organisation=org, from_milestone__code="looked_after", target_days=548)
    assert [child.reference for child in waiting_children(timescale, timezone.localdate())] == ["C-2"]
    rec = Timescale.objects.get(organisation=org, to_milestone__code="permanence_rec")
    assert [child.reference for child in waiting_children(rec, timezone.localdate())] == ["C-1", "C-2"]
