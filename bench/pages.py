"""Page benchmark: the main pages at 1× and 10× demo data and at 100,000 children, each against a
trivial authenticated page timed in the same loop, with query counts.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pace_h2 REDIS_URL=redis://127.0.0.1:6379/2 \\
        .venv/bin/python bench/pages.py [--rounds 7] [--children 100000] [--fresh] [--json out.json]

The database named in DATABASE_URL is dropped and rebuilt on the first run (or with ``--fresh``):
migrated, the demo seeded (``seed_demo``), then two organisations are built from the first demo
council, both led by its demo lead:
- **10×**: the council's hand-entered measures (points, annotations, phases) and aims copied ten
  times, and ten times its children (4,000, the demo's generator), imported through the upload
  services, then the derived measures and pathway summaries worked out as the worker does;
- **100k**: the measures and aims once, and ``--children`` (100,000) children the same way.
Both also get the council's named PACE Lead and Data Lead and its governance groups (ten times at
10×, without reports), so that their pages have the demo's kind of content. The first demo
council itself is **1×**. Later runs reuse the database (nothing is rebuilt), so
that page changes can be measured again in a minute or two.

Each page is asked for once (warm-up: caches and the chart cache filled, as after the first
visitor), then ``--rounds`` times, each time right after the trivial page (the password-change
form: session and user, nothing else), alternating, through Django's test client in this process
with the Redis cache. Reported per page and scale: the median time, its ratio to the trivial
page's median in the same loop, the number of queries and the HTML size. The measures list is also
timed cold (every chart-cache stamp renewed first, nothing warmed) and as the first view after a
recompute that changed every derived measure, once the worker has warmed the chart cache. The
aims (issue 16): every page ≤ 5× the trivial page at 10× and at 100,000 children, and the same
number of queries at every scale.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/pace_h2")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/2")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pace_hub.settings.local")
os.environ["DEBUG"] = "0"  # as deployed: no query log, no debug toolbar, templates cached
os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")

RATIO_AIM = 5.0
SCALES = ("1x", "10x", "100k")
PAGES = {
    "data home": "milestone_data",
    "waiting": "milestone_waiting",
    "completeness": "milestone_completeness",
    "measures list": "measures",
    "aims list": "aims",
    "home": "org_home",
    "dashboard": "governance_dashboard",
}


def database_name() -> str:
    return os.environ["DATABASE_URL"].rsplit("/", 1)[1]


def rebuild_database() -> None:
    """Drop and recreate the database, migrate and seed the demo (in subprocesses)."""
    name = database_name()
    for command in (["dropdb", "--if-exists", name], ["createdb", name]):
        subprocess.run([*command, "-h", "127.0.0.1", "-U", "postgres"], check=True)
    python = str(Path(sys.executable))
    subprocess.run([python, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, check=True)
    subprocess.run([python, "manage.py", "seed_demo"], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    redis = os.environ["REDIS_URL"]
    subprocess.run(["redis-cli", "-u", redis, "flushdb"], check=True, capture_output=True)


def database_exists() -> bool:
    found = subprocess.run(
        [
            "psql",
            "-h",
            "127.0.0.1",
            "-U",
            "postgres",
            "-tAc",
            f"SELECT 1 FROM pg_database WHERE datname = '{database_name()}'",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    return found.stdout.strip() == "1"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--children", type=int, default=100_000)
    parser.add_argument("--fresh", action="store_true", help="rebuild the database even if it exists")
    parser.add_argument("--json", help="also write the figures to this file")
    parser.add_argument("--scales", default=",".join(SCALES), help="which of 1x,10x,100k to time (all built)")
    parser.add_argument(
        "--pages", default=",".join(PAGES), help="which pages to time (names as listed, comma-separated)"
    )
    args = parser.parse_args()

    started = time.perf_counter()
    if args.fresh or not database_exists():
        print(f"building {database_name()}: migrate, seed_demo …", flush=True)
        rebuild_database()
    import django

    django.setup()
    scales = build_scales(children=args.children)
    print(f"data ready in {time.perf_counter() - started:.0f} s", flush=True)
    wanted = set(args.scales.split(","))
    pages = {name: PAGES[name] for name in args.pages.split(",")}
    results = {
        scale: measure_pages(org, user, rounds=args.rounds, pages=pages)
        for scale, (org, user) in scales.items()
        if scale in wanted
    }
    report(results)
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2))
    print(f"\ntotal {time.perf_counter() - started:.0f} s")


# Building the scales ------------------------------------------------------------------------


def build_scales(*, children: int) -> dict:
    from pace_hub.demo import ORGANISATIONS
    from pace_hub.models import Membership, Organisation
    from pace_hub.roles import Role

    source = Organisation.objects.get(slug=ORGANISATIONS[0][1])
    lead = Membership.objects.filter(organisation=source, role=Role.LEAD).select_related("user").first().user
    scales = {"1x": (source, lead)}
    for scale, name, times, count in (("10x", "Bench ten times", 10, None), ("100k", "Bench national", 1, children)):
        slug = f"bench-{scale}"
        org = Organisation.objects.filter(slug=slug).first()
        if org is None:
            print(f"building {scale} …", flush=True)
            org = Organisation.objects.create(name=name, slug=slug)
            Membership.objects.create(organisation=org, user=lead, role=Role.LEAD)
            copy_improvement_work(source, org, times=times)
            import_children(source, org, count if count is not None else times * source_children(source))
        copy_leadership(source, org, times=times)
        scales[scale] = (org, lead)
    return scales


def copy_leadership(source, target, *, times: int) -> None:
    """The source's named PACE Lead and Data Lead (the same people, with their roles) and its active
    governance groups (``times`` over, no reports), once: without them the bench organisations'
    pages had other content than the demo's (the leadership alert, no groups), and each skipped
    a query the demo's pages run. Added to databases built before it, on their next run."""
    from governance.models import GovernanceGroup
    from pace_hub.models import Membership

    if GovernanceGroup.objects.filter(organisation=target).exists():
        return
    groups = list(GovernanceGroup.objects.filter(organisation=source, active=True))
    wanted = {source.pace_lead_id, source.data_lead_id, *(group.reporter_id for group in groups)} - {None}
    people = {
        membership.pk: Membership.objects.get_or_create(
            organisation=target, user=membership.user, defaults={"role": membership.role}
        )[0]
        for membership in Membership.objects.filter(pk__in=wanted).select_related("user")
    }
    target.pace_lead = people.get(source.pace_lead_id)
    target.data_lead = people.get(source.data_lead_id)
    target.save(update_fields=["pace_lead", "data_lead"])
    skip = {"id", "code", "organisation", "created_at", "updated_at", "reporter"}
    for copy in range(times):
        suffix = f" ({copy + 1})" if times > 1 else ""
        for group in groups:
            values = {f.attname: getattr(group, f.attname) for f in group._meta.concrete_fields if f.name not in skip}
            values["name"] = group.name + suffix
            GovernanceGroup.objects.create(organisation=target, reporter=people.get(group.reporter_id), **values)


def source_children(source) -> int:
    from measures.models import Child

    return Child.objects.filter(organisation=source).count()


def copy_improvement_work(source, target, *, times: int) -> None:
    """The source's hand-entered measures (with points, annotations and phases) and aims (their
    scalar fields, outcome and process measures), ``times`` over."""
    from aims.models import Aim
    from measures.models import Annotation, DataPoint, Measure, Phase

    skip = {"id", "code", "organisation", "created_at", "updated_at", "data_version"}
    measures = list(Measure.objects.filter(organisation=source, source=Measure.Source.MANUAL))

    def fields(instance, *extra_skip: str) -> dict:
        return {
            field.attname: getattr(instance, field.attname)
            for field in instance._meta.concrete_fields
            if field.name not in skip and field.name not in extra_skip
        }

    for copy in range(times):
        suffix = f" ({copy + 1})" if times > 1 else ""
        copies = {}
        for measure in measures:
            values = fields(measure)
            values["title"] = measure.title + suffix
            copies[measure.pk] = Measure.objects.create(organisation=target, **values)
        rows = []
        for model in (DataPoint, Annotation, Phase):
            for row in model.objects.filter(measure__in=measures):
                values = fields(row, "measure")
                rows.append(model(organisation=target, measure=copies[row.measure_id], **values))
        for model in (DataPoint, Annotation, Phase):
            model.objects.bulk_create([row for row in rows if type(row) is model], batch_size=2000)
        for aim in Aim.objects.filter(organisation=source).prefetch_related("measures"):
            values = fields(aim, "lead", "aims_group", "outcome_measure")
            values["title"] = aim.title + suffix
            copied = Aim.objects.create(
                organisation=target, outcome_measure=copies.get(aim.outcome_measure_id), **values
            )
            copied.measures.set([copies[m.pk] for m in aim.measures.all() if m.pk in copies])


def import_children(source, target, count: int) -> None:
    """``count`` children from the demo's generator, through the upload services (check, commit),
    then the derived measures and pathway summary as the worker works them out."""
    import csv
    import io
    import zlib

    from django.core.files.base import ContentFile
    from django.utils import timezone

    from measures.milestones import imports
    from measures.milestones.demo import COLUMNS, demo_rows
    from measures.milestones.derived import derived_measures_recompute
    from measures.milestones.pathway import pathway_create_defaults
    from measures.models import MilestoneImport

    pathway_create_defaults(organisation=target)
    today = timezone.localdate()
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["child_ref", "route", *COLUMNS])
    rows = demo_rows(zlib.crc32(target.slug.encode()), today, children=count)
    for number, row in enumerate(rows):
        row[0] = f"C-{100000 + number}"
    writer.writerows(rows)
    started = time.perf_counter()
    upload = ContentFile(buffer.getvalue().encode(), name=f"{target.slug}.csv")
    milestone_import = imports.milestone_import_record(organisation=target, user=None, upload=upload)
    milestone_import = imports.milestone_import_validate(milestone_import=milestone_import, today=today)
    if milestone_import.status != MilestoneImport.Status.VALIDATED:
        raise RuntimeError(f"the bench file did not validate: {milestone_import.problems[:3]}")
    imports.milestone_import_claim_commit(milestone_import=milestone_import)
    milestone_import.refresh_from_db()
    imports.milestone_import_commit(milestone_import=milestone_import, today=today)
    derived_measures_recompute(organisation=target, today=today)
    print(f"  {count:,} children imported in {time.perf_counter() - started:.0f} s", flush=True)


# Timing -------------------------------------------------------------------------------------


def measure_pages(org, user, *, rounds: int, pages: dict[str, str]) -> dict:
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    from measures.chart_cache import measures_changed
    from measures.models import Measure
    from measures.tasks import charts_warm_task

    client = Client()
    client.force_login(user)
    trivial_url = reverse("password_change")

    def get(url: str) -> tuple[float, object]:
        started = time.perf_counter()
        response = client.get(url)
        seconds = time.perf_counter() - started
        if response.status_code != 200:
            raise RuntimeError(f"{url} answered {response.status_code}")
        return seconds, response

    class Counted:
        """Counts the queries of a request (across the reconnections of CONN_MAX_AGE=0)."""

        def __enter__(self):
            self.count = 0
            self.wrapper = connection.execute_wrapper(self)
            self.wrapper.__enter__()
            return self

        def __call__(self, execute, sql, params, many, context):
            self.count += 1
            return execute(sql, params, many, context)

        def __exit__(self, *exc):
            self.wrapper.__exit__(*exc)

    get(trivial_url)
    figures = {}
    for name, url_name in pages.items():
        url = reverse(url_name, args=[org.slug])
        get(url)  # warm-up: caches and the chart cache filled, as after the first visitor
        with Counted() as queries:
            _, response = get(url)
        trivial, page = [], []
        for _ in range(rounds):
            trivial.append(get(trivial_url)[0])
            page.append(get(url)[0])
        figures[name] = {
            "ms": statistics.median(page) * 1000,
            "trivial_ms": statistics.median(trivial) * 1000,
            "ratio": statistics.median(page) / statistics.median(trivial),
            "queries": queries.count,
            "kb": len(response.content) / 1024,
        }
    figures["_counts"] = counts(org)
    if "measures list" not in pages:
        return figures
    # The measures list when no chart is cached (right after an upload changed every measure).
    url = reverse("measures", args=[org.slug])
    cold, trivial = [], []
    for _ in range(max(1, rounds // 2)):
        measures_changed(Measure.objects.filter(organisation=org).values_list("pk", flat=True))
        trivial.append(get(trivial_url)[0])
        with Counted() as queries:
            cold.append(get(url)[0])
    figures["measures list (cold)"] = {
        "ms": statistics.median(cold) * 1000,
        "trivial_ms": statistics.median(trivial) * 1000,
        "ratio": statistics.median(cold) / statistics.median(trivial),
        "queries": queries.count,
        "kb": figures["measures list"]["kb"],
    }
    # The first view after a recompute that changed every derived measure (an import commit or
    # roll-back): the worker warms the chart cache after commit (measures.tasks.charts_warm_task,
    # timed here as "warm ms"), so the first reader finds every chart cached.
    first, trivial, warm = [], [], []
    derived = Measure.objects.filter(organisation=org, source=Measure.Source.DERIVED)
    for _ in range(max(1, rounds // 2)):
        measures_changed(derived.values_list("pk", flat=True))
        started = time.perf_counter()
        charts_warm_task(org.pk)
        warm.append(time.perf_counter() - started)
        trivial.append(get(trivial_url)[0])
        with Counted() as queries:
            first.append(get(url)[0])
    figures["list after recompute"] = {
        "ms": statistics.median(first) * 1000,
        "trivial_ms": statistics.median(trivial) * 1000,
        "ratio": statistics.median(first) / statistics.median(trivial),
        "queries": queries.count,
        "kb": figures["measures list"]["kb"],
        "warm_ms": statistics.median(warm) * 1000,
    }
    return figures


def counts(org) -> dict:
    from aims.models import Aim
    from measures.models import Child, DataPoint, Measure

    return {
        "measures": Measure.objects.filter(organisation=org).count(),
        "points": DataPoint.objects.filter(organisation=org).count(),
        "aims": Aim.objects.filter(organisation=org).count(),
        "children": Child.objects.filter(organisation=org).count(),
    }


def report(results: dict) -> None:
    for scale, figures in results.items():
        sizes = ", ".join(f"{value:,} {name}" for name, value in figures["_counts"].items())
        print(f"\n{scale}: {sizes}")
        print(f"  {'page':<22}{'ms':>9}{'trivial':>9}{'ratio':>8}{'queries':>9}{'KB':>8}")
        for name, row in figures.items():
            if name.startswith("_"):
                continue
            flag = "" if row["ratio"] <= RATIO_AIM else "  > 5x"
            print(
                f"  {name:<22}{row['ms']:>9.1f}{row['trivial_ms']:>9.1f}{row['ratio']:>8.1f}"
                f"{row['queries']:>9}{row['kb']:>8.0f}{flag}"
            )
        if "warm_ms" in figures.get("list after recompute", {}):
            print(f"  (worker's warm after the recompute: {figures['list after recompute']['warm_ms']:.0f} ms)")
    names = [name for name in next(iter(results.values())) if not name.startswith("_")]
    print("\nqueries by scale (aim: equal):")
    for name in names:
        by_scale = [results[scale][name]["queries"] for scale in results]
        verdict = "" if len(set(by_scale)) == 1 else "  differ"
        print(f"  {name:<22}{' '.join(f'{count:>6}' for count in by_scale)}{verdict}")


if __name__ == "__main__":
    main()
