"""The beat schedule: each active group's draft is asked for on its draft day, once, and its
reporter is e-mailed a link when it is built."""

import datetime

import pytest
from django.conf import settings
from django.core import mail

from governance import tasks
from governance.models import GovernanceGroup, Report
from governance.services import reports as services
from pace_hub.celery import app
from pace_hub.roles import Role
from tests.factories import MembershipFactory
from tests.governance.factories import GovernanceGroupFactory, ReportFactory
from tests.governance.reports_data import aim_with_chart

pytestmark = pytest.mark.django_db


@pytest.fixture
def queued(monkeypatch) -> list[int]:
    sent: list[int] = []
    monkeypatch.setattr(tasks.report_build_task, "delay", sent.append)
    return sent


@pytest.fixture
def groups(cast) -> dict[str, GovernanceGroup]:
    make = GovernanceGroupFactory
    return {
        # Q1 (April–June) due 21 July, draft 11 July.
        "board": make(organisation=cast.org, name="Corporate Parenting Board"),
        # June due 14 July, draft 7 July.
        "monthly": make(
            organisation=cast.org,
            name="Chief Officers' Group",
            cadence="monthly",
            due_days_after_period=14,
            draft_days_before_due=7,
        ),
        "inactive": make(organisation=cast.org, name="Old partnership", active=False),
        # Already has its Q1 report (the reporter built it by hand).
        "done": make(organisation=cast.org, name="Children's Services Partnership"),
        # Another council: Q1 due 30 July, draft 25 July.
        "elsewhere": make(
            organisation=cast.other_org,
            name="Corporate Parenting Board",
            due_days_after_period=30,
            draft_days_before_due=5,
        ),
    }


def _asked(day: datetime.date, capture) -> set[tuple[str, str, datetime.date]]:
    with capture(execute=True):
        reports = services.report_drafts_schedule(today=day)
    return {(report.organisation.slug, report.group.name, report.period_start) for report in reports}


def test_which_groups_get_a_draft_on_which_day(cast, groups, queued, django_capture_on_commit_callbacks) -> None:
    ReportFactory(organisation=cast.org, group=groups["done"], period_start=datetime.date(2026, 4, 1))
    capture = django_capture_on_commit_callbacks
    here, there = cast.org.slug, cast.other_org.slug

    assert _asked(datetime.date(2026, 7, 6), capture) == set()
    assert _asked(datetime.date(2026, 7, 7), capture) == {(here, "Chief Officers' Group", datetime.date(2026, 6, 1))}
    assert _asked(datetime.date(2026, 7, 10), capture) == set()  # asked once, not again
    assert _asked(datetime.date(2026, 7, 11), capture) == {
        (here, "Corporate Parenting Board", datetime.date(2026, 4, 1))
    }
    assert _asked(datetime.date(2026, 7, 24), capture) == set()
    assert _asked(datetime.date(2026, 7, 25), capture) == {
        (there, "Corporate Parenting Board", datetime.date(2026, 4, 1))
    }
    # July's monthly report is due 14 August, its draft on 7 August.
    assert _asked(datetime.date(2026, 8, 7), capture) == {(here, "Chief Officers' Group", datetime.date(2026, 7, 1))}

    drafts = Report.objects.filter(notify_reporter=True)
    assert drafts.count() == 4 and len(queued) == 4
    assert not Report.objects.filter(group=groups["inactive"]).exists()
    assert Report.objects.filter(group=groups["done"]).count() == 1


def test_a_missed_beat_still_asks_for_the_draft_before_it_is_due(groups, queued, django_capture_on_commit_callbacks):
    asked = _asked(datetime.date(2026, 7, 20), django_capture_on_commit_callbacks)
    assert ("Corporate Parenting Board", datetime.date(2026, 4, 1)) in {(name, start) for _, name, start in asked}


def test_the_reporter_is_e_mailed_a_link_once_the_draft_is_built(cast, django_capture_on_commit_callbacks) -> None:
    aim_with_chart(cast.org, "Permanence recommendation within 6 months")
    reporter = MembershipFactory(organisation=cast.org, role=Role.LEAD, user__email="reporter@aberdeen.example")
    group = GovernanceGroupFactory(organisation=cast.org, name="Corporate Parenting Board", reporter=reporter)
    with django_capture_on_commit_callbacks(execute=True):
        (report,) = services.report_drafts_schedule(today=datetime.date(2026, 7, 11))
    report.refresh_from_db()
    assert report.status == "done" and report.requested_by is None and report.notified_at is not None

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["reporter@aberdeen.example"]
    assert message.subject == "Draft ready: Corporate Parenting Board: April to June 2026"
    assert f"{settings.SITE_URL}/o/{cast.org.slug}/governance/reports/{report.code}/" in message.body
    assert "It is due on Tuesday 21 July 2026." in message.body
    # The e-mail task delivered again does not send it twice.
    tasks.report_draft_email_task(report.pk)
    assert len(mail.outbox) == 1 and group.reports.count() == 1


def test_a_report_asked_for_by_hand_e_mails_nobody(cast, django_capture_on_commit_callbacks) -> None:
    aim_with_chart(cast.org, "Permanence recommendation within 6 months")
    group = GovernanceGroupFactory(organisation=cast.org, reporter=cast.members[Role.LEAD])
    with django_capture_on_commit_callbacks(execute=True):
        services.report_request(group=group, period_start=datetime.date(2026, 4, 1), requested_by=None)
    assert mail.outbox == []


def test_the_beat_runs_the_draft_schedule_and_the_sweep() -> None:
    schedule = settings.CELERY_BEAT_SCHEDULE
    entries = {entry["task"]: entry["schedule"] for entry in schedule.values()}
    assert entries["governance.tasks.report_drafts_schedule_task"] <= 24 * 60 * 60
    assert entries["governance.tasks.reports_sweep_task"] <= settings.BACKGROUND_STALE_AFTER_SECONDS
    app.loader.import_default_modules()
    assert {"governance.tasks.report_drafts_schedule_task", "governance.tasks.reports_sweep_task"} <= set(app.tasks)
