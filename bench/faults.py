"""Fault injection, end to end: the audit's scenarios against a real worker, Redis and PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pace_h4 REDIS_URL=redis://127.0.0.1:6379/4 \\
        .venv/bin/python bench/faults.py [--rows 100000] [--only kill-commit,redis ...]

Starts a Celery worker (prefork, one process) and beat on a queue of its own, then, for a
100,000-row upload into a fresh organisation:

- kill -9 the worker's pool process mid-check, mid-commit and mid-roll-back;
- kill -9 the whole worker mid-commit and start another (visibility timeout --visibility-timeout,
  60 s here to keep the run short; 300 s by default in production);
- stop Redis, then upload, save and invite through the web views (Django's test client: the whole
  view and middleware stack, in this process), then start Redis again;
- restart PostgreSQL under a gunicorn web server (two sync processes keeping their connections)
  and the worker.

and prints, for each, whether it recovered, how long it took, and whether any row was lost or
half-written (children, dates and change rows counted against the file). Redis and PostgreSQL are
really stopped and started again with the DESIGN §5 commands: other users of this machine's
services see a few seconds' outage.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pace_hub.settings.local")
os.environ.setdefault("DEBUG", "0")
if "MEDIA_ROOT" not in os.environ:  # uploads go to a scratch folder, shared with the worker
    os.environ["MEDIA_ROOT"] = tempfile.mkdtemp(prefix="pace-faults-media-")

import django  # noqa: E402

django.setup()

import numpy as np  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.core.files import File  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import close_old_connections, connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402

from measures.milestones import imports  # noqa: E402
from measures.milestones.pathway import pathway_create_defaults  # noqa: E402
from measures.models import Child, ImportChange, MilestoneImport  # noqa: E402
from pace_hub.background import enqueue  # noqa: E402
from pace_hub.celery import app  # noqa: E402
from pace_hub.models import Invitation, Membership, Organisation, OutboxTask  # noqa: E402
from pace_hub.roles import Role  # noqa: E402
from tests.background import Worker  # noqa: E402

Status = MilestoneImport.Status
REDIS_START = ["redis-server", "--daemonize", "yes", "--bind", "127.0.0.1", "-::1", "--port", "6379"]
REDIS_START += ["--save", "", "--appendonly", "no"]
MILESTONES = ["looked_after", "first_review", "permanence_rec", "panel"]


@dataclass
class Outcome:
    scenario: str
    recovered: bool
    seconds: float
    integrity: str

    def line(self) -> str:
        verdict = "recovered" if self.recovered else "NOT RECOVERED"
        return f"{self.scenario:<44} {verdict:<14} {self.seconds:7.1f} s   {self.integrity}"


def say(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def wait(condition, timeout: float, every: float = 0.25):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        close_old_connections()
        value = condition()
        if value:
            return value
        time.sleep(every)
    return None


def write_file(directory: Path, rows: int) -> tuple[Path, int]:
    """A wide CSV of `rows` children with four milestone dates each; returns it and its date count."""
    rng = np.random.default_rng(12)
    start = np.datetime64("2019-01-01") + rng.integers(0, 1500, size=rows).astype("timedelta64[D]")
    steps = np.cumsum(rng.integers(20, 120, size=(rows, len(MILESTONES))), axis=1).astype("timedelta64[D]")
    dates = start[:, None] + steps
    text = dates.astype("datetime64[D]").astype(str)  # yyyy-mm-dd
    path = directory / f"faults-{rows}.csv"
    with path.open("w") as handle:
        handle.write("child_ref,route," + ",".join(MILESTONES) + "\n")
        for number in range(rows):
            handle.write(f"F-{number:07d},adoption," + ",".join(text[number].tolist()) + "\n")
    return path, rows * len(MILESTONES)


class Bench:
    def __init__(self, rows: int, visibility_timeout: int) -> None:
        self.rows = rows
        self.visibility_timeout = visibility_timeout
        self.directory = Path(tempfile.mkdtemp(prefix="pace-faults-"))
        self.path, self.dates = write_file(self.directory, rows)
        stamp = time.strftime("%Y%m%d%H%M%S")
        self.org = Organisation.objects.create(name=f"Faults {stamp}", slug=f"faults-{stamp}")
        pathway_create_defaults(organisation=self.org)
        User = get_user_model()
        self.data_lead = User.objects.create_user(username=f"data-{stamp}", email=f"data-{stamp}@faults.example")
        self.admin = User.objects.create_user(username=f"admin-{stamp}", email=f"admin-{stamp}@faults.example")
        Membership.objects.create(organisation=self.org, user=self.data_lead, role=Role.DATA)
        Membership.objects.create(organisation=self.org, user=self.admin, role=Role.ADMIN)
        self.queue = f"faults-{stamp}"
        app.conf.update(task_always_eager=False, task_default_queue=self.queue)
        self.workers: list[Worker] = []
        self.beat: subprocess.Popen | None = None

    # Processes -------------------------------------------------------------------------------

    def start_worker(self, **environment: str) -> Worker:
        worker = Worker(self.queue, MEDIA_ROOT=os.environ["MEDIA_ROOT"], **environment).start()
        self.workers.append(worker)
        return worker

    def start_beat(self) -> None:
        environment = {**os.environ, "CELERY_QUEUE": self.queue}
        schedule = self.directory / "beat-schedule"
        self.beat = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "pace_hub", "beat", "-l", "warning", "-s", str(schedule)],
            cwd=ROOT,
            env=environment,
            stdout=(self.directory / "beat.log").open("ab"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def stop(self) -> None:
        for worker in self.workers:
            worker.stop()
        if self.beat is not None:
            self.beat.terminate()
            self.beat.wait(20)

    # Imports ---------------------------------------------------------------------------------

    def upload(self, path: Path | None = None) -> MilestoneImport:
        path = path or self.path
        with path.open("rb") as handle:
            return imports.milestone_import_create(
                organisation=self.org, user=self.data_lead, upload=File(handle, name=path.name)
            )

    @staticmethod
    def row(milestone_import: MilestoneImport) -> MilestoneImport:
        return MilestoneImport.objects.get(pk=milestone_import.pk)

    def reaches(self, milestone_import: MilestoneImport, *statuses: str, timeout: float = 900):
        def done():
            row = self.row(milestone_import)
            return row if row.status in statuses and row.progress == 100 else None

        return wait(done, timeout)

    def until_progress(self, milestone_import: MilestoneImport, status: str, message: str, timeout: float = 600):
        def there():
            row = self.row(milestone_import)
            return row.status == status and row.progress_message.startswith(message)

        return wait(there, timeout, every=0.05)

    def counts(self) -> tuple[int, int, int]:
        children = Child.objects.filter(organisation=self.org).count()
        dates = sum(len(map_) for map_ in Child.objects.filter(organisation=self.org).values_list("dates", flat=True))
        # One change row per child an import changed; children it created have none.
        change_rows = ImportChange.objects.filter(milestone_import__organisation=self.org).count()
        return children, dates, change_rows

    def integrity(self, expected: tuple[int, int, int]) -> str:
        found = self.counts()
        if found == expected:
            return f"nothing lost or half-written ({found[0]:,} children, {found[1]:,} dates, {found[2]:,} change rows)"
        return f"MISMATCH: children, dates, change rows {found} expected {expected}"

    # Scenarios -------------------------------------------------------------------------------

    def kill_during_check(self, worker: Worker) -> tuple[Outcome, MilestoneImport]:
        milestone_import = self.upload()
        if not self.until_progress(milestone_import, Status.VALIDATING, "Reading the file"):
            return Outcome("kill -9 pool process mid-check", False, 0, "never started checking"), milestone_import
        worker.kill_pool_process()
        killed = time.monotonic()
        row = self.reaches(milestone_import, Status.VALIDATED, Status.INVALID, Status.FAILED)
        took = time.monotonic() - killed
        recovered = row is not None and row.status == Status.VALIDATED and row.new_children == self.rows
        note = self.integrity((0, 0, 0)) if recovered else f"ended {self.row(milestone_import).status}"
        return Outcome("kill -9 pool process mid-check", recovered, took, note), milestone_import

    def kill_during_commit(self, worker: Worker, milestone_import: MilestoneImport) -> Outcome:
        imports.milestone_import_request_commit(milestone_import=self.row(milestone_import))
        if not self.until_progress(milestone_import, Status.COMMITTING, "Saving milestone dates"):
            return Outcome("kill -9 pool process mid-commit", False, 0, "never started saving")
        worker.kill_pool_process()
        killed = time.monotonic()
        untouched = self.counts() == (0, 0, 0)
        row = self.reaches(milestone_import, Status.COMMITTED, Status.FAILED)
        took = time.monotonic() - killed
        recovered = row is not None and row.status == Status.COMMITTED
        note = self.integrity((self.rows, self.dates, self.rows))
        if not untouched:
            note += "; HALF-WRITTEN rows were visible after the kill"
        return Outcome("kill -9 pool process mid-commit", recovered, took, note)

    def kill_during_rollback(self, worker: Worker, milestone_import: MilestoneImport) -> Outcome:
        imports.milestone_import_request_rollback(milestone_import=self.row(milestone_import), user=self.data_lead)
        if not self.until_progress(milestone_import, Status.ROLLING_BACK, "Removing the children"):
            return Outcome("kill -9 pool process mid-roll-back", False, 0, "never started rolling back")
        worker.kill_pool_process()
        killed = time.monotonic()
        still_saved = self.counts()[0] == self.rows
        row = self.reaches(milestone_import, Status.ROLLED_BACK, Status.COMMITTED)
        took = time.monotonic() - killed
        recovered = row is not None and row.status == Status.ROLLED_BACK
        note = self.integrity((0, 0, 0))
        if not still_saved:
            note += "; HALF-ROLLED-BACK rows were visible after the kill"
        return Outcome("kill -9 pool process mid-roll-back", recovered, took, note)

    def kill_whole_worker(self, worker: Worker) -> tuple[Outcome, Worker]:
        milestone_import = self.upload()
        if not self.reaches(milestone_import, Status.VALIDATED):
            return Outcome("kill -9 whole worker mid-commit", False, 0, "check failed"), worker
        imports.milestone_import_request_commit(milestone_import=self.row(milestone_import))
        if not self.until_progress(milestone_import, Status.COMMITTING, "Saving milestone dates"):
            return Outcome("kill -9 whole worker mid-commit", False, 0, "never started saving"), worker
        worker.kill()
        killed = time.monotonic()
        replacement = self.start_worker(BROKER_VISIBILITY_TIMEOUT=str(self.visibility_timeout))
        row = self.reaches(milestone_import, Status.COMMITTED, Status.FAILED)
        took = time.monotonic() - killed
        recovered = row is not None and row.status == Status.COMMITTED
        name = f"kill -9 whole worker mid-commit (vt {self.visibility_timeout} s)"
        return Outcome(name, recovered, took, self.integrity((self.rows, self.dates, self.rows))), replacement

    def redis_down(self) -> list[Outcome]:
        """Upload, save and invite with Redis stopped; each must answer without a server error,
        keep its work, and see it done once Redis is back."""
        small = self.directory / "small.csv"
        small.write_text("child_ref,route,looked_after\n" + "".join(f"R-{n:04d},po,01/02/2024\n" for n in range(50)))
        to_save = self.upload(small)
        assert self.reaches(to_save, Status.VALIDATED, timeout=120), "the import to save was not checked"
        data = Client(raise_request_exception=False, HTTP_HOST="localhost")
        admin = Client(raise_request_exception=False, HTTP_HOST="localhost")
        data.force_login(self.data_lead)
        admin.force_login(self.admin)
        say("stopping Redis")
        subprocess.run(["redis-cli", "-p", "6379", "shutdown", "nosave"], check=False, capture_output=True)
        stopped = time.monotonic()
        try:
            with small.open("rb") as handle:
                upload = data.post(reverse("milestone_import_new", args=[self.org.slug]), {"file": handle})
            save = data.post(
                reverse("milestone_import_commit", args=[self.org.slug, to_save.code]), {"confirmed": "True"}
            )
            invite = admin.post(
                reverse("member_invite", args=[self.org.slug]),
                {"email": f"invitee-{self.queue}@faults.example", "role": Role.MEMBER, "job_title": ""},
            )
            pages = [data.get(reverse(name, args=[self.org.slug])).status_code for name in ("org_home", "team")]
        finally:
            say(f"starting Redis again after {time.monotonic() - stopped:.1f} s")
            subprocess.run(REDIS_START, check=True, capture_output=True)
        back = time.monotonic()
        uploaded = MilestoneImport.objects.filter(organisation=self.org).order_by("-created_at").first()
        invitation = Invitation.objects.filter(organisation=self.org).order_by("-created_at").first()
        checks = {
            "Redis down during upload": (upload, lambda: self.row(uploaded).status == Status.VALIDATED),
            "Redis down during save": (save, lambda: self.row(to_save).status == Status.COMMITTED),
            "Redis down during invite": (invite, lambda: bool(self._refreshed(invitation).email_sent_at)),
        }
        # The work was kept while Redis was away: each must be done once it is back (beat sweeps).
        done_after: dict[str, float] = {}

        def all_done() -> bool:
            for name, (_, done) in checks.items():
                if name not in done_after and done():
                    done_after[name] = time.monotonic() - back
            return len(done_after) == len(checks)

        wait(all_done, 300, every=0.5)
        kept = uploaded != to_save and invitation is not None and bool(uploaded.file)
        outcomes = []
        for name, (response, _) in checks.items():
            recovered = response.status_code == 302 and name in done_after and kept
            note = f"answered {response.status_code} (pages {pages}); row and its task kept; " + self._outbox_note()
            outcomes.append(Outcome(name, recovered, done_after.get(name, time.monotonic() - back), note))
        return outcomes

    @staticmethod
    def _refreshed(invitation: Invitation) -> Invitation:
        return Invitation.objects.get(pk=invitation.pk)

    def _outbox_note(self) -> str:
        waiting = OutboxTask.objects.filter(done_at__isnull=True).count()
        return "outbox empty, nothing lost" if not waiting else f"{waiting} outbox rows not done"

    def postgres_restart(self) -> Outcome:
        """Restart PostgreSQL under a gunicorn server whose processes keep their connections, and
        under the worker; count the server errors that follow and check that a task still runs."""
        port = 18000 + os.getpid() % 1000
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "pace_hub.wsgi", "--workers", "2", "--bind", f"127.0.0.1:{port}"],
            cwd=ROOT,
            env={**os.environ, "DJANGO_SETTINGS_MODULE": "pace_hub.settings.local", "DB_CONN_MAX_AGE": "600"},
            stdout=(self.directory / "gunicorn.log").open("ab"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        url = f"http://127.0.0.1:{port}/invitations/no-such-invitation/"  # reads the database
        try:
            wait(lambda: self._status(url) is not None, 60)
            before = [self._status(url) for _ in range(10)]  # both processes now hold a connection
            version = subprocess.run(["ls", "/etc/postgresql"], capture_output=True, text=True).stdout.split()[0]
            say("restarting PostgreSQL")
            restart = ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "restart"]
            subprocess.run(restart, check=True, capture_output=True)
            started = time.monotonic()
            wait(lambda: subprocess.run(["pg_isready", "-h", "127.0.0.1", "-q"]).returncode == 0, 60)
            connection.close()
            after = [self._status(url) for _ in range(20)]
            with transaction.atomic():
                enqueue("measures.milestones.tasks.derived_measures_recompute_task", self.org.pk)
            task = OutboxTask.objects.order_by("-pk").first()
            ran = wait(lambda: OutboxTask.objects.get(pk=task.pk).done_at, 120)
            took = time.monotonic() - started
        finally:
            server.terminate()
            server.wait(20)
        errors = sum(1 for status in after if status is None or status >= 500)
        recovered = errors == 0 and bool(ran)
        note = f"web answers before {sorted(set(before))}, after {sorted(set(after))} ({errors} server errors); "
        note += "worker task after restart " + ("ran" if ran else "DID NOT RUN")
        return Outcome("PostgreSQL restart (web and worker)", recovered, took, note)

    @staticmethod
    def _status(url: str) -> int | None:
        try:
            with urllib.request.urlopen(url, timeout=10) as response:
                return response.status
        except urllib.error.HTTPError as error:
            return error.code
        except OSError:
            return None


SCENARIOS = ("kill-check", "kill-commit", "kill-rollback", "kill-worker", "redis", "postgres")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--visibility-timeout", type=int, default=60)
    parser.add_argument("--only", default=",".join(SCENARIOS), help=f"comma-separated: {', '.join(SCENARIOS)}")
    arguments = parser.parse_args()
    chosen = set(arguments.only.split(","))
    if connection.vendor != "postgresql" or not os.environ.get("REDIS_URL"):
        sys.exit("bench/faults.py needs DATABASE_URL (PostgreSQL) and REDIS_URL")
    call_command("migrate", verbosity=0)
    bench = Bench(arguments.rows, arguments.visibility_timeout)
    say(f"{arguments.rows:,}-row file written; organisation {bench.org.slug}; queue {bench.queue}")
    outcomes: list[Outcome] = []
    try:
        worker = bench.start_worker()
        bench.start_beat()
        say("worker and beat started")
        if chosen & {"kill-check", "kill-commit", "kill-rollback"}:
            outcome, milestone_import = bench.kill_during_check(worker)
            outcomes.append(outcome)
            say(outcome.line())
            if chosen & {"kill-commit", "kill-rollback"} and outcome.recovered:
                outcomes.append(bench.kill_during_commit(worker, milestone_import))
                say(outcomes[-1].line())
                if "kill-rollback" in chosen and outcomes[-1].recovered:
                    outcomes.append(bench.kill_during_rollback(worker, milestone_import))
                    say(outcomes[-1].line())
        if "kill-worker" in chosen:
            outcome, worker = bench.kill_whole_worker(worker)
            outcomes.append(outcome)
            say(outcome.line())
        if "redis" in chosen:
            outcomes.extend(bench.redis_down())
            for outcome in outcomes[-3:]:
                say(outcome.line())
        if "postgres" in chosen:
            outcomes.append(bench.postgres_restart())
            say(outcomes[-1].line())
    finally:
        bench.stop()
        print()
        print(f"{'scenario':<44} {'outcome':<14} {'time':>9}   rows")
        for outcome in outcomes:
            print(outcome.line())
        close_old_connections()
        try:
            bench.org.delete()
        except Exception as error:  # the results stand; say what was left behind
            print(f"(could not delete the bench organisation {bench.org.slug}: {error})")
        shutil.rmtree(bench.directory, ignore_errors=True)
        if os.environ["MEDIA_ROOT"].startswith(tempfile.gettempdir()):
            shutil.rmtree(os.environ["MEDIA_ROOT"], ignore_errors=True)
    if not outcomes or not all(outcome.recovered for outcome in outcomes):
        sys.exit(1)


if __name__ == "__main__":
    main()
