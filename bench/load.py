"""Load test: a council's leads groups, data leads and case-management systems at once.

    .venv/bin/python bench/load.py [--users 50] [--minutes 3] [--port 8765]

Against loopback only: a fresh PostgreSQL database (``pace_load`` unless ``LOAD_DATABASE``), Redis
db 15 (``LOAD_REDIS``), gunicorn and a Celery worker, all started here and stopped at the end.
The demo is seeded (two councils, every role), then:

1. each import path is timed **alone** (nothing else running, the worker idle): a data lead
   uploading a 200-child CSV and committing it, and a system pushing a 200-date batch through
   the API, each until it is saved. Every importer has its own 200 children, created before
   any timing, and each of its imports changes every one of their dates (two date sets in
   turn): the alone runs and the imports under load are the same files on the same number of
   children, through the same worker. The alone runs (``--alone N``: N of each) are repeated
   after the load, and the fastest of them is the reference (the median is printed beside it);
2. locust starts ``--users`` users (5 a second) and, once all are signed in, runs them for
   ``--minutes`` (headless, bounded; the ramp-up is not in the figures): people of mixed roles
   signed in and reading the main pages (home, dashboards, aims, an aim, measures, a chart page,
   the board, a cycle, milestone data), two data leads uploading and committing files, and two
   API clients pushing batches and reading measures;
3. it prints throughput, p50/p95/p99 and errors per page, each import path's time under load
   against alone, the CPU each part used and the machine's load. The aims (issue 14): p95 under
   300 ms for pages (API reads included), no errors, no import slower than alone by more than 2x.

What the users do, and why (50 people, not 50 loops):
- a person clicks a page, reads it for 2 to 8 seconds (5 on average) and clicks the next: 46
  such people ask for about 9 pages a second, which is a busy morning for a whole council's
  leads groups at once (each person requesting a page every 5 seconds all day would be
  unusually intense use);
- a person's first page also fetches its CSS and scripts, once: whitenoise sends them with
  long-lived cache headers, so a browser does not ask again (those fetches are in the ramp-up);
- a data lead uploads a file every 20 to 40 seconds, each a check and a commit on the worker
  (a real data lead uploads monthly); a case-management system pushes a batch every 10 to 20
  seconds (real systems push nightly or hourly) and reads measures in between.

How the servers run, and why (the README's deployment section is the same layout;
``pace_hub/gunicorn.conf.py`` has the web server's reasons):
- pages on gunicorn with cores + 1 processes of 2 threads each (3 x 2 on this 2-core machine):
  pages are CPU-bound, so more processes only take turns; the threads answer static files and
  short requests while a page renders;
- ``/api/`` on a gunicorn of its own (``--api-pool``, 2 processes), as the proxy routes it: a
  pushed batch of up to 500 dates is checked and saved inside its API request, and in the page
  server it shared a core and a process's GIL with page renders;
- one Celery worker with 2 processes: an import is never queued behind another organisation's
  import or a derived-measures recompute (which follows every commit); the two councils'
  importers are its only users;
- the page server at nice 5 (``--web-nice``), the API pool and the worker at 0: on a contended
  core an import's process gets about three times a page process's share, and pages, which are
  short, still stay far inside their aim. ``--api-pool 0 --web-nice 0`` measures one server for
  everything at one priority (figures for both layouts: the closing notes of issue 14).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from statistics import median

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
DATABASE = os.environ.get("LOAD_DATABASE", "pace_load")
DATABASE_URL = f"postgres://postgres@127.0.0.1:5432/{DATABASE}"
REDIS_URL = os.environ.get("LOAD_REDIS", "redis://127.0.0.1:6379/15")
PASSWORD = "pace-demo-2026"
PAGE_P95_AIM_MS = 300
PAGE_NAMES = (
    "home",
    "governance dashboard",
    "aims",
    "aim",
    "measures",
    "chart page",
    "board",
    "cycle",
    "milestone data",
    "API measures",
)
IMPORT_SLOWDOWN_AIM = 2.0
# After the last user has signed in: time for the queue of first visits to drain.
SETTLE_SECONDS = 10


# Preparation (a Django process of its own: locust's gevent must not patch Django) -------------


def prepare(plan_file: str) -> None:
    """Seeded database → the plan: who signs in, which pages, API tokens."""
    import django

    django.setup()
    from aims.models import Aim
    from api.services.keys import api_key_create
    from measures.models import Measure
    from pace_hub.models import Membership, Organisation
    from pdsa.models import PDSACycle

    plan = {"people": [], "data_leads": [], "api": [], "pages": {}}
    for organisation in Organisation.objects.filter(slug__in=["aberdeen-city", "renfrewshire"]):
        slug = organisation.slug
        aim = Aim.objects.filter(organisation=organisation).order_by("pk").first()
        measure = Measure.objects.filter(organisation=organisation, archived=False).order_by("pk").first()
        cycle = PDSACycle.objects.filter(organisation=organisation).order_by("pk").first()
        base = f"/o/{slug}"
        plan["pages"][slug] = {
            "home": f"{base}/",
            "governance dashboard": f"{base}/governance/",
            "aims": f"{base}/aims/",
            "aim": f"{base}/aims/{aim.code}/",
            "measures": f"{base}/measures/",
            "chart page": f"{base}/measures/{measure.code}/",
            "board": f"{base}/testing/",
            "cycle": f"{base}/testing/cycles/{cycle.code}/",
            "milestone data": f"{base}/measures/data/",
        }
        for membership in Membership.objects.filter(organisation=organisation).select_related("user"):
            plan["people"].append({"email": membership.user.email, "role": membership.role, "org": slug})
        for role_name in ("data", "admin"):
            lead = Membership.objects.filter(organisation=organisation, role=role_name).select_related("user").first()
            plan["data_leads"].append({"email": lead.user.email, "org": slug})
        stamp = time.strftime("%H%M%S")
        _, write = api_key_create(
            organisation=organisation, user=None, name=f"load write {stamp}", scope="milestones:write", expires_at=None
        )
        _, read = api_key_create(
            organisation=organisation, user=None, name=f"load read {stamp}", scope="read", expires_at=None
        )
        plan["api"].append({"org": slug, "write": write, "read": read})
    Path(plan_file).write_text(json.dumps(plan))


# Servers -------------------------------------------------------------------------------------


def environment() -> dict:
    return {
        **os.environ,
        "DATABASE_URL": DATABASE_URL,
        "REDIS_URL": REDIS_URL,
        "DJANGO_SETTINGS_MODULE": "pace_hub.settings.local",
        "DEBUG": "0",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "MEDIA_ROOT": os.environ.get("LOAD_MEDIA_ROOT", tempfile.mkdtemp(prefix="pace-load-media-")),
        "LOG_LEVEL": "WARNING",
        # The load test measures pages and imports, not the per-key limit.
        "API_RATE_LIMIT_PER_MINUTE": "100000",
    }


def run(command: list[str], env: dict) -> None:
    subprocess.run(command, env=env, cwd=ROOT, check=True)


def fresh_database(env: dict, template: str | None = None) -> None:
    """A new database with the demo: migrated and seeded, or copied from ``template`` (a seeded
    demo database left untouched since, e.g. kept from an earlier run with ``--keep-seed``)."""
    create = ["createdb", DATABASE] + (["-T", template] if template else [])
    for command in (["dropdb", "--if-exists", DATABASE], create):
        run([*command, "-h", "127.0.0.1", "-U", "postgres"], env)
    run([str(BIN / "python"), "manage.py", "migrate", "--noinput", "-v", "0"], env)
    if not template:
        run([str(BIN / "python"), "manage.py", "seed_demo"], env)
    # Static files as deployed: whitenoise serves what collectstatic gathered (hashed, compressed).
    run([str(BIN / "python"), "manage.py", "collectstatic", "--noinput", "-v", "0"], env)
    subprocess.run(["redis-cli", "-u", REDIS_URL, "flushdb"], check=True, capture_output=True)


def start(command: list[str], env: dict, log: Path) -> subprocess.Popen:
    return subprocess.Popen(
        command, env=env, cwd=ROOT, stdout=log.open("w"), stderr=subprocess.STDOUT, start_new_session=True
    )


def stop(process: subprocess.Popen) -> None:
    """Stop a server this script started (its own process group) and wait for it."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def wait_for(url: str, seconds: float = 60) -> None:
    import requests

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if requests.get(url, timeout=2).status_code < 500:
                return
        except requests.RequestException:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"{url} did not answer")


# What users do (requests-based, shared by the lone timings and the locust users) --------------


def csrf_token(text: str) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', text).group(1)


def sign_in(client, base: str, email: str) -> None:
    page = client.get(f"{base}/accounts/login/", name="sign in")
    answer = client.post(
        f"{base}/accounts/login/",
        data={"username": email, "password": PASSWORD, "csrfmiddlewaretoken": csrf_token(page.text)},
        headers={"Referer": f"{base}/accounts/login/"},
        name="sign in",
    )
    if "/accounts/login/" in answer.url:
        raise RuntimeError(f"could not sign in as {email}")


def children_csv(prefix: str, variant: int, children: int = 200) -> bytes:
    """An importer's 200 children; ``variant`` 0 or 1 gives every child a different date."""
    rows = ["child_ref,route,looked_after,permanence_rec"]
    for number in range(children):
        rows.append(f"{prefix}-{number:04d},adoption,{(number % 27) + 1 + variant:02d}/0{(number % 8) + 1}/2025,")
    return "\n".join(rows).encode()


def api_records(prefix: str, variant: int, records: int = 200) -> dict:
    return {
        "records": [
            {
                "child_ref": f"{prefix}-{number:04d}",
                "route": "kinship",
                "milestone": "looked_after",
                "date": f"2025-0{(number % 8) + 1}-{(number % 27) + 1 + variant:02d}",
            }
            for number in range(records)
        ]
    }


SETTLED = frozenset({"validated", "committed", "failed", "invalid", "refused"})


def wait_saved(client, base: str, token: str, import_url: str, timeout: float = 300, settled=SETTLED) -> str:
    """Poll the import's status (through the API) until it is checked, saved or has failed."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status = client.get(
            f"{base}{import_url}", headers={"Authorization": f"Bearer {token}"}, name="import status (poll)"
        ).json()["status"]
        if status in settled:
            return status
        # Every 0.1 s: an import is ~0.3-1 s alone, so a coarser poll (0.25 s) alone could add
        # up to half of it to one run and not to another, and the ratios would measure the poll.
        time.sleep(0.1)
    return "timed out"


def upload_and_commit(client, base: str, org: str, token: str, prefix: str, variant: int) -> tuple[float, str]:
    """A data lead's upload, end to end (upload, check, commit, saved): seconds and outcome."""
    started = time.monotonic()
    form = client.get(f"{base}/o/{org}/measures/data/imports/new/", name="upload form")
    answer = client.post(
        form.url,
        data={"csrfmiddlewaretoken": csrf_token(form.text)},
        files={"file": (f"{prefix}.csv", children_csv(prefix, variant), "text/csv")},
        headers={"Referer": form.url},
        name="upload",
    )
    code = re.search(r"/imports/([0-9a-f-]{36})/", answer.url).group(1)
    status = wait_saved(client, base, token, f"/api/v1/imports/{code}/")
    if status != "validated":
        return time.monotonic() - started, status
    page = client.get(f"{base}/o/{org}/measures/data/imports/{code}/", name="import page")
    client.post(
        f"{base}/o/{org}/measures/data/imports/{code}/commit/",
        data={"csrfmiddlewaretoken": csrf_token(page.text), "confirmed": "True"},
        headers={"Referer": page.url},
        name="commit",
    )
    status = wait_saved(client, base, token, f"/api/v1/imports/{code}/")
    return time.monotonic() - started, status


def api_push(client, base: str, token: str, prefix: str, variant: int, key: str) -> tuple[float, str]:
    """A case-management system's push of 200 dates, until saved: a 201 answers once saved; a
    202 (a batch over API_SYNC_MAX_RECORDS, left to the worker) is followed to its status URL."""
    started = time.monotonic()
    answer = client.post(
        f"{base}/api/v1/milestones/",
        json=api_records(prefix, variant),
        headers={"Authorization": f"Bearer {token}", "Idempotency-Key": key},
        name="API push",
    )
    status = answer.json().get("status", str(answer.status_code))
    if answer.status_code == 202:
        # The worker checks and saves in one task: "validated" is only a step on the way.
        status = wait_saved(client, base, token, answer.headers["Location"], settled=SETTLED - {"validated"})
    return time.monotonic() - started, status


STATIC = re.compile(r'<(?:script[^>]+src|link[^>]+href)="(/static/[^"]+)"')


def first_visit_static(client, page_text: str) -> None:
    """What a browser fetches once on its first page (CSS, scripts) and then keeps: whitenoise
    sends long-lived cache headers, so later pages ask for none of it."""
    for url in dict.fromkeys(STATIC.findall(page_text)):
        client.get(url, name="static (first visit)")


class NamedSession:
    """requests.Session taking locust's ``name=`` keyword (ignored), for the lone timings."""

    def __init__(self) -> None:
        import requests

        self.session = requests.Session()

    def __getattr__(self, method: str):
        def call(url: str, name: str = "", **kwargs):
            return getattr(self.session, method)(url, timeout=300, **kwargs)

        return call


# The load ------------------------------------------------------------------------------------


def load(base: str, api: str, plan: dict, users: int, minutes: float, importers: list[dict], meter: Meter) -> dict:
    import gevent
    from locust import HttpUser, between, events, task
    from locust.env import Environment

    people = [person for person in plan["people"] if person["role"] in {"admin", "lead", "data", "member", "viewer"}]
    import_times: dict[str, list[float]] = {"upload": [], "api": []}
    outcomes: list[str] = []
    counter = iter(range(1, 1_000_000))
    keys = {entry["org"]: entry for entry in plan["api"]}
    started: list[str] = []  # one entry per user whose on_start (sign-in, first page) is done
    uploaders = iter([importer for importer in importers if importer["kind"] == "upload"])
    systems = iter([importer for importer in importers if importer["kind"] == "api"])

    class Person(HttpUser):
        """Someone of the leads group, a data lead or a senior manager: one page, a read of 2 to 8
        seconds, the next page."""

        weight = users - 4
        wait_time = between(2, 8)
        host = base

        def on_start(self) -> None:
            person = people[next(counter) % len(people)]
            self.pages = plan["pages"][person["org"]]
            sign_in(self.client, "", person["email"])
            first_visit_static(self.client, self.client.get(self.pages["home"], name="home").text)
            started.append("person")

        def page(self, name: str) -> None:
            self.client.get(self.pages[name], name=name)

        @task(3)
        def home(self) -> None:
            self.page("home")

        @task(2)
        def governance_dashboard(self) -> None:
            self.page("governance dashboard")

        @task(1)
        def aims(self) -> None:
            self.page("aims")

        @task(1)
        def aim(self) -> None:
            self.page("aim")

        @task(1)
        def measures(self) -> None:
            self.page("measures")

        @task(1)
        def chart_page(self) -> None:
            self.page("chart page")

        @task(1)
        def board(self) -> None:
            self.page("board")

        @task(1)
        def cycle(self) -> None:
            self.page("cycle")

        @task(1)
        def milestone_data(self) -> None:
            self.page("milestone data")

    class DataLead(HttpUser):
        weight = 2
        fixed_count = 2
        wait_time = between(20, 40)
        host = base

        def on_start(self) -> None:
            self.importer = next(uploaders)
            sign_in(self.client, "", self.importer["email"])
            started.append("data lead")

        @task
        def upload(self) -> None:
            importer = self.importer
            seconds, status = upload_and_commit(
                self.client, "", importer["org"], keys[importer["org"]]["write"], importer["prefix"], turn(importer)
            )
            import_times["upload"].append(seconds)
            outcomes.append(status)

    class CaseSystem(HttpUser):
        weight = 2
        fixed_count = 2
        wait_time = between(5, 10)
        host = api

        def on_start(self) -> None:
            self.importer = next(systems)
            self.keys = keys[self.importer["org"]]
            started.append("system")

        @task(2)
        def push(self) -> None:
            importer = self.importer
            seconds, status = api_push(
                self.client, "", self.keys["write"], importer["prefix"], turn(importer), f"A{next(counter):05d}"
            )
            import_times["api"].append(seconds)
            outcomes.append(status)

        @task(1)
        def read(self) -> None:
            self.client.get(
                "/api/v1/measures/", headers={"Authorization": f"Bearer {self.keys['read']}"}, name="API measures"
            )

    environment = Environment(user_classes=[Person, DataLead, CaseSystem], events=events)
    runner = environment.create_local_runner()

    def measure() -> None:
        runner.stats.reset_all()
        import_times["upload"].clear()
        import_times["api"].clear()
        outcomes.clear()
        meter.start()
        gevent.spawn_later(minutes * 60, runner.quit)

    def steady(user_count: int) -> None:
        # Figures are for everyone signed in and working: the ramp-up (50 password checks, each
        # a deliberately slow PBKDF2, and first visits' static files) is left out. Counting
        # starts SETTLE_SECONDS after the last user has signed in, and lasts --minutes.
        def when_signed_in() -> None:
            deadline = time.monotonic() + 300
            while len(started) < user_count and time.monotonic() < deadline:
                gevent.sleep(0.5)
            print(f"{len(started)} of {user_count} users signed in; counting from {SETTLE_SECONDS} s later")
            gevent.sleep(SETTLE_SECONDS)
            measure()

        gevent.spawn(when_signed_in)

    environment.events.spawning_complete.add_listener(steady)
    runner.start(users, spawn_rate=5)
    runner.greenlet.join()
    meter.stop()
    return {"stats": environment.stats, "imports": import_times, "outcomes": outcomes}


def turn(importer: dict) -> int:
    """The importer's next file: its two date sets in turn, so each import changes every date."""
    importer["turns"] = importer.get("turns", 0) + 1
    return importer["turns"] % 2


class Meter:
    """CPU seconds used by each part between start() and stop(), and the machine's load."""

    def __init__(self, parts: dict[str, int]) -> None:
        self.parts = parts  # name -> process id (its children are counted with it)
        self.used: dict[str, float] = {}

    @staticmethod
    def _cpu(pid: int | None) -> float:
        import psutil

        processes = [psutil.Process(pid)] if pid else [psutil.Process()]
        processes += processes[0].children(recursive=True) if pid else []
        total = 0.0
        for process in processes:
            try:
                times = process.cpu_times()
                total += times.user + times.system
            except psutil.NoSuchProcess:
                pass
        return total

    @staticmethod
    def _postgres() -> dict[int, float]:
        import psutil

        seconds = {}
        for process in psutil.process_iter(["name", "cpu_times"]):
            if process.info["name"] == "postgres" and process.info["cpu_times"]:
                seconds[process.pid] = process.info["cpu_times"].user + process.info["cpu_times"].system
        return seconds

    def _read(self) -> dict[str, float]:
        readings = {name: self._cpu(pid) for name, pid in self.parts.items()}
        readings["locust (this process)"] = self._cpu(None)
        return readings

    def start(self) -> None:
        self.began, self.first, self.load_at_start = time.monotonic(), self._read(), os.getloadavg()[0]
        self.postgres_first = self._postgres()

    def stop(self) -> None:
        last, postgres = self._read(), self._postgres()
        self.seconds = time.monotonic() - self.began
        self.used = {name: last[name] - self.first[name] for name in last}
        # Every database's server processes (other work on the machine included); a connection
        # that ended during the run is not counted.
        self.used["PostgreSQL (every database)"] = sum(
            used - self.postgres_first.get(pid, 0.0) for pid, used in postgres.items()
        )
        self.load_at_end = os.getloadavg()[0]

    def lines(self) -> list[str]:
        lines = [f"{name:<28}{used:7.1f} CPU s  ({used / self.seconds:.2f} cores)" for name, used in self.used.items()]
        others = os.getloadavg()
        lines.append(
            f"machine load average: {self.load_at_start:.1f} at the start, {self.load_at_end:.1f} at the end "
            f"({others[1]:.1f} over 5 min), {os.cpu_count()} cores"
        )
        return lines


def report(result: dict, alone: dict[str, list[float]], minutes: float, meter: Meter) -> bool:
    stats = result["stats"]
    pages = set(PAGE_NAMES)
    print(f"\n{'request':<24}{'count':>7}{'errors':>8}{'req/s':>8}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}")
    worst_page_p95, worst_page = 0.0, ""
    for (name, _method), entry in sorted(stats.entries.items()):
        p50, p95, p99 = (entry.get_response_time_percentile(q) for q in (0.5, 0.95, 0.99))
        print(
            f"{name:<24}{entry.num_requests:>7}{entry.num_failures:>8}{entry.total_rps:>8.1f}"
            f"{p50:>9.0f}{p95:>9.0f}{p99:>9.0f}"
        )
        if name in pages and p95 > worst_page_p95:
            worst_page_p95, worst_page = p95, name
    total = stats.total
    print(
        f"{'all':<24}{total.num_requests:>7}{total.num_failures:>8}{total.total_rps:>8.1f}"
        f"{total.get_response_time_percentile(0.5):>9.0f}{total.get_response_time_percentile(0.95):>9.0f}"
        f"{total.get_response_time_percentile(0.99):>9.0f}"
    )
    for error in stats.errors.values():
        print(f"error: {error.method} {error.name}: {error.error} ×{error.occurrences}")
    bad_outcomes = [outcome for outcome in result["outcomes"] if outcome != "committed"]
    print(f"\nimports under load: {len(result['outcomes'])}, not saved: {bad_outcomes or 'none'}")
    slowest = {}
    for kind in ("upload", "api"):
        times = result["imports"][kind]
        reference, typical = min(alone[kind]), median(alone[kind])
        print(
            f"{kind:<7} alone {seconds(alone[kind])} (before and after the load): median {typical:.2f} s, "
            f"slowest {max(alone[kind]) / reference:.2f}x the fastest"
        )
        if times:
            slowest[kind] = max(times) / reference
            print(
                f"        under load median {sorted(times)[len(times) // 2]:.2f} s "
                f"({sorted(times)[len(times) // 2] / reference:.2f}x), slowest {max(times):.2f} s "
                f"({slowest[kind]:.2f}x the fastest alone run, {max(times) / typical:.2f}x the median), "
                f"{len(times)} runs"
            )
    print(f"\nthroughput: {total.num_requests / meter.seconds:.1f} requests/s over {meter.seconds / 60:.1f} min")
    print("\n".join(meter.lines()))
    checks = {
        f"page p95 under {PAGE_P95_AIM_MS} ms (worst {worst_page_p95:.0f} ms, {worst_page})": (
            worst_page_p95 < PAGE_P95_AIM_MS
        ),
        f"no errors ({total.num_failures} failed requests, {len(bad_outcomes)} imports not saved)": (
            total.num_failures == 0 and not bad_outcomes
        ),
        f"no import slower than {IMPORT_SLOWDOWN_AIM:g}x alone": bool(slowest)
        and all(ratio <= IMPORT_SLOWDOWN_AIM for ratio in slowest.values()),
    }
    for text, met in checks.items():
        print(f"{'met' if met else 'NOT MET'}: {text}")
    return all(checks.values())


def seconds(times: list[float]) -> str:
    return ", ".join(f"{t:.2f}" for t in times) + " s"


def worker_idle(env: dict, timeout: float = 120) -> None:
    """Wait until the worker has nothing queued or running (a commit's recompute included): tasks
    are acknowledged when they end (CELERY_TASK_ACKS_LATE), so a running one is still in Redis's
    ``unacked`` hash."""
    deadline = time.monotonic() + timeout
    queue = env.get("CELERY_QUEUE", "celery")

    def redis(*command: str) -> str:
        return subprocess.run(
            ["redis-cli", "-u", REDIS_URL, *command], capture_output=True, text=True, check=True
        ).stdout.strip()

    quiet = 0
    while time.monotonic() < deadline:
        quiet = quiet + 1 if redis("llen", queue) == "0" and redis("hlen", "unacked") == "0" else 0
        if quiet == 3:  # idle across a second: not between one task and the one it enqueues
            return
        time.sleep(0.5)
    raise RuntimeError("the worker did not become idle")


def time_alone(
    session, base: str, api: str, importers: list[dict], keys: dict, env: dict, repeats: int
) -> dict[str, list[float]]:
    """``repeats`` uploads and pushes by the first council's importers, each with the worker idle."""
    upload = next(importer for importer in importers if importer["kind"] == "upload")
    system = next(importer for importer in importers if importer["kind"] == "api")
    times: dict[str, list[float]] = {"upload": [], "api": []}
    for _ in range(repeats):
        worker_idle(env)
        seconds, status = upload_and_commit(
            session, base, upload["org"], keys[upload["org"]]["write"], upload["prefix"], turn(upload)
        )
        assert status == "committed", status
        times["upload"].append(seconds)
        worker_idle(env)
        pushed, status = api_push(
            session, api, keys[system["org"]]["write"], system["prefix"], turn(system), f"ALONE-{time.monotonic()}"
        )
        assert status == "committed", status
        times["api"].append(pushed)
    worker_idle(env)
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--minutes", type=float, default=3)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--workers", type=int, help="gunicorn processes (default: pace_hub/gunicorn.conf.py's)")
    parser.add_argument("--worker-concurrency", type=int, default=2, help="Celery worker processes")
    parser.add_argument(
        "--web-nice",
        type=int,
        default=5,
        help="nice value for the page server (0: same as the API pool and the worker)",
    )
    parser.add_argument(
        "--locust-nice",
        type=int,
        default=0,
        help="nice value for this process while the load runs (0: same as the servers)",
    )
    parser.add_argument(
        "--alone", type=int, default=1, help="imports timed alone before the load, and again after (each path)"
    )
    parser.add_argument(
        "--api-pool",
        type=int,
        default=2,
        metavar="PROCESSES",
        help="serve /api/ from a gunicorn of its own with this many processes, at nice 0 (0: from the page server)",
    )
    parser.add_argument("--from-template", metavar="DATABASE", help="copy a seeded demo database instead of seeding")
    parser.add_argument("--keep-seed", metavar="DATABASE", help="keep a copy of the seeded database under this name")
    parser.add_argument("--prepare", help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    if arguments.prepare:
        prepare(arguments.prepare)
        return 0
    import locust  # noqa: F401  (patches the standard library for gevent: before requests is used)

    env = environment()
    logs = Path(tempfile.mkdtemp(prefix="pace-load-logs-"))
    fresh_database(env, arguments.from_template)
    if arguments.keep_seed:
        for command in (
            ["dropdb", "--if-exists", arguments.keep_seed],
            ["createdb", arguments.keep_seed, "-T", DATABASE],
        ):
            run([*command, "-h", "127.0.0.1", "-U", "postgres"], env)
    plan_file = logs / "plan.json"
    run([sys.executable, __file__, "--prepare", str(plan_file)], env)
    plan = json.loads(plan_file.read_text())
    keys = {entry["org"]: entry for entry in plan["api"]}
    base = f"http://127.0.0.1:{arguments.port}"

    def gunicorn(url: str, access_log: str, workers: int | None) -> list[str]:
        command = [str(BIN / "gunicorn"), "-c", str(ROOT / "pace_hub/gunicorn.conf.py"), "--bind", url[7:]]
        # Each request's path, status and server-side milliseconds, to tell slow pages from queueing.
        command += ["--access-logfile", str(logs / access_log), "--access-logformat", '%(t)s "%(r)s" %(s)s %(M)s']
        return command + (["--workers", str(workers)] if workers else []) + ["pace_hub.wsgi"]

    page_server = gunicorn(base, "access.log", arguments.workers)
    server = start(["nice", "-n", str(arguments.web_nice), *page_server], env, logs / "gunicorn.log")
    api, api_server = base, None
    if arguments.api_pool:
        # As the proxy routes /api/ to a pool of its own: pushes never share a process (and its
        # GIL) with a page render, nor the page server's lower priority.
        api = f"http://127.0.0.1:{arguments.port + 1}"
        api_server = start(gunicorn(api, "api-access.log", arguments.api_pool), env, logs / "gunicorn-api.log")
    worker = start(
        [
            str(BIN / "celery"),
            "-A",
            "pace_hub",
            "worker",
            "--concurrency",
            str(arguments.worker_concurrency),
            "--loglevel",
            "WARNING",
        ],
        env,
        logs / "worker.log",
    )
    try:
        wait_for(f"{base}/accounts/login/")
        wait_for(f"{api}/accounts/login/")
        session = NamedSession()
        leads = {lead["org"]: lead["email"] for lead in plan["data_leads"][::2]}  # each council's data lead
        importers = [
            {"kind": kind, "org": org, "prefix": f"{kind[0].upper()}{number}", "email": leads[org]}
            for kind in ("upload", "api")
            for number, org in enumerate(leads)
        ]
        sign_in(session, base, importers[0]["email"])
        # Each importer's 200 children exist before anything is timed (its first file makes them).
        for importer in importers:
            lead = NamedSession()
            sign_in(lead, base, importer["email"])
            write = keys[importer["org"]]["write"]
            if importer["kind"] == "upload":
                outcome = upload_and_commit(lead, base, importer["org"], write, importer["prefix"], turn(importer))
            else:
                outcome = api_push(lead, api, write, importer["prefix"], turn(importer), f"MAKE-{importer['prefix']}")
            assert outcome[1] == "committed", outcome
        before = time_alone(session, base, api, importers, keys, env, arguments.alone)
        print(f"alone: upload {seconds(before['upload'])}, API push {seconds(before['api'])} (logs in {logs})")
        parts = {"gunicorn": server.pid, "Celery worker": worker.pid}
        if api_server is not None:
            parts["gunicorn (API)"] = api_server.pid
        meter = Meter(parts)
        # The servers were started at priority 0, so this lowers locust alone, and only for the load.
        os.setpriority(os.PRIO_PROCESS, 0, arguments.locust_nice)
        try:
            result = load(base, api, plan, arguments.users, arguments.minutes, importers, meter)
        finally:
            os.setpriority(os.PRIO_PROCESS, 0, 0)
        print(
            f"locust ran at nice {arguments.locust_nice}; pages on gunicorn at nice {arguments.web_nice}, "
            + (f"/api/ on a pool of {arguments.api_pool} at nice 0" if arguments.api_pool else "/api/ with the pages")
        )
        after = time_alone(session, base, api, importers, keys, env, arguments.alone)
        print(f"alone again: upload {seconds(after['upload'])}, API push {seconds(after['api'])}")
    finally:
        stop(server)
        if api_server is not None:
            stop(api_server)
        stop(worker)
    alone = {kind: before[kind] + after[kind] for kind in ("upload", "api")}
    return 0 if report(result, alone, arguments.minutes, meter) else 1


if __name__ == "__main__":
    sys.exit(main())
