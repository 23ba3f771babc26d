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


# ---- PDSA cycles, feedback, spread, implementation and the library (testing pages) ----------

import datetime as _dt  # noqa: E402

from django.utils import timezone as _tz  # noqa: E402

from pdsa.models import (  # noqa: E402
    Approval,
    Feedback,
    Implementation,
    PDSACycle,
    Prediction,
    PublishedItem,
    SelfAudit,
    SpreadLocality,
)


class PDSACycleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PDSACycle

    change_idea = factory.SubFactory(ChangeIdeaFactory)
    organisation = factory.SelfAttribute("change_idea.organisation")
    number = factory.Sequence(lambda n: n + 1)
    objective = "Find out whether booking legal advice at the LAC review saves weeks."
    setting = "North locality"
    scale_cases = 1
    scale_teams = 1


class PredictionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Prediction

    cycle = factory.SubFactory(PDSACycleFactory)
    organisation = factory.SelfAttribute("cycle.organisation")
    question = "Will the meeting be booked within 2 weeks?"
    prediction = "Yes, within 10 days"


class FeedbackFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Feedback

    organisation = factory.SubFactory(OrganisationFactory)
    voice = Feedback.Voice.CARER
    received_on = factory.LazyFunction(lambda: _tz.localdate() - _dt.timedelta(days=3))
    text = "It felt less rushed and I knew what was happening."


class SpreadLocalityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SpreadLocality

    change_idea = factory.SubFactory(ChangeIdeaFactory)
    organisation = factory.SelfAttribute("change_idea.organisation")
    name = factory.Sequence(lambda n: f"Locality {n}")


class ImplementationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Implementation

    change_idea = factory.SubFactory(ChangeIdeaFactory, status=ChangeIdea.Status.READY)
    organisation = factory.SelfAttribute("change_idea.organisation")
    decided_on = factory.LazyFunction(lambda: _tz.localdate() - _dt.timedelta(days=7))
    meeting = "Leads group"
    decision_text = "Tested in three localities with good feedback: implement across the service."


class ApprovalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Approval

    implementation = factory.SubFactory(ImplementationFactory)
    organisation = factory.SelfAttribute("implementation.organisation")
    approver = factory.SubFactory(MembershipFactory, organisation=factory.SelfAttribute("..organisation"), role="lead")


class SelfAuditFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SelfAudit

    implementation = factory.SubFactory(ImplementationFactory)
    organisation = factory.SelfAttribute("implementation.organisation")
    due_on = factory.LazyFunction(lambda: _tz.localdate() + _dt.timedelta(days=30))


class PublishedItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PublishedItem

    organisation = factory.SubFactory(OrganisationFactory)
    kind = PublishedItem.Kind.CHANGE_PACKAGE
    title = factory.Sequence(lambda n: f"Published change {n}")
    summary = "Legal advice booked at the first LAC review."
    body = "What: book legal advice at the review. Why: saves weeks."
    organisation_name = factory.SelfAttribute("organisation.name")
    published_by_name = "A lead"
    published_at = factory.LazyFunction(_tz.now)
    source_idea_code = factory.Faker("uuid4")
    source_code = factory.Faker("uuid4")
