"""The one seam through which services ask for background work: a transactional outbox.

Tasks import services, so a service never imports a tasks module back (that would be a cycle):
it names the task instead, ``enqueue("pace_hub.tasks.send_invitation", invitation.pk, link)``.

With a broker (REDIS_URL), the request is first written as an ``OutboxTask`` row in the caller's
transaction, so the change and its "to do" are saved together or not at all. After commit the
row is handed to the broker; if the broker is down the row simply waits (the user's request
still succeeds) and ``outbox_sweep`` — run by beat every ``OUTBOX_SWEEP_SECONDS`` and when a
worker starts — sends it once the broker is back. The worker marks a row done when its task has
run (see ``pace_hub.celery``); a row sent but never run (a Redis restart empties the queue) is
sent again after ``OUTBOX_RESEND_AFTER_SECONDS``. Tasks may therefore run more than once, and
every task is written to be idempotent.

On the embedded default (no REDIS_URL, Celery eager) nothing changes: the task runs in-process
once the transaction commits, and no row is written.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from importlib import import_module
from typing import Any

from celery import current_app
from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from pace_hub.models import OutboxTask

logger = logging.getLogger(__name__)

TASK_ID_PREFIX = "outbox-"
SWEEP_BATCH = 500


def enqueue(task: str, *args: Any) -> None:
    """Run the Celery task `task` (its dotted path, e.g. ``"pace_hub.tasks.send_invitation"``)
    with `args` (JSON values: ids, text) once the current transaction commits (at once outside a
    transaction). Never raises because the broker is down: the work is kept and sent later."""
    if current_app.conf.task_always_eager:
        transaction.on_commit(lambda: _task(task).delay(*args))
        return
    row = OutboxTask.objects.create(task=task, args=list(args))
    # robust: a failure while sending is logged and the row kept; it never fails the request.
    transaction.on_commit(lambda: send(row), robust=True)


def _task(name: str):
    module_name, _, attribute = name.rpartition(".")
    return getattr(import_module(module_name), attribute)


def _broker_connection():
    """A connection to the broker that fails at once when the broker is down (kombu otherwise
    retries for seconds, which a web request must not wait for: the outbox retries instead)."""
    return current_app.connection_for_write(transport_options={"max_retries": 0})


def send(row: OutboxTask, *, connection=None) -> bool:
    """Hand one outbox row to the broker (through `connection`, or a new one), unless another
    process already has. Returns False if the broker refused it (the error is recorded on the
    row, which waits for the next sweep)."""
    try:
        task = _task(row.task)
    except (ImportError, AttributeError) as error:
        OutboxTask.objects.filter(pk=row.pk).update(last_error=f"No such task: {error}")
        logger.error("Outbox row %s names no task: %s", row.pk, row.task)
        return True  # the broker is not at fault: go on with the other rows
    now = timezone.now()
    # Claim the row first, so that a sweep and the request that wrote it never both send it.
    claimed = OutboxTask.objects.filter(pk=row.pk, sent_at__isnull=True, done_at__isnull=True).update(
        sent_at=now, attempts=F("attempts") + 1, last_attempt_at=now
    )
    if not claimed:
        return True
    try:
        if connection is None:
            with _broker_connection() as connection:
                _publish(task, row, connection)
        else:
            _publish(task, row, connection)
    except Exception as error:  # any broker or network error: keep the row for the sweep
        message = f"{type(error).__name__}: {error}"[:1000]
        OutboxTask.objects.filter(pk=row.pk).update(sent_at=None, last_error=message)
        logger.warning("Background service unavailable; %s kept in the outbox (%s)", row, message)
        return False
    return True


def _publish(task, row: OutboxTask, connection) -> None:
    # No retries here: a broker that is down is reported at once and the outbox retries.
    task.apply_async(args=row.args, task_id=f"{TASK_ID_PREFIX}{row.pk}", retry=False, connection=connection)


def outbox_sweep(*, now: datetime | None = None) -> int:
    """Send the rows the broker could not take, and again those sent but never run; drop rows
    done more than ``OUTBOX_KEEP_DAYS`` ago. Stops at the first refusal (the broker is still
    down). Returns how many rows no longer wait for the broker (sent, or naming no task)."""
    now = now or timezone.now()
    lost = now - timedelta(seconds=settings.OUTBOX_RESEND_AFTER_SECONDS)
    resent = OutboxTask.objects.filter(done_at__isnull=True, sent_at__lt=lost).update(sent_at=None)
    if resent:
        logger.warning("Sending %s background tasks again: sent before %s and never run", resent, lost)
    sent = 0
    waiting = list(
        OutboxTask.objects.filter(done_at__isnull=True, sent_at__isnull=True).order_by("created_at", "pk")[:SWEEP_BATCH]
    )
    if waiting:
        with _broker_connection() as connection:
            for row in waiting:
                if not send(row, connection=connection):
                    break
                sent += 1
    OutboxTask.objects.filter(done_at__lt=now - timedelta(days=settings.OUTBOX_KEEP_DAYS)).delete()
    return sent


def task_done(task_id: str | None) -> None:
    """Mark the outbox row of a task that has run (called by the worker after each task)."""
    if not task_id or not task_id.startswith(TASK_ID_PREFIX):
        return
    pk = task_id.removeprefix(TASK_ID_PREFIX)
    if pk.isdigit():
        OutboxTask.objects.filter(pk=int(pk), done_at__isnull=True).update(done_at=timezone.now())


def waiting_for_broker(task: str, *args: Any) -> OutboxTask | None:
    """The outbox row of `task` (whose arguments start with `args`) that the broker refused and
    that is still waiting to be sent, if any: pages say "saved; it starts when the background
    service is back" while there is one."""
    rows = OutboxTask.objects.filter(task=task, done_at__isnull=True, sent_at__isnull=True, attempts__gt=0)
    wanted = list(args)
    return next((row for row in rows if row.args[: len(wanted)] == wanted), None)


def stalled(last_progress: datetime | None, *, now: datetime | None = None) -> bool:
    """Whether running work whose last sign of progress was at `last_progress` has been silent
    longer than ``BACKGROUND_STALE_AFTER_SECONDS`` (its worker was most likely lost)."""
    if last_progress is None:
        return False
    silence = (now or timezone.now()) - last_progress
    return silence > timedelta(seconds=settings.BACKGROUND_STALE_AFTER_SECONDS)
