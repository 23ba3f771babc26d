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
