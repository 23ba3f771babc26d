"""factory_boy factories for the pdsa app: change ideas and the ideas inbox (more are added
below by the PDSA pages)."""

import factory

from pdsa.models import ChangeIdea, IdeaSubmission
from tests.factories import MembershipFactory, OrganisationFactory


class ChangeIdeaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ChangeIdea

    organisation = factory.SubFactory(OrganisationFactory)
    title = factory.Sequence(lambda n: f"Change idea {n}")
    description = "Test it with one team first."
    status = ChangeIdea.Status.PROPOSED


class IdeaSubmissionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = IdeaSubmission

    organisation = factory.SubFactory(OrganisationFactory)
    what = factory.Sequence(lambda n: f"Legal advice meetings take weeks to book ({n})")
    who_affected = "Social workers and children waiting"
    submitted_by = factory.SubFactory(MembershipFactory, organisation=factory.SelfAttribute("..organisation"))
