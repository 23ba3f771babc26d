"""The enqueue seam as a transactional outbox (pace_hub/background.py), without a worker.

"Redis is down" is a broker at a closed port; "Redis is back" is kombu's in-process memory
transport, whose queue the tests read. The embedded default (eager, no broker) is unchanged.
"""

from datetime import timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.db import transaction
from django.utils import timezone

from pace_hub import background, services
from pace_hub.celery import _outbox_task_done, _send_waiting_work
from pace_hub.models import Invitation, OutboxTask
from pace_hub.roles import Role
from tests.background import CLOSED_BROKER, broker_at, queued_messages
from tests.factories import InvitationFactory

INVITE = "pace_hub.tasks.send_invitation"


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run what waits for the commit at the end of the block, as a real commit would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def _invite(cast, email: str = "new.person@example.org") -> Invitation:
    return services.invitation_create(
        organisation=cast.org,
        invited_by=cast.members[Role.ADMIN].user,
        email=email,
        role=Role.MEMBER,
        base_url="http://testserver/",
    )


def test_the_embedded_default_runs_the_task_on_commit_and_writes_no_outbox_row(
    cast, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        _invite(cast)
        assert not mail.outbox  # not before the commit
    assert len(callbacks) == 1
    assert [message.to for message in mail.outbox] == [["new.person@example.org"]]
    assert not OutboxTask.objects.exists()


def test_with_the_broker_down_the_change_and_its_task_are_saved_and_nothing_raises(cast, committed) -> None:
    with broker_at(CLOSED_BROKER), committed():
        invitation = _invite(cast)  # the send after commit fails, quietly
    row = OutboxTask.objects.get()
    assert (row.task, row.args) == (INVITE, [invitation.pk, f"http://testserver/invitations/{invitation.token}/"])
    assert row.sent_at is None and row.done_at is None
    assert row.attempts == 1 and "Connection refused" in row.last_error
    assert background.waiting_for_broker(INVITE, invitation.pk) == row
    assert not mail.outbox


def test_a_change_rolled_back_takes_its_task_with_it(cast, committed) -> None:
    with broker_at(CLOSED_BROKER), committed() as callbacks, pytest.raises(RuntimeError), transaction.atomic():
        _invite(cast)
        raise RuntimeError("the change fails after asking for background work")
    assert callbacks == []
    assert not Invitation.objects.exists()
    assert not OutboxTask.objects.exists()


def test_the_sweep_sends_what_waited_once_the_broker_is_back(cast, committed) -> None:
    with broker_at(CLOSED_BROKER):
        with committed():
            first, second = _invite(cast, "one@example.org"), _invite(cast, "two@example.org")
        assert background.outbox_sweep() == 0  # still down: kept, tried again later
    assert OutboxTask.objects.filter(sent_at__isnull=True).count() == 2
    with broker_at("memory://") as queue:
        assert background.outbox_sweep() == 2
        rows = list(OutboxTask.objects.order_by("pk"))
        assert [(task, args[0]) for task, _, args in queued_messages(queue)] == [
            (INVITE, first.pk),
            (INVITE, second.pk),
        ]
        assert background.outbox_sweep() == 0  # sent once, not again
        assert queued_messages(queue) == []
    assert all(row.sent_at is not None and row.done_at is None for row in rows)
    assert background.waiting_for_broker(INVITE, first.pk) is None


def test_the_sweep_sends_oldest_first_and_stops_at_the_first_refusal(cast, committed) -> None:
    with broker_at(CLOSED_BROKER):
        with committed():
            for number in range(3):
                _invite(cast, f"person{number}@example.org")
        OutboxTask.objects.update(attempts=0, last_error="")
        assert background.outbox_sweep() == 0
    # One refused send, not three: the broker is down, the rest wait without being tried.
    assert sorted(OutboxTask.objects.values_list("attempts", flat=True)) == [0, 0, 1]


def test_a_task_sent_but_never_run_is_sent_again_and_a_done_one_is_not(cast, committed) -> None:
    with broker_at("memory://") as queue:
        with committed():
            lost, done = _invite(cast, "lost@example.org"), _invite(cast, "done@example.org")
        [(_, lost_id, lost_args), (_, done_id, _)] = queued_messages(queue)  # then Redis restarts: queue gone
        _outbox_task_done(task_id=done_id)
        now = timezone.now()
        assert background.outbox_sweep(now=now) == 0  # too soon to call it lost
        later = now + timedelta(seconds=settings.OUTBOX_RESEND_AFTER_SECONDS + 1)
        assert background.outbox_sweep(now=later) == 1
        assert queued_messages(queue) == [(INVITE, lost_id, lost_args)]
    assert lost_args[0] == lost.pk
    assert OutboxTask.objects.get(args__0=done.pk).done_at is not None


def test_rows_done_a_week_ago_are_purged_and_retries_and_other_task_ids_are_not_done(cast, committed) -> None:
    with broker_at("memory://") as queue:
        with committed():
            _invite(cast)
        [(_, task_id, _)] = queued_messages(queue)
    _outbox_task_done(task_id="0f7c6a6e-plain-celery-id")
    _outbox_task_done(task_id=task_id, state="RETRY")  # it runs again later under the same id
    assert OutboxTask.objects.get().done_at is None
    _outbox_task_done(task_id=task_id, state="SUCCESS")
    assert OutboxTask.objects.get().done_at is not None
    background.outbox_sweep(now=timezone.now() + timedelta(days=settings.OUTBOX_KEEP_DAYS - 1))
    assert OutboxTask.objects.exists()
    background.outbox_sweep(now=timezone.now() + timedelta(days=settings.OUTBOX_KEEP_DAYS + 1))
    assert not OutboxTask.objects.exists()


def test_a_row_naming_no_task_is_reported_and_does_not_hold_up_the_others(cast, committed) -> None:
    with broker_at("memory://") as queue:
        with committed(), transaction.atomic():
            background.enqueue("pace_hub.tasks.no_such_task", 1)
            background.enqueue(INVITE, 2, "link")
        assert [(task, args) for task, _, args in queued_messages(queue)] == [(INVITE, [2, "link"])]
        assert background.outbox_sweep() == 1  # counted as handled: it cannot be sent, ever
    broken = OutboxTask.objects.get(task="pace_hub.tasks.no_such_task")
    assert broken.sent_at is None and "No such task" in broken.last_error


def test_a_row_is_sent_once_even_when_a_sweep_and_its_request_both_try(cast, committed) -> None:
    with broker_at("memory://") as queue:
        with committed(), transaction.atomic():
            background.enqueue(INVITE, 5, "link")
            row = OutboxTask.objects.get()
            assert background.send(row)  # a sweep got there before the request's commit
        assert background.send(row)
        assert len(queued_messages(queue)) == 1
    assert OutboxTask.objects.get().attempts == 1


def test_a_starting_worker_sends_the_waiting_work(cast, committed) -> None:
    with broker_at(CLOSED_BROKER), committed():
        invitation = _invite(cast)
    with broker_at("memory://") as queue:
        _send_waiting_work()
        assert [args[0] for _, _, args in queued_messages(queue)] == [invitation.pk]


def test_beat_sweeps_the_outbox_every_half_minute() -> None:
    entry = settings.CELERY_BEAT_SCHEDULE["outbox-sweep"]
    assert entry["task"] == "pace_hub.tasks.outbox_sweep"
    assert entry["schedule"] <= 60


def test_the_invitation_email_is_sent_once_when_its_task_runs_twice(cast) -> None:
    invitation = InvitationFactory(organisation=cast.org, email="twice@example.org")
    services.invitation_send(invitation_id=invitation.pk, link="http://testserver/x/")
    services.invitation_send(invitation_id=invitation.pk, link="http://testserver/x/")
    assert len(mail.outbox) == 1
    invitation.refresh_from_db()
    assert invitation.email_sent_at is not None
    services.invitation_send(invitation_id=invitation.pk + 1000, link="http://testserver/x/")  # deleted: nothing
    assert len(mail.outbox) == 1


def test_workers_give_back_the_task_of_a_lost_process_and_recover_a_lost_worker_within_minutes() -> None:
    from pace_hub.celery import app

    assert app.conf.task_acks_late is True
    assert app.conf.task_reject_on_worker_lost is True
    assert app.conf.worker_prefetch_multiplier == 1
    assert app.conf.broker_connection_max_retries is None
    options = app.conf.broker_transport_options
    assert options["visibility_timeout"] <= 10 * 60
    assert options["unacked_restore_interval"] * options["unacked_restore_throttle"] <= 60


def test_database_connections_are_checked_before_reuse() -> None:
    database = settings.DATABASES["default"]
    assert database["CONN_HEALTH_CHECKS"] is True
    assert database["CONN_MAX_AGE"] > 0


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    not settings.DATABASES["default"]["ENGINE"].endswith("postgresql"), reason="needs PostgreSQL (DATABASE_URL)"
)
def test_a_connection_killed_by_a_postgresql_restart_is_replaced_at_the_next_request(cast) -> None:
    """What each web and worker process does at the start of a request or task after PostgreSQL
    restarted: its kept connection is dead; it must reconnect, not fail once."""
    import psycopg
    from django.db import close_old_connections, connection

    from tests.background import database_url

    assert connection.settings_dict["CONN_MAX_AGE"] > 0  # kept between requests, as in production
    connection.ensure_connection()
    backend = connection.connection.info.backend_pid
    with psycopg.connect(database_url().replace("postgres://", "postgresql://", 1), autocommit=True) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [backend])
    close_old_connections()  # Django does this when a request (or Celery when a task) starts
    assert Invitation.objects.count() == 0
    assert connection.connection.info.backend_pid != backend
