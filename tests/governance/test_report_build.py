"""Building a governance report on the worker: the frozen snapshot, idempotency, failures and
retries, builds lost with their worker, and a broker that is down."""

import datetime

import pytest
from celery.exceptions import Retry
from django.core.exceptions import ValidationError
from django.utils import timezone

from aims.models import Aim
from governance import tasks
from governance.models import Report
from governance.reports import snapshot
from governance.reports.charts import ChartRenderError
from governance.services import reports as services
from measures.models import DataPoint
from measures.selectors import hide_small_counts, measure_chart_data
from pace_hub import background
from pace_hub.roles import Role
from tests.background import CLOSED_BROKER, broker_at, queued_messages
from tests.governance.reports_data import aim_with_chart, board

pytestmark = pytest.mark.django_db
Q1 = datetime.date(2026, 4, 1)


@pytest.fixture
def group(cast):
    aim_with_chart(cast.org, "Permanence recommendation within 6 months")
    return board(cast.org, cast.members[Role.MEMBER])


@pytest.fixture
def build(django_capture_on_commit_callbacks):
    """Ask for the group's report and let the (eager) worker build it."""

    def _build(group, period_start=Q1, user=None):
        with django_capture_on_commit_callbacks(execute=True):
            report = services.report_request(group=group, period_start=period_start, requested_by=user)
        report.refresh_from_db()
        return report

    return _build


def _files(report: Report) -> tuple[bytes, bytes]:
    report.refresh_from_db()
    with report.html_file.open("rb") as html, report.pdf_file.open("rb") as pdf:
        return html.read(), pdf.read()


def test_a_built_report_freezes_its_figures_and_charts(cast, group, build) -> None:
    report = build(group, user=cast.members[Role.MEMBER].user)
    assert (report.status, report.progress, report.progress_message) == ("done", 100, "Built")
    assert report.title == "Corporate Parenting Board: April to June 2026"
    assert report.period_end == datetime.date(2026, 6, 30) and report.built_at is not None

    row = report.snapshot["aims"][0]
    assert row["title"] == "Permanence recommendation within 6 months"
    assert row["progress_score"] == "3.0" and row["score_change"] is None  # no earlier report
    assert row["chart"]["svg"].startswith("<svg") and 'class="trace scatter tracecentre-0"' in row["chart"]["svg"]
    # The chart is the viewers' web chart of the same data (board papers withhold small counts).
    aim = Aim.objects.get(code=row["code"])
    assert row["chart"]["payload"] == hide_small_counts(measure_chart_data(aim.outcome_measure)).payload
    assert report.snapshot["period"]["label"] == "April to June 2026"
    assert report.snapshot["viewer"] is True

    html, pdf = _files(report)
    assert pdf.startswith(b"%PDF")
    text = html.decode()
    assert "Permanence recommendation within 6 months" in text and text.count("<svg") >= 1
    assert "Draft, not issued" in text


def test_data_changes_after_building_and_issuing_do_not_change_the_report(cast, group, build) -> None:
    report = build(group)
    frozen, files = report.snapshot, _files(report)
    aim = Aim.objects.get()
    latest_before = frozen["aims"][0]["latest"]["text"]

    # The data move on: a new month far off the chart, a new progress score, a renamed aim.
    DataPoint.objects.create(
        organisation=cast.org, measure=aim.outcome_measure, period=datetime.date(2026, 7, 1), value=99
    )
    Aim.objects.filter(pk=aim.pk).update(progress_score="4.5", title="Renamed aim")
    report.refresh_from_db()
    assert report.snapshot == frozen and _files(report) == files

    services.report_narrative_save(report=report, narrative="Steady progress on panel timescales.", asks="Note it.")
    issued = services.report_issue(report=report, user=cast.members[Role.LEAD].user)
    html_at_issue, _ = _files(issued)
    assert "Steady progress on panel timescales." in html_at_issue.decode()

    DataPoint.objects.filter(measure=aim.outcome_measure).update(value=1)
    Aim.objects.filter(pk=aim.pk).update(progress_score="1.0")
    issued.refresh_from_db()
    assert issued.snapshot == frozen
    assert _files(issued)[0] == html_at_issue
    assert latest_before in html_at_issue.decode() and "Renamed aim" not in html_at_issue.decode()
    # Nothing rebuilds an issued report: a redelivered task leaves it alone.
    assert services.report_build(report_id=issued.pk) is None
    issued.refresh_from_db()
    assert issued.snapshot == frozen and issued.is_issued


def test_the_progress_score_change_is_against_the_groups_previous_report(cast, group, build) -> None:
    first = build(group, period_start=datetime.date(2026, 1, 1))
    assert first.snapshot["aims"][0]["score_change"] is None
    Aim.objects.update(progress_score="3.5")
    second = build(group, period_start=Q1)
    change = second.snapshot["aims"][0]["score_change"]
    assert change == {"direction": "up", "previous": "3.0", "text": "+0.5 since 3.0"}
    assert second.snapshot["previous"]["code"] == str(first.code)


def test_asking_twice_returns_the_same_report_and_builds_it_once(cast, group, build, monkeypatch) -> None:
    sent: list[int] = []
    monkeypatch.setattr(tasks.report_build_task, "delay", sent.append)
    first = build(group)
    second = build(group)
    assert first.pk == second.pk and Report.objects.filter(group=group).count() == 1
    assert sent == [first.pk]


def test_a_repeated_or_redelivered_task_on_a_built_report_does_nothing(group, build) -> None:
    report = build(group)
    html, pdf = _files(report)
    tasks.report_build_task.delay(report.pk)
    tasks.report_build_task.apply(args=[report.pk])
    report.refresh_from_db()
    assert report.attempts == 1 and report.status == "done"
    assert _files(report) == (html, pdf)


def test_a_failed_build_shows_its_reason_and_can_be_retried(
    cast, group, build, monkeypatch, django_capture_on_commit_callbacks
) -> None:
    real = snapshot.governance_snapshot

    def broken(*args, **kwargs):
        raise KeyError("timescales")

    monkeypatch.setattr(snapshot, "governance_snapshot", broken)
    report = build(group)
    assert report.status == "failed" and report.failure_reason == "KeyError: 'timescales'"
    assert not report.html_file and not report.snapshot

    monkeypatch.setattr(snapshot, "governance_snapshot", real)
    with django_capture_on_commit_callbacks(execute=True):
        services.report_retry(report=report, user=cast.members[Role.MEMBER].user)
    report.refresh_from_db()
    assert report.status == "done" and report.failure_reason == "" and report.attempts == 2
    with pytest.raises(ValidationError, match="already built"):
        services.report_retry(report=report, user=None)


def test_a_passing_problem_puts_the_report_back_for_another_attempt(group, build, monkeypatch) -> None:
    def flaky(*args, **kwargs):
        raise ChartRenderError("A chart could not be drawn: took too long")

    monkeypatch.setattr(tasks.report_build_task, "delay", lambda report_id: None)
    report = build(group)
    monkeypatch.setattr(snapshot, "governance_snapshot", flaky)
    with pytest.raises(services.BuildInterrupted):
        services.report_build(report_id=report.pk, final_attempt=False)
    report.refresh_from_db()
    assert report.status == "pending" and report.progress_message.startswith("Trying again after a problem")
    assert report.attempts == 1


def test_the_worker_retries_a_passing_problem_a_bounded_number_of_times(group, build, monkeypatch) -> None:
    def flaky(*args, **kwargs):
        raise ChartRenderError("A chart could not be drawn: took too long")

    monkeypatch.setattr(tasks.report_build_task, "delay", lambda report_id: None)
    report = build(group)
    monkeypatch.setattr(snapshot, "governance_snapshot", flaky)
    resent: list[dict] = []
    monkeypatch.setattr(tasks.report_build_task, "apply_async", lambda *args, **options: resent.append(options))
    task = tasks.report_build_task

    def attempt(retries: int) -> None:
        # As a worker runs it, not eagerly.
        task.push_request(
            retries=retries, is_eager=False, called_directly=False, id="build", args=[report.pk], kwargs={}
        )
        try:
            task.run(report.pk)
        finally:
            task.pop_request()

    for retries in range(tasks.BUILD_RETRIES):
        with pytest.raises(Retry):
            attempt(retries)
        report.refresh_from_db()
        assert report.status == "pending"
    assert [options["retries"] for options in resent] == [1, 2]
    assert all(options["countdown"] > 0 for options in resent)

    attempt(tasks.BUILD_RETRIES)  # the last: no more retries, the report fails with the reason
    report.refresh_from_db()
    assert len(resent) == tasks.BUILD_RETRIES and report.attempts == tasks.BUILD_RETRIES + 1
    assert report.status == "failed" and report.failure_reason == "A chart could not be drawn: took too long"


def test_run_in_the_request_a_passing_problem_fails_at_once_with_its_reason(group, build, monkeypatch) -> None:
    def flaky(*args, **kwargs):
        raise ChartRenderError("The chart browser (/usr/bin/chromium) did not start: gone")

    monkeypatch.setattr(snapshot, "governance_snapshot", flaky)
    report = build(group)
    assert report.status == "failed" and report.attempts == 1
    assert report.failure_reason == "The chart browser (/usr/bin/chromium) did not start: gone"


def test_a_build_lost_with_its_worker_is_stalled_then_swept_to_failed(cast, group, build, monkeypatch) -> None:
    monkeypatch.setattr(tasks.report_build_task, "delay", lambda report_id: None)
    report = build(group)
    now = timezone.now()
    Report.objects.filter(pk=report.pk).update(
        status="running", heartbeat_at=now - datetime.timedelta(minutes=2), build_task_id="first-delivery"
    )
    report.refresh_from_db()
    assert not report.is_stalled()
    # A live build is left to its worker: another task (a duplicate) does nothing.
    assert services.report_build(report_id=report.pk, task_id="another-task") is None
    assert services.reports_sweep(now=now) == 0

    later = now + datetime.timedelta(minutes=9)
    assert report.is_stalled(later)
    assert services.reports_sweep(now=later) == 1
    report.refresh_from_db()
    assert report.status == "failed"
    assert report.failure_reason.startswith("The worker building this report stopped without finishing")


def test_the_same_task_delivered_again_takes_over_the_build_its_killed_worker_left(group, build, monkeypatch):
    monkeypatch.setattr(tasks.report_build_task, "delay", lambda report_id: None)
    report = build(group)
    # A worker claimed it and was killed a moment ago: its heartbeat is fresh.
    Report.objects.filter(pk=report.pk).update(
        status="running", attempts=1, heartbeat_at=timezone.now(), build_task_id="outbox-7"
    )
    services.report_build(report_id=report.pk, task_id="outbox-7")  # the message, redelivered
    report.refresh_from_db()
    assert report.status == "done" and report.attempts == 2


def test_a_task_takes_over_a_build_whose_heartbeat_is_old(group, build, monkeypatch) -> None:
    monkeypatch.setattr(tasks.report_build_task, "delay", lambda report_id: None)
    report = build(group)
    Report.objects.filter(pk=report.pk).update(
        status="running", attempts=1, heartbeat_at=timezone.now() - datetime.timedelta(minutes=30)
    )
    report.refresh_from_db()
    assert report.is_stalled()
    services.report_build(report_id=report.pk, task_id="a-later-task")
    report.refresh_from_db()
    assert report.status == "done" and report.attempts == 2


def test_the_stalled_page_says_why_and_offers_a_retry(cast, group, build, monkeypatch) -> None:
    monkeypatch.setattr(tasks.report_build_task, "delay", lambda report_id: None)
    report = build(group)
    Report.objects.filter(pk=report.pk).update(
        status="running", heartbeat_at=timezone.now() - datetime.timedelta(minutes=25)
    )
    page = cast.client(Role.MEMBER).get(report.get_absolute_url())  # the group's reporter
    text = page.content.decode()
    assert "Building has stopped: the worker has given no sign of life since" in text
    assert "Try again" in text
    assert "Try again" not in cast.client(Role.VIEWER).get(report.get_absolute_url()).content.decode()


@pytest.mark.django_db(transaction=True)
def test_with_the_broker_down_the_request_is_saved_and_built_when_it_is_back(cast, group) -> None:
    client = cast.client(Role.MEMBER)
    with broker_at(CLOSED_BROKER):
        response = client.post(
            f"/o/{cast.org.slug}/governance/groups/{group.code}/reports/new/", {"period": "2026-04-01"}, follow=True
        )
    report = Report.objects.get(group=group)
    assert response.status_code == 200 and response.redirect_chain[-1][0] == report.get_absolute_url()
    assert report.status == "pending"
    assert "building starts as soon as it is back" in response.content.decode()

    # The broker is back: the outbox sends the request and a worker builds the report.
    with broker_at("memory://") as queue:
        assert background.outbox_sweep() == 1
        for name, task_id, args in queued_messages(queue):
            assert name == "governance.tasks.report_build_task"
            tasks.report_build_task(*args)
            background.task_done(task_id)
    report.refresh_from_db()
    assert report.status == "done"
    assert "building starts as soon as it is back" not in client.get(report.get_absolute_url()).content.decode()


def test_an_inactive_group_or_a_wrong_period_is_refused(group) -> None:
    with pytest.raises(ValidationError, match="No quarterly reporting period starts on 1 May 2026"):
        services.report_request(group=group, period_start=datetime.date(2026, 5, 1), requested_by=None)
    group.active = False
    group.save()
    with pytest.raises(ValidationError, match="is no longer active"):
        services.report_request(group=group, period_start=Q1, requested_by=None)
    assert not Report.objects.exists()


def test_a_meetings_data_pack_freezes_the_agendas_charts_and_actions(cast, django_capture_on_commit_callbacks) -> None:
    from governance.models import AgendaItem
    from tests.governance.factories import ActionFactory, AgendaItemFactory, MeetingFactory
    from tests.pdsa.factories import PDSACycleFactory, PredictionFactory

    aim = aim_with_chart(cast.org, "Panel within 12 weeks")
    earlier = MeetingFactory(organisation=cast.org, starts_at=timezone.now() - datetime.timedelta(days=28))
    meeting = MeetingFactory(organisation=cast.org, team=earlier.team, chair=cast.members[Role.LEAD])
    cycle = PDSACycleFactory(change_idea__organisation=cast.org, status="study", learning="Booking early works.")
    PredictionFactory(cycle=cycle, result="Booked in 8 days")
    # Described as the live agenda describes an aim's review: its statement, then what is shown.
    AgendaItemFactory(
        organisation=cast.org,
        meeting=meeting,
        kind=AgendaItem.Kind.AIM_REVIEW,
        aim=aim,
        title=aim.title,
        description=f"{aim.statement} Its outcome chart and its process and balancing measures.",
    )
    AgendaItemFactory(organisation=cast.org, meeting=meeting, kind=AgendaItem.Kind.TESTING, cycle=cycle, title="Study")
    overdue = ActionFactory(
        organisation=cast.org,
        meeting=earlier,
        owner=cast.members[Role.MEMBER],
        description="Book the legal advice slot",
        due_on=timezone.localdate() - datetime.timedelta(days=3),
    )

    with django_capture_on_commit_callbacks(execute=True):
        pack = services.data_pack_request(meeting=meeting, requested_by=cast.members[Role.LEAD].user)
    pack.refresh_from_db()
    assert pack.status == "done", pack.failure_reason
    review, testing = pack.snapshot["entries"]
    assert review["review"]["title"] == "Panel within 12 weeks" and review["review"]["chart"]["svg"].startswith("<svg")
    assert testing["cycle"]["learning"] == "Booking early works."
    assert testing["cycle"]["predictions"][0]["result"] == "Booked in 8 days"
    assert pack.snapshot["open_actions"] == [
        {
            "description": overdue.description,
            "owner": cast.members[Role.MEMBER].display_name,
            "due_on": overdue.due_on.isoformat(),
            "due_text": f"{overdue.due_on:%-d %b %Y}",
            "status": "Open",
            "open": True,
            "overdue": True,
        }
    ]
    with pack.html_file.open("rb") as handle:
        html = handle.read().decode()
    assert "Book the legal advice slot" in html and "(overdue)" in html and "<svg" in html
    assert aim.statement and html.count(aim.statement) == 1  # the description holds it; not printed twice

    # Asked again once built: rebuilt from today's data, still one pack for the meeting.
    built_at = pack.built_at
    with django_capture_on_commit_callbacks(execute=True):
        again = services.data_pack_request(meeting=meeting, requested_by=None)
    again.refresh_from_db()
    assert again.pk == pack.pk and again.status == "done" and again.built_at > built_at
    assert Report.objects.filter(meeting=meeting).count() == 1


def test_a_data_pack_brings_the_decisions_ideas_and_feedback_waiting_on_the_group(
    cast, django_capture_on_commit_callbacks
) -> None:
    """As the live agenda shows them: a pack read before the meeting says what the group has to
    decide, triage and answer, not only its charts and actions."""
    from governance.models import AgendaItem
    from tests.governance.factories import AgendaItemFactory, MeetingFactory
    from tests.governance.meeting_data import awaiting_approval
    from tests.pdsa.factories import ChangeIdeaFactory, FeedbackFactory, IdeaSubmissionFactory

    meeting = MeetingFactory(organisation=cast.org, chair=cast.members[Role.LEAD])
    for kind, title in [
        (AgendaItem.Kind.DECISIONS, "Implementation decisions"),
        (AgendaItem.Kind.IDEAS, "Ideas inbox"),
        (AgendaItem.Kind.LISTENING, "Listening"),
        (AgendaItem.Kind.AOB, "Any other business"),
    ]:
        AgendaItemFactory(organisation=cast.org, meeting=meeting, kind=kind, title=title, description="")
    implementation = awaiting_approval(cast.org, cast.members[Role.ADMIN])
    ChangeIdeaFactory(organisation=cast.org, title="Panel dates set at placement", status="ready")
    IdeaSubmissionFactory.create_batch(2, organisation=cast.org, what="Reports reach the panel late")
    FeedbackFactory(
        organisation=cast.org,
        voice="parent",
        received_on=datetime.date(2026, 4, 2),
        change_idea=implementation.change_idea,
        text="Nobody told me the date of the hearing.",
    )

    with django_capture_on_commit_callbacks(execute=True):
        pack = services.data_pack_request(meeting=meeting, requested_by=cast.members[Role.LEAD].user)
    pack.refresh_from_db()
    assert pack.status == "done", pack.failure_reason
    decisions, ideas, listening, other = pack.snapshot["entries"]
    assert decisions["decisions"] == {
        "awaiting": [
            {
                "idea": "Legal advice at the review",
                "decided": "3 Mar 2026",
                "meeting": "PACE leads group",
                "waiting_for": [cast.members[Role.ADMIN].display_name],
            }
        ],
        "ready": ["Panel dates set at placement"],
    }
    assert ideas["ideas_waiting"] == 2
    assert listening["feedback"] == [
        {"voice": "Parent", "received": "2 Apr 2026", "about": "Legal advice at the review"}
    ]
    assert "decisions" not in other and "feedback" not in other
    with pack.html_file.open("rb") as handle:
        html = handle.read().decode()
    admin = cast.members[Role.ADMIN].display_name
    assert f"Legal advice at the review: decided 3 Mar 2026 at PACE leads group; waiting for {admin}" in html
    assert "Panel dates set at placement" in html
    assert "2 ideas or barriers waiting for the leads to triage" in html
    assert "Reports reach the panel late" not in html  # the submissions stay with the leads
    assert "Nobody told me" not in html and '<th scope="row">Parent</th><td>2 Apr 2026</td>' in html
    assert "Any other business</h2>" not in html  # nothing to bring: on the agenda only
