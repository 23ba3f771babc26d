from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse

from pace_hub.models import Membership
from pace_hub.roles import Role


def tenancy(request: HttpRequest) -> dict:
    """The current organisation and the switcher's list, for the layout."""
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {}
    memberships = request.__dict__.get("_switcher_memberships")
    if memberships is None:
        memberships = list(
            Membership.objects.filter(user=request.user).select_related("organisation").order_by("organisation__name")
        )
        request._switcher_memberships = memberships
    return {
        "org": getattr(request, "org", None),
        "membership": getattr(request, "membership", None),
        "switcher_memberships": memberships,
    }


# The product's sections, in navigation order. A section appears once its page exists.
SECTIONS = [
    ("Home", "org_home"),
    ("Aims", "aims"),
    ("Testing", "change_ideas"),
    ("Measures & data", "measures"),
    ("Meetings", "meetings"),
    ("Governance", "governance_dashboard"),
    ("Self-assessment", "self_assessments"),
    ("Team", "team"),
]


def navigation(request: HttpRequest) -> dict:
    org = getattr(request, "org", None)
    if org is None:
        return {}
    items = []
    membership = getattr(request, "membership", None)
    for label, name in SECTIONS:
        if name == "org_home" and membership is not None and membership.role == Role.VIEWER:
            continue  # a viewer's home is the governance dashboard (governance.views.home)
        try:
            url = reverse(name, args=[org.slug])
        except NoReverseMatch:
            continue
        items.append((label, url))
    current = request.path
    # The longest matching prefix is the current section ("Home" would match everything).
    active = max((url for _, url in items if current.startswith(url)), key=len, default=None)
    return {"nav_items": [(label, url, url == active) for label, url in items]}
