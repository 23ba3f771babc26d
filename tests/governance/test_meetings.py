"""Meetings: planning one (checks, invitations, the suggested next date), editing it, attendance,
marking it held and finalising its agenda, which asks the worker for the data pack."""

import calendar

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from governance.models import Attendance, Meeting, Report
from governance.selectors.meetings import add_interval, decision_meetings, meetings_overview, suggested_start
from governance.services.meetings import (
    attendance_record,
    meeting_create,
    meeting_finalise_agenda,
    meeting_mark_held,
    meeting_update,
)
from pace_hub.models import Team
from pace_hub.roles import Role
from tests.factories import MembershipFactory, TeamFactory
from tests.governance.factories import ActionFactory, MeetingFactory
from tests.governance.meeting_data import at
from tests.pdsa.factories import ChangeIdeaFactory, ImplementationFactory

pytestmark = pytest.mark.django_db


def test_a_meeting_is_planned_with_its_people_invited(cast) -> None:
    chair, member = cast.members[Role.LEAD], cast.members[Role.MEMBER]
    team = TeamFactory(organisation=cast.org, kind=Team.Kind.LEADS)
    meeting = meeting_create(
        team=team,
        starts_at=at("2026-06-02"),
        ends_at=at("2026-06-02", 12),
        online_link="https://teams.example.org/leads",
        chair=chair,
        attendees=[member],
    )
    assert (meeting.status, meeting.organisation) == (Meeting.Status.PLANNED, cast.org)
    assert set(meeting.attendances.values_list("member", "status")) == {
        (chair.pk, Attendance.Status.INVITED),
        (member.pk, Attendance.Status.INVITED),
    }
    assert meeting.items.count() == 8  # no aims or cycles yet: one item says so for each


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"place": "", "online_link": ""}, "place", "Say where the meeting is"),
        ({"ends_at": at("2026-06-02", 9)}, "ends_at", "must end after it starts"),
    ],
)
def test_a_meeting_needs_a_place_and_an_end_after_its_start(cast, values, field, message) -> None:
    team = TeamFactory(organisation=cast.org)
    details = {"team": team, "starts_at": at("2026-06-02"), "place": "Room 2"} | values
    with pytest.raises(ValidationError) as error:
        meeting_create(**details)
    assert message in error.value.message_dict[field][0]
    assert not Meeting.objects.exists()


def test_chair_and_attendees_must_be_members_and_no_double_booking(cast) -> None:
    team = TeamFactory(organisation=cast.org)
    with pytest.raises(ValidationError) as error:
        meeting_create(team=team, starts_at=at("2026-06-02"), place="Room 2", chair=cast.outsider)
    assert error.value.message_dict["chair"] == ["The chair must be a member of Aberdeen City."]
    with pytest.raises(ValidationError) as error:
        meeting_create(team=team, starts_at=at("2026-06-02"), place="Room 2", attendees=[cast.outsider])
    assert "is not a member of Aberdeen City" in error.value.message_dict["attendees"][0]
    meeting_create(team=team, starts_at=at("2026-06-02"), place="Room 2")
    with pytest.raises(ValidationError) as error:
        meeting_create(team=team, starts_at=at("2026-06-02"), place="Room 3")
    assert "already has a meeting at 10:00 on 02 June 2026" in error.value.message_dict["starts_at"][0]
    assert Meeting.objects.count() == 1


def test_editing_a_meeting_keeps_its_checks(cast) -> None:
    meeting = MeetingFactory(organisation=cast.org, starts_at=at("2026-06-02"))
    meeting_update(
        meeting=meeting,
        starts_at=at("2026-06-09"),
        ends_at=None,
        place="",
        online_link="https://teams.example.org/x",
        chair=cast.members[Role.ADMIN],
    )
    meeting.refresh_from_db()
    assert (meeting.starts_at, meeting.place, meeting.chair) == (at("2026-06-09"), "", cast.members[Role.ADMIN])
    assert meeting.attendances.filter(member=cast.members[Role.ADMIN]).exists()
    with pytest.raises(ValidationError):
        meeting_update(meeting=meeting, starts_at=at("2026-06-09"), ends_at=None, place="", online_link="", chair=None)


def test_the_next_meeting_is_suggested_from_the_frequency_and_the_last_meeting() -> None:
    monthly = Team(kind=Team.Kind.LEADS, meeting_frequency=Team.Frequency.MONTHLY)
    now = at("2026-03-10", 12)
    assert suggested_start(monthly, at("2026-02-10", 14), now=now) == at("2026-03-10", 14)
    # The second Tuesday again (not Friday 10 April), and across the change of the clocks the
    # meeting keeps its local time.
    assert suggested_start(monthly, at("2026-03-10", 14), now=now) == at("2026-04-14", 14)
    # A last meeting long ago (a fifth Friday): the next last Friday after now.
    assert suggested_start(monthly, at("2025-10-31", 9), now=now) == at("2026-03-27", 9)
    # Wednesday 16 December (the third) is followed by Wednesday 20 January, not Saturday 16th.
    assert suggested_start(monthly, at("2026-12-16"), now=now) == at("2027-01-20")
    # Quarterly: the first Monday of June after the first Monday of March; a fourth Thursday.
    quarterly = Team(meeting_frequency=Team.Frequency.QUARTERLY)
    assert suggested_start(quarterly, at("2026-03-02"), now=at("2026-03-03")) == at("2026-06-01")
    assert suggested_start(quarterly, at("2026-01-22"), now=now) == at("2026-04-23")
    # A year of monthly meetings, each suggested from the one before, from every day of January:
    # always on the first one's weekday, in the week of the month of the one before (after a
    # fifth one, the last of the month).
    for day in range(1, 32):
        meeting = timezone.localtime(at(f"2026-01-{day:02d}"))
        weekday = meeting.weekday()
        for _ in range(12):
            week = (meeting.day - 1) // 7
            meeting = timezone.localtime(suggested_start(monthly, meeting, now=meeting))
            assert meeting.weekday() == weekday, (day, meeting)
            if week < 4:
                assert (meeting.day - 1) // 7 == week, (day, meeting)
            else:
                assert meeting.day + 7 > calendar.monthrange(meeting.year, meeting.month)[1], (day, meeting)
    fortnightly = Team(meeting_frequency=Team.Frequency.FORTNIGHTLY)
    assert suggested_start(fortnightly, at("2026-03-05"), now=now) == at("2026-03-19")
    assert add_interval(at("2026-01-31"), Team.Frequency.QUARTERLY) == at("2026-04-30")
    # No meeting yet: a weekday a week from now at 10:00 (10 March + 7 = Tuesday 17 March).
    assert suggested_start(monthly, None, now=now) == at("2026-03-17")
    assert suggested_start(monthly, None, now=at("2026-03-13")) == at("2026-03-20")  # Fri + 7 → Fri


def test_the_overview_splits_upcoming_and_past_per_team(cast, time_machine) -> None:
    time_machine.move_to(at("2026-03-10", 12), tick=False)
    team = TeamFactory(organisation=cast.org, kind=Team.Kind.LEADS, meeting_frequency=Team.Frequency.MONTHLY)
    past = MeetingFactory(organisation=cast.org, team=team, starts_at=at("2026-02-10"))
    today = MeetingFactory(organisation=cast.org, team=team, starts_at=at("2026-03-10", 9))
    ahead = MeetingFactory(organisation=cast.org, team=team, starts_at=at("2026-04-07"))
    ActionFactory(organisation=cast.org, meeting=past)
    MeetingFactory(organisation=cast.other_org, starts_at=at("2026-03-11"))
    (group,) = meetings_overview(cast.org)
    assert group.upcoming == [today, ahead]
    assert group.past == [past]
    assert group.past[0].open_action_count == 1
    assert group.suggested == at("2026-05-05")  # monthly after Tuesday 7 April (the first): Tuesday 5 May


def test_attendance_and_marking_held(cast, time_machine) -> None:
    time_machine.move_to(at("2026-03-10", 12), tick=False)
    lead, member = cast.members[Role.LEAD], cast.members[Role.MEMBER]
    meeting = MeetingFactory(organisation=cast.org, starts_at=at("2026-03-10", 10))
    Attendance.objects.create(organisation=cast.org, meeting=meeting, member=lead)
    with pytest.raises(ValidationError, match="Record who attended"):
        meeting_mark_held(meeting=meeting)
    attendance_record(meeting=meeting, statuses={member: Attendance.Status.APOLOGIES})
    held = meeting_mark_held(meeting=meeting, statuses={lead: Attendance.Status.ATTENDED})
    assert (held.status, held.held_at) == (Meeting.Status.HELD, at("2026-03-10", 12))
    assert dict(meeting.attendances.values_list("member", "status")) == {
        lead.pk: Attendance.Status.ATTENDED,
        member.pk: Attendance.Status.APOLOGIES,
    }
    with pytest.raises(ValidationError, match="already marked held on 10 March 2026"):
        meeting_mark_held(meeting=meeting)
    with pytest.raises(ValidationError, match="is not a member"):
        attendance_record(meeting=meeting, statuses={cast.outsider: Attendance.Status.ATTENDED})


def test_a_meeting_cannot_be_marked_held_before_it_starts(cast, time_machine) -> None:
    time_machine.move_to(at("2026-03-10", 12), tick=False)
    meeting = MeetingFactory(organisation=cast.org, starts_at=at("2026-03-17"))
    with pytest.raises(ValidationError, match="mark it held once it has started"):
        meeting_mark_held(meeting=meeting, statuses={cast.members[Role.LEAD]: Attendance.Status.ATTENDED})
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.PLANNED and not meeting.attendances.exists()


def test_finalising_the_agenda_asks_for_the_data_pack_once(cast, time_machine) -> None:
    time_machine.move_to(at("2026-03-10", 12), tick=False)
    user = cast.members[Role.LEAD].user
    empty = MeetingFactory(organisation=cast.org)
    with pytest.raises(ValidationError, match="Add at least one item"):
        meeting_finalise_agenda(meeting=empty, user=user)
    meeting = meeting_create(team=TeamFactory(organisation=cast.org), starts_at=at("2026-03-17"), place="Room 2")
    report = meeting_finalise_agenda(meeting=meeting, user=user)
    meeting.refresh_from_db()
    assert meeting.agenda_finalised_at == at("2026-03-10", 12)
    assert (report.kind, report.meeting, report.requested_by) == (Report.Kind.DATA_PACK, meeting, user)
    assert list(meeting.reports.all()) == [report]
    with pytest.raises(ValidationError, match="already finalised on 10 March 2026"):
        meeting_finalise_agenda(meeting=meeting, user=user)
    assert meeting.reports.count() == 1


def test_members_of_another_team_may_still_attend(cast) -> None:
    meeting = MeetingFactory(organisation=cast.org, starts_at=at("2020-01-01"))
    guest = MembershipFactory(organisation=cast.org)
    held = meeting_mark_held(meeting=meeting, statuses={guest: Attendance.Status.ATTENDED}, now=at("2020-01-01", 12))
    assert meeting.attendances.get().member == guest
    assert held.held_at == at("2020-01-01", 12)


def test_a_decision_to_implement_links_to_the_meeting_that_took_it(cast) -> None:
    leads = TeamFactory(organisation=cast.org, name="PACE leads group", kind=Team.Kind.LEADS)
    legal = TeamFactory(organisation=cast.org, name="Legal aims group", kind=Team.Kind.AIMS)
    at_leads = MeetingFactory(organisation=cast.org, team=leads, starts_at=at("2026-03-10", 14))
    at_legal = MeetingFactory(organisation=cast.org, team=legal, starts_at=at("2026-03-10", 9))
    MeetingFactory(organisation=cast.other_org, starts_at=at("2026-03-10", 11))
    named = ImplementationFactory(
        organisation=cast.org,
        change_idea=ChangeIdeaFactory(organisation=cast.org),
        decided_on=at("2026-03-10").date(),
        meeting="Legal aims group, March",
    )
    unnamed = ImplementationFactory(
        organisation=cast.org,
        change_idea=ChangeIdeaFactory(organisation=cast.org),
        decided_on=at("2026-03-10").date(),
        meeting="Our meeting",
    )
    other_day = ImplementationFactory(
        organisation=cast.org,
        change_idea=ChangeIdeaFactory(organisation=cast.org),
        decided_on=at("2026-03-11").date(),
        meeting="PACE leads group",
    )
    found = decision_meetings(cast.org, [named, unnamed, other_day])
    # The team the text names, else the leads group; no meeting that day, no link.
    assert found == {named.pk: at_legal, unnamed.pk: at_leads}
