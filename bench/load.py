"""Load test: a council's leads groups, data leads and case-management systems at once.

    .venv/bin/python bench/load.py [--users 50] [--minutes 3] [--port 8765]

Against loopback only: a fresh PostgreSQL database (``pace_h8`` unless ``LOAD_DATABASE``), Redis
db 8 (``LOAD_REDIS``), gunicorn and a Celery worker, all started here and stopped at the end.
The demo is seeded (two councils, every role), then:

1. each import path is timed **alone**: a data lead uploading a 200-child CSV and committing it,
   and a system pushing a 200-date batch through the API, each until it is saved;
2. locust starts ``--users`` users (5 a second) and, once all are signed in, runs them for
   ``--minutes`` (headless, bounded; the ramp-up is not in the figures): people of mixed roles
   signed in and reading the main pages (home, dashboards, aims, an aim, measures, a chart page,
   the board, a cycle, milestone data), two data leads uploading and committing files, and two
   API clients pushing batches and reading measures;
3. it prints throughput, p50/p95/p99 and errors per page, and each import path's time under load
   against alone. The aims (issue 14): p95 under 300 ms for pages, no errors, no import slower
   than alone by more than 2x.
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

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
DATABASE = os.environ.get("LOAD_DATABASE", "pace_h8")
DATABASE_URL = f"postgres://postgres@127.0.0.1:5432/{DATABASE}"
REDIS_URL = os.environ.get("LOAD_REDIS", "redis://127.0.0.1:6379/8")
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
)
IMPORT_SLOWDOWN_AIM = 2.0


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


def fresh_database(env: dict) -> None:
    for command in (["dropdb", "--if-exists", DATABASE], ["createdb", DATABASE]):
        run([*command, "-h", "127.0.0.1", "-U", "postgres"], env)
    run([str(BIN / "python"), "manage.py", "migrate", "--noinput", "-v", "0"], env)
    run([str(BIN / "python"), "manage.py", "seed_demo"], env)
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


def children_csv(prefix: str, children: int = 200) -> bytes:
    rows = ["child_ref,route,looked_after,permanence_rec"]
    for number in range(children):
        rows.append(f"{prefix}-{number:04d},adoption,{(number % 27) + 1:02d}/0{(number % 8) + 1}/2025,")
    return "\n".join(rows).encode()


def api_records(prefix: str, records: int = 200) -> dict:
    return {
        "records": [
            {
                "child_ref": f"{prefix}-{number:04d}",
                "route": "kinship",
                "milestone": "looked_after",
                "date": f"2025-0{(number % 8) + 1}-{(number % 27) + 1:02d}",
            }
            for number in range(records)
        ]
    }


def wait_saved(client, base: str, token: str, import_url: str, timeout: float = 300) -> str:
    """Poll the import's status (through the API) until it is saved or has failed."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status = client.get(
            f"{base}{import_url}", headers={"Authorization": f"Bearer {token}"}, name="import status (poll)"
        ).json()["status"]
        if status in {"validated", "committed", "failed", "invalid", "refused"}:
            return status
        time.sleep(0.25)
    return "timed out"


def upload_and_commit(client, base: str, org: str, token: str, prefix: str) -> tuple[float, str]:
    """A data lead's upload, end to end (upload, check, commit, saved): seconds and outcome."""
    started = time.monotonic()
    form = client.get(f"{base}/o/{org}/measures/data/imports/new/", name="upload form")
    answer = client.post(
        form.url,
        data={"csrfmiddlewaretoken": csrf_token(form.text)},
        files={"file": (f"{prefix}.csv", children_csv(prefix), "text/csv")},
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


def api_push(client, base: str, token: str, prefix: str) -> tuple[float, str]:
    """A case-management system's push of 200 dates, until saved (201 answers once saved)."""
    started = time.monotonic()
    answer = client.post(
        f"{base}/api/v1/milestones/",
        json=api_records(prefix),
        headers={"Authorization": f"Bearer {token}", "Idempotency-Key": prefix},
        name="API push",
    )
    status = answer.json().get("status", str(answer.status_code))
    return time.monotonic() - started, status


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


def load(base: str, plan: dict, users: int, minutes: float) -> dict:
    import gevent
    from locust import HttpUser, between, events, task
    from locust.env import Environment

    people = [person for person in plan["people"] if person["role"] in {"admin", "lead", "data", "member", "viewer"}]
    import_times: dict[str, list[float]] = {"upload": [], "api": []}
    outcomes: list[str] = []
    counter = iter(range(1, 1_000_000))
    keys = {entry["org"]: entry for entry in plan["api"]}

    class Person(HttpUser):
        """Someone of the leads group, a data lead or a senior manager reading the main pages."""

        weight = users - 4
        wait_time = between(1, 4)
        host = base

        def on_start(self) -> None:
            person = people[next(counter) % len(people)]
            self.pages = plan["pages"][person["org"]]
            sign_in(self.client, "", person["email"])

        @task(3)
        def home(self) -> None:
            self.client.get(self.pages["home"], name="home")

        @task(2)
        def governance_dashboard(self) -> None:
            self.client.get(self.pages["governance dashboard"], name="governance dashboard")

        @task(2)
        def aims(self) -> None:
            self.client.get(self.pages["aims"], name="aims")
            self.client.get(self.pages["aim"], name="aim")

        @task(2)
        def measures(self) -> None:
            self.client.get(self.pages["measures"], name="measures")
            self.client.get(self.pages["chart page"], name="chart page")

        @task(2)
        def board(self) -> None:
            self.client.get(self.pages["board"], name="board")
            self.client.get(self.pages["cycle"], name="cycle")

        @task(1)
        def milestone_data(self) -> None:
            self.client.get(self.pages["milestone data"], name="milestone data")

    class DataLead(HttpUser):
        weight = 2
        fixed_count = 2
        wait_time = between(5, 10)
        host = base

        def on_start(self) -> None:
            lead = plan["data_leads"][next(counter) % 2 * 2]  # each council's data lead
            self.org = lead["org"]
            sign_in(self.client, "", lead["email"])

        @task
        def upload(self) -> None:
            seconds, status = upload_and_commit(
                self.client, "", self.org, keys[self.org]["write"], f"L{next(counter):05d}"
            )
            import_times["upload"].append(seconds)
            outcomes.append(status)

    class CaseSystem(HttpUser):
        weight = 2
        fixed_count = 2
        wait_time = between(3, 6)
        host = base

        def on_start(self) -> None:
            self.org = plan["api"][next(counter) % 2]["org"]

        @task(2)
        def push(self) -> None:
            seconds, status = api_push(self.client, "", keys[self.org]["write"], f"A{next(counter):05d}")
            import_times["api"].append(seconds)
            outcomes.append(status)

        @task(1)
        def read(self) -> None:
            self.client.get(
                "/api/v1/measures/", headers={"Authorization": f"Bearer {keys[self.org]['read']}"}, name="API measures"
            )

    environment = Environment(user_classes=[Person, DataLead, CaseSystem], events=events)
    runner = environment.create_local_runner()

    def steady(user_count: int) -> None:
        # Figures are for everyone signed in and working: the ramp-up (50 password checks, each
        # a deliberately slow PBKDF2) is left out, and the run lasts --minutes from here.
        runner.stats.reset_all()
        gevent.spawn_later(minutes * 60, runner.quit)

    environment.events.spawning_complete.add_listener(steady)
    runner.start(users, spawn_rate=5)
    runner.greenlet.join()
    return {"stats": environment.stats, "imports": import_times, "outcomes": outcomes}


def report(result: dict, alone: dict[str, float], minutes: float) -> bool:
    stats = result["stats"]
    pages = set(PAGE_NAMES)
    print(f"\n{'request':<24}{'count':>7}{'errors':>8}{'req/s':>8}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}")
    worst_page_p95 = 0.0
    for (name, _method), entry in sorted(stats.entries.items()):
        p50, p95, p99 = (entry.get_response_time_percentile(q) for q in (0.5, 0.95, 0.99))
        print(
            f"{name:<24}{entry.num_requests:>7}{entry.num_failures:>8}{entry.total_rps:>8.1f}"
            f"{p50:>9.0f}{p95:>9.0f}{p99:>9.0f}"
        )
        if name in pages:
            worst_page_p95 = max(worst_page_p95, p95)
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
        if times:
            slowest[kind] = max(times) / alone[kind]
            print(
                f"{kind:<7} alone {alone[kind]:.2f} s; under load median {sorted(times)[len(times) // 2]:.2f} s, "
                f"slowest {max(times):.2f} s ({slowest[kind]:.2f}x alone, {len(times)} runs)"
            )
    print(f"\nthroughput: {total.num_requests / (minutes * 60):.1f} requests/s over {minutes:g} min")
    checks = {
        f"page p95 under {PAGE_P95_AIM_MS} ms (worst {worst_page_p95:.0f} ms)": worst_page_p95 < PAGE_P95_AIM_MS,
        f"no errors ({total.num_failures} failed requests, {len(bad_outcomes)} imports not saved)": (
            total.num_failures == 0 and not bad_outcomes
        ),
        f"no import slower than {IMPORT_SLOWDOWN_AIM:g}x alone": all(
            ratio <= IMPORT_SLOWDOWN_AIM for ratio in slowest.values()
        ),
    }
    for text, met in checks.items():
        print(f"{'met' if met else 'NOT MET'}: {text}")
    return all(checks.values())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--minutes", type=float, default=3)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes")
    parser.add_argument("--prepare", help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    if arguments.prepare:
        prepare(arguments.prepare)
        return 0
    import locust  # noqa: F401  (patches the standard library for gevent: before requests is used)

    env = environment()
    logs = Path(tempfile.mkdtemp(prefix="pace-load-logs-"))
    fresh_database(env)
    plan_file = logs / "plan.json"
    run([sys.executable, __file__, "--prepare", str(plan_file)], env)
    plan = json.loads(plan_file.read_text())
    base = f"http://127.0.0.1:{arguments.port}"
    server = start(
        [str(BIN / "gunicorn"), "pace_hub.wsgi", "--workers", str(arguments.workers), "--bind", base[7:]],
        env,
        logs / "gunicorn.log",
    )
    worker = start(
        [str(BIN / "celery"), "-A", "pace_hub", "worker", "--concurrency", "1", "--loglevel", "WARNING"],
        env,
        logs / "worker.log",
    )
    try:
        wait_for(f"{base}/accounts/login/")
        session = NamedSession()
        lead = plan["data_leads"][0]
        sign_in(session, base, lead["email"])
        token = plan["api"][0]["write"]
        alone = {
            "upload": upload_and_commit(session, base, lead["org"], token, "ALONE-U")[0],
            "api": api_push(session, base, token, "ALONE-A")[0],
        }
        print(f"alone: upload {alone['upload']:.2f} s, API push {alone['api']:.2f} s (logs in {logs})")
        result = load(base, plan, arguments.users, arguments.minutes)
    finally:
        stop(server)
        stop(worker)
    return 0 if report(result, alone, arguments.minutes) else 1


if __name__ == "__main__":
    sys.exit(main())
