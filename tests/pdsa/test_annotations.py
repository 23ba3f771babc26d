"""Cycles that start or end and implementations that go live appear on the charts of the
measures of the aims the idea serves; stale marks go away."""

import datetime

import pytest

from measures.models import Annotation
from pdsa.services.annotations import sync_annotations_for_idea
from pdsa.services.testing import cycle_create, cycle_delete, cycle_plan_update
from tests.aims.factories import AimFactory, AimMeasureFactory
from tests.pdsa.factories import ChangeIdeaFactory, ImplementationFactory, PDSACycleFactory

pytestmark = pytest.mark.django_db

MAY_1, MAY_29 = datetime.date(2026, 5, 1), datetime.date(2026, 5, 29)


@pytest.fixture
def idea_with_charts(org):
    outcome, process, unrelated = (AimMeasureFactory(organisation=org) for _ in range(3))
    aim = AimFactory(organisation=org, outcome_measure=outcome)
    aim.measures.add(process, outcome)  # the same measure twice gets one mark
    idea = ChangeIdeaFactory(organisation=org)
    idea.aims.add(aim)
    return idea, outcome, process, unrelated


def test_cycle_start_and_end_are_marked_on_every_measure_of_the_aims(idea_with_charts) -> None:
    idea, outcome, process, unrelated = idea_with_charts
    cycle = cycle_create(idea=idea, objective="x", setting="North", start_date=MAY_1, end_date=MAY_29)
    rows = Annotation.objects.order_by("measure_id", "date")
    assert {(a.measure_id, a.source_key, a.date) for a in rows} == {
        (m.pk, f"pdsa-cycle:{cycle.code}:{edge}", day)
        for m in (outcome, process)
        for edge, day in (("start", MAY_1), ("end", MAY_29))
    }
    start = rows.get(measure=outcome, date=MAY_1)
    assert start.text == f"PDSA 1 started in North: {idea.title}"
    assert start.link == cycle.get_absolute_url()
    assert not unrelated.annotations.exists()


def test_sync_updates_in_place_and_removes_stale_marks(idea_with_charts) -> None:
    idea, outcome, process, _ = idea_with_charts
    cycle = cycle_create(idea=idea, objective="x", start_date=MAY_1, end_date=MAY_29)
    original = Annotation.objects.get(measure=outcome, source_key__endswith=":start").pk
    cycle_plan_update(cycle=cycle, start_date=MAY_1 + datetime.timedelta(days=3), end_date=None)
    assert Annotation.objects.count() == 2  # the end marks went
    moved = Annotation.objects.get(measure=outcome)
    assert moved.pk == original and moved.date == datetime.date(2026, 5, 4)
    idea.aims.first().measures.remove(process)
    sync_annotations_for_idea(idea)
    assert list(Annotation.objects.values_list("measure_id", flat=True)) == [outcome.pk]
    cycle_delete(cycle=cycle)
    assert not Annotation.objects.exists()


def test_sync_is_idempotent_and_keeps_people_annotations(idea_with_charts) -> None:
    idea, outcome, _, _ = idea_with_charts
    Annotation.objects.create(organisation=idea.organisation, measure=outcome, date=MAY_1, text="New manager")
    PDSACycleFactory(change_idea=idea, number=1, start_date=MAY_1)
    assert sync_annotations_for_idea(idea) == 2
    assert sync_annotations_for_idea(idea) == 2
    assert Annotation.objects.count() == 3
    assert Annotation.objects.filter(source_key="", text="New manager").exists()


def test_implementation_going_live_is_marked(idea_with_charts) -> None:
    idea, outcome, process, _ = idea_with_charts
    implementation = ImplementationFactory(change_idea=idea, started_on=MAY_1, live_on=MAY_29)
    sync_annotations_for_idea(idea)
    keys = set(Annotation.objects.values_list("measure_id", "source_key", "date", "text"))
    assert keys == {
        (m.pk, f"implementation:{implementation.code}:live", MAY_29, f"Implemented: {idea.title}")
        for m in (outcome, process)
    }


def test_idea_without_aims_makes_no_marks(org) -> None:
    idea = ChangeIdeaFactory(organisation=org)
    cycle_create(idea=idea, objective="x", start_date=MAY_1)
    assert not Annotation.objects.exists()


def test_linking_an_idea_to_an_aim_later_puts_its_cycles_on_that_aims_chart(cast) -> None:
    from datetime import date

    from aims.models import Aim
    from measures.models import Annotation
    from pdsa.models import PDSACycle
    from pdsa.services.ideas import change_idea_update
    from tests.measures.factories import MeasureFactory
    from tests.pdsa.factories import ChangeIdeaFactory

    measure = MeasureFactory(organisation=cast.org)
    aim = Aim.objects.create(organisation=cast.org, title="Permanence in 6 months", outcome_measure=measure)
    idea = ChangeIdeaFactory(organisation=cast.org)
    PDSACycle.objects.create(
        organisation=cast.org, change_idea=idea, number=1, objective="Try it", start_date=date(2026, 3, 2)
    )
    assert not Annotation.objects.filter(measure=measure).exists()
    change_idea_update(idea=idea, data={}, aims=[aim], drivers=[])
    annotation = Annotation.objects.get(measure=measure)
    assert annotation.date == date(2026, 3, 2) and annotation.source_key.startswith("pdsa-cycle:")
    change_idea_update(idea=idea, data={}, aims=[], drivers=[])
    assert not Annotation.objects.filter(measure=measure).exists()


def test_hourly_sync_follows_an_aim_gaining_a_measure(cast) -> None:
    from datetime import date

    from aims.models import Aim
    from measures.models import Annotation
    from pdsa.models import PDSACycle
    from pdsa.services.ideas import change_idea_update
    from pdsa.tasks import sync_all_annotations
    from tests.measures.factories import MeasureFactory
    from tests.pdsa.factories import ChangeIdeaFactory

    aim = Aim.objects.create(organisation=cast.org, title="Panel within 12 weeks")
    idea = ChangeIdeaFactory(organisation=cast.org)
    PDSACycle.objects.create(
        organisation=cast.org, change_idea=idea, number=1, objective="Try it", start_date=date(2026, 5, 4)
    )
    change_idea_update(idea=idea, data={}, aims=[aim], drivers=[])
    process = MeasureFactory(organisation=cast.org)
    aim.measures.add(process)  # the aims side cannot tell pdsa
    assert not Annotation.objects.filter(measure=process).exists()

    assert sync_all_annotations.delay().get() == 1
    assert Annotation.objects.get(measure=process).date == date(2026, 5, 4)
