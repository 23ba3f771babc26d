"""Object makers for the pdsa app's URL arguments (see tests/url_objects.py)."""

from pace_hub.models import Organisation
from tests.pdsa.factories import ChangeIdeaFactory, IdeaSubmissionFactory
from tests.url_objects import register


@register("idea")
def _idea(org: Organisation) -> object:
    return ChangeIdeaFactory(organisation=org).code


@register("submission")
def _submission(org: Organisation) -> object:
    return IdeaSubmissionFactory(organisation=org).code


# ---- Testing, implementation and library pages ------------------------------------------------

from tests.pdsa.factories import (  # noqa: E402
    ApprovalFactory,
    FeedbackFactory,
    ImplementationFactory,
    PDSACycleFactory,
    SelfAuditFactory,
    SpreadLocalityFactory,
)


@register("cycle")
def _cycle(org: Organisation) -> object:
    return PDSACycleFactory(change_idea=ChangeIdeaFactory(organisation=org)).code


@register("feedback")
def _feedback(org: Organisation) -> object:
    return FeedbackFactory(organisation=org).code


@register("locality")
def _locality(org: Organisation) -> object:
    return SpreadLocalityFactory(change_idea=ChangeIdeaFactory(organisation=org)).code


@register("implementation")
def _implementation(org: Organisation) -> object:
    return ImplementationFactory(change_idea=ChangeIdeaFactory(organisation=org)).code


@register("approval")
def _approval(org: Organisation) -> object:
    return ApprovalFactory(implementation=ImplementationFactory(change_idea=ChangeIdeaFactory(organisation=org))).code


@register("audit")
def _audit(org: Organisation) -> object:
    return SelfAuditFactory(implementation=ImplementationFactory(change_idea=ChangeIdeaFactory(organisation=org))).code
