"""The home page of the workspace: the leads group's dashboard. Governance reads every other app."""

from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from governance.selectors.home import leads_home
from pace_hub.models import Agency, Membership, Team
from pace_hub.roles import Permission, Role
from pace_hub.tenancy import org_view


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
            "can_edit": request.membership.can(Permission.EDIT),
        },
    )
