"""The report pages: who may do what, the files, the progress fragment, issuing and read-only."""

import datetime

import pytest

from governance import tasks
from governance.models import Report
from governance.services import reports as services
from pace_hub.roles import Role
from tests.governance.factories import MeetingFactory, ReportFactory
from tests.governance.reports_data import aim_with_chart, board

pytestmark = pytest.mark.django_db


@pytest.fixture
def group(cast):
    aim_with_chart(cast.org, "Permanence recommendation within 6 months")
    # The reporter is the data lead: a member who is not the reporter may not change reports.
    return board(cast.org, cast.members[Role.DATA])


@pytest.fixture
def built(cast, group, django_capture_on_commit_callbacks) -> Report:
    with django_capture_on_commit_callbacks(execute=True):
        report = services.report_request(
            group=group, period_start=datetime.date(2026, 4, 1), requested_by=cast.members[Role.DATA].user
        )
    report.refresh_from_db()
    assert report.status == "done", report.failure_reason
    return report


def _url(report: Report, name: str = "") -> str:
    return f"/o/{report.organisation.slug}/governance/reports/{report.code}/{name}"


def test_everyone_in_the_organisation_reads_the_report_and_its_files(cast, built) -> None:
    for role in Role:
        client = cast.client(role)
        page = client.get(_url(built))
        assert page.status_code == 200, role
        assert "Permanence recommendation within 6 months" in page.content.decode()
        pdf = client.get(_url(built, "report.pdf"))
        assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
        assert pdf["Content-Disposition"].startswith("attachment;")
        assert b"".join(pdf.streaming_content).startswith(b"%PDF")
        html = client.get(_url(built, "report.html"))
        assert html.status_code == 200 and b"<svg" in b"".join(html.streaming_content)


def test_outsiders_get_404_for_every_report_file(cast, built) -> None:
    outsider = cast.client("outsider")
    for name in ("", "report.pdf", "report.html", "progress/"):
        assert outsider.get(_url(built, name)).status_code == 404, name
        # Their own organisation's address with this organisation's report: still nothing.
        foreign = f"/o/{cast.other_org.slug}/governance/reports/{built.code}/{name}"
        assert outsider.get(foreign).status_code == 404, name
    assert cast.client(None).get(_url(built, "report.pdf")).status_code == 302


def test_viewers_and_members_who_are_not_the_reporter_change_nothing(cast, built) -> None:
    writes = ["narrative/", "issue/", "retry/", "rebuild/"]
    for role, status in ((Role.VIEWER, 403), (Role.MEMBER, 403)):
        client = cast.client(role)
        for name in writes:
            assert client.post(_url(built, name), {"narrative": "x", "asks": ""}).status_code == status, (role, name)
        new = f"/o/{cast.org.slug}/governance/groups/{built.group.code}/reports/new/"
        assert client.post(new, {"period": "2026-01-01"}).status_code == 403
    built.refresh_from_db()
    assert built.narrative == "" and not built.is_issued and Report.objects.count() == 1
    page = cast.client(Role.VIEWER).get(_url(built)).content.decode()
    assert "Issue the report" not in page and "Write the narrative" not in page


def test_the_reporter_writes_the_narrative_and_issues_the_report(cast, built) -> None:
    reporter = cast.client(Role.DATA)
    page = reporter.get(_url(built)).content.decode()
    assert "Write the narrative" in page and "Issue the report" in page

    response = reporter.post(_url(built, "narrative/"), {"narrative": "Panel waits fell.", "asks": "Fund a post."})
    assert response.status_code == 302
    response = reporter.post(_url(built, "issue/"), follow=True)
    assert "is issued. It is now read-only." in response.content.decode()
    built.refresh_from_db()
    assert built.is_issued and built.issued_by == cast.members[Role.DATA].user
    with built.html_file.open("rb") as handle:
        html = handle.read().decode()
    assert "Panel waits fell." in html and "Fund a post." in html and "Issued on" in html


def test_issuing_without_a_narrative_is_refused_and_asks_for_one(cast, built) -> None:
    lead = cast.client(Role.LEAD)
    response = lead.post(_url(built, "issue/"))
    assert response.status_code == 302 and response["Location"] == _url(built, "narrative/")
    page = lead.get(response["Location"]).content.decode()
    assert "Write the narrative before issuing: the board needs your account of the period." in page
    built.refresh_from_db()
    assert not built.is_issued


def test_an_issued_report_is_read_only(cast, built) -> None:
    services.report_narrative_save(report=built, narrative="Steady.", asks="")
    services.report_issue(report=built, user=cast.members[Role.LEAD].user)
    built.refresh_from_db()
    frozen = (built.snapshot, built.narrative, built.html_file.name, built.pdf_file.name)
    lead = cast.client(Role.LEAD)

    narrative = lead.get(_url(built, "narrative/"), follow=True)
    assert "This report is issued and read-only." in narrative.content.decode()
    lead.post(_url(built, "narrative/"), {"narrative": "Rewritten.", "asks": ""})
    again = lead.post(_url(built, "issue/"), follow=True).content.decode()
    assert "This report was already issued on" in again
    rebuilt = lead.post(_url(built, "rebuild/"), follow=True).content.decode()
    assert "This report is issued and read-only; it cannot be rebuilt." in rebuilt
    lead.post(_url(built, "retry/"))

    built.refresh_from_db()
    assert (built.snapshot, built.narrative, built.html_file.name, built.pdf_file.name) == frozen
    page = lead.get(_url(built)).content.decode()
    assert "An issued report is read-only" in page and "Issue the report" not in page


def test_the_progress_fragment_polls_until_the_build_is_over(cast, group, monkeypatch) -> None:
    monkeypatch.setattr(tasks.report_build_task, "delay", lambda report_id: None)
    report = services.report_request(group=group, period_start=datetime.date(2026, 4, 1), requested_by=None)
    client = cast.client(Role.VIEWER)
    page = client.get(_url(report)).content.decode()
    assert 'role="progressbar"' in page and "Waiting for the worker" in page
    waiting = client.get(_url(report, "progress/"))
    assert "HX-Refresh" not in waiting and 'hx-trigger="every 1s"' in waiting.content.decode()

    Report.objects.filter(pk=report.pk).update(status="running", progress=40, progress_message="Drawing chart 1 of 1")
    running = client.get(_url(report, "progress/")).content.decode()
    assert 'aria-valuenow="40"' in running and "Drawing chart 1 of 1" in running

    Report.objects.filter(pk=report.pk).update(status="failed", failure_reason="KeyError: 'x'")
    over = client.get(_url(report, "progress/"))
    assert over["HX-Refresh"] == "true"
    assert "The report could not be built. KeyError: &#x27;x&#x27;" in client.get(_url(report)).content.decode()


def test_files_of_a_report_not_built_yet_send_people_back_to_the_report(cast) -> None:
    report = ReportFactory(organisation=cast.org)
    response = cast.client(Role.VIEWER).get(_url(report, "report.pdf"), follow=True)
    assert response.redirect_chain[-1][0] == _url(report)
    assert "The PDF is not built yet." in response.content.decode()


def test_a_meetings_data_pack_is_asked_for_by_a_lead_or_the_chair(
    cast, monkeypatch, django_capture_on_commit_callbacks
) -> None:
    sent: list[int] = []
    monkeypatch.setattr(tasks.report_build_task, "delay", sent.append)
    meeting = MeetingFactory(organisation=cast.org, chair=cast.members[Role.MEMBER])
    url = f"/o/{cast.org.slug}/governance/meetings/{meeting.code}/data-pack/"
    assert cast.client(Role.VIEWER).post(url).status_code == 403
    assert cast.client(Role.DATA).post(url).status_code == 403  # not the chair
    with django_capture_on_commit_callbacks(execute=True):
        response = cast.client(Role.MEMBER).post(url)
    pack = Report.objects.get(meeting=meeting)
    assert response.status_code == 302 and response["Location"] == pack.get_absolute_url()
    assert pack.kind == "data_pack" and pack.title.startswith(f"Data pack: {meeting.team.name}, ")
    # Asked again while it waits for the worker: the same pack, not sent twice.
    with django_capture_on_commit_callbacks(execute=True):
        cast.client(Role.LEAD).post(url)
    assert Report.objects.filter(meeting=meeting).count() == 1 and sent == [pack.pk]
