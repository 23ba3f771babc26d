"""Helpers for the background-work tests: point the app at a broker (a closed port for "Redis is
down", the in-process memory transport, or the real Redis), read what reached a queue, run a real
Celery worker in a subprocess against the test database, and hold PostgreSQL locks from another
connection so that a worker stops at a known point of a task (to be killed there).
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from kombu import pools

from pace_hub.celery import app

ROOT = Path(__file__).resolve().parents[1]
# Nothing listens here: publishing to it fails at once, as with Redis stopped.
CLOSED_BROKER = "redis://127.0.0.1:1/0"

needs_worker = [
    pytest.mark.worker,
    pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs REDIS_URL (a Redis broker)"),
    pytest.mark.skipif(
        not os.environ.get("DATABASE_URL", "").startswith("postgres"),
        reason="needs PostgreSQL (DATABASE_URL): the worker process must share the test database",
    ),
    pytest.mark.django_db(transaction=True),
]


def _reset_pools() -> None:
    """Forget connections and the queue declarations Celery derived from the old settings (it
    caches them on first use; a worker started later would read a stale default queue)."""
    pools.reset()  # closes kombu's shared connection and producer pools, and forgets them
    app._pool = None
    amqp = app.__dict__.get("amqp")
    if amqp is not None:
        amqp._producer_pool = None
        for cached in ("queues", "default_queue", "router", "default_exchange"):
            amqp.__dict__.pop(cached, None)


@contextlib.contextmanager
def broker_at(url: str, queue: str | None = None) -> Iterator[str]:
    """Send tasks through the broker at `url` (not eagerly) on `queue` (a fresh one by default)."""
    queue = queue or f"test-{uuid.uuid4().hex[:10]}"
    saved = {key: app.conf[key] for key in ("task_always_eager", "task_default_queue", "broker_url")}
    app.conf.update(task_always_eager=False, task_default_queue=queue, broker_url=url)
    _reset_pools()
    try:
        yield queue
    finally:
        app.conf.update(saved)
        _reset_pools()


def queued_messages(queue: str) -> list[tuple[str, str, list]]:
    """Take every message off `queue` of the current broker: (task name, task id, args)."""
    found = []
    with app.connection_for_read() as broker:
        simple = broker.SimpleQueue(queue)
        try:
            while True:
                try:
                    message = simple.get(timeout=0.2)
                except simple.Empty:
                    break
                args, _, _ = message.payload
                found.append((message.headers["task"], message.headers["id"], list(args)))
                message.ack()
        finally:
            simple.close()
    return found


def wait_for(condition: Callable[[], object], timeout: float, what: str, every: float = 0.2) -> object:
    """Poll `condition` until it is truthy; fail the test with `what` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(every)
    pytest.fail(f"timed out after {timeout:.0f} s waiting for {what}")


def database_url() -> str:
    """The URL of the database the tests run against (the test database, once it exists)."""
    params = connection.settings_dict
    host = params.get("HOST") or "127.0.0.1"
    port = params.get("PORT") or "5432"
    user = params.get("USER") or "postgres"
    password = f":{params['PASSWORD']}" if params.get("PASSWORD") else ""
    return f"postgres://{user}{password}@{host}:{port}/{params['NAME']}"


class Worker:
    """A real Celery worker (prefork, one pool process) in its own process group, reading `queue`
    from the real Redis and working on the test database."""

    def __init__(self, queue: str, **environment: str) -> None:
        self.queue = queue
        self.log = Path(tempfile.mkstemp(prefix="pace-worker-", suffix=".log")[1])
        self.environment = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "pace_hub.settings.local",
            "DEBUG": "0",
            "DATABASE_URL": database_url(),
            "MEDIA_ROOT": str(settings.MEDIA_ROOT),
            "CELERY_QUEUE": queue,
            **environment,
        }
        self.process: subprocess.Popen | None = None

    def start(self) -> Worker:
        command = [sys.executable, "-m", "celery", "-A", "pace_hub", "worker", "-P", "prefork", "-c", "1"]
        command += ["--without-gossip", "--without-mingle", "--without-heartbeat", "-l", "info"]
        with self.log.open("ab") as output:
            self.process = subprocess.Popen(
                command, cwd=ROOT, env=self.environment, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
            )
        wait_for(lambda: "ready." in self.output() or self.process.poll() is not None, 60, "the worker to start")
        assert self.process.poll() is None, self.output()
        return self

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def pool_processes(self) -> list[int]:
        assert self.process is not None
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(pid) for pid in children.read_text().split()] if children.exists() else []

    def kill_pool_process(self) -> int:
        """kill -9 the pool process (the one running the task); the worker itself survives."""
        [pid] = wait_for(self.pool_processes, 10, "the pool process")
        os.kill(pid, signal.SIGKILL)
        return pid

    def kill(self) -> None:
        """kill -9 the whole worker: its main process and its pool."""
        assert self.process is not None
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(10)

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(20)
        except subprocess.TimeoutExpired:
            self.kill()


@contextlib.contextmanager
def workers(queue: str) -> Iterator[Callable[..., Worker]]:
    """Start workers with ``start(**environment)``; every one is stopped at the end."""
    started: list[Worker] = []

    def start(**environment: str) -> Worker:
        worker = Worker(queue, **environment).start()
        started.append(worker)
        return worker

    try:
        yield start
    finally:
        for number, worker in enumerate(started, 1):
            worker.stop()
            # Shown by pytest when the test failed: what the worker did.
            print(f"--- worker {number} log ---\n{worker.output()[-20000:]}")
            worker.log.unlink(missing_ok=True)


@contextlib.contextmanager
def table_locked(table: str, mode: str) -> Iterator[None]:
    """Hold ``LOCK TABLE table IN mode MODE`` from a connection of its own until the block ends,
    so that a worker's statement on the table waits there."""
    import psycopg

    with psycopg.connect(database_url().replace("postgres://", "postgresql://", 1)) as holder:
        holder.execute(f"LOCK TABLE {table} IN {mode} MODE")
        try:
            yield
        finally:
            holder.rollback()
