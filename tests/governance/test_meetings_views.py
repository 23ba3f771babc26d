"""Meeting pages with the cast: the list, planning, the meeting page with its live agenda, minutes
saved in place (htmx) and without JavaScript, Study and Act from the agenda, actions, reordering,
finalising, printing and the PDF; viewers read but change nothing, outsiders get 404; the list
and the meeting page run a constant number of queries."""

import datetime

import pytest
from django.urls import reverse

from aims.models import Aim
from governance.models import Action, AgendaItem, Meeting, Report
from governance.services.meetings import meeting_create
from pace_hub.models import Team
from pace_hub.roles import Role
from pdsa.models import PDSACycle
from pdsa.services.testing import cycle_do_update
from tests.aims.factories import AimFactory, AimMeasureFactory
from tests.factories import TeamFactory
from tests.governance.factories import ActionFactory, MeetingFactory
from tests.governance.meeting_data import at, awaiting_approval
from tests.measures.factories import monthly_points
from tests.pdsa.factories import (
    FeedbackFactory,
    IdeaSubmissionFactory,
    PDSACycleFactory,
    PredictionFactory,
)

pytestmark = pytest.mark.django_db
K = AgendaItem.Kind
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def leads(cast, time_machine) -> Team:
    time_machine.move_to(at("2026-03-10", 9), tick=False)
    return TeamFactory(organisation=cast.org, name="PACE leads group", kind=Team.Kind.LEADS)


def _fill(cast, team: Team, n: int, first: int = 0) -> None:
    """n of everything a leads-group agenda shows, changed since the team's last meeting."""
    for i in range(first, first + n):
        measure = AimMeasureFactory(organisation=cast.org, title=f"Outcome {i}")
        monthly_points(measure, [40 + i, 45, 50, 55, 60])
        AimFactory(organisation=cast.org, title=f"Aim {i}", status=Aim.Status.ACTIVE, outcome_measure=measure)
        cycle = PDSACycleFactory(organisation=cast.org, change_idea__organisation=cast.org, lead=cast.members["lead"])
        PredictionFactory(cycle=cycle)
        cycle_do_update(cycle=cycle, what_happened=f"Tried it {i}", observations="", problems="")
        IdeaSubmissionFactory(organisation=cast.org, what=f"Idea {i}")
        FeedbackFactory(organisation=cast.org, text=f"Voice {i}")
        earlier = MeetingFactory(
            organisation=cast.org, team=team, starts_at=at("2026-01-01") + datetime.timedelta(days=i)
        )
        ActionFactory(organisation=cast.org, meeting=earlier, owner=cast.members["member"], description=f"Carried {i}")


def _meeting(cast, team: Team) -> Meeting:
    return meeting_create(team=team, starts_at=at("2026-03-17"), place="Marischal College")


def _item(meeting: Meeting, kind: str) -> AgendaItem:
    return meeting.items.filter(kind=kind).order_by("position").first()


def test_the_list_shows_each_team_and_leads_plan_the_next_meeting(cast, leads) -> None:
    MeetingFactory(organisation=cast.org, team=leads, starts_at=at("2026-02-10"))
    url = reverse("meetings", args=[cast.org.slug])
    page = cast.client(Role.LEAD).get(url).content.decode()
    assert "PACE leads group" in page and "Plan the next meeting" in page
    assert "Tuesday 10 March 2026, 10:00" in page  # a month after the last meeting
    member = cast.client(Role.MEMBER).get(url).content.decode()
    assert "PACE leads group" in member and "Plan the next meeting" not in member


def test_a_lead_plans_a_meeting_and_its_agenda_is_filled_in(cast, leads) -> None:
    leads.members.add(cast.members[Role.MEMBER])
    url = reverse("meeting_create", args=[cast.org.slug, leads.code])
    form = cast.client(Role.LEAD).get(url).content.decode()
    assert 'value="2026-03-17T10:00"' in form  # no meeting yet: a weekday a week from now
    response = cast.client(Role.LEAD).post(
        url,
        {
            "starts_at": "2026-03-17T10:00",
            "ends_time": "12:00",
            "place": "Marischal College",
            "chair": cast.members[Role.LEAD].pk,
            "attendees": [cast.members[Role.MEMBER].pk],
        },
    )
    meeting = Meeting.objects.get()
    assert response.status_code == 302 and response["Location"] == meeting.get_absolute_url()
    assert meeting.ends_at == at("2026-03-17", 12)
    assert meeting.items.count() == 8
    assert meeting.attendances.count() == 2
    refused = cast.client(Role.LEAD).post(url, {"starts_at": "2026-03-24T10:00", "place": "", "online_link": ""})
    assert refused.status_code == 200 and "Say where the meeting is" in refused.content.decode()
    assert cast.client(Role.MEMBER).post(url, {"starts_at": "2026-03-24T10:00", "place": "x"}).status_code == 403


def test_the_meeting_page_shows_the_live_agenda(cast, leads) -> None:
    _fill(cast, leads, 1)
    meeting = _meeting(cast, leads)
    page = cast.client(Role.LEAD).get(meeting.get_absolute_url()).content.decode()
    assert "Aims and data review: Aim 0" in page
    assert 'data-measure-chart="aim-chart-' in page
    assert "Testing reflection:" in page and "Save Study" in page and "Save Act" in page
    assert "Idea 0" in page and "Voice 0" in page and "Carried 0" in page
    assert "Finalise the agenda" in page and "Move up" in page
    viewer = cast.client(Role.VIEWER).get(meeting.get_absolute_url()).content.decode()
    assert "Aims and data review: Aim 0" in viewer and "Carried 0" in viewer
    assert "Save minutes" not in viewer and "Save Study" not in viewer and "Move up" not in viewer
    assert "Idea 0" not in viewer and "1 idea or barrier waiting" in viewer  # only leads read the inbox
    assert cast.client("outsider").get(meeting.get_absolute_url()).status_code == 404


def test_decisions_awaiting_approval_link_to_the_meeting_that_took_them(cast, leads) -> None:
    earlier = MeetingFactory(organisation=cast.org, team=leads, starts_at=at("2026-03-03", 14))
    awaiting_approval(cast.org, cast.members[Role.ADMIN])
    meeting = _meeting(cast, leads)
    page = cast.client(Role.VIEWER).get(meeting.get_absolute_url()).content.decode()
    decisions = page[page.index('data-testid="decisions-awaiting"') :]
    assert "Legal advice at the review" in decisions
    assert f'<a href="{earlier.get_absolute_url()}">PACE leads group</a>' in decisions
    assert f"waiting for {cast.members[Role.ADMIN].display_name}" in decisions


def test_viewers_see_small_counts_on_agenda_charts_as_suppressed(cast, leads) -> None:
    from measures.milestones.pathway import pathway_create_defaults
    from measures.models import DataPoint, Measure

    pathway_create_defaults(organisation=cast.org)
    waiting = Measure.objects.filter(organisation=cast.org, derivation=Measure.Derivation.WAITING).first()
    for month, value in enumerate([7, 3, 0, 12], start=1):
        DataPoint.objects.create(
            organisation=cast.org, measure=waiting, period=datetime.date(2025, month, 1), value=value
        )
    AimFactory(organisation=cast.org, title="Fewer waiting", status=Aim.Status.ACTIVE, outcome_measure=waiting)
    meeting = _meeting(cast, leads)
    viewer = cast.client(Role.VIEWER).get(meeting.get_absolute_url())
    (review,) = [entry.review for entry in viewer.context["content"].entries if entry.review]
    assert [point["y"] for point in review.chart.payload["points"]] == [7, None, 0, 12]
    assert "&lt;5" in viewer.content.decode()  # shown as suppressed, never as 0
    lead = cast.client(Role.LEAD).get(meeting.get_absolute_url())
    (review,) = [entry.review for entry in lead.context["content"].entries if entry.review]
    assert [point["y"] for point in review.chart.payload["points"]] == [7, 3, 0, 12]


def test_an_aims_group_meeting_shows_its_aims_measures(cast, leads) -> None:
    group = TeamFactory(organisation=cast.org, name="Legal aims group", kind=Team.Kind.AIMS)
    outcome = AimMeasureFactory(organisation=cast.org, title="Outcome of the legal aim")
    process = AimMeasureFactory(organisation=cast.org, title="Days to legal advice", kind="process", unit="days")
    monthly_points(process, [30, 28, 25])
    aim = AimFactory(
        organisation=cast.org, title="Legal aim", status=Aim.Status.ACTIVE, aims_group=group, outcome_measure=outcome
    )
    aim.measures.add(process)
    meeting = _meeting(cast, group)
    page = cast.client(Role.MEMBER).get(meeting.get_absolute_url()).content.decode()
    table = page[page.index("Process and balancing measures of Legal aim") :]
    assert "Days to legal advice" in table and "25 days" in table


def test_minutes_are_saved_in_place_with_htmx_and_without_javascript(cast, leads) -> None:
    meeting = _meeting(cast, leads)
    item = _item(meeting, K.STANDING_PACE)
    url = reverse("item_minutes", args=[cast.org.slug, item.code])
    data = {f"minutes-{item.pk}-minutes": "Agreed the PACE plan.", f"minutes-{item.pk}-decisions": "Adopt it."}
    response = cast.client(Role.MEMBER).post(url, data)
    assert response.status_code == 302 and response["Location"].endswith(f"#item-{item.code}")
    item.refresh_from_db()
    assert (item.minutes, item.decisions) == ("Agreed the PACE plan.", "Adopt it.")
    data[f"minutes-{item.pk}-minutes"] = "Agreed the PACE plan, with changes."
    swapped = cast.client(Role.MEMBER).post(url, data, **HTMX)
    assert swapped.status_code == 200 and "✓ Minutes saved." in swapped.content.decode()
    item.refresh_from_db()
    assert item.minutes == "Agreed the PACE plan, with changes."
    assert cast.client(Role.VIEWER).post(url, data).status_code == 403


def test_study_and_act_are_done_from_the_agenda(cast, leads) -> None:
    cycle = PDSACycleFactory(organisation=cast.org, change_idea__organisation=cast.org)
    prediction = PredictionFactory(cycle=cycle)
    cycle_do_update(cycle=cycle, what_happened="Held in 12 days", observations="", problems="")
    meeting = _meeting(cast, leads)
    item = _item(meeting, K.TESTING)
    assert item.cycle == cycle
    client = cast.client(Role.MEMBER)
    act_url = reverse("item_act", args=[cast.org.slug, item.code])
    early = client.post(act_url, {f"act-{item.pk}-decision": "adopt"})
    assert early.status_code == 400 and "Write what you learned (Study)" in early.content.decode()
    study = client.post(
        reverse("item_study", args=[cast.org.slug, item.code]),
        {f"study-{item.pk}-result_{prediction.pk}": "Yes, 12 days", f"study-{item.pk}-learning": "It works."},
        **HTMX,
    )
    assert "✓ Study saved. Status: Deciding." in study.content.decode()
    act = client.post(act_url, {f"act-{item.pk}-decision": "adopt", f"act-{item.pk}-next_steps": ""})
    assert act.status_code == 302 and act["Location"] == f"{meeting.get_absolute_url()}#item-{item.code}"
    cycle.refresh_from_db()
    prediction.refresh_from_db()
    assert (cycle.status, cycle.decision, cycle.learning, prediction.result) == (
        PDSACycle.Status.COMPLETE,
        "adopt",
        "It works.",
        "Yes, 12 days",
    )
    assert cast.client(Role.VIEWER).post(act_url, {}).status_code == 403


def test_actions_are_added_from_an_item_with_clear_refusals(cast, leads) -> None:
    meeting = _meeting(cast, leads)
    item = _item(meeting, K.STANDING_PACE)
    url = reverse("action_create", args=[cast.org.slug, item.code])
    p = f"action-{item.pk}"
    client = cast.client(Role.MEMBER)
    early = client.post(
        url, {f"{p}-description": "Book", f"{p}-owner": cast.members[Role.LEAD].pk, f"{p}-due_on": "2026-03-16"}
    )
    assert early.status_code == 400 and "cannot be before the meeting (17 March 2026)" in early.content.decode()
    stranger = client.post(
        url, {f"{p}-description": "Book", f"{p}-owner": cast.outsider.pk, f"{p}-due_on": "2026-04-01"}
    )
    assert "Choose a member of Aberdeen City" in stranger.content.decode()
    added = client.post(
        url,
        {f"{p}-description": "Book the panel", f"{p}-owner": cast.members[Role.LEAD].pk, f"{p}-due_on": "2026-04-01"},
    )
    assert added.status_code == 302
    action = Action.objects.get()
    assert (action.item, action.meeting, action.owner, action.created_by) == (
        item,
        meeting,
        cast.members[Role.LEAD],
        cast.members[Role.MEMBER].user,
    )
    done = client.post(reverse("action_status", args=[cast.org.slug, action.code]), {"status": "done", "next": "/evil"})
    action.refresh_from_db()
    assert action.status == Action.Status.DONE and done["Location"] == "/evil"  # a path on this site is allowed
    offsite = client.post(
        reverse("action_status", args=[cast.org.slug, action.code]), {"status": "open", "next": "https://evil.example"}
    )
    assert offsite["Location"] == meeting.get_absolute_url()
    assert cast.client(Role.VIEWER).post(url, {}).status_code == 403


def test_the_action_page_edits_links_and_refuses_a_dropped_action_without_a_reason(cast, leads) -> None:
    meeting = _meeting(cast, leads)
    action = ActionFactory(
        organisation=cast.org, meeting=meeting, owner=cast.members[Role.MEMBER], due_on=datetime.date(2026, 4, 1)
    )
    aim = AimFactory(organisation=cast.org, title="Linked aim")
    url = reverse("action_edit", args=[cast.org.slug, action.code])
    base = {"description": "Book it", "owner": cast.members[Role.MEMBER].pk, "due_on": "2026-04-01", "aim": aim.pk}
    refused = cast.client(Role.MEMBER).post(url, base | {"status": "dropped"})
    assert refused.status_code == 200 and "Say why the action is dropped." in refused.content.decode()
    saved = cast.client(Role.MEMBER).post(url, base | {"status": "dropped", "closed_note": "Overtaken by events"})
    assert saved.status_code == 302
    action.refresh_from_db()
    assert (action.status, action.aim, action.closed_note) == ("dropped", aim, "Overtaken by events")


def test_leads_reorder_add_remove_and_finalise(cast, leads) -> None:
    meeting = _meeting(cast, leads)
    first, second = meeting.items.order_by("position")[:2]
    lead = cast.client(Role.LEAD)
    moved = lead.post(reverse("item_move", args=[cast.org.slug, second.code]), {"direction": "up"}, **HTMX)
    assert "Moved up: " in moved.content.decode()
    assert list(meeting.items.order_by("position")[:2]) == [second, first]
    edge = lead.post(reverse("item_move", args=[cast.org.slug, second.code]), {"direction": "up"})
    assert edge.status_code == 302
    assert (
        cast.client(Role.MEMBER)
        .post(reverse("item_move", args=[cast.org.slug, first.code]), {"direction": "up"})
        .status_code
        == 403
    )
    added = lead.post(reverse("item_create", args=[cast.org.slug, meeting.code]), {"new-item-title": "Training plan"})
    assert added.status_code == 302
    assert [i.title for i in meeting.items.order_by("position")][-2:] == ["Training plan", "Any other business"]
    new = meeting.items.get(title="Training plan")
    lead.post(reverse("item_delete", args=[cast.org.slug, new.code]))
    assert not meeting.items.filter(title="Training plan").exists()
    lead.post(reverse("meeting_finalise", args=[cast.org.slug, meeting.code]))
    meeting.refresh_from_db()
    assert meeting.agenda_finalised_at is not None
    pack = Report.objects.get(meeting=meeting, kind=Report.Kind.DATA_PACK)
    page = cast.client(Role.VIEWER).get(meeting.get_absolute_url()).content.decode()
    assert pack.get_absolute_url() in page


def test_the_lead_records_attendance_and_marks_the_meeting_held(cast, leads, time_machine) -> None:
    meeting = meeting_create(
        team=leads, starts_at=at("2026-03-10", 9), place="Room 2", attendees=[cast.members[Role.MEMBER]]
    )
    record = meeting.attendances.get()
    url = reverse("meeting_hold", args=[cast.org.slug, meeting.code])
    refused = cast.client(Role.LEAD).post(url, {f"status_{record.pk}": "apologies"})
    assert refused.status_code == 400 and "Record who attended" in refused.content.decode()
    held = cast.client(Role.LEAD).post(
        url, {f"status_{record.pk}": "attended", "also_attended": [cast.members[Role.ADMIN].pk]}
    )
    assert held.status_code == 302
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.HELD and meeting.attendances.filter(status="attended").count() == 2
    assert cast.client(Role.MEMBER).post(url, {}).status_code == 403


def test_printable_agenda_and_minutes_and_the_pdf(cast, leads) -> None:
    _fill(cast, leads, 1)
    meeting = _meeting(cast, leads)
    item = _item(meeting, K.STANDING_PACE)
    item.minutes = "The plan was agreed."
    item.save()
    printable = cast.client(Role.VIEWER).get(reverse("meeting_print", args=[cast.org.slug, meeting.code]))
    text = printable.content.decode()
    assert "agenda and minutes" in text and "The plan was agreed." in text and "css/governance.css" in text
    pdf = cast.client(Role.VIEWER).get(reverse("meeting_pdf", args=[cast.org.slug, meeting.code]))
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF") and len(pdf.content) > 5000


def test_print_css_hides_the_navigation() -> None:
    from pathlib import Path

    css = (Path(__file__).resolve().parents[2] / "static/css/governance.css").read_text()
    print_rules = css[css.index("@media print") :]
    assert "header" in print_rules and "nav" in print_rules and ".no-print" in print_rules


def test_the_meeting_page_and_list_run_constant_queries(
    cast, leads, time_machine, django_assert_num_queries, django_assert_max_num_queries
) -> None:
    client = cast.client(Role.LEAD)
    _fill(cast, leads, 1)
    small = _meeting(cast, leads)
    client.get(small.get_absolute_url())
    with django_assert_max_num_queries(30) as first:
        client.get(small.get_absolute_url())
    with django_assert_max_num_queries(12) as first_list:
        client.get(reverse("meetings", args=[cast.org.slug]))
    time_machine.move_to(at("2026-03-20"), tick=False)
    _fill(cast, leads, 5, first=1)
    client = cast.client(Role.LEAD)  # a new sign-in: the idle session ended while the clock moved on
    large = meeting_create(team=leads, starts_at=at("2026-03-24"), place="Marischal College")
    assert large.items.filter(kind=K.AIM_REVIEW).count() == 6 and large.items.filter(kind=K.TESTING).count() == 5
    for item in large.items.all():
        ActionFactory(organisation=cast.org, meeting=large, item=item, owner=cast.members["member"])
    with django_assert_num_queries(len(first.captured_queries)):
        response = client.get(large.get_absolute_url())
    assert "Aims and data review: Aim 5" in response.content.decode()
    with django_assert_num_queries(len(first_list.captured_queries)):
        client.get(reverse("meetings", args=[cast.org.slug]))


def test_my_actions_on_the_home_page_flag_the_overdue(cast, time_machine) -> None:
    time_machine.move_to(at("2026-03-10"), tick=False)
    me = cast.members[Role.MEMBER]
    meeting = MeetingFactory(organisation=cast.org, starts_at=at("2026-02-10"))
    ActionFactory(
        organisation=cast.org,
        meeting=meeting,
        owner=me,
        description="Send the panel papers",
        due_on=datetime.date(2026, 3, 1),
    )
    ActionFactory(
        organisation=cast.org,
        meeting=meeting,
        owner=me,
        description="Book the review",
        due_on=datetime.date(2026, 4, 1),
    )
    ActionFactory(organisation=cast.org, meeting=meeting, owner=cast.members[Role.LEAD], description="Not mine")
    page = cast.client(Role.MEMBER).get(reverse("org_home", args=[cast.org.slug])).content.decode()
    section = page[page.index('id="my-actions"') : page.index('id="my-work-heading"')]
    assert "Send the panel papers" in section and "Book the review" in section and "Not mine" not in section
    overdue_row = section[section.index("Send the panel papers") : section.index("Book the review")]
    assert "Overdue" in overdue_row
    assert "Overdue" not in section[section.index("Book the review") :]


def test_my_actions_cost_one_query_whatever_their_number(
    cast, django_assert_num_queries, django_assert_max_num_queries
) -> None:
    me = cast.members[Role.MEMBER]
    client = cast.client(Role.MEMBER)
    url = reverse("org_home", args=[cast.org.slug])
    ActionFactory(organisation=cast.org, owner=me, aim=AimFactory(organisation=cast.org))
    client.get(url)
    with django_assert_max_num_queries(20) as first:
        client.get(url)
    for _ in range(6):
        cycle = PDSACycleFactory(organisation=cast.org, change_idea__organisation=cast.org)
        ActionFactory(organisation=cast.org, owner=me, cycle=cycle)
    with django_assert_num_queries(len(first.captured_queries)):
        page = client.get(url).content.decode()
    assert page.count("Mark done") == 7
