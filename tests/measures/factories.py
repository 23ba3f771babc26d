"""factory_boy factories for the measures app: measures, data points, annotations and phases."""

import datetime

import factory

from measures.models import Annotation, DataPoint, Measure, Phase
from tests.factories import OrganisationFactory


class MeasureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Measure

    organisation = factory.SubFactory(OrganisationFactory)
    title = factory.Sequence(lambda n: f"Days from panel to ADM decision {n}")
    kind = Measure.Kind.PROCESS
    numerator = "Days between the panel recommendation and the ADM decision"
    unit = "days"
    better = Measure.Better.DOWN
    chart = Measure.Chart.RUN


class DataPointFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DataPoint

    measure = factory.SubFactory(MeasureFactory)
    organisation = factory.SelfAttribute("measure.organisation")
    period = factory.Sequence(lambda n: datetime.date(2020 + n // 12, n % 12 + 1, 1))
    value = 10.0


class AnnotationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Annotation

    measure = factory.SubFactory(MeasureFactory)
    organisation = factory.SelfAttribute("measure.organisation")
    date = datetime.date(2025, 3, 1)
    text = "Test: permanence planning meeting at 6 weeks"


class PhaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Phase

    measure = factory.SubFactory(MeasureFactory)
    organisation = factory.SelfAttribute("measure.organisation")
    start = factory.Sequence(lambda n: datetime.date(2024, 1, 1) + datetime.timedelta(days=31 * n))
    reason = "Sustained shift after the new panel process"


def monthly_points(measure: Measure, values: list, start: datetime.date = datetime.date(2024, 1, 1)) -> list[DataPoint]:
    """Monthly data points from `start`; each value is a number or a (numerator, denominator) pair."""
    points = []
    for index, value in enumerate(values):
        month = start.month - 1 + index
        period = datetime.date(start.year + month // 12, month % 12 + 1, 1)
        if isinstance(value, tuple):
            numerator, denominator = value
            points.append(
                DataPoint(
                    organisation=measure.organisation,
                    measure=measure,
                    period=period,
                    numerator=numerator,
                    denominator=denominator,
                    value=None if denominator in (None, 0) else 100 * numerator / denominator,
                )
            )
        else:
            points.append(DataPoint(organisation=measure.organisation, measure=measure, period=period, value=value))
    return DataPoint.objects.bulk_create(points)


# Permanence pathway and milestone data ----------------------------------------------------------


class MilestoneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "measures.Milestone"

    organisation = factory.SubFactory(OrganisationFactory)
    code = factory.Sequence(lambda n: f"milestone_{n}")
    name = factory.Sequence(lambda n: f"Milestone {n}")
    order = factory.Sequence(lambda n: 100 + n)


class TimescaleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "measures.Timescale"

    organisation = factory.SubFactory(OrganisationFactory)
    from_milestone = factory.SubFactory(MilestoneFactory, organisation=factory.SelfAttribute("..organisation"))
    to_milestone = factory.SubFactory(MilestoneFactory, organisation=factory.SelfAttribute("..organisation"))
    target_days = 84
    name = factory.Sequence(lambda n: f"Timescale {n}")


class ChildFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "measures.Child"

    organisation = factory.SubFactory(OrganisationFactory)
    reference = factory.Sequence(lambda n: f"C-{10000 + n}")
    route = "adoption"


class MilestoneImportFactory(factory.django.DjangoModelFactory):
    """A checked upload of a small valid CSV (the file is really stored)."""

    class Meta:
        model = "measures.MilestoneImport"

    organisation = factory.SubFactory(OrganisationFactory)
    file = factory.django.FileField(
        filename="milestones.csv", data=b"child_ref,route,looked_after\r\nC-1,adoption,01/02/2024\r\n"
    )
    original_name = "milestones.csv"
    status = "validated"
    rows = 1
