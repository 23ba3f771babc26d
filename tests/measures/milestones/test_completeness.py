"""Data completeness: later milestones without the earlier one, and dates out of pathway order."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from measures.milestones import derived
from measures.milestones.derived import completeness_issues
from measures.milestones.pathway import pathway_create_defaults
from measures.models import Child, CompletenessProblem, Milestone
from tests.measures.factories import ChildFactory
from tests.measures.milestones.dates import set_date


@pytest.fixture
def org(cast):
    pathway_create_defaults(organisation=cast.org)
    return cast.org


def child_with(org, reference: str, **dates: date):
    child = ChildFactory(organisation=org, reference=reference)
    for code, day in dates.items():
        milestone = Milestone.objects.get(organisation=org, code=code)
        set_date(child, milestone, day)
    return child


def test_missing_earlier_milestone_and_out_of_order_dates(org):
    child_with(org, "C-1", looked_after=date(2024, 1, 1), permanence_rec=date(2024, 5, 1))  # fine
    child_with(org, "C-2", permanence_rec=date(2024, 5, 1))  # no looked-after date
    child_with(org, "C-3", looked_after=date(2024, 6, 1), permanence_rec=date(2024, 5, 1))  # out of order
    issues = completeness_issues(org)
    assert [(issue.reference, issue.kind) for issue in issues] == [("C-2", "missing"), ("C-3", "order")]
    assert issues[0].text == (
        "has “LAC review recommends permanence” but no date for “Child became looked after and accommodated”"
    )
    assert issues[1].text == (
        "“LAC review recommends permanence” (1 May 2024) is before "
        "“Child became looked after and accommodated” (1 Jun 2024)"
    )


def test_disabled_milestones_are_ignored(org):
    child_with(org, "C-3", looked_after=date(2024, 6, 1), permanence_rec=date(2024, 5, 1))
    Milestone.objects.filter(organisation=org, code="looked_after").update(active=False)
    assert completeness_issues(org) == []


def test_page_lists_children_for_data_leads_and_counts_for_viewers(cast, org, django_assert_num_queries):
    child_with(org, "C-2", permanence_rec=date(2024, 5, 1))
    # Counts and rows are the kept summary's (the worker refreshes it after every change).
    derived.pathway_summary_refresh(organisation=org)
    page_url = reverse("milestone_completeness", args=[org.slug])
    client = cast.client("data")
    client.get(page_url)
    with CaptureQueriesContext(connection) as first:
        page = client.get(page_url).content.decode()
    assert "C-2" in page and "<strong>1</strong> missing earlier milestones" in page
    for number in range(10):
        child_with(org, f"C-1{number}", permanence_rec=date(2024, 5, 1), looked_after=date(2024, 6, 1))
    derived.pathway_summary_refresh(organisation=org)
    with django_assert_num_queries(len(first.captured_queries)):
        page = client.get(page_url).content.decode()
    assert "C-10" in page and "<strong>10</strong> dates out of pathway order" in page
    viewer = cast.client("viewer").get(page_url).content.decode()
    assert "C-2" not in viewer and "<strong>&lt;5</strong> missing earlier milestones" in viewer


def test_the_page_reads_the_kept_problems_not_the_childrens_dates(cast, org, monkeypatch):
    child_with(org, "C-2", permanence_rec=date(2024, 5, 1))
    page_url = reverse("milestone_completeness", args=[org.slug])
    client = cast.client("data")
    # Before the first refresh: nothing to list yet, and the page says so.
    assert "being worked out for the first time" in client.get(page_url).content.decode()
    derived.pathway_summary_refresh(organisation=org)
    assert list(CompletenessProblem.objects.filter(organisation=org).values_list("position", "reference", "kind")) == [
        (0, "C-2", "missing")
    ]

    def no_per_child_work(*args, **kwargs):
        raise AssertionError("the completeness page worked out every child's problems in the request")

    monkeypatch.setattr(derived, "completeness_issues", no_per_child_work)
    monkeypatch.setattr(derived, "dates_by_child", no_per_child_work)
    with CaptureQueriesContext(connection) as queries:
        page = client.get(page_url).content.decode()
    assert "C-2" in page
    assert not [query for query in queries.captured_queries if '"measures_child"' in query["sql"]]
    # A child fixed since the refresh is listed until the next one (the list is as of the counts).
    Child.objects.filter(organisation=org, reference="C-2").update(dates={})
    assert "C-2" in client.get(page_url).content.decode()
    monkeypatch.undo()
    derived.pathway_summary_refresh(organisation=org)
    assert "C-2" not in client.get(page_url).content.decode()
    assert not CompletenessProblem.objects.filter(organisation=org).exists()


def test_each_refresh_replaces_the_kept_problems_in_list_order(org):
    child_with(org, "C-9", permanence_rec=date(2024, 5, 1))
    child_with(org, "C-3", looked_after=date(2024, 6, 1), permanence_rec=date(2024, 5, 1))
    derived.pathway_summary_refresh(organisation=org)
    child_with(org, "C-1", permanence_rec=date(2024, 5, 1))
    derived.pathway_summary_refresh(organisation=org)
    kept = list(CompletenessProblem.objects.filter(organisation=org).order_by("position"))
    assert [(p.position, p.reference, p.kind) for p in kept] == [
        (0, "C-1", "missing"),
        (1, "C-3", "order"),
        (2, "C-9", "missing"),
    ]
    assert [(p.reference, p.kind, p.text) for p in kept] == [
        (issue.reference, issue.kind, issue.text) for issue in completeness_issues(org)
    ]
    page = derived.ProblemPage(org, 3)
    assert len(page) == 3 and [issue.reference for issue in page[1:3]] == ["C-3", "C-9"]


def test_milestones_not_on_the_childs_route_are_not_gaps(org):
    kinship = child_with(org, "C-5", looked_after=date(2024, 1, 1), court_lodged=date(2024, 9, 1))
    kinship.route = "kinship"
    kinship.save()
    adoption = child_with(org, "C-6", looked_after=date(2024, 1, 1), court_lodged=date(2024, 9, 1))
    assert adoption.route == "adoption"
    issues = completeness_issues(org)
    assert [(issue.reference, issue.kind) for issue in issues] == [("C-6", "missing")]
    assert "no date for “Agency decision maker decision”" in issues[0].text
