"""factory_boy factories for aims and driver diagrams."""

import datetime

import factory

from aims.models import Aim, Driver
from measures.models import Measure
from tests.factories import OrganisationFactory


class AimMeasureFactory(factory.django.DjangoModelFactory):
    """A measure to link to aims (the measures app owns the full factory)."""

    class Meta:
        model = Measure

    organisation = factory.SubFactory(OrganisationFactory)
    title = factory.Sequence(lambda n: f"Measure {n}")
    kind = Measure.Kind.OUTCOME
    unit = "%"


class AimFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Aim

    organisation = factory.SubFactory(OrganisationFactory)
    title = factory.Sequence(lambda n: f"Aim {n}")
    kind = Aim.Kind.LOCAL
    status = Aim.Status.DRAFT
    population = "children accommodated"
    improvement = "will have a permanence recommendation within 6 months"
    baseline_value = 55
    baseline_label = "in 2025"
    target_value = 90
    unit = "%"
    by_date = datetime.date(2027, 3, 31)
    statement = factory.LazyAttribute(
        lambda aim: f"{aim.target_value:g}{aim.unit} of {aim.population} {aim.improvement} by 31 March 2027"
    )


class DriverFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Driver

    aim = factory.SubFactory(AimFactory)
    organisation = factory.SelfAttribute("aim.organisation")
    text = factory.Sequence(lambda n: f"Driver {n}")
    order = factory.Sequence(lambda n: n)
