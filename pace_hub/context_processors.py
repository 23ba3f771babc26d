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


# The product's sections, in navigation order, each with the other pages it holds (by URL name)
# that live outside its own URL prefix. A section appears once its page exists.
SECTIONS = [
    ("Home", "org_home", ()),
    ("Aims", "aims", ()),
    ("Testing", "change_ideas", ()),
    ("Measures & data", "measures", ()),
    ("Meetings", "meetings", ()),
    ("Governance", "governance_dashboard", ()),
    ("Self-assessment", "self_assessments", ()),
    ("Team", "team", ("resources",)),
]


def _url(name: str, org) -> str | None:
    try:
        return reverse(name, args=[org.slug])
    except NoReverseMatch:
        return None


def navigation(request: HttpRequest) -> dict:
    org = getattr(request, "org", None)
    if org is None:
        return {}
    membership = getattr(request, "membership", None)
    viewer = membership is not None and membership.role == Role.VIEWER
    current = request.path
    items = []
    active_label, active_length = None, 0
    for label, name, also in SECTIONS:
        if name == "org_home" and viewer:
            continue  # a viewer's home is the governance dashboard (governance.views.home)
        url = _url(name, org)
        if url is None:
            continue
        items.append((label, url))
        if name == "org_home":
            # Every organisation page starts with the home's URL, so Home is only ever its own page.
            if current == url:
                active_label, active_length = label, len(url)
            continue
        for prefix in [url, *filter(None, (_url(other, org) for other in also))]:
            # The longest matching prefix wins (a section nested in another's URL).
            if current.startswith(prefix) and len(prefix) > active_length:
                active_label, active_length = label, len(prefix)
    return {"nav_items": [(label, url, label == active_label) for label, url in items]}
