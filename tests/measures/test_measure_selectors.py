"""Selectors other pages reuse: measures with their latest point and icons, and one chart."""

import datetime

import pytest

from measures.models import Measure
from measures.selectors import measure_chart_data, measures_with_latest, signal_status
from tests.measures.factories import MeasureFactory, PhaseFactory, monthly_points

pytestmark = pytest.mark.django_db

IMPROVING = [40, 42, 38, 41, 39, 43, 40, 42, 38, 41, 39, 42, 30, 28, 31, 29, 27, 30, 28, 29]


def test_measures_with_latest_gives_latest_point_icons_and_status(org, django_assert_num_queries) -> None:
    improving = MeasureFactory(organisation=org, title="A", better="down", unit="days")
    monthly_points(improving, IMPROVING)
    MeasureFactory(organisation=org, title="B")
    MeasureFactory(organisation=org, title="Archived", archived=True)
    MeasureFactory(title="Another council's")

    with django_assert_num_queries(4):
        summaries = measures_with_latest(org)

    assert [summary.measure.title for summary in summaries] == ["A", "B"]
    first, second = summaries
    assert first.latest.value == 29 and first.latest_text == "29 days"
    assert first.chart.variation["code"] == "special_cause_improving"
    assert first.signal_status == "improvement"
    assert second.latest is None and second.latest_text == "No data yet" and second.signal_status == "none"
    assert [s.measure.title for s in measures_with_latest(org, signal="improvement")] == ["A"]
    assert [s.measure.title for s in measures_with_latest(org, kind=Measure.Kind.OUTCOME)] == []


def test_signal_status_reads_only_the_latest_phase(org) -> None:
    measure = MeasureFactory(organisation=org, better="down")
    monthly_points(measure, IMPROVING)
    PhaseFactory(measure=measure, organisation=org, start=datetime.date(2025, 1, 1))

    chart = measure_chart_data(measure)

    assert len(chart.payload["phases"]) == 2
    assert signal_status(chart.payload) == "none"


def test_signal_status_neither_for_measures_without_a_direction(org) -> None:
    measure = MeasureFactory(organisation=org, better="neutral")
    monthly_points(measure, IMPROVING)

    assert signal_status(measure_chart_data(measure).payload) == "neither"
