"""The real path: a Celery worker consuming from the Redis broker (CI sets REDIS_URL).

Everywhere else the tests run tasks eagerly; this one proves that a task enqueued on commit
goes through the outbox to a worker through Redis, does its work against the same database, and
is marked done in the outbox. (Faults on real worker processes: test_worker_outbox.py and
tests/measures/milestones/test_import_recovery_worker.py.)
"""

import os
import time
import uuid

import pytest
from celery.contrib.testing.worker import start_worker
from django.core import mail

from pace_hub import services
from pace_hub.celery import app
from pace_hub.models import OutboxTask
from pace_hub.roles import Role

pytestmark = [
    pytest.mark.worker,
    pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs REDIS_URL (a Redis broker)"),
]


@pytest.fixture
def redis_worker():
    queue = f"test-{uuid.uuid4().hex[:8]}"
    saved = {key: app.conf[key] for key in ("task_always_eager", "task_default_queue", "broker_url")}
    app.conf.update(task_always_eager=False, task_default_queue=queue, broker_url=os.environ["REDIS_URL"])
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
            yield
    finally:
        app.conf.update(saved)


@pytest.mark.django_db(transaction=True)
def test_invitation_email_is_sent_by_a_worker_through_redis(cast, redis_worker) -> None:
    services.invitation_create(
        organisation=cast.org,
        invited_by=cast.members[Role.ADMIN].user,
        email="via.worker@example.org",
        role=Role.MEMBER,
        base_url="http://testserver/",
    )
    deadline = time.monotonic() + 20
    while not mail.outbox and time.monotonic() < deadline:
        time.sleep(0.1)
    assert [message.to for message in mail.outbox] == [["via.worker@example.org"]]
    assert app.conf.broker_url.startswith("redis://")
    while OutboxTask.objects.filter(done_at__isnull=True).exists() and time.monotonic() < deadline + 10:
        time.sleep(0.1)
    [row] = OutboxTask.objects.all()
    assert row.task == "pace_hub.tasks.send_invitation" and row.done_at is not None
