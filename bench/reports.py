"""Benchmark of a governance report: 10 aims with their outcome charts, HTML and PDF.

    .venv/bin/python bench/reports.py [--aims 10] [--runs 3]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pace_bench .venv/bin/python bench/reports.py

Starts the chart browser (kaleido with Debian's chromium) once, as each worker process does,
then builds the same report several times with ``report_build`` — the worker's whole job:
figures, one SVG chart per aim, the HTML document and the WeasyPrint PDF — and prints each
step's time. Without DATABASE_URL it uses a scratch SQLite database, so nothing of yours is
touched; the organisation it makes is deleted at the end. Target: under 10 s a report here.
"""

from __future__ import annotations

import argparse
import datetime
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pace_hub.settings.local")
os.environ.setdefault("DATABASE_URL", f"sqlite:///{tempfile.mkdtemp(prefix='pace-bench-')}/reports.sqlite3")
if "MEDIA_ROOT" not in os.environ:
    os.environ["MEDIA_ROOT"] = tempfile.mkdtemp(prefix="pace-bench-media-")

import django  # noqa: E402

django.setup()

import numpy as np  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from aims.models import Aim  # noqa: E402
from governance.models import GovernanceGroup, Report  # noqa: E402
from governance.reports import render, snapshot  # noqa: E402
from governance.reports.charts import start_chart_server, stop_chart_server  # noqa: E402
from governance.services import reports  # noqa: E402
from measures.models import DataPoint, Measure  # noqa: E402
from pace_hub.models import Membership, Organisation  # noqa: E402
from pace_hub.roles import Role  # noqa: E402

TARGET_SECONDS = 10.0
POINTS = 36


def make_organisation(aims: int) -> tuple[Organisation, GovernanceGroup]:
    stamp = time.strftime("%Y%m%d%H%M%S")
    org = Organisation.objects.create(name=f"Bench reports {stamp}", slug=f"bench-reports-{stamp}")
    user = get_user_model().objects.create_user(username=f"reporter-{stamp}", email=f"reporter-{stamp}@bench.local")
    reporter = Membership.objects.create(organisation=org, user=user, role=Role.LEAD)
    rng = np.random.default_rng(20260401)
    for number in range(aims):
        measure = Measure.objects.create(
            organisation=org,
            title=f"Outcome {number + 1}",
            kind=Measure.Kind.OUTCOME,
            chart=Measure.Chart.XMR if number % 2 else Measure.Chart.RUN,
            better=Measure.Better.DOWN,
            unit="days",
            target=45,
            baseline_points=12,
        )
        values = np.concatenate([rng.normal(62, 3, 12), rng.normal(50, 3, POINTS - 12)]).round(1)
        DataPoint.objects.bulk_create(
            DataPoint(
                organisation=org,
                measure=measure,
                period=datetime.date(2023 + (3 + month) // 12, (3 + month) % 12 + 1, 1),
                value=float(value),
            )
            for month, value in enumerate(values)
        )
        Aim.objects.create(
            organisation=org,
            title=f"Aim {number + 1}",
            status=Aim.Status.ACTIVE,
            outcome_measure=measure,
            progress_score="3.0",
            unit="days",
            target_value=45,
            statement=f"Aim {number + 1}: 45 days by March 2027, from 62 days in 2023",
        )
    group = GovernanceGroup.objects.create(organisation=org, name="Corporate Parenting Board", reporter=reporter)
    return org, group


def timed(step):
    started = time.perf_counter()
    result = step()
    return result, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--aims", type=int, default=10)
    parser.add_argument("--runs", type=int, default=3)
    arguments = parser.parse_args()
    call_command("migrate", verbosity=0)
    org, group = make_organisation(arguments.aims)
    today = timezone.localdate()
    try:
        _, started = timed(start_chart_server)
        print(f"chart browser started once in {started:.1f} s")
        # The period before the current quarter, as the scheduled draft would be.
        period_start = datetime.date(2026, 4, 1)
        totals = []
        for run in range(arguments.runs):
            with transaction.atomic():
                Report.objects.filter(group=group).delete()
                report = Report.objects.create(
                    organisation=org,
                    group=group,
                    kind=Report.Kind.GOVERNANCE,
                    period_start=period_start,
                    period_end=datetime.date(2026, 6, 30),
                    title="Bench report",
                )
            _, total = timed(lambda report=report: reports.report_build(report_id=report.pk, today=today))
            report.refresh_from_db()
            assert report.status == Report.Status.DONE, report.failure_reason
            charts = sum(1 for row in report.snapshot["aims"] if row["chart"])
            # The same steps one by one, for the breakdown.
            _, gathered = timed(
                lambda report=report: snapshot.governance_snapshot(report, today=today, progress=_quiet)
            )
            html, html_time = timed(lambda report=report: render.render_html(report))
            pdf, pdf_time = timed(lambda html=html: render.render_pdf(html))
            totals.append(total)
            print(
                f"run {run + 1}: report_build {total:.2f} s ({charts} charts, PDF {len(pdf) / 1024:.0f} KB); "
                f"figures + charts {gathered:.2f} s, HTML {html_time:.2f} s, PDF {pdf_time:.2f} s"
            )
        best = min(totals)
        verdict = "within" if best < TARGET_SECONDS else "OVER"
        print(
            f"best report_build: {best:.2f} s for {arguments.aims} aims — {verdict} the {TARGET_SECONDS:.0f} s target"
        )
    finally:
        stop_chart_server()
        Report.objects.filter(organisation=org).delete()
        org.delete()


def _quiet(progress: int, message: str) -> None:
    return None


if __name__ == "__main__":
    main()
