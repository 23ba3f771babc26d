"""How the URL-walking tenancy test makes a real object for each URL argument.

Every organisation URL argument (other than ``org``) must have an entry here, keyed by the
argument's name: a function that creates an object of the given organisation and returns the
value to put in the URL. A URL whose argument is missing makes the test fail, so new pages
cannot slip past the tenancy checks. Apps register theirs with ``register``.
"""

from collections.abc import Callable

from pace_hub.models import Organisation
from tests.factories import (
    AgencyFactory,
    InvitationFactory,
    MembershipFactory,
    TeamFactory,
)

URL_OBJECTS: dict[str, Callable[[Organisation], object]] = {}


def register(name: str) -> Callable:
    def decorator(make: Callable[[Organisation], object]) -> Callable:
        URL_OBJECTS[name] = make
        return make

    return decorator


@register("member")
def _member(org: Organisation) -> object:
    return MembershipFactory(organisation=org).code


@register("invitation")
def _invitation(org: Organisation) -> object:
    return InvitationFactory(organisation=org).code


@register("team")
def _team(org: Organisation) -> object:
    return TeamFactory(organisation=org).code


@register("agency")
def _agency(org: Organisation) -> object:
    return AgencyFactory(organisation=org).code


def load_app_registrations() -> None:
    """Import each app's registrations (tests/<app>/url_objects.py) so they add themselves."""
    from importlib import import_module

    for app in ("measures", "aims", "pdsa", "governance", "api"):
        try:
            import_module(f"tests.{app}.url_objects")
        except ModuleNotFoundError as error:
            if error.name not in {f"tests.{app}", f"tests.{app}.url_objects"}:
                raise
