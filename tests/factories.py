"""factory_boy factories for the shared core. Apps add theirs in tests/<app>/factories.py."""

import factory
from django.contrib.auth import get_user_model

from pace_hub.models import Agency, Invitation, Membership, Organisation, Resource, Team
from pace_hub.roles import Role


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Council {n}")
    slug = factory.Sequence(lambda n: f"council-{n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.Sequence(lambda n: f"person{n}@example.org")
    username = factory.SelfAttribute("email")
    password = factory.django.Password("correct-horse-battery")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = Role.MEMBER
    job_title = "Social worker"


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agency

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"Agency {n}")
    kind = Agency.Kind.SCRA


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"Aims group {n}")
    kind = Team.Kind.AIMS


class ResourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Resource

    organisation = factory.SubFactory(OrganisationFactory)
    title = factory.Sequence(lambda n: f"Resource {n}")
    kind = Resource.Kind.QI_LEARNING


class InvitationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Invitation

    organisation = factory.SubFactory(OrganisationFactory)
    email = factory.Sequence(lambda n: f"invitee{n}@example.org")
    role = Role.MEMBER
