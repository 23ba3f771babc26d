"""Benchmark of milestone imports end to end: check, then commit, against a real database.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pace_bench .venv/bin/python bench/import.py [--rows 100000]

Creates (once) the database's tables with ``migrate``, writes 100,000-row wide CSV and XLSX files
with bench/make_milestone_files.py (its deliberately bad cells left blank, so that the files can
be committed), then for each file, into a fresh organisation: stores and checks it
(``milestone_import_validate``), times two plain PostgreSQL ``COPY``s of the file's data as
yardsticks, commits it (``milestone_import_commit``, derived measures and the pathway summary
included; reading back the rows the check kept, the comparison with the data held and the write
are timed apart, and the commit is also given without the recompute, i.e. the saving
transaction), then rolls it back (as the worker does) and deletes the organisation, so that every
run starts from the same database.

The two yardsticks, each a COPY into a fresh table without indexes, committed, with its text
prepared before the timing starts (reading the file for them is not timed):

- the issue's: the file's dates as rows (child reference, milestone code, date; 760,243 rows for
  100,000 children), the layout the data had when issue 16 measured "a plain PostgreSQL COPY of
  the same rows";
- the strict one: one row per child (organisation, reference, route and the dates as a JSON map),
  the layout the data have now, which is the least the database must do to store them.

The commit is printed against both. The aims (issue 16, against the issue's yardstick): commit ≤
2× the COPY, the whole import (check + commit) ≤ 3×, roll-back of 100,000 children under 5 s.
Each file runs in its own process, so that its peak memory (RSS) is its own; timings are taken
without tracemalloc, which slows pandas several times over. On PostgreSQL the tables are vacuumed
and analysed first, as autovacuum would have done.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pace_hub.settings.local")
if "MEDIA_ROOT" not in os.environ:  # stored uploads go to a scratch folder, shared with the subprocesses
    os.environ["MEDIA_ROOT"] = tempfile.mkdtemp(prefix="pace-bench-media-")

import django  # noqa: E402

django.setup()

import make_milestone_files  # noqa: E402
from django.core.files import File  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from measures.milestones import imports  # noqa: E402
from measures.models import Child, MilestoneImport  # noqa: E402
from pace_hub.models import Organisation  # noqa: E402


def timed(step):
    """Run ``step``; return its result and seconds."""
    started = time.perf_counter()
    result = step()
    return result, time.perf_counter() - started


def run(path: Path, rows: int) -> float:
    stamp = time.strftime("%Y%m%d%H%M%S")
    org = Organisation.objects.create(name=f"Bench {path.suffix} {stamp}", slug=f"bench-{path.suffix[1:]}-{stamp}")
    today = timezone.localdate()

    def check() -> MilestoneImport:
        with path.open("rb") as handle:
            milestone_import = imports.milestone_import_record(
                organisation=org, user=None, upload=File(handle, name=path.name)
            )
        return imports.milestone_import_validate(milestone_import=milestone_import, today=today)

    milestone_import, check_seconds = timed(check)
    assert milestone_import.status == MilestoneImport.Status.VALIDATED, milestone_import.problems[:3]
    copy_seconds, rows_copy_seconds, date_rows = copy_baselines(milestone_import, today)

    spent = {"write": 0.0, "recompute": 0.0, "read": 0.0, "plan": 0.0}

    def timing(name, function):
        def wrapper(*args, **kwargs):
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                spent[name] += time.perf_counter() - started

        return wrapper

    imports._write = timing("write", imports._write)
    imports._read_for_commit = timing("read", imports._read_for_commit)
    imports.plan_changes = timing("plan", imports.plan_changes)
    imports.derived_measures_recompute = timing("recompute", imports.derived_measures_recompute)

    def commit() -> MilestoneImport:
        imports.milestone_import_claim_commit(milestone_import=milestone_import)
        milestone_import.refresh_from_db()
        return imports.milestone_import_commit(milestone_import=milestone_import, today=today)

    committed, commit_seconds = timed(commit)
    of_commit = dict(spent)  # the commit's own figures: the roll-back below recomputes too
    assert committed.status == MilestoneImport.Status.COMMITTED, committed.error_message
    dates = sum(len(map_) for map_ in Child.objects.filter(organisation=org).values_list("dates", flat=True))
    total = check_seconds + commit_seconds

    def rollback() -> MilestoneImport:
        imports.milestone_import_claim_rollback(milestone_import=committed, user=None)
        committed.refresh_from_db()
        return imports.milestone_import_run_rollback(milestone_import=committed, today=today)

    rolled_back, rollback_seconds = timed(rollback)
    assert rolled_back.status == MilestoneImport.Status.ROLLED_BACK, rolled_back.error_message
    assert not Child.objects.filter(organisation=org).exists()
    org.delete()
    kind = path.suffix[1:]
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    yardsticks = (("the issue's yardstick", rows_copy_seconds), ("the strict yardstick", copy_seconds))

    def against(seconds: float) -> str:
        return ", ".join(f"{seconds / base:.2f}× {name}" for name, base in yardsticks)

    print(
        f"{kind:>4} yardstick (the issue's): COPY of the dates as rows (reference, milestone, date; "
        f"{date_rows:,} rows): {rows_copy_seconds:6.2f} s"
    )
    print(
        f"{kind:>4} yardstick (strict): COPY of one row per child (reference, route, dates as a JSON map): "
        f"{copy_seconds:6.2f} s"
    )
    print(f"{kind:>4} check : {check_seconds:6.2f} s  {rows / check_seconds:9,.0f} rows/s")
    print(
        f"{kind:>4} commit: {commit_seconds:6.2f} s  {rows / commit_seconds:9,.0f} rows/s  = {against(commit_seconds)} "
        f"(of which the write {of_commit['write']:.2f} s, recompute + summary {of_commit['recompute']:.2f} s)"
    )
    saving = commit_seconds - of_commit["recompute"]
    print(
        f"{kind:>4} commit without the recompute (read back the checked rows {of_commit['read']:.2f} s, compare "
        f"{of_commit['plan']:.2f} s, write {of_commit['write']:.2f} s, COMMIT and progress the rest): {saving:6.2f} s "
        f"= {against(saving)}"
    )
    print(
        f"{kind:>4} total : {total:6.2f} s  {rows / total:9,.0f} rows/s  = {against(total)}  "
        f"({dates:,} milestone dates written); process peak RSS {peak:.0f} MB"
    )
    print(f"{kind:>4} roll-back (on the worker, recompute included): {rollback_seconds:6.2f} s")
    print(f"TOTAL {total}")
    return total


def copy_baselines(milestone_import: MilestoneImport, today) -> tuple[float, float, int]:
    """Seconds for the two yardstick COPYs (see the module's docstring), and the number of date
    rows: (strict, issue's, rows). Each goes into a fresh table without indexes, committed; the
    text is prepared before the timing starts."""
    parsed = imports._read(milestone_import, today)
    records = parsed.records
    maps: dict[str, dict[str, str]] = {}
    texts = imports._date_text(records["date"])
    date_rows = io.StringIO()
    rows_writer = csv.writer(date_rows)
    for reference, code, text in zip(records["child_ref"].tolist(), records["milestone"].tolist(), texts, strict=True):
        maps.setdefault(reference, {})[code] = text
        rows_writer.writerow([reference, code, text])
    children = parsed.children.drop_duplicates("child_ref")
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for reference, route in zip(children["child_ref"].tolist(), children["route"].tolist(), strict=True):
        writer.writerow([milestone_import.organisation_id, reference, route or "", json.dumps(maps.get(reference, {}))])
    strict = _timed_copy(
        "bench_copy_baseline",
        "organisation_id bigint, reference varchar(40), route varchar(10), dates jsonb",
        buffer.getvalue(),
    )
    issues = _timed_copy(
        "bench_copy_rows", "reference varchar(40), milestone varchar(40), date date", date_rows.getvalue()
    )
    return strict, issues, len(records)


def _timed_copy(table: str, columns: str, text: str) -> float:
    """Seconds to COPY ``text`` (CSV) into a fresh table ``table`` without indexes, committed."""
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {table}")
        cursor.execute(f"CREATE TABLE {table} ({columns})")
    started = time.perf_counter()
    with (
        transaction.atomic(),
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {table} FROM STDIN WITH (FORMAT csv)") as copy,
    ):
        copy.write(text)
    seconds = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE {table}")
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--directory", type=Path, default=None)
    parser.add_argument("--only", type=Path, help="(internal) time this one file in this process")
    arguments = parser.parse_args()
    if arguments.only:
        run(arguments.only, arguments.rows)
        return
    call_command("migrate", verbosity=0)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}")

    directory = arguments.directory or Path(tempfile.mkdtemp(prefix="milestones-"))
    make_milestone_files.BAD_CELLS = ("",)  # the same files, with the bad cells left blank
    started = time.perf_counter()
    paths = make_milestone_files.make_wide_files(directory, rows=arguments.rows)
    print(f"generated {arguments.rows:,} rows as CSV and XLSX in {time.perf_counter() - started:.1f} s")
    totals = []
    for path in paths:
        command = [sys.executable, __file__, "--rows", str(arguments.rows), "--only", str(path)]
        output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
        print("\n".join(line for line in output.splitlines() if not line.startswith("TOTAL")))
        totals.append(float(output.split("TOTAL ")[1]))
    print(f"XLSX takes {totals[1] / totals[0]:.2f}× the CSV time")
    if arguments.directory is None:
        shutil.rmtree(directory)
    if os.environ["MEDIA_ROOT"].startswith(tempfile.gettempdir()):
        shutil.rmtree(os.environ["MEDIA_ROOT"], ignore_errors=True)


if __name__ == "__main__":
    main()
