"""factory_boy factories for governance: meetings, agenda items, actions, groups and reports."""

import datetime

import factory
from django.utils import timezone

from governance.models import Action, AgendaItem, GovernanceGroup, Meeting, Report
from pace_hub.models import Team
from tests.factories import MembershipFactory, OrganisationFactory, TeamFactory

_same_org = factory.SelfAttribute("..organisation")


class MeetingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Meeting

    organisation = factory.SubFactory(OrganisationFactory)
    team = factory.SubFactory(TeamFactory, organisation=_same_org, kind=Team.Kind.LEADS)
    starts_at = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=7))
    place = "Marischal College, room 2"


class AgendaItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AgendaItem

    organisation = factory.SubFactory(OrganisationFactory)
    meeting = factory.SubFactory(MeetingFactory, organisation=_same_org)
    title = factory.Sequence(lambda n: f"Agenda item {n}")
    position = factory.Sequence(lambda n: n)


class ActionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Action

    organisation = factory.SubFactory(OrganisationFactory)
    meeting = factory.SubFactory(MeetingFactory, organisation=_same_org)
    description = factory.Sequence(lambda n: f"Book the legal advice meeting ({n})")
    owner = factory.SubFactory(MembershipFactory, organisation=_same_org)
    due_on = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=28))


class GovernanceGroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = GovernanceGroup

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"Corporate Parenting Board {n}")
    reporter = factory.SubFactory(MembershipFactory, organisation=_same_org)
    cadence = GovernanceGroup.Cadence.QUARTERLY


class ReportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Report

    organisation = factory.SubFactory(OrganisationFactory)
    kind = Report.Kind.GOVERNANCE
    group = factory.SubFactory(GovernanceGroupFactory, organisation=_same_org)
    period_start = datetime.date(2026, 4, 1)
    period_end = datetime.date(2026, 6, 30)
    title = "Corporate Parenting Board: April to June 2026"
