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
