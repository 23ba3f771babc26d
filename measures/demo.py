"""Demo measures with two to three years of monthly data, for `manage.py seed_demo`.

Idempotent: measures are keyed on their title, and a measure that already has data points is
left as it is. The numbers are made up but behave like real PACE data: the permanence
recommendation measure improves after an annotated test of change.
"""

from __future__ import annotations

import datetime
import random

from django.db import transaction

from measures.data_entry import next_period
from measures.milestones import demo as milestones_demo
from measures.models import Annotation, DataPoint, Measure, Phase
from pace_hub.demo import DemoOrganisation


def _months(count: int, today: datetime.date | None = None) -> list[datetime.date]:
    """The last `count` complete months, oldest first."""
    today = today or datetime.date.today()
    end = datetime.date(today.year, today.month, 1)
    start = end
    for _ in range(count):
        start = datetime.date(start.year - (start.month == 1), (start.month - 2) % 12 + 1, 1)
    months = []
    period = start
    while period < end:
        months.append(period)
        period = next_period(period, "month")
    return months


MEASURES = [
    {
        "title": "% of children with a permanence recommendation within 6 months",
        "kind": Measure.Kind.OUTCOME,
        "description": "The PACE national aim: children accommodated get a permanence decision without drift.",
        "numerator": "Children with a LAC review recommending permanence (or return home) within 6 months "
        "of becoming looked after and accommodated",
        "denominator": "Children who became looked after and accommodated in the month, 6 months earlier",
        "inclusions": "First accommodation in this authority",
        "exclusions": "Children who returned home within 6 weeks",
        "unit": "%",
        "better": Measure.Better.UP,
        "chart": Measure.Chart.P,
        "target": 90,
        "baseline_points": 12,
    },
    {
        "title": "Median days from panel to ADM decision",
        "kind": Measure.Kind.PROCESS,
        "description": "Regulation 13 asks for the agency decision maker's decision within 14 days of panel.",
        "numerator": "Median of the days from the panel recommendation to the ADM decision, by month of decision",
        "unit": "days",
        "better": Measure.Better.DOWN,
        "chart": Measure.Chart.RUN,
        "target": 14,
        "baseline_points": 12,
    },
    {
        "title": "Number of LAC reviews held on time",
        "kind": Measure.Kind.PROCESS,
        "numerator": "LAC reviews held on or before their due date in the month",
        "unit": "reviews",
        "better": Measure.Better.UP,
        "chart": Measure.Chart.XMR,
        "target": 35,
    },
    {
        "title": "% of first LAC reviews within 6 weeks",
        "kind": Measure.Kind.PROCESS,
        "numerator": "First LAC reviews held within 6 weeks of placement",
        "denominator": "Children placed in the month",
        "unit": "%",
        "better": Measure.Better.UP,
        "chart": Measure.Chart.P,
        "target": 95,
    },
    {
        "title": "Placement moves for children awaiting permanence",
        "kind": Measure.Kind.BALANCING,
        "description": "Balancing: faster decisions must not come from moving children more often.",
        "numerator": "Unplanned placement moves of children with a permanence plan, in the month",
        "unit": "moves",
        "better": Measure.Better.DOWN,
        "chart": Measure.Chart.RUN,
        "rule_profile": Measure.RuleProfile.ANHOJ,
    },
]


def _series(title: str, months: int, rng: random.Random) -> tuple[list, int | None]:
    """Values (or numerator/denominator pairs) and the index where a tested change took hold."""
    if title.startswith("% of children"):
        change = months - 10
        pairs = []
        for index in range(months):
            denominator = rng.randint(8, 20)
            rate = 0.52 if index < change else 0.78
            numerator = sum(rng.random() < rate for _ in range(denominator))
            pairs.append((numerator, denominator))
        return pairs, change
    if title.startswith("Median days"):
        change = months - 12
        return [round(rng.gauss(24 if index < change else 13, 3)) for index in range(months)], change
    if title.startswith("Number of LAC"):
        return [round(rng.gauss(30, 3)) for _ in range(months)], None
    if title.startswith("% of first"):
        pairs = []
        for _ in range(months):
            denominator = rng.randint(10, 22)
            pairs.append((sum(rng.random() < 0.86 for _ in range(denominator)), denominator))
        return pairs, None
    return [max(0, round(rng.gauss(4, 1.5))) for _ in range(months)], None


MONTHS = {"% of children": 36, "Median days": 30, "Number of LAC": 36, "% of first": 24, "Placement moves": 24}
CHANGES = {
    "% of children": "Test: permanence planning meeting at 6 weeks",
    "Median days": "Test: ADM diary date booked on the day of panel",
}


@transaction.atomic
def seed(demo: DemoOrganisation) -> None:
    org = demo.organisation
    rng = random.Random(f"measures-{org.slug}")
    for spec in MEASURES:
        measure, _ = Measure.objects.get_or_create(organisation=org, title=spec["title"], defaults=spec)
        if measure.points.exists():
            continue
        prefix = next(key for key in MONTHS if spec["title"].startswith(key))
        months = _months(MONTHS[prefix])
        values, change = _series(spec["title"], len(months), rng)
        points = []
        for period, value in zip(months, values, strict=True):
            if isinstance(value, tuple):
                numerator, denominator = value
                points.append(
                    DataPoint(
                        organisation=org,
                        measure=measure,
                        period=period,
                        numerator=numerator,
                        denominator=denominator,
                        value=100 * numerator / denominator,
                    )
                )
            else:
                points.append(DataPoint(organisation=org, measure=measure, period=period, value=value))
        DataPoint.objects.bulk_create(points)
        if change is not None:
            Annotation.objects.get_or_create(
                organisation=org, measure=measure, date=months[change], defaults={"text": CHANGES[prefix]}
            )
        if prefix == "Median days":
            # This one has been rebased after its shift; the other improvement still awaits a person's decision.
            Phase.objects.get_or_create(
                organisation=org,
                measure=measure,
                start=months[change],
                defaults={"reason": "Sustained shift after ADM dates were booked at panel"},
            )
    # Milestone data for the permanence pathway, saved through the import services.
    milestones_demo.seed(demo)
