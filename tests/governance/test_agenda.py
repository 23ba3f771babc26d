"""The agenda from live data: what a new leads-group, aims-group or other meeting opens with, what
"since the last meeting" picks up (and never past the meeting's own date), updating from live
data, and adding, editing, removing, reordering and minuting items."""

import pytest
from django.core.exceptions import ValidationError

from aims.models import Aim
from governance.models import AgendaItem
from governance.selectors.meetings import agenda_content, aim_changes, since_window
from governance.services.agenda import (
    agenda_refresh,
    item_create,
    item_delete,
    item_minutes_save,
    item_move,
    item_update,
)
from governance.services.meetings import meeting_create
from pace_hub.models import Team
from pdsa.services.testing import cycle_do_update
from tests.aims.factories import AimFactory
from tests.factories import TeamFactory
from tests.governance.factories import ActionFactory
from tests.governance.meeting_data import at, build_history
from tests.pdsa.factories import PDSACycleFactory, PredictionFactory

pytestmark = pytest.mark.django_db

K = AgendaItem.Kind


def _plan(team, day: str, hour: int = 14):
    return meeting_create(team=team, starts_at=at(day, hour), place="Marischal College")


def _shape(meeting) -> list[tuple[str, str]]:
    return [(item.kind, item.title) for item in meeting.items.order_by("position")]


def test_a_leads_group_meeting_opens_with_the_default_agenda_from_live_data(org, time_machine) -> None:
    history = build_history(org, time_machine)
    meeting = _plan(history.team, "2026-03-10")
    assert _shape(meeting) == [
        (K.STANDING_PACE, "PACE: standing item"),
        (K.AIM_REVIEW, "Aims and data review: Permanence sooner"),
        (K.TESTING, f"Testing reflection: {history.idea.title}, cycle {history.cycle_study.number}"),
        (K.TESTING, f"Testing reflection: {history.idea.title}, cycle {history.cycle_act.number}"),
        (K.DECISIONS, "Implementation decisions awaiting approval"),
        (K.IDEAS, "Ideas inbox awaiting triage"),
        (K.LISTENING, 'Listening: feedback awaiting "you said, we did"'),
        (K.ACTIONS, "Actions carried over"),
        (K.AOB, "Any other business"),
    ]
    assert list(meeting.items.values_list("position", flat=True)) == list(range(1, 10))
    items = list(meeting.items.order_by("position"))
    assert items[1].aim == history.aim  # the draft aim is not reviewed
    assert [items[2].cycle, items[3].cycle] == [history.cycle_study, history.cycle_act]


def test_what_changed_since_the_last_meeting_for_an_aim(org, time_machine) -> None:
    history = build_history(org, time_machine)
    meeting = _plan(history.team, "2026-03-10")
    window = since_window(meeting)
    assert (window.start, window.previous) == (at("2026-02-10"), history.last_meeting)
    aim = Aim.objects.select_related("outcome_measure").get(pk=history.aim.pk)
    content = agenda_content(meeting, hide_small_counts=False)
    review = next(entry.review for entry in content.entries if entry.review)
    changes = review.changes
    assert changes.status == ("Draft", "Active")
    assert changes.progress == ("none", "2.5")
    assert changes.new_periods == [
        "November 2024",
        "December 2024",
        "January 2025",
        "February 2025",
        "March 2025",
        "April 2025",
    ]
    assert changes.new_signals == ["Shift (November 2024 to April 2025): improvement"]
    assert review.chart.payload["points"][-1]["y"] == 75
    # Before the last meeting nothing had changed: the window of the meeting before that is empty.
    earlier = aim_changes([aim], since_window(history.last_meeting))
    assert earlier[aim.pk].new_signals == [] and earlier[aim.pk].status is None


def test_a_meeting_in_the_past_gets_no_window_past_its_own_date(org, time_machine) -> None:
    history = build_history(org, time_machine)
    # Recorded on 10 March for a meeting held on 25 February: the Act of 1 March is not "since".
    meeting = _plan(history.team, "2026-02-25")
    window = since_window(meeting)
    assert (window.start, window.end) == (at("2026-02-10"), at("2026-02-25", 14))
    cycles = [item.cycle for item in meeting.items.filter(kind=K.TESTING)]
    assert cycles == [history.cycle_study, history.cycle_act]  # both reached Study by the 20th
    review = next(e.review for e in agenda_content(meeting, hide_small_counts=False).entries if e.review)
    assert review.changes.status == ("Draft", "Active")
    assert len(review.changes.new_periods) == 6  # entered on the 25th at 10:00, before the meeting
    before_data = _plan(history.team, "2026-02-24")
    review = next(e.review for e in agenda_content(before_data, hide_small_counts=False).entries if e.review)
    assert review.changes.new_periods == [] and review.changes.new_signals == []


def test_a_meeting_planned_ahead_counts_changes_up_to_now(org, time_machine) -> None:
    history = build_history(org, time_machine)
    meeting = _plan(history.team, "2026-04-07")
    window = since_window(meeting)
    assert window.end == at("2026-03-10", 12)  # now, not the meeting's date in April
    assert window.start == at("2026-02-10")


def test_with_no_earlier_meeting_the_window_is_one_interval(org, time_machine) -> None:
    time_machine.move_to(at("2026-03-10", 12), tick=False)
    team = TeamFactory(organisation=org, kind=Team.Kind.LEADS, meeting_frequency=Team.Frequency.MONTHLY)
    meeting = _plan(team, "2026-03-03")
    window = since_window(meeting)
    assert window.previous is None and window.assumed
    assert (window.start, window.end) == (at("2026-02-03", 14), at("2026-03-03", 14))
    # Nothing reached Study: a single reflection item says so instead of listing cycles.
    testing = meeting.items.get(kind=K.TESTING)
    assert testing.cycle is None and "No PDSA cycle reached Study or Act" in testing.description
    assert meeting.items.get(kind=K.AIM_REVIEW).aim is None


def test_an_aims_group_gets_its_own_aims_measures_and_cycles(org, time_machine) -> None:
    history = build_history(org, time_machine)
    group = TeamFactory(organisation=org, name="Legal aims group", kind=Team.Kind.AIMS)
    history.aim.aims_group = group
    history.aim.save()
    AimFactory(organisation=org, title="Someone else's aim", status=Aim.Status.ACTIVE)
    history.idea.aims.add(history.aim)
    february = _plan(group, "2026-02-10", 9)  # the group's own previous meeting
    meeting = _plan(group, "2026-03-10")
    # February's window is a month back (its first meeting): the cycle that reached Study in January.
    assert [item.cycle for item in february.items.filter(kind=K.TESTING)] == [history.cycle_before]
    assert [item.cycle for item in meeting.items.filter(kind=K.TESTING)] == [history.cycle_study, history.cycle_act]
    assert [kind for kind, _ in _shape(meeting)] == [K.AIM_REVIEW, K.TESTING, K.TESTING, K.ACTIONS, K.AOB]
    assert meeting.items.get(kind=K.AIM_REVIEW).aim == history.aim
    assert "process and balancing measures" in meeting.items.get(kind=K.AIM_REVIEW).description


def test_other_groups_get_the_standing_item_actions_and_any_other_business(org) -> None:
    team = TeamFactory(organisation=org, kind=Team.Kind.DATA)
    meeting = _plan(team, "2026-05-05")
    assert [kind for kind, _ in _shape(meeting)] == [K.STANDING_PACE, K.ACTIONS, K.AOB]


def test_updating_from_live_data_adds_new_cycles_beside_their_kind(org, time_machine) -> None:
    history = build_history(org, time_machine)
    meeting = _plan(history.team, "2026-04-07")
    minuted = meeting.items.get(kind=K.IDEAS)
    item_minutes_save(item=minuted, minutes="Two ideas accepted.", decisions="")
    # A cycle reaches Study after the agenda was made.
    late = PDSACycleFactory(organisation=org, change_idea=history.idea, number=9)
    PredictionFactory(cycle=late)
    time_machine.move_to(at("2026-03-20"), tick=False)
    cycle_do_update(cycle=late, what_happened="Held", observations="", problems="")
    added = agenda_refresh(meeting=meeting)
    assert [item.cycle for item in added] == [late]
    kinds = [kind for kind, _ in _shape(meeting)]
    assert kinds[:6] == [K.STANDING_PACE, K.AIM_REVIEW, K.TESTING, K.TESTING, K.TESTING, K.DECISIONS]
    assert meeting.items.get(kind=K.TESTING, position=5).cycle == late
    minuted.refresh_from_db()
    assert minuted.minutes == "Two ideas accepted."
    assert agenda_refresh(meeting=meeting) == []  # nothing new: nothing doubled


def test_a_nothing_to_review_item_gives_way_to_real_cycles(org, time_machine) -> None:
    time_machine.move_to(at("2026-03-01"), tick=False)
    team = TeamFactory(organisation=org, kind=Team.Kind.LEADS)
    meeting = _plan(team, "2026-03-20")
    assert meeting.items.get(kind=K.TESTING).cycle is None
    cycle = PDSACycleFactory(organisation=org, change_idea__organisation=org)
    PredictionFactory(cycle=cycle)
    time_machine.move_to(at("2026-03-05"), tick=False)
    cycle_do_update(cycle=cycle, what_happened="Held", observations="", problems="")
    agenda_refresh(meeting=meeting)
    assert list(meeting.items.filter(kind=K.TESTING).values_list("cycle", flat=True)) == [cycle.pk]


def test_items_are_added_before_any_other_business_edited_and_minuted(org) -> None:
    meeting = _plan(TeamFactory(organisation=org, kind=Team.Kind.DATA), "2026-05-05")
    item = item_create(meeting=meeting, title="  Data completeness  ", description="The March upload")
    assert _shape(meeting)[-2:] == [(K.OTHER, "Data completeness"), (K.AOB, "Any other business")]
    with pytest.raises(ValidationError) as error:
        item_create(meeting=meeting, title="  ")
    assert error.value.message_dict == {"title": ["Give the item a title."]}
    item_update(item=item, title="Data completeness and freshness", description="")
    item_minutes_save(item=item, minutes=" 92% complete. ", decisions="Chase the two missing panels.")
    item.refresh_from_db()
    assert (item.title, item.minutes, item.decisions) == (
        "Data completeness and freshness",
        "92% complete.",
        "Chase the two missing panels.",
    )


def test_items_move_up_and_down_and_refuse_to_leave_the_agenda(org) -> None:
    meeting = _plan(TeamFactory(organisation=org, kind=Team.Kind.DATA), "2026-05-05")
    standing, actions, aob = meeting.items.order_by("position")
    item_move(item=aob, direction="up")
    assert [i.kind for i in meeting.items.order_by("position")] == [K.STANDING_PACE, K.AOB, K.ACTIONS]
    item_move(item=aob, direction="up")
    item_move(item=standing, direction="down")
    assert [i.kind for i in meeting.items.order_by("position")] == [K.AOB, K.ACTIONS, K.STANDING_PACE]
    with pytest.raises(ValidationError, match="already the first"):
        item_move(item=aob, direction="up")
    with pytest.raises(ValidationError, match="already the last"):
        item_move(item=standing, direction="down")
    assert list(meeting.items.order_by("position").values_list("position", flat=True)) == [1, 2, 3]


def test_an_item_with_minutes_or_actions_is_not_removed(org) -> None:
    meeting = _plan(TeamFactory(organisation=org, kind=Team.Kind.DATA), "2026-05-05")
    standing, actions, aob = meeting.items.order_by("position")
    item_minutes_save(item=standing, minutes="Discussed.", decisions="")
    with pytest.raises(ValidationError, match="minutes or decisions"):
        item_delete(item=standing)
    ActionFactory(organisation=org, meeting=meeting, item=aob)
    with pytest.raises(ValidationError, match="1 action"):
        item_delete(item=aob)
    item_delete(item=actions)
    assert list(meeting.items.order_by("position").values_list("kind", "position")) == [
        (K.STANDING_PACE, 1),
        (K.AOB, 2),
    ]
