"""Aim pages: list, builder, aim page, refresh, review and progress score."""

import datetime
import re

import pytest
from django.urls import reverse

from aims.models import Aim, AimVersion
from aims.selectors import aims_due_for_review
from measures.models import DataPoint
from pace_hub.roles import Role
from tests.aims.factories import AimFactory, AimMeasureFactory, DriverFactory
from tests.factories import TeamFactory
from tests.pdsa.factories import ChangeIdeaFactory

pytestmark = pytest.mark.django_db

COMPLETE = {
    "title": "Permanence within 6 months",
    "kind": "national",
    "status": "active",
    "population": "children accommodated",
    "improvement": "will have a permanence recommendation within 6 months",
    "baseline_value": "55",
    "baseline_label": "in 2025",
    "target_value": "90",
    "unit": "%",
    "by_date": "2027-03-31",
    "review_interval_days": "90",
}


def _url(name: str, cast, *args) -> str:
    return reverse(name, args=[cast.org.slug, *args])


def test_aim_list_filters_and_uses_a_constant_number_of_queries(cast, django_assert_num_queries) -> None:
    client = cast.client(Role.VIEWER)
    group = TeamFactory(organisation=cast.org, name="Permanence aims group")
    AimFactory(organisation=cast.org, title="National one", kind="national", status="active", aims_group=group)
    AimFactory(organisation=cast.other_org, title="Someone else's aim")
    client.get(_url("aims", cast))  # warm the session and switcher
    with django_assert_num_queries(7) as first:
        response = client.get(_url("aims", cast))
    assert response.status_code == 200
    for n in range(5):
        aim = AimFactory(organisation=cast.org, title=f"Local {n}", lead=cast.members[Role.MEMBER])
        DriverFactory(aim=aim, organisation=cast.org)
        ChangeIdeaFactory(organisation=cast.org).aims.add(aim)
    with django_assert_num_queries(len(first.captured_queries)):
        response = client.get(_url("aims", cast))
    content = response.content.decode()
    assert "National one" in content and "Local 4" in content and "Someone else" not in content
    filtered = client.get(_url("aims", cast), {"kind": "national", "aims_group": group.pk}).content.decode()
    assert "National one" in filtered and "Local 0" not in filtered
    by_lead = client.get(_url("aims", cast), {"lead": cast.members[Role.MEMBER].pk}).content.decode()
    assert "Local 0" in by_lead and "National one" not in by_lead
    assert "New aim" not in content  # viewers cannot create


def test_active_aim_missing_parts_is_refused_with_the_reason(cast) -> None:
    client = cast.client(Role.MEMBER)
    data = {**COMPLETE, "population": "", "by_date": ""}
    response = client.post(_url("aim_create", cast), data)
    assert response.status_code == 200
    content = response.content.decode()
    assert "An active aim needs this. Say who the aim is for" in content
    assert "Give a date (by when)" in content
    assert not Aim.objects.exists()


def test_a_draft_may_be_incomplete(cast) -> None:
    client = cast.client(Role.MEMBER)
    response = client.post(_url("aim_create", cast), {**COMPLETE, "status": "draft", "by_date": "", "population": ""})
    aim = Aim.objects.get()
    assert response.status_code == 302
    assert aim.statement == "90% will have a permanence recommendation within 6 months, from 55% in 2025"


def test_creating_a_complete_aim_composes_its_statement_and_links_measures(cast) -> None:
    outcome = AimMeasureFactory(organisation=cast.org, title="% recommended within 6 months")
    process = AimMeasureFactory(organisation=cast.org, kind="process", title="LAC reviews on time")
    response = cast.client(Role.MEMBER).post(
        _url("aim_create", cast), {**COMPLETE, "outcome_measure": outcome.pk, "measures": [process.pk]}
    )
    aim = Aim.objects.get()
    assert response.status_code == 302 and response["Location"] == aim.get_absolute_url()
    assert aim.statement == (
        "90% of children accommodated will have a permanence recommendation within 6 months "
        "by 31 March 2027, from 55% in 2025"
    )
    assert aim.outcome_measure == outcome and list(aim.measures.all()) == [process]


def test_measures_of_another_organisation_cannot_be_linked(cast) -> None:
    foreign = AimMeasureFactory(organisation=cast.other_org)
    response = cast.client(Role.MEMBER).post(_url("aim_create", cast), {**COMPLETE, "outcome_measure": foreign.pk})
    assert response.status_code == 200 and not Aim.objects.exists()
    assert "Select a valid choice" in response.content.decode()


def test_target_equal_to_baseline_is_refused(cast) -> None:
    response = cast.client(Role.MEMBER).post(_url("aim_create", cast), {**COMPLETE, "target_value": "55"})
    assert "The target must differ from the baseline" in response.content.decode()


def test_a_template_prefills_the_builder(cast) -> None:
    response = cast.client(Role.MEMBER).get(_url("aim_create", cast), {"template": "cso_two_years"})
    content = response.content.decode()
    assert "compulsory supervision order for 2 years or more" in content
    assert re.search(r'<option value="national"[^>]*selected', content)
    assert 'value="Review for children on a CSO for 2 years"' in content


def test_statement_preview_composes_live_and_lists_what_is_missing(cast) -> None:
    response = cast.client(Role.MEMBER).get(
        _url("aim_statement_preview", cast),
        {"population": "children accommodated", "target_value": "90", "unit": "%", "status": "active"},
    )
    content = response.content.decode()
    assert "90% of children accommodated" in content
    assert "An active aim still needs" in content and "Give a date (by when)" in content
    assert cast.client(Role.VIEWER).get(_url("aim_statement_preview", cast)).status_code == 403


def test_aim_page_shows_progress_suggestion_diagram_and_ideas(cast) -> None:
    outcome = AimMeasureFactory(organisation=cast.org, better="up")
    aim = AimFactory(organisation=cast.org, status="active", outcome_measure=outcome, lead=cast.members[Role.LEAD])
    for month, value in enumerate([55, 54, 56, 55, 70, 72, 74, 75, 76, 78, 79], start=1):
        DataPoint.objects.create(
            organisation=cast.org, measure=outcome, period=datetime.date(2025 + month // 13, month, 1), value=value
        )
    primary = DriverFactory(aim=aim, organisation=cast.org, text="Timely legal advice")
    secondary = DriverFactory(aim=aim, organisation=cast.org, parent=primary, text="Legal advice meeting booked early")
    idea = ChangeIdeaFactory(organisation=cast.org, title="Book legal advice at the 6-week review", status="testing")
    idea.aims.add(aim)
    idea.drivers.add(secondary)
    balancing = AimMeasureFactory(organisation=cast.org, kind="balancing", title="Placement moves", unit="moves")
    for month, value in enumerate([4, 5, 3], start=1):
        DataPoint.objects.create(
            organisation=cast.org, measure=balancing, period=datetime.date(2025, month, 1), value=value
        )
    aim.measures.add(balancing)
    response = cast.client(Role.VIEWER).get(aim.get_absolute_url())
    content = response.content.decode()
    assert response.status_code == 200
    assert "Latest 79%" in content and "69% of the way from the baseline 55 to the target 90%" in content
    assert 'aria-valuenow="69"' in content
    assert (
        "<svg" in content and "Timely legal advice" in content and "Book legal advice at the 6-week review" in content
    )
    assert "The driver diagram as a list" in content
    assert "Suggested: 2.0" in content  # an idea, no PDSA cycles yet
    # The measures app's chart card, and the trend of 7 rising points read as an improvement signal.
    assert 'id="outcome-chart"' in content and "What the chart shows" in content
    assert "The chart shows an improvement signal." in content
    assert "Balancing measure · latest 3" in content and "mdc-badge" in content
    assert "Mark reviewed today" not in content and "Confirm" not in content  # read-only for viewers


def test_refresh_keeps_the_earlier_version_with_reason(cast) -> None:
    aim = AimFactory(organisation=cast.org, status="active", version=1)
    original = aim.statement
    client = cast.client(Role.MEMBER)
    parts = {k: COMPLETE[k] for k in ("population", "improvement", "baseline_label", "unit", "by_date")}
    response = client.post(
        _url("aim_refresh", cast, aim.code),
        {**parts, "baseline_value": "60", "target_value": "95", "reason": "2025 data replaced the estimate"},
    )
    assert response.status_code == 302
    aim.refresh_from_db()
    assert aim.version == 2 and aim.target_value == 95 and aim.last_reviewed is not None
    version = AimVersion.objects.get(aim=aim)
    assert (version.version, version.statement, version.reason) == (1, original, "2025 data replaced the estimate")
    assert version.parts["target_value"] == 90 and version.parts["by_date"] == "2027-03-31"
    page = client.get(aim.get_absolute_url()).content.decode()
    assert "Version 1" in page and "2025 data replaced the estimate" in page and "Version 2 (current)" in page


def test_refresh_needs_a_reason_and_a_change(cast) -> None:
    aim = AimFactory(organisation=cast.org, status="active")
    client = cast.client(Role.MEMBER)
    same = {
        "population": aim.population,
        "improvement": aim.improvement,
        "baseline_value": "55",
        "baseline_label": aim.baseline_label,
        "target_value": "90",
        "unit": "%",
        "by_date": "2027-03-31",
    }
    assert "This field is required" in client.post(_url("aim_refresh", cast, aim.code), same).content.decode()
    response = client.post(_url("aim_refresh", cast, aim.code), {**same, "reason": "Yearly refresh"})
    assert "Nothing in the aim changed" in response.content.decode()
    assert not AimVersion.objects.exists()
    aim.refresh_from_db()
    assert aim.version == 1


def test_editing_an_active_aim_leaves_its_statement_to_refresh(cast) -> None:
    aim = AimFactory(organisation=cast.org, status="active")
    client = cast.client(Role.MEMBER)
    page = client.get(_url("aim_edit", cast, aim.code)).content.decode()
    assert "refresh the aim" in page and 'name="population"' not in page
    response = client.post(
        _url("aim_edit", cast, aim.code),
        {"title": "Renamed", "kind": "local", "status": "active", "review_interval_days": "60", "population": "x"},
    )
    assert response.status_code == 302
    aim.refresh_from_db()
    assert aim.title == "Renamed" and aim.review_interval_days == 60 and aim.population == "children accommodated"


def test_mark_reviewed_and_overdue_reviews(cast, time_machine) -> None:
    time_machine.move_to(datetime.datetime(2026, 1, 10, 12, tzinfo=datetime.UTC))
    aim = AimFactory(organisation=cast.org, status="active", review_interval_days=30)
    AimFactory(organisation=cast.org, status="retired", review_interval_days=1)
    time_machine.move_to(datetime.datetime(2026, 3, 1, 12, tzinfo=datetime.UTC))
    assert aims_due_for_review(cast.org) == [aim]
    AimFactory(organisation=cast.org, title="Reviewed yesterday", last_reviewed=datetime.date(2026, 2, 28))
    due = cast.client(Role.VIEWER).get(reverse("aims", args=[cast.org.slug]), {"review_due": "on"}).content.decode()
    assert aim.title in due and "Reviewed yesterday" not in due
    assert "Review overdue" in cast.client(Role.VIEWER).get(aim.get_absolute_url()).content.decode()
    assert cast.client(Role.MEMBER).post(_url("aim_review", cast, aim.code)).status_code == 302
    aim.refresh_from_db()
    assert aim.last_reviewed == datetime.date(2026, 3, 1)
    assert aims_due_for_review(cast.org) == []


def test_progress_score_is_confirmed_with_one_click(cast) -> None:
    aim = AimFactory(organisation=cast.org, status="active")
    client = cast.client(Role.MEMBER)
    assert client.post(_url("aim_progress_score", cast, aim.code), {"score": "2.0"}).status_code == 302
    aim.refresh_from_db()
    assert aim.progress_score == "2.0"
    client.post(_url("aim_progress_score", cast, aim.code), {"score": "7"})
    aim.refresh_from_db()
    assert aim.progress_score == "2.0"


@pytest.mark.parametrize(
    ("name", "method"),
    [
        ("aim_create", "post"),
        ("aim_edit", "post"),
        ("aim_refresh", "post"),
        ("aim_review", "post"),
        ("aim_progress_score", "post"),
        ("aim_drivers", "post"),
    ],
)
def test_viewers_change_nothing_and_outsiders_see_nothing(cast, name: str, method: str) -> None:
    aim = AimFactory(organisation=cast.org, title="Untouched", status="active")
    args = [] if name == "aim_create" else [aim.code]
    url = _url(name, cast, *args)
    data = {**COMPLETE, "title": "Changed", "score": "3.0", "text": "New driver", "reason": "x"}
    assert getattr(cast.client(Role.VIEWER), method)(url, data).status_code == 403
    assert getattr(cast.client("outsider"), method)(url, data).status_code == 404
    aim.refresh_from_db()
    assert (aim.title, aim.progress_score, aim.last_reviewed, aim.drivers.count()) == ("Untouched", "", None, 0)
    assert Aim.objects.count() == 1


def test_aim_page_queries_do_not_grow_with_the_diagram(cast, django_assert_num_queries) -> None:
    aim = AimFactory(organisation=cast.org, outcome_measure=AimMeasureFactory(organisation=cast.org))
    client = cast.client(Role.VIEWER)

    def grow(n: int) -> None:
        for i in range(n):
            primary = DriverFactory(aim=aim, organisation=cast.org)
            secondary = DriverFactory(aim=aim, organisation=cast.org, parent=primary)
            idea = ChangeIdeaFactory(organisation=cast.org, title=f"Idea {n}-{i}")
            idea.aims.add(aim)
            idea.drivers.add(secondary, primary)

    grow(1)
    client.get(aim.get_absolute_url())
    # The outcome chart comes from the chart cache after the first view (measures.chart_cache).
    with django_assert_num_queries(12) as first:
        client.get(aim.get_absolute_url())
    grow(4)
    with django_assert_num_queries(len(first.captured_queries)):
        response = client.get(aim.get_absolute_url())
    assert "Idea 4-3" in response.content.decode()
