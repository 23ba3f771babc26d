"""The derived-measures recompute's floor (issue 16 item 4): 1,000 children, recomputed again and
again, against the old way of writing its points (delete every point through the ORM, which
writes a history row per point, then insert them all) timed in the same run.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pace_h2 .venv/bin/python bench/recompute.py [--children 1000]

Uses (and leaves) an organisation ``bench-recompute`` in that database; the database must be
migrated (bench/pages.py builds one).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/pace_h2")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pace_hub.settings.local")
os.environ["DEBUG"] = "0"

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from measures.milestones import derived  # noqa: E402
from measures.models import DataPoint, Measure  # noqa: E402
from pace_hub.models import Organisation  # noqa: E402


def old_write(*, measures: list[Measure], points: list[DataPoint]) -> None:
    """How the recompute wrote its points before: an ORM delete (a history row per point) and an
    insert of every point."""
    with transaction.atomic():
        DataPoint.objects.filter(measure__in=measures).delete()
        DataPoint.objects.bulk_create(points, batch_size=2000)


def main() -> None:
    from pages import import_children  # bench/pages.py

    parser = argparse.ArgumentParser()
    parser.add_argument("--children", type=int, default=1000)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    org = Organisation.objects.filter(slug="bench-recompute").first()
    if org is None:
        org = Organisation.objects.create(name="Bench recompute", slug="bench-recompute")
        import_children(org, org, args.children)
    today = timezone.localdate()
    history = DataPoint.history.model
    writer = derived.derived_points_replace
    results = {}
    for name, write in (("new", writer), ("old", old_write), ("new again", writer)):
        derived.derived_points_replace = write
        seconds, queries, rows = [], [], []
        for _ in range(args.repeats):
            before = history.objects.count()
            started = time.perf_counter()
            with CaptureQueriesContext(connection) as captured:
                points = derived.derived_measures_recompute(organisation=org, today=today)
            seconds.append(time.perf_counter() - started)
            queries.append(len(captured.captured_queries))
            rows.append(history.objects.count() - before)
        results[name] = (statistics.median(seconds), statistics.median(queries), statistics.median(rows), points)
    derived.derived_points_replace = writer
    print(f"{args.children:,} children, {results['new'][3]:,} derived points, median of {args.repeats}:")
    for name, (median, queries, rows, _) in results.items():
        print(f"  {name:<10} {median:6.2f} s  {queries:6.0f} queries  {rows:6.0f} history rows per recompute")


if __name__ == "__main__":
    main()
