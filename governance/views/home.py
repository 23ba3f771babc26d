"""The home pages: the chooser for someone in several organisations, and each organisation's
home by role — the leads group's dashboard, with the state of the milestone data first for data
leads; viewers land on the governance dashboard. Governance reads every other app."""

from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from governance.selectors.home import data_home, leads_home, memberships_with_lines
from pace_hub.models import Agency, Membership, Team
from pace_hub.roles import Permission, Role
from pace_hub.tenancy import org_view


@login_required
def root(request: HttpRequest) -> HttpResponse:
    memberships = list(memberships_with_lines(request.user))
    last = request.session.get("last_org")
    for membership in memberships:
        if membership.organisation.slug == last:
            return redirect("org_home", membership.organisation.slug)
    if len(memberships) == 1:
        return redirect("org_home", memberships[0].organisation.slug)
    return render(request, "pace_hub/choose_organisation.html", {"memberships": memberships})


def _sees_data_status(membership) -> bool:
    """Those who upload, and the named Data Lead if their role may see child-level counts."""
    if membership.can(Permission.UPLOAD):
        return True
    return membership.pk == membership.organisation.data_lead_id and membership.can(Permission.CHILD_DATA)


@org_view()
def home(request: HttpRequest) -> HttpResponse:
    request.session["last_org"] = request.org.slug
    if request.membership.role == Role.VIEWER:
        # Senior managers and board members land on the governance dashboard (signing in
        # comes here too); the leads group's home is about work they do not do.
        return redirect("governance_dashboard", request.org.slug)
    org = request.org
    teams = Team.objects.for_organisation(org).annotate(size=Count("members")).select_related("chair__user")
    leads = Membership.objects.select_related("user").in_bulk([org.pace_lead_id, org.data_lead_id])
    agency_kinds = set(Agency.objects.for_organisation(org).values_list("kind", flat=True))
    return render(
        request,
        "governance/home.html",
        {
            "gaps": org.leadership_gaps(),
            "teams": teams,
            "people": Membership.objects.for_organisation(org).count(),
            "missing_agencies": [
                label
                for kind, label in Agency.Kind.choices
                if kind not in agency_kinds and kind not in {Agency.Kind.OTHER, Agency.Kind.POLICE}
            ],
            "pace_lead": leads.get(org.pace_lead_id),
            "data_lead": leads.get(org.data_lead_id),
            "work": leads_home(org, request.membership),
            # Data leads (and the named Data Lead) see the state of the milestone data first.
            "data": data_home(org, today=timezone.localdate()) if _sees_data_status(request.membership) else None,
            "can_upload": request.membership.can(Permission.UPLOAD),
            "can_lead": request.membership.can(Permission.LEAD),
            "can_edit": request.membership.can(Permission.EDIT),
        },
    )
