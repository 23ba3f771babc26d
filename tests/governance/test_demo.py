"""The governance demo: a leads-group meeting history with minutes and actions, the next meeting
planned from live data, a Corporate Parenting Board with two issued quarterly reports and a
draft due, and a data pack — all through the services, and safe to run twice."""

import pytest
from django.utils import timezone

from aims import demo as aims_demo
from governance import demo as governance_demo
from governance import schedule
from governance.models import Action, AgendaItem, GovernanceGroup, Meeting, Report
from measures import demo as measures_demo
from pace_hub.demo import seed_organisation
from pace_hub.models import Team
from pace_hub.roles import Role
from pdsa import demo as pdsa_demo

pytestmark = pytest.mark.django_db(transaction=True)


def test_demo_meetings_board_and_reports_are_complete_and_idempotent() -> None:
    demo = seed_organisation("Demo Council", "demo-council", "demo")
    for module in (measures_demo, aims_demo, pdsa_demo):
        module.seed(demo)
    governance_demo.seed(demo)
    org, today = demo.organisation, timezone.localdate()
    counts = (Meeting.objects.count(), AgendaItem.objects.count(), Action.objects.count(), Report.objects.count())
    governance_demo.seed(demo)
    assert counts == (
        Meeting.objects.count(),
        AgendaItem.objects.count(),
        Action.objects.count(),
        Report.objects.count(),
    )

    leads = Team.objects.get(organisation=org, kind=Team.Kind.LEADS)
    held = list(Meeting.objects.filter(team=leads, status=Meeting.Status.HELD).order_by("starts_at"))
    planned = list(Meeting.objects.filter(team=leads, status=Meeting.Status.PLANNED))
    assert len(held) == 3 and len(planned) == 1
    assert planned[0].starts_at > timezone.now() > held[-1].starts_at
    for meeting in held:
        assert meeting.items.exclude(minutes="").count() >= 2
        assert meeting.attendances.filter(status="attended").exists()
        assert meeting.attendances.filter(status="apologies").exists()
    assert all(meeting.actions.exists() for meeting in held)

    actions = Action.objects.filter(organisation=org)
    assert actions.filter(status=Action.Status.DONE).count() == 2
    # The last meeting's minutes record the IRO midway check's decision: decided that day.
    from pdsa.models import Implementation

    midway = Implementation.objects.get(organisation=org, change_idea__title="IRO midway check on every child's plan")
    assert "IRO midway check" in held[-1].items.get(kind=AgendaItem.Kind.DECISIONS).minutes
    assert midway.decided_on == timezone.localtime(held[-1].starts_at).date()
    assert len({timezone.localtime(meeting.starts_at).weekday() for meeting in [*held, *planned]}) == 1
    # Reported done at a held meeting: closed on that meeting's day, not on the day of seeding.
    meeting_days = {timezone.localtime(meeting.starts_at).date() for meeting in held}
    assert {action.closed_on for action in actions.filter(status=Action.Status.DONE)} <= meeting_days
    overdue = actions.filter(status=Action.Status.OPEN, due_on__lt=today)
    assert [action.description for action in overdue] == [
        "Write a one-page explanation of the legal advice meeting for parents"
    ]
    # Carried over: open actions from earlier meetings are on the next meeting's agenda.
    carried = actions.filter(status=Action.Status.OPEN, meeting__in=held[:2])
    assert carried.count() == 2
    next_agenda = planned[0].items.all()
    assert next_agenda.filter(kind=AgendaItem.Kind.ACTIONS).exists()
    assert next_agenda.filter(kind=AgendaItem.Kind.AIM_REVIEW).count() >= 2  # live: each active aim
    assert next_agenda.filter(kind=AgendaItem.Kind.STANDING_PACE).exists()

    pack = Report.objects.get(kind=Report.Kind.DATA_PACK)
    assert pack.meeting == held[-1] and pack.status == Report.Status.DONE and pack.pdf_file

    board = GovernanceGroup.objects.get(organisation=org, name="Corporate Parenting Board")
    assert board.cadence == "quarterly" and board.reporter == demo.people[Role.LEAD]
    reports = list(board.reports.order_by("period_start"))
    assert len(reports) == 3
    assert [report.is_issued for report in reports] == [True, True, False]
    assert all(report.status == Report.Status.DONE and report.pdf_file for report in reports)
    assert all(report.narrative and report.asks for report in reports[:2])
    # The draft is the report the board is owed next; the issued ones are the two quarters before it.
    upcoming = schedule.next_due(board, today=today, done={r.period_start for r in reports[:2]})
    assert reports[2].period_start == upcoming.period.start
    assert reports[1].period_start == schedule.previous_period(upcoming.period, "quarterly").start
