"""The chart cache (measures.chart_cache): a measure's chart result is read from the cache until
the measure, its points, annotations or phases change — and every kind of write changes it."""

import datetime
from collections.abc import Callable

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from measures import chart_cache, services
from measures.charts import chart_payload, mask_payload
from measures.data_entry import EntryRow
from measures.models import Annotation, DataPoint, Measure, Phase
from measures.selectors import measure_chart_data, measures_with_latest
from tests.measures.factories import AnnotationFactory, MeasureFactory, PhaseFactory, monthly_points

pytestmark = pytest.mark.django_db

VALUES = [40, 42, 38, 41, 39, 43, 40, 42, 38, 41, 39, 42, 30, 28, 31, 29, 27, 30, 28, 29]
JAN_2024 = datetime.date(2024, 1, 1)


def _fresh(measure: Measure, *, hide_small_counts: bool = False) -> dict:
    """The chart worked out now from the database, without the cache."""
    measure = Measure.objects.get(pk=measure.pk)
    payload = chart_payload(
        measure,
        list(measure.points.order_by("period")),
        list(measure.annotations.order_by("date")),
        list(measure.phases.order_by("start")),
    )
    return mask_payload(measure, payload) if hide_small_counts else payload


def _cached(measure: Measure, **kwargs) -> dict:
    return measure_chart_data(Measure.objects.get(pk=measure.pk), **kwargs).payload


@pytest.fixture
def measure(org) -> Measure:
    measure = MeasureFactory(organisation=org, chart=Measure.Chart.XMR, target=35)
    monthly_points(measure, VALUES)
    AnnotationFactory(organisation=org, measure=measure, date=datetime.date(2024, 12, 1), text="New panel")
    return measure


def test_a_second_read_comes_from_the_cache(measure, django_assert_num_queries) -> None:
    first = _cached(measure)
    loaded = Measure.objects.get(pk=measure.pk)
    with django_assert_num_queries(0):
        again = measure_chart_data(loaded).payload
    assert again == first == _fresh(measure)


def _period(index: int) -> datetime.date:
    return datetime.date(2024 + index // 12, index % 12 + 1, 1)


# Every kind of write, as the product makes it. Each changes what the chart shows.
WRITES: dict[str, Callable[[Measure], object]] = {
    "measure settings (service)": lambda m: services.measure_update(measure=m, target=20, chart=Measure.Chart.RUN),
    "measure saved directly (admin)": lambda m: (setattr(m, "better", Measure.Better.UP), m.save()),
    "measure saved with update_fields": lambda m: (setattr(m, "target", 10), m.save(update_fields=["target"])),
    "one point from the grid": lambda m: services.datapoint_save(measure=m, period=_period(3), value=90),
    "a new point from the grid": lambda m: services.datapoint_save(measure=m, period=_period(20), value=5),
    "pasted rows (bulk create)": lambda m: services.datapoints_save(
        measure=m, rows=[EntryRow(row=index, period=_period(index), value=1.0 + index) for index in (20, 21, 22)]
    ),
    "pasted rows (bulk update)": lambda m: services.datapoints_save(
        measure=m, rows=[EntryRow(row=index, period=_period(index), value=60.0) for index in (0, 1, 2)]
    ),
    "a point deleted": lambda m: services.datapoint_delete(measure=m, period=_period(19)),
    "points deleted as a queryset": lambda m: DataPoint.objects.filter(measure=m, period__gte=_period(15)).delete(),
    "a point saved directly": lambda m: _save_point(m),
    "points updated as a queryset": lambda m: DataPoint.objects.filter(measure=m, period=_period(2)).update(value=77),
    "points bulk-created directly": lambda m: DataPoint.objects.bulk_create(
        [DataPoint(organisation=m.organisation, measure=m, period=_period(24), value=3)]
    ),
    "points bulk-updated directly": lambda m: _bulk_update_points(m),
    "an annotation added": lambda m: services.annotation_create(measure=m, date=_period(5), text="Training"),
    "an annotation deleted": lambda m: services.annotation_delete(annotation=m.annotations.get()),
    "an annotation edited directly": lambda m: _edit_annotation(m),
    "annotations updated as a queryset": lambda m: Annotation.objects.filter(measure=m).update(text="Renamed"),
    "a phase started": lambda m: services.phase_create(measure=m, start=_period(12), reason="New process"),
    "a phase edited": lambda m: _edit_phase(m),
    "a phase deleted": lambda m: services.phase_delete(phase=m.phases.get()),
    "phases updated as a queryset": lambda m: Phase.objects.filter(measure=m).update(reason="Renamed"),
}


def _save_point(measure: Measure) -> None:
    point = measure.points.get(period=_period(4))
    point.value, point.astronomical = 99, True
    point.save()


def _bulk_update_points(measure: Measure) -> None:
    points = list(measure.points.order_by("period")[:3])
    for point in points:
        point.value = 5
    DataPoint.objects.bulk_update(points, ["value"])


def _edit_annotation(measure: Measure) -> None:
    annotation = measure.annotations.get()
    annotation.text = "Panel process changed"
    annotation.save(update_fields=["text", "updated_at"])


def _phase(measure: Measure) -> Phase:
    return PhaseFactory(organisation=measure.organisation, measure=measure, start=_period(12), reason="Shift")


def _edit_phase(measure: Measure) -> None:
    phase = _phase(measure)
    _cached(measure)  # the phase's own creation was a write too: read again before the edit
    phase.baseline_points = 4
    phase.reason = "Shift after the new panel"
    phase.save()


@pytest.mark.parametrize("write", list(WRITES), ids=list(WRITES))
def test_every_kind_of_write_invalidates_the_cached_chart(measure, write) -> None:
    if write in ("a phase deleted", "phases updated as a queryset"):
        _phase(measure)
    before = _cached(measure)
    loaded = Measure.objects.get(pk=measure.pk)
    assert chart_cache.cache.get(chart_cache.chart_key(loaded))["payload"] == before

    WRITES[write](Measure.objects.get(pk=measure.pk))

    assert Measure.objects.get(pk=measure.pk).data_version != loaded.data_version
    after = _cached(measure)
    assert after == _fresh(measure)
    assert after != before


def test_pdsa_annotation_sync_invalidates_the_charts_it_marks(org) -> None:
    from pdsa.services.annotations import sync_annotations_for_idea
    from pdsa.services.testing import cycle_create, cycle_plan_update
    from tests.aims.factories import AimFactory, AimMeasureFactory
    from tests.pdsa.factories import ChangeIdeaFactory

    outcome = AimMeasureFactory(organisation=org)
    monthly_points(outcome, VALUES)
    aim = AimFactory(organisation=org, outcome_measure=outcome)
    idea = ChangeIdeaFactory(organisation=org)
    idea.aims.add(aim)
    before = _cached(outcome)
    cycle = cycle_create(idea=idea, objective="x", start_date=_period(10), end_date=_period(11))
    created = _cached(outcome)
    assert created == _fresh(outcome) and len(created["annotations"]) == 2 != len(before["annotations"])
    cycle_plan_update(cycle=cycle, start_date=_period(10) + datetime.timedelta(days=3), end_date=None)
    moved = _cached(outcome)
    assert moved == _fresh(outcome) and len(moved["annotations"]) == 1
    aim.outcome_measure = None
    aim.save()
    sync_annotations_for_idea(idea)  # the stale mark is deleted (a queryset delete)
    assert _cached(outcome) == _fresh(outcome) and _cached(outcome)["annotations"] == []


def test_the_derived_recompute_invalidates_only_the_measures_whose_points_changed(cast) -> None:
    from measures.milestones.derived import derived_measures_recompute
    from measures.milestones.pathway import pathway_create_defaults
    from measures.models import Milestone
    from tests.measures.factories import ChildFactory
    from tests.measures.milestones.dates import set_date

    org = cast.org
    pathway_create_defaults(organisation=org)
    looked_after = Milestone.objects.get(organisation=org, code="looked_after")
    recommended = Milestone.objects.get(organisation=org, code="permanence_rec")
    for day in (1, 5, 9, 13, 17, 21):
        set_date(ChildFactory(organisation=org), looked_after, datetime.date(2024, 1, day))
    today = datetime.date(2024, 9, 30)
    derived_measures_recompute(organisation=org, today=today)
    derived = list(Measure.objects.filter(organisation=org, source=Measure.Source.DERIVED))
    charts = {measure.pk: _cached(measure) for measure in derived}
    stamps = dict(Measure.objects.filter(organisation=org).values_list("pk", "data_version"))

    # The same dates again: nothing changes, every cached chart stays.
    derived_measures_recompute(organisation=org, today=today)
    assert dict(Measure.objects.filter(organisation=org).values_list("pk", "data_version")) == stamps

    # An import (a child reaching the recommendation) changes the looked-after → recommendation ones.
    child = ChildFactory(organisation=org)
    set_date(child, looked_after, datetime.date(2024, 1, 2))
    set_date(child, recommended, datetime.date(2024, 3, 1))
    derived_measures_recompute(organisation=org, today=today)
    now = dict(Measure.objects.filter(organisation=org).values_list("pk", "data_version"))
    changed = {pk for pk in stamps if now[pk] != stamps[pk]}
    assert changed
    for measure in derived:
        assert _cached(measure) == _fresh(measure)
        if measure.pk not in changed:
            assert _cached(measure) == charts[measure.pk]
    on_it = {m.pk for m in derived if m.timescale.to_milestone_id == recommended.pk and m.derivation == "median_days"}
    assert on_it <= changed


def test_a_viewer_and_a_lead_never_share_a_derived_chart(cast) -> None:
    from measures.milestones.pathway import pathway_create_defaults

    pathway_create_defaults(organisation=cast.org)
    waiting = Measure.objects.filter(organisation=cast.org, derivation=Measure.Derivation.WAITING).first()
    services.derived_points_replace(
        measures=[waiting],
        points=[
            DataPoint(organisation=cast.org, measure=waiting, period=_period(index), value=value)
            for index, value in enumerate([7, 3, 0, 12, 9, 2])
        ],
    )
    # Whichever is read first, each gets their own result, now and from the cache.
    for first in (True, False):
        services.derived_points_replace(measures=[waiting], points=[])  # a write: empty cache for it
        services.derived_points_replace(
            measures=[waiting],
            points=[
                DataPoint(organisation=cast.org, measure=waiting, period=_period(index), value=value)
                for index, value in enumerate([7, 3, 0, 12, 9, 2])
            ],
        )
        order = [first, not first, first, not first]
        for hide in order:
            payload = _cached(waiting, hide_small_counts=hide)
            assert payload == _fresh(waiting, hide_small_counts=hide)
            ys = [point["y"] for point in payload["points"]]
            assert ys == ([7, None, 0, 12, 9, None] if hide else [7, 3, 0, 12, 9, 2])
    listed = {
        hide: measures_with_latest(cast.org, measures=Measure.objects.filter(pk=waiting.pk), hide_small_counts=hide)[0]
        for hide in (True, False)
    }
    assert listed[True].latest_text == "<5"
    assert listed[False].latest_text.startswith("2")


def test_a_hand_entered_measure_has_one_entry_for_everyone(measure) -> None:
    loaded = Measure.objects.get(pk=measure.pk)
    assert chart_cache.chart_key(loaded, hide_small_counts=True) == chart_cache.chart_key(loaded)
    assert _cached(measure, hide_small_counts=True) == _cached(measure) == _fresh(measure)


def test_deleting_a_measure_does_not_stamp_it_once_per_deleted_row(measure) -> None:
    PhaseFactory(organisation=measure.organisation, measure=measure, start=_period(12))
    with CaptureQueriesContext(connection) as queries:
        Measure.objects.get(pk=measure.pk).delete()
    assert not [query for query in queries.captured_queries if query["sql"].startswith('UPDATE "measures_measure"')]
    assert not DataPoint.objects.filter(measure_id=measure.pk).exists()
    assert not Annotation.objects.filter(measure_id=measure.pk).exists()
