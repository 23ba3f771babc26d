"""Demo milestone data: about 400 children over four years whose timescales improve after a
dated change, saved through the same import services as an upload. Idempotent: an organisation
that already holds children is left alone."""

from __future__ import annotations

import csv
import io
import zlib
from datetime import date, timedelta

import numpy as np
from django.core.files.base import ContentFile
from django.utils import timezone

from measures.milestones import imports
from measures.milestones.derived import derived_measures_recompute
from measures.milestones.pathway import pathway_create_defaults
from measures.models import Annotation, Child, Measure, MilestoneImport
from pace_hub.roles import Role

CHILDREN = 400
CHANGE_DATE = date(2025, 4, 1)
CHANGE_TEXT = "Permanence planning meeting at 6 weeks introduced for every accommodated child"
CHANGE_KEY = "pathway-demo:planning-meeting-at-6-weeks"
ROUTES = ["home", "kinship", "po", "poa", "adoption"]
ROUTE_WEIGHTS = [0.3, 0.25, 0.15, 0.1, 0.2]
COLUMNS = [
    "looked_after",
    "first_review",
    "legal_advice",
    "permanence_rec",
    "panel",
    "adm_decision",
    "hearing_advice",
    "court_lodged",
    "order_granted",
]


def demo_rows(seed: int, today: date, children: int = CHILDREN) -> list[list[str]]:
    """Wide rows (child_ref, route, one date per milestone or blank) for the demo children.

    Children looked after from four years ago; those whose planning starts after CHANGE_DATE
    get their permanence recommendation about three months sooner.
    """
    rng = np.random.default_rng(seed)
    first = today - timedelta(days=4 * 365)
    span = (today - first).days - 30
    rows = []
    for number in range(children):
        start = first + timedelta(days=int(rng.integers(0, span)))
        route = str(rng.choice(ROUTES, p=ROUTE_WEIGHTS))
        improved = start + timedelta(days=42) >= CHANGE_DATE

        def after(previous: date, mean: float, spread: float, low: int = 1) -> date:
            return previous + timedelta(days=max(low, int(rng.normal(mean, spread))))

        dates = {"looked_after": start}
        dates["first_review"] = after(start, 35, 6, 14)
        dates["legal_advice"] = after(dates["first_review"], 30 if improved else 55, 12)
        dates["permanence_rec"] = after(start, 150 if improved else 235, 30 if improved else 45, 60)
        if route in ("po", "poa", "adoption"):
            dates["panel"] = after(dates["permanence_rec"], 75 if improved else 95, 20)
            dates["adm_decision"] = after(dates["panel"], 11, 4)
            if rng.random() < 0.5:
                dates["hearing_advice"] = after(dates["adm_decision"], 35, 10)
            dates["court_lodged"] = after(dates["adm_decision"], 80, 25)
            dates["order_granted"] = after(dates["court_lodged"], 190, 50)
        elif route == "kinship":
            dates["court_lodged"] = after(dates["permanence_rec"], 60, 20)
            dates["order_granted"] = after(dates["court_lodged"], 120, 40)
        if rng.random() < 0.03:  # real data has gaps
            dates.pop("first_review")
        cells = [dates[code].strftime("%d/%m/%Y") if code in dates and dates[code] <= today else "" for code in COLUMNS]
        rows.append([f"C-{10000 + number}", route, *cells])
    return rows


def seed(demo) -> None:
    organisation = demo.organisation
    pathway_create_defaults(organisation=organisation)
    if Child.objects.for_organisation(organisation).exists():
        return
    today = timezone.localdate()
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["child_ref", "route", *COLUMNS])
    writer.writerows(demo_rows(zlib.crc32(organisation.slug.encode()), today))
    user = demo.people[Role.DATA].user
    upload = ContentFile(buffer.getvalue().encode(), name="demo-milestones.csv")
    milestone_import = imports.milestone_import_record(organisation=organisation, user=user, upload=upload)
    milestone_import = imports.milestone_import_validate(milestone_import=milestone_import, today=today)
    if milestone_import.status != MilestoneImport.Status.VALIDATED:
        raise RuntimeError(f"Demo milestone file did not validate: {milestone_import.problems[:3]}")
    imports.milestone_import_claim_commit(milestone_import=milestone_import)
    milestone_import.refresh_from_db()
    imports.milestone_import_commit(milestone_import=milestone_import, today=today)
    derived_measures_recompute(organisation=organisation, today=today)
    for measure in Measure.objects.for_organisation(organisation).filter(
        source=Measure.Source.DERIVED,
        timescale__from_milestone__code="looked_after",
        timescale__to_milestone__code="permanence_rec",
    ):
        Annotation.objects.update_or_create(
            organisation=organisation,
            measure=measure,
            source_key=CHANGE_KEY,
            defaults={"date": CHANGE_DATE, "text": CHANGE_TEXT},
        )
