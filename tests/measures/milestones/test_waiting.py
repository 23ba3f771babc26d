"""Children waiting past target: names the children for leads and data leads, counts for others."""

from datetime import timedelta

import pytest
from django.db import connection
from django.template.defaultfilters import date as date_filter
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from measures.milestones import derived
from measures.milestones.derived import waiting_children
from measures.milestones.pathway import pathway_create_defaults
from measures.models import Child, Milestone, Timescale
from tests.measures.factories import ChildFactory
from tests.measures.milestones.dates import set_date


@pytest.fixture
def org(cast):
    pathway_create_defaults(organisation=cast.org)
    return cast.org


def looked_after(org, reference: str, days_ago: int, reached_rec: bool = False):
    child = ChildFactory(organisation=org, reference=reference)
    today = timezone.localdate()
    milestones = {m.code: m for m in Milestone.objects.filter(organisation=org)}
    set_date(child, milestones["looked_after"], today - timedelta(days=days_ago))
    if reached_rec:
        set_date(child, milestones["permanence_rec"], today - timedelta(days=1))
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
    refresh(org)
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
    refresh(org)
    viewer = cast.client("viewer").get(reverse("milestone_waiting", args=[org.slug])).content.decode()
    assert "<strong>5</strong> children waiting" in viewer and "C-1" not in viewer


def test_waiting_page_uses_a_constant_number_of_queries(cast, org, django_assert_num_queries):
    client = cast.client("data")
    page_url = reverse("milestone_waiting", args=[org.slug])
    looked_after(org, "C-1", 200)
    refresh(org)
    client.get(page_url)
    with CaptureQueriesContext(connection) as first:
        client.get(page_url)
    for number in range(2, 30):
        looked_after(org, f"C-{number}", 190 + number)
    refresh(org)
    with django_assert_num_queries(len(first.captured_queries)):
        response = client.get(page_url)
    assert "C-29" in response.content.decode()


def test_data_home_shows_waiting_counts_suppressed_for_viewers(cast, org):
    looked_after(org, "C-1", 200)
    refresh(org)
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


def refresh(org) -> None:
    """What the worker does after every change to the dates: work out the kept counts again."""
    derived.pathway_summary_refresh(organisation=org)


def _many_waiting(org, count: int) -> None:
    children = ChildFactory.create_batch(count, organisation=org)
    start = Milestone.objects.get(organisation=org, code="looked_after")
    today = timezone.localdate()
    for index, child in enumerate(children):
        child.dates = {start.code: (today - timedelta(days=200 + index)).isoformat()}
    Child.objects.bulk_update(children, ["dates"])


def test_the_waiting_list_is_paginated_a_hundred_children_at_a_time(cast, org):
    _many_waiting(org, 250)
    refresh(org)
    timescale = Timescale.objects.get(organisation=org, to_milestone__code="permanence_rec")
    url = reverse("milestone_waiting", args=[org.slug]) + f"?timescale={timescale.code}"
    client = cast.client("data")
    first = client.get(url).content.decode()
    assert first.count('<th scope="row" class="text-nowrap">C-') == 100
    assert "<strong>250</strong> children waiting" in first and "1 to 100 of 250" in first
    assert f"?timescale={timescale.code}&amp;page=2" in first
    last = client.get(url + "&page=3").content.decode()
    assert last.count('<th scope="row" class="text-nowrap">C-') == 50 and "201 to 250 of 250" in last
    # Longest wait first across pages: the last page ends with the shortest wait.
    assert "200</td>" in last.rsplit("<tr>", 1)[1]


def test_a_page_of_the_waiting_list_costs_the_same_queries_whatever_the_number_of_children(
    cast, org, django_assert_num_queries
):
    client = cast.client("data")
    url = reverse("milestone_waiting", args=[org.slug])
    _many_waiting(org, 5)
    refresh(org)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    _many_waiting(org, 400)
    refresh(org)
    with django_assert_num_queries(len(few.captured_queries)):
        client.get(url)


def test_viewers_get_counts_without_child_rows_or_the_per_child_completeness_work(cast, org, monkeypatch):
    _many_waiting(org, 7)
    derived.pathway_summary_refresh(organisation=org)

    def no_per_child_work(*args, **kwargs):
        raise AssertionError("a viewer's page read every child's dates")

    monkeypatch.setattr(derived, "completeness_issues", no_per_child_work)
    viewer = cast.client("viewer")
    home = viewer.get(reverse("milestone_data", args=[org.slug]))
    assert home.status_code == 200 and "7 children" in home.content.decode()
    completeness = viewer.get(reverse("milestone_completeness", args=[org.slug]))
    assert completeness.status_code == 200
    waiting = viewer.get(reverse("milestone_waiting", args=[org.slug])).content.decode()
    assert "<strong>7</strong> children waiting" in waiting and "C-" not in waiting


def test_the_recompute_keeps_the_completeness_counts_the_data_home_shows(cast, org):
    from measures.models import PathwaySummary

    child = ChildFactory(organisation=org)
    milestones = {m.code: m for m in Milestone.objects.filter(organisation=org)}
    set_date(child, milestones["permanence_rec"], timezone.localdate())
    derived.derived_measures_recompute(organisation=org, today=timezone.localdate())
    summary = PathwaySummary.objects.get(organisation=org)
    assert (summary.completeness_issues, summary.completeness_children, summary.completeness_missing) == (1, 1, 1)
    page = cast.client("data").get(reverse("milestone_data", args=[org.slug])).content.decode()
    assert ">1 problem</a>" in page


def _child_table_reads(queries) -> list[str]:
    table = Child._meta.db_table
    return [query["sql"] for query in queries if table in query["sql"]]


def test_viewers_counts_come_from_the_summary_never_from_child_rows(cast, org, django_capture_on_commit_callbacks):
    _many_waiting(org, 7)
    refresh(org)
    viewer = cast.client("viewer")
    for name in ("milestone_data", "milestone_waiting", "milestone_completeness"):
        with CaptureQueriesContext(connection) as queries:
            page = viewer.get(reverse(name, args=[org.slug]))
        assert page.status_code == 200
        assert _child_table_reads(queries.captured_queries) == [], name
    assert (
        "<strong>7</strong> children waiting"
        in viewer.get(reverse("milestone_waiting", args=[org.slug])).content.decode()
    )


def test_a_summary_from_an_earlier_day_is_shown_as_of_that_day_and_refreshed_once(
    cast, org, django_capture_on_commit_callbacks
):
    from measures.models import PathwaySummary

    _many_waiting(org, 6)
    yesterday = timezone.localdate() - timedelta(days=1)
    derived.pathway_summary_refresh(organisation=org, today=yesterday)
    _many_waiting(org, 1)  # a seventh child since
    viewer = cast.client("viewer")
    url = reverse("milestone_waiting", args=[org.slug])
    with django_capture_on_commit_callbacks(execute=False) as asked, CaptureQueriesContext(connection) as queries:
        page = viewer.get(url).content.decode()
    assert f"Counts as of {date_filter(yesterday, 'DATE_FORMAT')};" in page
    assert "<strong>6</strong> children waiting" in page  # yesterday's, not worked out in the request
    assert _child_table_reads(queries.captured_queries) == []
    assert len(asked) == 1  # the worker is asked for today's counts
    with django_capture_on_commit_callbacks(execute=False) as again:
        viewer.get(url)
    assert again == []  # once a day, not on every page view
    assert PathwaySummary.objects.get(organisation=org).refresh_requested_on == timezone.localdate()
    # The worker's refresh (as the task runs it) brings today's counts.
    from measures.milestones.tasks import pathway_summary_refresh_task

    pathway_summary_refresh_task(org.pk)
    fresh = viewer.get(url).content.decode()
    assert "<strong>7</strong> children waiting" in fresh and "Counts as of" not in fresh


def test_the_morning_task_refreshes_every_organisation_with_children(cast, org, django_capture_on_commit_callbacks):
    from measures.milestones.tasks import pathway_summaries_refresh_task

    _many_waiting(org, 2)
    with django_capture_on_commit_callbacks(execute=True):
        assert pathway_summaries_refresh_task() == 1
    from measures.models import PathwaySummary

    summary = PathwaySummary.objects.get(organisation=org)
    assert summary.as_of == timezone.localdate()
    assert sum(summary.timescales[str(t.pk)]["waiting"] for t in derived.usable_timescales(org)) >= 2


def test_waiting_counts_by_route_are_kept_per_timescale(org):
    looked_after(org, "C-1", 200)
    home = looked_after(org, "C-2", 250)
    home.route = "home"
    home.save()
    summary = derived.pathway_summary_refresh(organisation=org)
    rec = Timescale.objects.get(organisation=org, to_milestone__code="permanence_rec")
    assert summary.waiting(rec) == 2 and summary.waiting_by_route(rec) == {"adoption": 1, "home": 1}
    assert summary.waiting(rec) == len(waiting_children(rec, timezone.localdate()))  # the list's rule


def test_data_leads_pages_read_the_kept_rows_never_the_childrens_dates(cast, org):
    _many_waiting(org, 130)
    looked_after(org, "C-reached", 400, reached_rec=True)
    refresh(org)
    timescale = Timescale.objects.get(organisation=org, to_milestone__code="permanence_rec")
    client = cast.client("data")
    for name in ("milestone_data", "milestone_waiting", "milestone_completeness"):
        with CaptureQueriesContext(connection) as queries:
            page = client.get(reverse(name, args=[org.slug]) + f"?timescale={timescale.code}")
        assert page.status_code == 200
        assert _child_table_reads(queries.captured_queries) == [], name
    # The kept list is the live rule's list, in its order (longest wait first), page by page.
    live = waiting_children(timescale, timezone.localdate())
    kept = derived.WaitingPage(timescale, len(live), timezone.localdate())
    assert len(live) == 130 and kept[0:130] == live and kept[100:130] == live[100:]
    assert "C-reached" not in {child.reference for child in live}


def test_the_waiting_list_is_the_kept_one_until_the_next_refresh(cast, org):
    waiting = looked_after(org, "C-1", 300)
    refresh(org)
    url = reverse("milestone_waiting", args=[org.slug])
    client = cast.client("data")
    assert "C-1" in client.get(url).content.decode()
    milestones = {m.code: m for m in Milestone.objects.filter(organisation=org)}
    set_date(waiting, milestones["permanence_rec"], timezone.localdate())
    # Every change to the dates is followed by a refresh (the import's commit, roll-back, pathway
    # change); until then the page shows the kept counts and their children together.
    assert "C-1" in client.get(url).content.decode()
    refresh(org)
    page = client.get(url).content.decode()
    assert "C-1" not in page and 'id="waiting-children"' not in page
