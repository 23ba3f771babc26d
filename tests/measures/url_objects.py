"""Object makers for the measures app's URL arguments (see tests/url_objects.py)."""

from tests.measures.factories import AnnotationFactory, MeasureFactory, PhaseFactory
from tests.url_objects import register


@register("measure")
def _measure(org):
    return MeasureFactory(organisation=org).code


@register("annotation")
def _annotation(org):
    return AnnotationFactory(measure=MeasureFactory(organisation=org), organisation=org).code


@register("phase")
def _phase(org):
    return PhaseFactory(measure=MeasureFactory(organisation=org), organisation=org).code


@register("milestone")
def _milestone(org):
    from tests.measures.factories import MilestoneFactory

    return MilestoneFactory(organisation=org).code


@register("timescale")
def _timescale(org):
    from tests.measures.factories import TimescaleFactory

    return TimescaleFactory(organisation=org).code


@register("milestone_import")
def _milestone_import(org):
    from tests.measures.factories import MilestoneImportFactory

    return MilestoneImportFactory(organisation=org).code
