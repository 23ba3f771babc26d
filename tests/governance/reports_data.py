"""Data for the governance report tests: aims with outcome charts, and a board that follows them."""

from __future__ import annotations

import datetime

from aims.models import Aim
from governance.models import GovernanceGroup
from measures.models import Measure
from pace_hub.models import Membership, Organisation
from tests.aims.factories import AimFactory
from tests.governance.factories import GovernanceGroupFactory
from tests.measures.factories import MeasureFactory, monthly_points

# Two years of monthly values: a stable first year, then a sustained fall (an improvement when
# lower is better): an XmR chart with limits, a centre line and signal points.
IMPROVING = [62, 60, 64, 61, 63, 59, 62, 60, 61, 63, 60, 62, 55, 52, 50, 48, 47, 45, 44, 46, 43, 42, 41, 40]
START = datetime.date(2024, 7, 1)


def outcome_measure(org: Organisation, title: str = "Days to permanence recommendation", **fields) -> Measure:
    options = {
        "kind": Measure.Kind.OUTCOME,
        "chart": Measure.Chart.XMR,
        "better": Measure.Better.DOWN,
        "unit": "days",
        "target": 45,
        "baseline_points": 12,
    }
    measure = MeasureFactory(organisation=org, title=title, **(options | fields))
    return measure


def aim_with_chart(org: Organisation, title: str, *, values: list | None = None, score: str = "3.0") -> Aim:
    measure = outcome_measure(org, f"{title}: outcome")
    monthly_points(measure, values if values is not None else IMPROVING, start=START)
    return AimFactory(
        organisation=org,
        title=title,
        status=Aim.Status.ACTIVE,
        outcome_measure=measure,
        progress_score=score,
        unit="days",
        baseline_value=62,
        target_value=45,
    )


def board(org: Organisation, reporter: Membership, **fields) -> GovernanceGroup:
    options = {"name": "Corporate Parenting Board", "audience": "Elected members and chief officers"}
    return GovernanceGroupFactory(organisation=org, reporter=reporter, **(options | fields))
