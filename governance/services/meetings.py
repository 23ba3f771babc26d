"""Writes for meetings: planning one (with its agenda from live data), editing it, attendance,
marking it held and finalising its agenda (which asks for the data pack). Keyword-only, typed,
atomic; views call these."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from governance.models import Attendance, Meeting, Report
from governance.services.agenda import agenda_prefill
from governance.services.reports import data_pack_request
from pace_hub.models import Membership, Team


def _check_details(
    *,
    team: Team,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime | None,
    place: str,
    online_link: str,
    chair: Membership | None,
    meeting: Meeting | None = None,
) -> None:
    errors: dict[str, str] = {}
    if not place.strip() and not online_link.strip():
        errors["place"] = "Say where the meeting is: a place, an online link, or both."
    if ends_at is not None and ends_at <= starts_at:
        errors["ends_at"] = "The meeting must end after it starts."
    if chair is not None and chair.organisation_id != team.organisation_id:
        errors["chair"] = f"The chair must be a member of {team.organisation}."
    clash = Meeting.objects.filter(team=team, starts_at=starts_at)
    if meeting is not None:
        clash = clash.exclude(pk=meeting.pk)
    if clash.exists():
        errors["starts_at"] = f"{team} already has a meeting at {timezone.localtime(starts_at):%H:%M on %d %B %Y}."
    if errors:
        raise ValidationError(errors)


def _check_members(team: Team, people: Iterable[Membership], field: str = "attendees") -> None:
    for person in people:
        if person.organisation_id != team.organisation_id:
            raise ValidationError({field: f"{person} is not a member of {team.organisation}."})


@transaction.atomic
def meeting_create(
    *,
    team: Team,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime | None = None,
    place: str = "",
    online_link: str = "",
    chair: Membership | None = None,
    attendees: Iterable[Membership] = (),
    now: datetime.datetime | None = None,
) -> Meeting:
    """Plan a meeting of a team, invite its people and give it its default agenda from live data
    ("since the last meeting" never reaches past the meeting's own date)."""
    attendees = list(attendees)
    _check_details(team=team, starts_at=starts_at, ends_at=ends_at, place=place, online_link=online_link, chair=chair)
    _check_members(team, attendees)
    meeting = Meeting.objects.create(
        organisation=team.organisation,
        team=team,
        starts_at=starts_at,
        ends_at=ends_at,
        place=place.strip(),
        online_link=online_link.strip(),
        chair=chair,
    )
    invited = {person.pk: person for person in [*([chair] if chair else []), *attendees]}
    Attendance.objects.bulk_create(
        Attendance(organisation=team.organisation, meeting=meeting, member=person) for person in invited.values()
    )
    agenda_prefill(meeting=meeting, now=now)
    return meeting


@transaction.atomic
def meeting_update(
    *,
    meeting: Meeting,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime | None,
    place: str,
    online_link: str,
    chair: Membership | None,
) -> Meeting:
    _check_details(
        team=meeting.team,
        starts_at=starts_at,
        ends_at=ends_at,
        place=place,
        online_link=online_link,
        chair=chair,
        meeting=meeting,
    )
    if meeting.status == Meeting.Status.HELD and starts_at > timezone.now():
        raise ValidationError({"starts_at": "This meeting has been held: its date cannot move into the future."})
    meeting.starts_at, meeting.ends_at, meeting.chair = starts_at, ends_at, chair
    meeting.place, meeting.online_link = place.strip(), online_link.strip()
    meeting.save(update_fields=["starts_at", "ends_at", "place", "online_link", "chair", "updated_at"])
    if chair is not None:
        Attendance.objects.get_or_create(organisation=meeting.organisation, meeting=meeting, member=chair)
    return meeting


@transaction.atomic
def attendance_record(*, meeting: Meeting, statuses: dict[Membership, str]) -> None:
    """Who came and who sent apologies; people not yet invited are added."""
    _check_members(meeting.team, statuses)
    for person, status in statuses.items():
        if status not in Attendance.Status.values:
            raise ValidationError(f"Choose attended, apologies or invited for {person}.")
    existing = {a.member_id: a for a in Attendance.objects.filter(meeting=meeting)}
    for person, status in statuses.items():
        attendance = existing.get(person.pk)
        if attendance is None:
            Attendance.objects.create(organisation=meeting.organisation, meeting=meeting, member=person, status=status)
        elif attendance.status != status:
            attendance.status = status
            attendance.save(update_fields=["status", "updated_at"])


@transaction.atomic
def meeting_mark_held(
    *, meeting: Meeting, statuses: dict[Membership, str] | None = None, now: datetime.datetime | None = None
) -> Meeting:
    """Record that the meeting took place (and who came): planned → held."""
    now = now or timezone.now()
    meeting = Meeting.objects.select_for_update().select_related("team", "organisation").get(pk=meeting.pk)
    if meeting.status == Meeting.Status.HELD:
        raise ValidationError(
            f"This meeting was already marked held on {timezone.localtime(meeting.held_at):%d %B %Y}."
        )
    if meeting.starts_at > now:
        raise ValidationError(
            f"This meeting starts at {timezone.localtime(meeting.starts_at):%H:%M on %d %B %Y}; "
            "mark it held once it has started."
        )
    if statuses:
        attendance_record(meeting=meeting, statuses=statuses)
    if not meeting.attendances.filter(status=Attendance.Status.ATTENDED).exists():
        raise ValidationError("Record who attended before marking the meeting held.")
    meeting.status, meeting.held_at = Meeting.Status.HELD, now
    meeting.save(update_fields=["status", "held_at", "updated_at"])
    return meeting


@transaction.atomic
def meeting_finalise_agenda(*, meeting: Meeting, user, now: datetime.datetime | None = None) -> Report:
    """Fix the agenda for the papers and ask the worker for the meeting's data pack."""
    meeting = Meeting.objects.select_for_update().select_related("team", "organisation").get(pk=meeting.pk)
    if meeting.agenda_finalised_at is not None:
        raise ValidationError(
            f"The agenda was already finalised on {timezone.localtime(meeting.agenda_finalised_at):%d %B %Y}."
        )
    if not meeting.items.exists():
        raise ValidationError("Add at least one item before finalising the agenda.")
    meeting.agenda_finalised_at = now or timezone.now()
    meeting.save(update_fields=["agenda_finalised_at", "updated_at"])
    return data_pack_request(meeting=meeting, requested_by=user)
