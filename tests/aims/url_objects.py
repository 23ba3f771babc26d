"""Object makers for the aims app's URL arguments (see tests/url_objects.py)."""

from pace_hub.models import Organisation
from tests.aims.factories import AimFactory, DriverFactory
from tests.url_objects import register


@register("aim")
def _aim(org: Organisation) -> object:
    return AimFactory(organisation=org).code


@register("driver")
def _driver(org: Organisation) -> object:
    return DriverFactory(aim=AimFactory(organisation=org), organisation=org).code
