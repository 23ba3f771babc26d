"""Services that write measures, data points, annotations and phases."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from measures import services
from measures.data_entry import EntryRow
from measures.models import DataPoint, Measure, Milestone, Timescale
from tests.measures.factories import MeasureFactory, PhaseFactory

pytestmark = pytest.mark.django_db

JAN, FEB = datetime.date(2025, 1, 1), datetime.date(2025, 2, 1)


def test_measure_create_is_manual_and_validated(org) -> None:
    measure = services.measure_create(organisation=org, title="Reviews on time", chart="xmr", unit="reviews")

    assert measure.source == Measure.Source.MANUAL and measure.organisation == org
    with pytest.raises(ValidationError):
        services.measure_create(organisation=org, title="", chart="xmr")
    with pytest.raises(TypeError):
        services.measure_create(organisation=org, title="x", source="derived")


def test_datapoints_save_upserts_and_keeps_notes_without_a_note_column(org) -> None:
    measure = MeasureFactory(organisation=org)
    DataPoint.objects.create(organisation=org, measure=measure, period=JAN, value=1, note="kept")

    counts = services.datapoints_save(
        measure=measure, rows=[EntryRow(row=1, period=JAN, value=5), EntryRow(row=2, period=FEB, value=6, note="new")]
    )

    assert (counts.created, counts.updated, str(counts)) == (1, 1, "1 new point and 1 updated")
    assert list(measure.points.values_list("period", "value", "note")) == [(JAN, 5.0, "kept"), (FEB, 6.0, "new")]
    assert measure.points.get(period=FEB).history.count() == 1


def _derived(org) -> Measure:
    first = Milestone.objects.create(organisation=org, code="panel", name="Panel", order=1)
    second = Milestone.objects.create(organisation=org, code="adm_decision", name="ADM", order=2)
    timescale = Timescale.objects.create(organisation=org, from_milestone=first, to_milestone=second, target_days=14)
    return MeasureFactory(organisation=org, source="derived", timescale=timescale, derivation="median_days")


def test_derived_measures_refuse_hand_entered_points(org) -> None:
    measure = _derived(org)

    with pytest.raises(ValidationError, match="derived from milestone data"):
        services.datapoints_save(measure=measure, rows=[EntryRow(row=1, period=JAN, value=5)])
    with pytest.raises(ValidationError):
        services.datapoint_save(measure=measure, period=JAN, value=5)
    assert not measure.points.exists()


def test_datapoint_save_sets_note_and_astronomical(org) -> None:
    measure = MeasureFactory(organisation=org)

    point = services.datapoint_save(measure=measure, period=JAN, value=99, note="Court backlog", astronomical=True)
    again = services.datapoint_save(measure=measure, period=JAN, value=98)

    assert point.pk == again.pk and again.value == 98 and not again.astronomical


def test_phase_create_refuses_a_second_phase_on_the_same_start(org) -> None:
    measure = MeasureFactory(organisation=org)
    PhaseFactory(measure=measure, organisation=org, start=JAN)

    with pytest.raises(ValidationError, match="already starts"):
        services.phase_create(measure=measure, start=JAN, reason="Again")
    phase = services.phase_create(measure=measure, start=FEB, reason="Sustained shift", baseline_points=6)
    assert phase.baseline_points == 6 and phase.organisation == org
