"""The derived recompute's write (issue 16 item 4): points replaced or updated in place without
per-row history — derived data is reproducible from the import log — while hand-entered points
keep theirs."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from measures import services
from measures.data_entry import EntryRow
from measures.milestones.pathway import pathway_create_defaults
from measures.models import DataPoint, Measure
from tests.measures.factories import MeasureFactory

pytestmark = pytest.mark.django_db


def _month(number: int) -> datetime.date:
    return datetime.date(2025, number, 1)


def _points(measure: Measure, values: dict[int, float]) -> list[DataPoint]:
    return [
        DataPoint(organisation=measure.organisation, measure=measure, period=_month(month), value=value)
        for month, value in values.items()
    ]


def test_unchanged_points_stay_changed_ones_keep_their_code_and_no_history_is_written(org) -> None:
    pathway_create_defaults(organisation=org)
    waiting = Measure.objects.filter(organisation=org, derivation=Measure.Derivation.WAITING).first()
    history = DataPoint.history.model
    first = services.derived_points_replace(measures=[waiting], points=_points(waiting, {1: 7, 2: 3, 3: 9}))
    assert (first.created, first.updated, first.deleted, first.unchanged) == (3, 0, 0, 0)
    codes = dict(waiting.points.values_list("period", "code"))
    stamp = Measure.objects.get(pk=waiting.pk).data_version

    same = services.derived_points_replace(measures=[waiting], points=_points(waiting, {1: 7, 2: 3, 3: 9}))
    assert (same.created, same.updated, same.deleted, same.unchanged) == (0, 0, 0, 3)
    assert Measure.objects.get(pk=waiting.pk).data_version == stamp  # its cached chart stays

    moved = services.derived_points_replace(measures=[waiting], points=_points(waiting, {2: 4, 3: 9, 4: 1}))
    assert (moved.created, moved.updated, moved.deleted, moved.unchanged) == (1, 1, 1, 1)
    assert dict(waiting.points.values_list("period", "value")) == {_month(2): 4, _month(3): 9, _month(4): 1}
    after = dict(waiting.points.values_list("period", "code"))
    assert after[_month(2)] == codes[_month(2)] and after[_month(3)] == codes[_month(3)]
    assert Measure.objects.get(pk=waiting.pk).data_version != stamp
    assert not history.objects.filter(measure_id=waiting.pk).exists()


def test_a_measure_losing_every_point_gets_a_new_stamp(org) -> None:
    pathway_create_defaults(organisation=org)
    waiting = Measure.objects.filter(organisation=org, derivation=Measure.Derivation.WAITING).first()
    services.derived_points_replace(measures=[waiting], points=_points(waiting, {1: 7}))
    stamp = Measure.objects.get(pk=waiting.pk).data_version
    gone = services.derived_points_replace(measures=[waiting], points=[])
    assert gone.deleted == 1 and not waiting.points.exists()
    assert Measure.objects.get(pk=waiting.pk).data_version != stamp


def test_hand_entered_points_keep_their_history_and_are_refused_here(org) -> None:
    measure = MeasureFactory(organisation=org)
    services.datapoints_save(measure=measure, rows=[EntryRow(row=1, period=_month(1), value=3.0)])
    assert DataPoint.history.filter(measure_id=measure.pk).count() == 1
    with pytest.raises(ValidationError, match="Only derived measures"):
        services.derived_points_replace(measures=[measure], points=_points(measure, {1: 4}))
