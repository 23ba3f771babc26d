"""Governance groups: set up and changed by leads and admins, read by everyone, listed in a fixed
number of queries."""

import datetime

import pytest
from django.utils import timezone

from governance import schedule
from governance.models import GovernanceGroup
from pace_hub.roles import Role
from tests.aims.factories import AimFactory
from tests.governance.factories import GovernanceGroupFactory, ReportFactory

pytestmark = pytest.mark.django_db
# Session, user, membership and the switcher; the groups; their reports.
LIST_QUERIES = 6


def _groups_url(cast, tail: str = "") -> str:
    return f"/o/{cast.org.slug}/governance/groups/{tail}"


def _form(cast, **changes) -> dict:
    data = {
        "name": "Corporate Parenting Board",
        "audience": "Elected members",
        "reporter": cast.members[Role.MEMBER].pk,
        "cadence": "quarterly",
        "due_days_after_period": 21,
        "draft_days_before_due": 10,
        "active": "on",
    }
    return data | changes


def test_a_lead_sets_up_a_group_that_follows_chosen_aims(cast) -> None:
    aim = AimFactory(organisation=cast.org, status="active", title="Panel within 12 weeks")
    AimFactory(organisation=cast.org, status="active", title="Another aim")
    response = cast.client(Role.LEAD).post(_groups_url(cast, "new/"), _form(cast, aims=[aim.pk]), follow=True)
    group = GovernanceGroup.objects.get()
    assert group.organisation == cast.org and group.reporter == cast.members[Role.MEMBER]
    assert list(group.aims.all()) == [aim]
    due = schedule.next_due(group, today=timezone.localdate())
    text = response.content.decode()
    assert f"Its first report is due on {due.due_on:%-d %B %Y} (for {due.period.label})" in text
    assert "Panel within 12 weeks" in text


def test_the_group_form_refuses_bad_input_with_clear_messages(cast) -> None:
    GovernanceGroupFactory(organisation=cast.org, name="Corporate Parenting Board")
    GovernanceGroupFactory(organisation=cast.other_org, name="Chief Officers' Group")
    viewer = cast.members[Role.VIEWER]
    client = cast.client(Role.ADMIN)
    response = client.post(
        _groups_url(cast, "new/"), _form(cast, name="corporate parenting board", draft_days_before_due=30)
    )
    text = response.content.decode()
    assert response.status_code == 200
    assert "There is already a governance group called “corporate parenting board”." in text
    assert "The draft cannot be built before the period ends: choose at most 21 days" in text
    # Viewers cannot write reports, so cannot report; another council's name is free here.
    response = client.post(_groups_url(cast, "new/"), _form(cast, name="Chief Officers' Group", reporter=viewer.pk))
    assert "Select a valid choice" in response.content.decode()
    assert GovernanceGroup.objects.filter(organisation=cast.org).count() == 1


def test_only_leads_and_admins_manage_groups(cast) -> None:
    group = GovernanceGroupFactory(organisation=cast.org)
    for role in (Role.MEMBER, Role.DATA, Role.VIEWER):
        client = cast.client(role)
        assert client.get(_groups_url(cast, "new/")).status_code == 403
        assert client.post(_groups_url(cast, f"{group.code}/edit/"), _form(cast, name="Renamed")).status_code == 403
        assert client.post(_groups_url(cast, f"{group.code}/delete/")).status_code == 403
        assert client.get(_groups_url(cast, f"{group.code}/")).status_code == 200
    group.refresh_from_db()
    assert group.name != "Renamed"


def test_a_lead_edits_and_deactivates_a_group(cast) -> None:
    group = GovernanceGroupFactory(organisation=cast.org)
    client = cast.client(Role.LEAD)
    data = _form(cast, name="Renamed board", cadence="six_monthly")
    del data["active"]
    assert client.post(_groups_url(cast, f"{group.code}/edit/"), data).status_code == 302
    group.refresh_from_db()
    assert (group.name, group.cadence, group.active) == ("Renamed board", "six_monthly", False)
    page = client.get(group.get_absolute_url()).content.decode()
    assert "This group is inactive" in page and "Build the report" not in page


def test_a_group_with_reports_is_kept(cast) -> None:
    group = GovernanceGroupFactory(organisation=cast.org)
    ReportFactory(organisation=cast.org, group=group)
    response = cast.client(Role.ADMIN).post(_groups_url(cast, f"{group.code}/delete/"), follow=True)
    assert "has 1 report, which must be kept: untick “Active” to stop its reports instead." in response.content.decode()
    assert GovernanceGroup.objects.filter(pk=group.pk).exists()

    empty = GovernanceGroupFactory(organisation=cast.org)
    cast.client(Role.ADMIN).post(_groups_url(cast, f"{empty.code}/delete/"))
    assert not GovernanceGroup.objects.filter(pk=empty.pk).exists()


def test_the_group_page_offers_the_reporter_a_build_and_shows_the_next_due(cast) -> None:
    group = GovernanceGroupFactory(organisation=cast.org, reporter=cast.members[Role.MEMBER])
    due = schedule.next_due(group, today=timezone.localdate())
    reporter_page = cast.client(Role.MEMBER).get(group.get_absolute_url()).content.decode()
    assert f"{due.period.label}: due {due.due_on:%-d %b %Y}" in reporter_page
    assert "Build the report" in reporter_page and "Every active aim" in reporter_page
    for role in (Role.DATA, Role.VIEWER):  # not the reporter, not a lead
        assert "Build the report" not in cast.client(role).get(group.get_absolute_url()).content.decode()
    assert "Build the report" in cast.client(Role.LEAD).get(group.get_absolute_url()).content.decode()


def _make_groups(cast, count: int) -> None:
    for _ in range(count):
        group = GovernanceGroupFactory(organisation=cast.org, reporter=cast.members[Role.MEMBER])
        group.aims.add(AimFactory(organisation=cast.org))
        for quarter in range(3):
            ReportFactory(
                organisation=cast.org,
                group=group,
                period_start=datetime.date(2025, 4 + 3 * quarter, 1),
                period_end=datetime.date(2025, 6 + 3 * quarter, 30),
                status="done",
                issued_at=timezone.now() if quarter < 2 else None,
            )


def test_the_group_list_runs_the_same_queries_whatever_the_number_of_groups(cast, django_assert_num_queries) -> None:
    client = cast.client(Role.VIEWER)
    url = _groups_url(cast)
    _make_groups(cast, 1)
    client.get(url)  # the session is read and saved once
    with django_assert_num_queries(LIST_QUERIES):
        assert client.get(url).status_code == 200
    _make_groups(cast, 9)
    with django_assert_num_queries(LIST_QUERIES):
        response = client.get(url)
    assert response.content.decode().count("<tr>") == 1 + 10
