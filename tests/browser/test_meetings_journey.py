"""A leads-group meeting in headless Chromium: the lead plans the next meeting, finds its agenda
filled in from live data (the aim's chart and what changed, the cycle that reached Study, the
actions carried over), reorders it from the keyboard, does Study and Act on the cycle with the
group from the agenda, records minutes and two actions, and marks the meeting held; the next
meeting shows the open actions. axe checks every new page."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from aims.models import Aim
from governance.models import Action, AgendaItem, Attendance, Meeting
from measures.models import DataPoint
from pace_hub.models import Team
from pace_hub.roles import Role
from pdsa.models import PDSACycle
from pdsa.services.testing import PredictionInput, cycle_create, cycle_do_update
from tests.aims.factories import AimFactory, AimMeasureFactory
from tests.factories import TeamFactory
from tests.governance.factories import ActionFactory, MeetingFactory
from tests.pdsa.factories import ChangeIdeaFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _section(page: Page, item: AgendaItem):
    return page.locator(f"#item-{item.code}")


def test_lead_runs_a_leads_group_meeting_from_its_live_agenda(
    page: Page, live_server, cast, sign_in, assert_accessible, time_machine
) -> None:
    lead, member = cast.members[Role.LEAD], cast.members[Role.MEMBER]
    now = timezone.now()
    team = TeamFactory(
        organisation=cast.org, name="PACE leads group", kind=Team.Kind.LEADS, meeting_frequency=Team.Frequency.WEEKLY
    )
    team.chair = lead
    team.save()
    team.members.add(lead, member)
    # Last week's meeting at 10:00; the group meets weekly.
    last_start = timezone.make_aware(
        datetime.datetime.combine(timezone.localdate() - datetime.timedelta(days=7), datetime.time(10))
    )
    last = MeetingFactory(
        organisation=cast.org,
        team=team,
        starts_at=last_start,
        status=Meeting.Status.HELD,
        held_at=last_start + datetime.timedelta(hours=2),
    )
    ActionFactory(
        organisation=cast.org,
        meeting=last,
        owner=member,
        description="Send last month's figures to the board",
        due_on=timezone.localdate() - datetime.timedelta(days=2),
    )
    measure = AimMeasureFactory(organisation=cast.org, title="% with a permanence recommendation in 6 months")
    first = timezone.localdate().replace(day=1)
    for months_ago, value in enumerate([55, 52, 57, 54, 56, 55, 60, 63, 66, 70, 71, 74][::-1]):
        period = (first - datetime.timedelta(days=28 * months_ago)).replace(day=1)
        DataPoint.objects.get_or_create(
            organisation=cast.org, measure=measure, period=period, defaults={"value": value}
        )
    AimFactory(organisation=cast.org, title="Permanence sooner", status=Aim.Status.ACTIVE, outcome_measure=measure)
    idea = ChangeIdeaFactory(organisation=cast.org, title="Legal advice at the first review")
    cycle = cycle_create(
        idea=idea, objective="Does it shorten the wait?", predictions=[PredictionInput("Within 4 weeks?", "Yes")]
    )
    cycle_do_update(cycle=cycle, what_happened="Held after 19 days.", observations="", problems="")

    # --- The lead plans the next meeting -------------------------------------------------------
    sign_in(lead.user.email)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Meetings").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Meetings")
    assert_accessible()
    page.get_by_role("link", name="Plan the next meeting of PACE leads group").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Plan a meeting of PACE leads group")
    suggested = page.get_by_label("Date and time").input_value()
    starts = timezone.make_aware(datetime.datetime.fromisoformat(suggested))
    assert now < starts <= last.starts_at + datetime.timedelta(days=14)
    expect(page.get_by_label("Chair")).to_have_value(str(lead.pk))
    expect(page.get_by_label(re.compile(re.escape(member.display_name)))).to_be_checked()
    page.get_by_label("Place").fill("Marischal College, room 2")
    page.get_by_label("Ends at").fill("12:30")
    assert_accessible()
    page.get_by_role("button", name="Plan the meeting").click()

    # --- The agenda, filled in from live data --------------------------------------------------
    expect(page.get_by_role("heading", level=1)).to_contain_text("PACE leads group: meeting on")
    meeting = Meeting.objects.exclude(pk=last.pk).get()
    items = {item.kind: item for item in meeting.items.order_by("-position")}
    review, testing, carried = items["aim_review"], items["testing"], items["actions"]
    standing = items["standing_pace"]
    expect(_section(page, review)).to_contain_text("Aims and data review: Permanence sooner")
    expect(_section(page, review).locator(".chart .main-svg").first).to_be_visible(timeout=20_000)
    expect(_section(page, review).get_by_test_id("aim-changes")).to_be_visible()
    expect(_section(page, testing)).to_contain_text(f"Testing reflection: {idea.title}, cycle 1")
    expect(_section(page, carried)).to_contain_text("Send last month's figures to the board")
    expect(_section(page, carried)).to_contain_text("Overdue")
    expect(page.locator("#since-window")).to_contain_text("the group's previous meeting")
    assert_accessible()

    # Reorder from the keyboard: the focus stays on the button, so pressing again moves it again.
    move_down = page.locator(f"#move-down-{standing.code}")
    move_down.focus()
    page.keyboard.press("Enter")
    expect(page.locator("#agenda-status")).to_contain_text("Moved down: PACE: standing item (now item 2)")
    expect(page.locator(f"#move-down-{standing.code}")).to_be_focused()
    # A key pressed before htmx has settled the swapped-in list would post without htmx (still
    # correct, but a full page load): wait until it has, as a person's second press would.
    page.wait_for_function("!document.querySelector('.htmx-request, .htmx-settling, .htmx-swapping, .htmx-added')")
    page.keyboard.press("Enter")
    expect(page.locator("#agenda-status")).to_contain_text("(now item 3)")
    first_title = page.locator(".agenda-item h3").first
    expect(first_title).to_contain_text("1. Aims and data review: Permanence sooner")

    # --- Study and Act on the cycle, together, from the agenda ---------------------------------
    section = _section(page, testing)
    section.get_by_label("Result for: Within 4 weeks?").fill("Yes, 19 days")
    section.get_by_label("What did we learn?").fill("Booking at the review works; the solicitor's diary is the limit.")
    section.get_by_role("button", name=re.compile("^Save Study")).click()
    expect(section.locator(f"#study-saved-{testing.code}")).to_have_text("✓ Study saved. Status: Deciding.")
    expect(section.locator(f"#cycle-status-{testing.code}")).to_have_text("Status: Deciding")
    section.get_by_label("Adapt").check()
    section.get_by_label("What next").fill("Reserve two solicitor slots a month and test in South locality.")
    section.get_by_role("button", name=re.compile("^Save Act")).click()
    expect(section.locator(f"#act-saved-{testing.code}")).to_have_text("✓ Act saved. Status: Complete.")
    cycle.refresh_from_db()
    assert (cycle.status, cycle.decision) == (PDSACycle.Status.COMPLETE, "adapt")
    assert_accessible()

    # --- Minutes and two actions ---------------------------------------------------------------
    standing_section = _section(page, standing)
    standing_section.get_by_label("Minutes").fill("The PACE plan for the year was agreed.")
    standing_section.get_by_label("Decisions").fill("Report progress to the Corporate Parenting Board quarterly.")
    standing_section.get_by_role("button", name=re.compile("^Save minutes")).click()
    expect(standing_section.locator(f"#minutes-saved-{standing.code}")).to_have_text("✓ Minutes saved.")
    due = (starts + datetime.timedelta(days=14)).date().isoformat()
    for where, description, owner in (
        (standing, "Draft the quarterly board report", member),
        (testing, "Book two solicitor slots for South locality", lead),
    ):
        box = _section(page, where)
        box.get_by_text("Add an action").click()
        box.get_by_label("Action").fill(description)
        box.get_by_label("Owner").select_option(label=owner.display_name)
        box.get_by_label("Due date").fill(due)
        box.get_by_role("button", name=re.compile("^Add the action")).click()
        expect(box.locator(f"#action-saved-{where.code}")).to_have_text("✓ Action added.")
        expect(box.locator(".actions-table")).to_contain_text(description)
    assert Action.objects.filter(meeting=meeting).count() == 2
    # A due date before the meeting is refused with a clear message.
    box = _section(page, standing)
    box.get_by_label("Action").fill("Too early")
    box.get_by_label("Owner").select_option(label=member.display_name)
    box.get_by_label("Due date").fill((starts - datetime.timedelta(days=1)).date().isoformat())
    box.get_by_role("button", name=re.compile("^Add the action")).click()
    expect(box).to_contain_text("The due date cannot be before the meeting")
    assert Action.objects.filter(meeting=meeting).count() == 2

    # The action's own page and the item's edit page.
    page.get_by_role("link", name=re.compile("^Edit.*Draft the quarterly board report")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Edit the action")
    assert_accessible()
    page.go_back()
    _section(page, standing).get_by_role("link", name=re.compile("^Edit.*PACE: standing item")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Edit agenda item: PACE: standing item")
    assert_accessible()
    page.go_back()

    # The printable agenda and minutes.
    page.get_by_role("link", name="Printable agenda and minutes").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("PACE leads group: agenda and minutes")
    expect(page.locator("main")).to_contain_text("The PACE plan for the year was agreed.")
    assert_accessible()
    page.go_back()

    # --- The meeting takes place; the lead marks it held -----------------------------------------
    time_machine.move_to(starts + datetime.timedelta(hours=1))
    page.context.clear_cookies()
    sign_in(lead.user.email)
    page.goto(f"{live_server.url}{meeting.get_absolute_url()}")
    attendance = page.locator("#attendance")
    attendance.get_by_label(f"Attended: {lead.display_name}").check()
    attendance.get_by_label(f"Apologies: {member.display_name}").check()
    attendance.get_by_role("button", name="Save attendance and mark the meeting held").click()
    expect(page.locator("#meeting-status")).to_have_text("Held")
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.HELD
    assert dict(meeting.attendances.values_list("member", "status")) == {
        lead.pk: Attendance.Status.ATTENDED,
        member.pk: Attendance.Status.APOLOGIES,
    }
    assert_accessible()

    # --- The next meeting carries the open actions -------------------------------------------
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Meetings").click()
    page.get_by_role("link", name="Plan the next meeting of PACE leads group").click()
    page.get_by_label("Place").fill("Marischal College, room 2")
    page.get_by_role("button", name="Plan the meeting").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("PACE leads group: meeting on")
    following = Meeting.objects.order_by("-starts_at").first()
    assert following.starts_at > meeting.starts_at
    carried_next = _section(page, following.items.get(kind="actions"))
    for description in (
        "Draft the quarterly board report",
        "Book two solicitor slots for South locality",
        "Send last month's figures to the board",
    ):
        expect(carried_next).to_contain_text(description)
    assert_accessible()

    # Usable on a laptop and a tablet: nothing runs off the side of the meeting page.
    for width in (1366, 820):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(f"{live_server.url}{meeting.get_absolute_url()}")
        expect(page.locator(".chart .main-svg").first).to_be_visible(timeout=20_000)
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 1, f"at {width}px the meeting page scrolls sideways by {overflow}px"
