"""The real path for reports: asked for in the web process, built by a Celery worker consuming
from the Redis broker, against the same database (CI sets REDIS_URL; PostgreSQL recommended).

    REDIS_URL=redis://127.0.0.1:6379/2 DATABASE_URL=postgres://postgres@127.0.0.1:5432/pace_h2 \\
        .venv/bin/python -m pytest -m worker tests/governance/test_report_worker.py
"""

import datetime
import os
import time
import uuid

import pytest
from celery.contrib.testing.worker import start_worker

from governance import tasks
from governance.models import Report
from governance.services import reports as services
from measures.models import DataPoint
from pace_hub.celery import app
from pace_hub.roles import Role
from tests.background import broker_at, table_locked, wait_for, workers
from tests.governance.reports_data import aim_with_chart, board

pytestmark = [
    pytest.mark.worker,
    pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs REDIS_URL (a Redis broker)"),
]


@pytest.fixture
def redis_worker():
    queue = f"test-reports-{uuid.uuid4().hex[:8]}"
    saved = {key: app.conf[key] for key in ("task_always_eager", "task_default_queue", "broker_url")}
    app.conf.update(task_always_eager=False, task_default_queue=queue, broker_url=os.environ["REDIS_URL"])
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
            yield
    finally:
        app.conf.update(saved)


def _wait_for(report: Report, statuses: set[str], seconds: float = 90) -> Report:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        report.refresh_from_db()
        if report.status in statuses:
            return report
        time.sleep(0.2)
    raise AssertionError(f"report still {report.status} ({report.progress}%: {report.progress_message})")


@pytest.mark.django_db(transaction=True)
def test_a_worker_builds_the_report_end_to_end_through_redis(cast, redis_worker) -> None:
    aim_with_chart(cast.org, "Permanence recommendation within 6 months")
    aim_with_chart(cast.org, "Panel within 12 weeks", score="2.5")
    group = board(cast.org, cast.members[Role.MEMBER])

    report = services.report_request(
        group=group, period_start=datetime.date(2026, 4, 1), requested_by=cast.members[Role.MEMBER].user
    )
    assert report.status == "pending"
    report = _wait_for(report, {"done", "failed"})
    assert report.status == "done", report.failure_reason
    assert report.attempts == 1 and report.heartbeat_at is not None
    assert [row["title"] for row in report.snapshot["aims"]] == [
        "Panel within 12 weeks",
        "Permanence recommendation within 6 months",
    ]
    with report.pdf_file.open("rb") as pdf, report.html_file.open("rb") as html:
        assert pdf.read().startswith(b"%PDF")
        assert html.read().decode().count("<svg") >= 2

    # The same task delivered again (as after a lost acknowledgement) leaves the report alone.
    built_at = report.built_at
    tasks.report_build_task.delay(report.pk)
    time.sleep(3)
    report.refresh_from_db()
    assert (report.attempts, report.built_at, report.status) == (1, built_at, "done")
    assert app.conf.broker_url.startswith("redis://")


@pytest.fixture
def start_worker_process():
    with broker_at(os.environ["REDIS_URL"]) as queue, workers(queue) as start:
        yield start


@pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="needs PostgreSQL (DATABASE_URL): the worker process must share the test database",
)
@pytest.mark.django_db(transaction=True)
def test_a_pool_process_killed_mid_build_is_replaced_and_the_report_built(cast, start_worker_process) -> None:
    aim_with_chart(cast.org, "Permanence recommendation within 6 months")
    group = board(cast.org, cast.members[Role.MEMBER])
    worker = start_worker_process()
    # The build stops where it reads the data points, after it has claimed the report.
    with table_locked(DataPoint._meta.db_table, "ACCESS EXCLUSIVE"):
        report = services.report_request(group=group, period_start=datetime.date(2026, 4, 1), requested_by=None)
        wait_for(lambda: _at(report, "Gathering the figures", attempt=1), 60, "the build to start")
        worker.kill_pool_process()
        # acks_late + reject_on_worker_lost: the message comes back to the new pool process, and
        # the same task takes its report over at once (no waiting for the heartbeat to age).
        wait_for(lambda: _at(report, "Gathering the figures", attempt=2), 60, "the build to be delivered again")
    report = _wait_for(report, {"done", "failed"})
    assert (report.status, report.attempts) == ("done", 2), report.failure_reason
    assert report.snapshot["aims"][0]["chart"]["svg"].startswith("<svg")


def _at(report: Report, message: str, *, attempt: int) -> bool:
    row = Report.objects.get(pk=report.pk)
    return row.status == "running" and row.attempts == attempt and row.progress_message == message
