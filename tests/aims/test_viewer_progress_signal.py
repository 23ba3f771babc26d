"""The aim page's progress text names the signal of the chart the person sees: for a viewer, the
chart analysed without the small counts (DESIGN.md §1), never a signal judged over withheld months."""

import datetime

import pytest

from aims.selectors import aim_page
from measures.models import DataPoint, Measure
from tests.aims.factories import AimFactory

pytestmark = pytest.mark.django_db


def _waiting(org) -> Measure:
    from measures.milestones.pathway import pathway_create_defaults
    from measures.models import Timescale

    pathway_create_defaults(organisation=org)
    timescale = Timescale.objects.filter(organisation=org).first()
    return Measure.objects.get(organisation=org, timescale=timescale, derivation=Measure.Derivation.WAITING)


def test_a_viewer_is_not_told_of_an_improvement_only_the_withheld_months_show(org) -> None:
    measure = _waiting(org)
    measure.points.all().delete()
    # Eight months of 9–12 children waiting, then six of 1–4 and a last one of 9: over every
    # month, the withheld ones make a shift below the median (an improvement: fewer is better).
    for index, value in enumerate([9, 11, 10, 12, 9, 11, 10, 12, 2, 3, 1, 2, 3, 4, 9]):
        period = datetime.date(2025 + index // 12, index % 12 + 1, 1)
        DataPoint.objects.create(organisation=org, measure=measure, period=period, value=value)
    aim = AimFactory(organisation=org, outcome_measure=measure, baseline_value=12, target_value=5)

    lead_page = aim_page(aim, hide_small_counts=False)
    viewer_page = aim_page(aim, hide_small_counts=True)

    assert lead_page.progress.improvement_signal is True
    assert viewer_page.progress.improvement_signal is False
    assert viewer_page.outcome_chart.payload["signals"] == []
