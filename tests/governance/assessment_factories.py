"""factory_boy factories for self-assessments, communications and newsletters (the template's
sections and questions are loaded by the governance data migration)."""

import datetime

import factory

from governance.models import AssessmentTemplate, Communication, Newsletter, NewsletterSection, SelfAssessment
from tests.factories import OrganisationFactory


def current_template() -> AssessmentTemplate:
    """The template as the data migration loads it (``current()`` reloads it after a flush)."""
    return AssessmentTemplate.objects.current()


class SelfAssessmentFactory(factory.django.DjangoModelFactory):
    """An assessment row only; use ``self_assessment_start`` for one with its answers."""

    class Meta:
        model = SelfAssessment

    organisation = factory.SubFactory(OrganisationFactory)
    template = factory.LazyFunction(current_template)
    taken_on = factory.Sequence(lambda n: datetime.date(2024, 1, 1) + datetime.timedelta(days=n))


class CommunicationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Communication

    organisation = factory.SubFactory(OrganisationFactory)
    date = factory.LazyFunction(lambda: datetime.date.today() - datetime.timedelta(days=10))
    channel = Communication.Channel.INTRANET
    audience = "Children and families social work staff"
    summary = "What the permanence planning meeting test found."


class NewsletterFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Newsletter

    organisation = factory.SubFactory(OrganisationFactory)
    title = factory.Sequence(lambda n: f"PACE newsletter {n}")
    period_start = datetime.date(2026, 1, 1)
    period_end = datetime.date(2026, 3, 31)


class NewsletterSectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = NewsletterSection

    newsletter = factory.SubFactory(NewsletterFactory)
    organisation = factory.SelfAttribute("newsletter.organisation")
    heading = "You said, we did"
    body = "What we heard:\n\n- Carers wanted to know what happens next."
