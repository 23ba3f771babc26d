"""Actions: who does what by when. The owner must be a member and the due date cannot be before
the meeting; open actions come back on every later agenda of the team until they are closed,
and on the owner's home page, overdue ones flagged."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from governance.models import Action
from governance.selectors.meetings import carried_over_actions, my_actions, since_window
from governance.services.actions import action_create, action_set_status, action_update
from governance.services.meetings import meeting_create
from pace_hub.models import Team
from pace_hub.roles import Role
from tests.aims.factories import AimFactory
from tests.factories import TeamFactory
from tests.governance.factories import ActionFactory, AgendaItemFactory, MeetingFactory
from tests.governance.meeting_data import at
from tests.pdsa.factories import PDSACycleFactory

pytestmark = pytest.mark.django_db


def test_an_action_from_an_item_takes_its_aim_or_cycle(cast) -> None:
    meeting = MeetingFactory(organisation=cast.org, starts_at=at("2026-03-10"))
    aim = AimFactory(organisation=cast.org)
    cycle = PDSACycleFactory(organisation=cast.org, change_idea__organisation=cast.org)
    aim_item = AgendaItemFactory(organisation=cast.org, meeting=meeting, aim=aim)
    cycle_item = AgendaItemFactory(organisation=cast.org, meeting=meeting, cycle=cycle)
    owner = cast.members[Role.MEMBER]
    first = action_create(
        meeting=meeting, item=aim_item, description=" Re-run the data ", owner=owner, due_on=datetime.date(2026, 3, 31)
    )
    second = action_create(
        meeting=meeting, item=cycle_item, description="Book panel", owner=owner, due_on=datetime.date(2026, 3, 10)
    )
    assert (first.description, first.aim, first.cycle, first.status) == ("Re-run the data", aim, None, "open")
    assert (second.cycle, second.change_idea) == (cycle, cycle.change_idea)
    assert second.organisation == cast.org


def test_the_owner_must_be_a_member_of_the_organisation(cast) -> None:
    meeting = MeetingFactory(organisation=cast.org, starts_at=at("2026-03-10"))
    with pytest.raises(ValidationError) as error:
        action_create(meeting=meeting, description="x", owner=cast.outsider, due_on=datetime.date(2026, 4, 1))
    assert error.value.message_dict["owner"] == [
        f"{cast.outsider} is not a member of Aberdeen City: an action's owner must be."
    ]
    with pytest.raises(ValidationError) as error:
        action_create(meeting=meeting, description="x", owner=None, due_on=datetime.date(2026, 4, 1))
    assert error.value.message_dict["owner"] == ["Choose who owns the action."]
    assert not Action.objects.exists()


def test_a_due_date_before_the_meeting_is_refused(cast) -> None:
    meeting = MeetingFactory(organisation=cast.org, starts_at=at("2026-03-10"))
    with pytest.raises(ValidationError) as error:
        action_create(meeting=meeting, description="x", owner=cast.members[Role.LEAD], due_on=datetime.date(2026, 3, 9))
    assert error.value.message_dict["due_on"] == ["The due date cannot be before the meeting (10 March 2026)."]
    action = ActionFactory(organisation=cast.org, meeting=meeting, owner=cast.members[Role.LEAD])
    with pytest.raises(ValidationError) as error:
        action_update(
            action=action,
            description="x",
            owner=cast.members[Role.LEAD],
            due_on=datetime.date(2026, 1, 1),
            status="open",
        )
    assert "cannot be before the meeting" in error.value.message_dict["due_on"][0]


def test_links_and_items_must_belong_to_the_meeting_and_the_organisation(cast) -> None:
    meeting = MeetingFactory(organisation=cast.org, starts_at=at("2026-03-10"))
    elsewhere = AgendaItemFactory(organisation=cast.org)
    foreign_aim = AimFactory(organisation=cast.other_org)
    with pytest.raises(ValidationError) as error:
        action_create(
            meeting=meeting,
            item=elsewhere,
            aim=foreign_aim,
            description="x",
            owner=cast.members[Role.LEAD],
            due_on=datetime.date(2026, 4, 1),
        )
    assert set(error.value.message_dict) == {"item", "aim"}


def test_closing_and_reopening_an_action(cast, time_machine) -> None:
    time_machine.move_to(at("2026-03-20"), tick=False)
    action = ActionFactory(organisation=cast.org)
    action_set_status(action=action, status=Action.Status.DONE, note="Booked for 2 April")
    assert (action.status, action.closed_on, action.closed_at, action.closed_note) == (
        "done",
        datetime.date(2026, 3, 20),
        at("2026-03-20"),
        "Booked for 2 April",
    )
    with pytest.raises(ValidationError, match="why the action is dropped"):
        action_set_status(action=action, status=Action.Status.DROPPED)
    action_set_status(action=action, status=Action.Status.OPEN)
    action.refresh_from_db()
    assert (action.status, action.closed_on, action.closed_at, action.closed_note) == ("open", None, None, "")


def test_closed_since_the_last_meeting_means_since_it_began(cast, time_machine) -> None:
    time_machine.move_to(at("2026-02-01"), tick=False)
    owner = cast.members[Role.MEMBER]
    team = TeamFactory(organisation=cast.org, kind=Team.Kind.LEADS)
    january = meeting_create(team=team, starts_at=at("2026-01-13", 14), place="Room 2")
    february = meeting_create(team=team, starts_at=at("2026-02-10", 14), place="Room 2")
    due = datetime.date(2026, 3, 1)
    heard = action_create(meeting=january, description="Closed that morning", owner=owner, due_on=due)
    at_the_meeting = action_create(meeting=january, description="Closed at the meeting", owner=owner, due_on=due)
    after = action_create(meeting=january, description="Closed that evening", owner=owner, due_on=due)
    action_set_status(action=heard, status=Action.Status.DONE, at=at("2026-02-10", 9))
    action_set_status(
        action=at_the_meeting, status=Action.Status.DONE, at=at("2026-02-10", 14) + datetime.timedelta(minutes=40)
    )
    action_set_status(action=after, status=Action.Status.DONE, at=at("2026-02-10", 18))
    # Closed that day before closing times were kept: by the day, as before.
    earlier = ActionFactory(
        organisation=cast.org,
        meeting=january,
        owner=owner,
        status=Action.Status.DONE,
        closed_on=datetime.date(2026, 2, 10),
    )

    time_machine.move_to(at("2026-03-10"), tick=False)
    march = meeting_create(team=team, starts_at=at("2026-03-10", 14), place="Room 2")
    open_, closed = carried_over_actions(march, since_window(march))

    # February's meeting heard of the first (closed before it began); the others are March's news,
    # as the agenda's window runs from the start of February's meeting to the start of March's.
    assert open_ == []
    assert {action.description for action in closed} == {
        "Closed at the meeting",
        "Closed that evening",
        earlier.description,
    }
    _, february_closed = carried_over_actions(february, since_window(february))
    assert {action.description for action in february_closed} == {"Closed that morning", earlier.description}


def test_open_actions_come_back_on_every_later_agenda_until_closed(cast, time_machine) -> None:
    time_machine.move_to(at("2026-01-13"), tick=False)
    owner = cast.members[Role.MEMBER]
    team = TeamFactory(organisation=cast.org, kind=Team.Kind.LEADS)
    january = meeting_create(team=team, starts_at=at("2026-01-13"), place="Room 2")
    book = action_create(meeting=january, description="Book panel", owner=owner, due_on=datetime.date(2026, 2, 1))
    chase = action_create(meeting=january, description="Chase SCRA", owner=owner, due_on=datetime.date(2026, 2, 1))
    other_team = MeetingFactory(organisation=cast.org, starts_at=at("2026-01-14"))
    ActionFactory(organisation=cast.org, meeting=other_team, description="Another group's action")

    time_machine.move_to(at("2026-02-10"), tick=False)
    february = meeting_create(team=team, starts_at=at("2026-02-10", 14), place="Room 2")
    open_, closed = carried_over_actions(february, since_window(february))
    assert (open_, closed) == ([book, chase], [])
    time_machine.move_to(at("2026-02-10", 16), tick=False)
    action_set_status(action=chase, status=Action.Status.DONE)

    time_machine.move_to(at("2026-03-10"), tick=False)
    march = meeting_create(team=team, starts_at=at("2026-03-10", 14), place="Room 2")
    open_, closed = carried_over_actions(march, since_window(march))
    assert open_ == [book]
    assert closed == [chase]  # done since February's meeting: the group hears it is done
    later = action_create(meeting=february, description="From February", owner=owner, due_on=datetime.date(2026, 3, 1))
    time_machine.move_to(at("2026-04-14"), tick=False)
    april = meeting_create(team=team, starts_at=at("2026-04-14", 14), place="Room 2")
    open_, closed = carried_over_actions(april, since_window(april))
    assert open_ == [book, later] and closed == []
    # A meeting before the actions were raised does not carry them.
    december = MeetingFactory(organisation=cast.org, team=team, starts_at=at("2025-12-09"))
    assert carried_over_actions(december, since_window(december)) == ([], [])


def test_my_actions_lists_my_open_actions_with_overdue_flagged(cast, time_machine) -> None:
    time_machine.move_to(at("2026-03-10"), tick=False)
    me = cast.members[Role.MEMBER]
    overdue = ActionFactory(organisation=cast.org, owner=me, due_on=datetime.date(2026, 3, 9))
    due_today = ActionFactory(organisation=cast.org, owner=me, due_on=datetime.date(2026, 3, 10))
    ActionFactory(organisation=cast.org, owner=me, status=Action.Status.DONE, closed_on=datetime.date(2026, 3, 1))
    ActionFactory(organisation=cast.org, owner=cast.members[Role.LEAD])
    listed = my_actions(cast.org, me)
    assert [(item.action, item.overdue) for item in listed] == [(overdue, True), (due_today, False)]
