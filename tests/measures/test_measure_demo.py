"""measures/demo.py: demo measures with realistic data, idempotent."""

import pytest

from measures import demo
from measures.models import Annotation, DataPoint, Measure, Phase
from measures.selectors import measure_chart_data
from pace_hub.demo import seed_organisation

pytestmark = pytest.mark.django_db


def test_seed_adds_measures_with_two_to_three_years_of_data_once() -> None:
    seed = seed_organisation("Demo Council", "demo-council", "demo")

    demo.seed(seed)
    counts = (Measure.objects.count(), DataPoint.objects.count(), Annotation.objects.count(), Phase.objects.count())
    demo.seed(seed)

    assert counts == (
        Measure.objects.count(),
        DataPoint.objects.count(),
        Annotation.objects.count(),
        Phase.objects.count(),
    )
    manual = Measure.objects.filter(source=Measure.Source.MANUAL)
    assert manual.count() == 5
    for measure in manual:
        assert 24 <= measure.points.count() <= 48
    assert set(manual.values_list("kind", flat=True)) == {"outcome", "process", "balancing"}


def test_the_permanence_measure_shows_an_annotated_improvement() -> None:
    demo.seed(seed_organisation("Demo Council", "demo-council", "demo"))
    measure = Measure.objects.get(title__startswith="% of children with a permanence")

    chart = measure_chart_data(measure)

    assert chart.payload["chart"] == "p"
    assert chart.payload["annotations"][0]["text"] == "Test: permanence planning meeting at 6 weeks"
    assert any(signal["kind"] == "shift" and signal["improvement"] for signal in chart.payload["signals"])
    assert chart.suggestion is not None
