"""Object makers for the governance app's URL arguments (see tests/url_objects.py)."""

from pace_hub.models import Organisation
from tests.governance.factories import (
    ActionFactory,
    AgendaItemFactory,
    GovernanceGroupFactory,
    MeetingFactory,
    ReportFactory,
)
from tests.url_objects import register


@register("meeting")
def _meeting(org: Organisation) -> object:
    return MeetingFactory(organisation=org).code


@register("item")
def _item(org: Organisation) -> object:
    return AgendaItemFactory(organisation=org).code


@register("action")
def _action(org: Organisation) -> object:
    return ActionFactory(organisation=org).code


@register("group")
def _group(org: Organisation) -> object:
    return GovernanceGroupFactory(organisation=org).code


@register("report")
def _report(org: Organisation) -> object:
    return ReportFactory(organisation=org).code


# ---- Self-assessment and communications -----------------------------------------------------

from tests.governance.assessment_factories import (  # noqa: E402
    CommunicationFactory,
    NewsletterFactory,
    SelfAssessmentFactory,
)


@register("assessment")
def _assessment(org: Organisation) -> object:
    return SelfAssessmentFactory(organisation=org).code


@register("section")
def _section(org: Organisation) -> object:
    # A section of the template (shared reference data): its key, as the URL carries it.
    return "team"


@register("communication")
def _communication(org: Organisation) -> object:
    return CommunicationFactory(organisation=org).code


@register("newsletter")
def _newsletter(org: Organisation) -> object:
    return NewsletterFactory(organisation=org).code
