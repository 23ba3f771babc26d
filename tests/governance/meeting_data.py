"""Hand-built history for the meeting tests: a leads group that met on 10 February 2026, aims and
cycles that changed before and after it, and the moments things happened (time-machine moves the
clock so that change history carries the right dates)."""

import datetime
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from aims.models import Aim
from governance.models import Meeting
from measures.models import Measure
from pace_hub.models import Organisation, Team
from pdsa.models import ChangeIdea, Implementation, PDSACycle
from pdsa.services.testing import PredictionInput, cycle_create, cycle_do_update, cycle_study_update
from tests.aims.factories import AimFactory, AimMeasureFactory
from tests.factories import TeamFactory
from tests.governance.factories import MeetingFactory
from tests.measures.factories import monthly_points
from tests.pdsa.factories import ApprovalFactory, ChangeIdeaFactory, ImplementationFactory

LONDON = ZoneInfo("Europe/London")


def awaiting_approval(organisation: Organisation, approver) -> Implementation:
    """ "Legal advice at the review", decided at the PACE leads group on 3 March 2026 and
    waiting for ``approver``'s approval."""
    implementation = ImplementationFactory(
        organisation=organisation,
        change_idea=ChangeIdeaFactory(organisation=organisation, title="Legal advice at the review"),
        decided_on=datetime.date(2026, 3, 3),
        meeting="PACE leads group",
    )
    ApprovalFactory(implementation=implementation, approver=approver)
    return implementation


def at(day: datetime.date | str, hour: int = 10) -> datetime.datetime:
    day = datetime.date.fromisoformat(day) if isinstance(day, str) else day
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=LONDON)


@dataclass
class History:
    team: Team
    last_meeting: Meeting
    aim: Aim  # active; its chart gains a shift and its status and score change after 10 Feb
    draft_aim: Aim
    cycle_before: PDSACycle  # reached Study on 20 January: before the window
    cycle_study: PDSACycle  # reached Study on 20 February
    cycle_act: PDSACycle  # reached Act on 1 March
    idea: ChangeIdea


def _cycle(idea: ChangeIdea) -> PDSACycle:
    return cycle_create(
        idea=idea, objective="Book legal advice at the review", predictions=[PredictionInput("Q?", "P")]
    )


def build_history(org: Organisation, time_machine) -> History:
    """The leads group, its meeting of 10 February 2026 and what happened around it. Leaves the
    clock at 10 March 2026, 12:00."""
    time_machine.move_to(at("2026-01-05"), tick=False)
    team = TeamFactory(organisation=org, name="PACE leads group", kind=Team.Kind.LEADS)
    measure = AimMeasureFactory(organisation=org, title="% with a permanence recommendation", better="up")
    measure.baseline_points, measure.chart = 10, Measure.Chart.RUN
    measure.save()
    monthly_points(measure, [50, 52, 48, 51, 49, 53, 50, 47, 51, 49], start=datetime.date(2024, 1, 1))
    aim = AimFactory(organisation=org, title="Permanence sooner", status=Aim.Status.DRAFT, outcome_measure=measure)
    draft_aim = AimFactory(organisation=org, title="A draft aim", status=Aim.Status.DRAFT)
    idea = ChangeIdeaFactory(organisation=org, title="Legal advice at the first review")
    cycle_before, cycle_study, cycle_act = _cycle(idea), _cycle(idea), _cycle(idea)

    time_machine.move_to(at("2026-01-20"), tick=False)
    cycle_do_update(cycle=cycle_before, what_happened="Held in 19 days", observations="", problems="")
    last_meeting = MeetingFactory(organisation=org, team=team, starts_at=at("2026-02-10"))

    time_machine.move_to(at("2026-02-15"), tick=False)
    aim.status = Aim.Status.ACTIVE
    aim.save()
    time_machine.move_to(at("2026-02-20"), tick=False)
    aim.progress_score = "2.5"
    aim.save()
    cycle_do_update(cycle=cycle_study, what_happened="Held in 12 days", observations="", problems="")
    cycle_do_update(cycle=cycle_act, what_happened="Held in 30 days", observations="", problems="")
    time_machine.move_to(at("2026-02-25"), tick=False)
    # Six months above the frozen median: a shift, and new data since the meeting.
    monthly_points(measure, [70, 72, 71, 74, 73, 75], start=datetime.date(2024, 11, 1))
    time_machine.move_to(at("2026-03-01"), tick=False)
    cycle_study_update(cycle=cycle_act, learning="The solicitor's diary is the constraint.", results={})
    time_machine.move_to(at("2026-03-10", 12), tick=False)
    for cycle in (cycle_before, cycle_study, cycle_act):
        cycle.refresh_from_db()
    return History(team, last_meeting, aim, draft_aim, cycle_before, cycle_study, cycle_act, idea)
