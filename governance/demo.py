"""Demo meetings and governance for `manage.py seed_demo`, run after the other apps' demos.

Each council gets a leads-group meeting history (three held meetings with minutes, decisions
and actions — some done, some carried over, one overdue — and a data pack for the latest), the
next meeting planned with its agenda pre-filled from live data, and a Corporate Parenting Board
reported to quarterly by the PACE Lead: the two latest quarters issued, the next one drafted.

Everything goes through the governance services, as a person's clicks would; reports are built
in-process when no worker is configured (the embedded default). Idempotent: the meetings are
skipped once the leads group has any, and reports are asked for once per period.
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from governance import schedule
from governance.models import AgendaItem, GovernanceGroup, Meeting, Report
from governance.services import actions as action_services
from governance.services import meetings as meeting_services
from governance.services import reports as report_services
from governance.services.agenda import item_minutes_save
from pace_hub.models import Membership, Team
from pace_hub.roles import Role
from pdsa.models import ChangeIdea

logger = logging.getLogger(__name__)

BOARD = "Corporate Parenting Board"
PLACE = "Council headquarters, committee room 2"
ONLINE = "https://meet.example.scot/pace-leads-group"

# Minutes by agenda item kind, for each of the three held meetings (oldest first).
MINUTES = [
    {
        AgendaItem.Kind.STANDING_PACE: (
            "The PACE Lead gave the update: the legal advice meeting test moves to South locality.",
            "Keep PACE as the first item of every leads group.",
        ),
        AgendaItem.Kind.AIM_REVIEW: (
            "Six-month measure still around its baseline; the planning meeting test is new.",
            "",
        ),
        AgendaItem.Kind.TESTING: (
            "Cycle 1 in North worked for one child; the solicitor's diary is the constraint.",
            "Adapt: reserve two solicitor slots a month.",
        ),
    },
    {
        AgendaItem.Kind.STANDING_PACE: ("Reserved slots are in place with Legal Services.", ""),
        AgendaItem.Kind.AIM_REVIEW: (
            "Panel to ADM: the rebased run chart holds below 14 days for the third month.",
            "Agreed the new phase reflects the ADM diary change.",
        ),
        AgendaItem.Kind.LISTENING: (
            "A parent said the review felt rushed and the legal meeting was not explained.",
            "Write a one-page explanation for parents.",
        ),
    },
    {
        AgendaItem.Kind.STANDING_PACE: ("Corporate Parenting Board asked for the quarterly report in January.", ""),
        AgendaItem.Kind.AIM_REVIEW: (
            "Permanence recommendations within 6 months show a sustained shift upwards since the test began.",
            "Report the shift to the Corporate Parenting Board.",
        ),
        AgendaItem.Kind.DECISIONS: (
            "The IRO midway check was adopted after two cycles in East and West.",
            "Implement the midway check for every child; approvals from the service manager and PACE Lead.",
        ),
    },
]

NARRATIVE = (
    "Permanence recommendations within 6 months have improved since the permanence planning meeting at 6 "
    "weeks was tested and spread: the run chart shows a sustained shift, although we are still short of the "
    "90% national aim. Panel to agency decision maker decisions stay within the 14 days regulation 13 asks "
    "for. Children, parents and carers told us what helped and what did not; we answered half of them with "
    "a change."
)
ASKS = (
    "Continue the two reserved solicitor slots a month with Legal Services for another quarter. "
    "Ask the Children's Hearings Scotland area support team to name a member for the leads group."
)


@dataclass(frozen=True)
class ActionSpec:
    meeting: int  # which held meeting raised it (0 = oldest)
    description: str
    owner: str  # job title of a demo person (pace_hub.demo.PEOPLE): the same post in each council
    due_after_meeting: int | None  # days after that meeting; None: due relative to today
    due_from_today: int = 0
    done_at_meeting: int | None = None  # closed at this later meeting
    idea: str = ""


ACTIONS = [
    ActionSpec(0, "Reserve two solicitor slots a month for legal advice meetings", "Solicitor", 21, done_at_meeting=1),
    # Carried over from meeting to meeting, still on time.
    ActionSpec(
        0, "Share the IRO diary with every duty manager", "Independent Reviewing Officer", None, due_from_today=10
    ),
    # Overdue: due a month ago and still open.
    ActionSpec(1, "Write a one-page explanation of the legal advice meeting for parents", "Senior Social Worker", 30),
    ActionSpec(
        1,
        "Bring the panel to ADM run chart with its new phase",
        "Data Lead, Performance Analyst",
        20,
        done_at_meeting=2,
    ),
    ActionSpec(
        2, "Invite the SCRA locality reporter to join the leads group", "Locality Reporter", None, due_from_today=21
    ),
    ActionSpec(
        2,
        "Plan the spread of the IRO midway check to all localities",
        "Independent Reviewing Officer",
        None,
        due_from_today=35,
        idea="IRO midway check on every child's plan",
    ),
]


def _person(people: dict, job_title: str) -> Membership:
    return next(member for key, member in people.items() if "@" in key and member.job_title == job_title)


def _at_ten(day: datetime.date) -> datetime.datetime:
    while day.weekday() >= 5:  # meetings are on weekdays
        day += datetime.timedelta(days=1)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(10, 0)))


def _meeting_dates(today: datetime.date) -> tuple[list[datetime.datetime], datetime.datetime]:
    """Three meetings about a month apart before today and the next one in a fortnight, all on
    today's weekday, as a group keeps its day (the last one four weeks ago, when the IRO midway
    check was decided: pdsa.demo.IMPLEMENTATIONS)."""
    held = [_at_ten(today - datetime.timedelta(weeks=weeks)) for weeks in (13, 9, 4)]
    return held, _at_ten(today + datetime.timedelta(days=14))


def _write_minutes(meeting: Meeting, minutes: dict) -> None:
    done: set[str] = set()
    for item in meeting.items.order_by("position"):
        if item.kind in minutes and item.kind not in done:
            text, decisions = minutes[item.kind]
            item_minutes_save(item=item, minutes=text, decisions=decisions)
            done.add(item.kind)


def _seed_meetings(leads: Team, people: dict, today: datetime.date) -> None:
    lead = people[Role.LEAD]
    attendees = list(leads.members.select_related("user"))
    held_at, next_at = _meeting_dates(today)
    meetings: list[Meeting] = []
    for number, starts_at in enumerate(held_at):
        with transaction.atomic():
            meeting = meeting_services.meeting_create(
                team=leads,
                starts_at=starts_at,
                ends_at=starts_at + datetime.timedelta(hours=2),
                place=PLACE,
                online_link=ONLINE,
                chair=lead,
                attendees=attendees,
                now=starts_at - datetime.timedelta(days=7),
            )
            _write_minutes(meeting, MINUTES[number])
            for spec in ACTIONS:
                if spec.done_at_meeting == number:
                    raised = meetings[spec.meeting]
                    action = raised.actions.get(description=spec.description)
                    action_services.action_set_status(
                        action=action,
                        status="done",
                        note="Reported done at the meeting.",
                        at=starts_at + datetime.timedelta(minutes=30),
                    )
            for spec in ACTIONS:
                if spec.meeting != number:
                    continue
                due = (
                    starts_at.date() + datetime.timedelta(days=spec.due_after_meeting)
                    if spec.due_after_meeting is not None
                    else today + datetime.timedelta(days=spec.due_from_today)
                )
                idea = ChangeIdea.objects.filter(organisation=leads.organisation, title=spec.idea).first()
                action_services.action_create(
                    meeting=meeting,
                    description=spec.description,
                    owner=_person(people, spec.owner),
                    due_on=due,
                    item=meeting.items.filter(kind=AgendaItem.Kind.ACTIONS).first(),
                    change_idea=idea,
                    created_by=lead.user,
                )
            apologies = dict.fromkeys(attendees[-2:], "apologies")
            came = dict.fromkeys(attendees[:-2], "attended")
            meeting = meeting_services.meeting_mark_held(
                meeting=meeting, statuses={**came, **apologies}, now=starts_at + datetime.timedelta(hours=2)
            )
        meetings.append(meeting)
    # The latest held meeting had its papers: finalising its agenda builds its data pack.
    meeting_services.meeting_finalise_agenda(
        meeting=meetings[-1], user=lead.user, now=held_at[-1] - datetime.timedelta(days=2)
    )
    _built(Report.objects.get(meeting=meetings[-1], kind=Report.Kind.DATA_PACK))
    # The next meeting, planned: its agenda comes from today's data and the open actions.
    meeting_services.meeting_create(
        team=leads,
        starts_at=next_at,
        ends_at=next_at + datetime.timedelta(hours=2),
        place=PLACE,
        online_link=ONLINE,
        chair=lead,
        attendees=attendees,
    )


def _built(report: Report) -> Report:
    """The report once built: in-process when no worker built it yet (a no-op otherwise)."""
    report.refresh_from_db()
    if report.status == Report.Status.PENDING:
        report_services.report_build(report_id=report.pk)
        report.refresh_from_db()
    return report


def _seed_board(org, lead: Membership, today: datetime.date) -> None:
    group, _ = GovernanceGroup.objects.get_or_create(
        organisation=org,
        name=BOARD,
        defaults={
            "audience": "Elected members, the chief social work officer and partner agencies",
            "reporter": lead,
            "cadence": GovernanceGroup.Cadence.QUARTERLY,
        },
    )
    upcoming = schedule.next_due(group, today=today).period
    issued_periods = [schedule.previous_period(upcoming, group.cadence)]
    issued_periods.insert(0, schedule.previous_period(issued_periods[0], group.cadence))
    for period in issued_periods:
        with transaction.atomic():
            # Written before the worker builds it (it builds once this commits), so the PDF is
            # rendered with the narrative the first time.
            report = report_services.report_request(group=group, period_start=period.start, requested_by=lead.user)
            if not report.is_issued and not report.narrative:
                report = report_services.report_narrative_save(report=report, narrative=NARRATIVE, asks=ASKS)
        report = _built(report)
        if report.is_issued:
            continue
        if report.status != Report.Status.DONE:
            logger.warning("Demo report %s is %s: not issued (%s)", report, report.status, report.failure_reason)
            continue
        report_services.report_issue(report=report, user=lead.user)
    # The report the board is owed next: a draft, waiting for the reporter's narrative.
    _built(report_services.report_request(group=group, period_start=upcoming.start, requested_by=lead.user))


def seed(demo) -> None:
    org, people = demo.organisation, demo.people
    today = timezone.localdate()
    leads = Team.objects.filter(organisation=org, kind=Team.Kind.LEADS).order_by("pk").first()
    if leads is not None and not Meeting.objects.filter(team=leads).exists():
        _seed_meetings(leads, people, today)
    _seed_board(org, people[Role.LEAD], today)
