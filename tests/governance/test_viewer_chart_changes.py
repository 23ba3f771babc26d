""""What changed since the last meeting" (agendas, data packs) names a chart's new signals: for
people who may not see small counts, only signals of the chart as they see it (DESIGN.md §1) — a
shift counted over withheld months would say which side of the median they lie."""

import datetime

import pytest
from django.utils import timezone

from governance.selectors.meetings import Window, chart_changes
from measures.models import DataPoint, Measure

pytestmark = pytest.mark.django_db


def _waiting(org) -> Measure:
    from measures.milestones.pathway import pathway_create_defaults
    from measures.models import Timescale

    pathway_create_defaults(organisation=org)
    timescale = Timescale.objects.filter(organisation=org).first()
    return Measure.objects.get(organisation=org, timescale=timescale, derivation=Measure.Derivation.WAITING)


def test_new_signals_for_viewers_are_those_of_the_chart_they_see(org) -> None:
    measure = _waiting(org)
    measure.points.all().delete()
    # Eight months of 9–12 children, then six of 1–4 (withheld from viewers).
    for index, value in enumerate([9, 11, 10, 12, 9, 11, 10, 12, 2, 3, 1, 2, 3, 4]):
        period = datetime.date(2025 + index // 12, index % 12 + 1, 1)
        DataPoint.objects.create(organisation=org, measure=measure, period=period, value=value)
    measure = Measure.objects.prefetch_related("points", "annotations", "phases").get(pk=measure.pk)
    window = Window(
        start=timezone.make_aware(datetime.datetime(2025, 9, 1)),
        end=timezone.make_aware(datetime.datetime(2026, 3, 2)),
        previous=None,
    )

    periods, signals = chart_changes(measure, window)
    viewer_periods, viewer_signals = chart_changes(measure, window, hide_small_counts=True)

    # Over every month: the withheld ones below the median, the others above it.
    assert signals == [
        "Shift (February 2025 to August 2025): concern",
        "Shift (September 2025 to February 2026): improvement",
    ]
    assert viewer_periods == periods and len(periods) == 6  # the months arrived; their values are not shown
    assert viewer_signals == []
