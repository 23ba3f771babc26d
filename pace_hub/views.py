"""Organisation, people and team pages. Thin: access helper → form → service → redirect."""

from django.contrib import messages
from django.contrib.auth import login
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render, resolve_url
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from pace_hub import background, services
from pace_hub.audit import child_data_accesses
from pace_hub.forms import (
    AcceptInvitationForm,
    AgencyForm,
    InvitationForm,
    MembershipForm,
    OrganisationSettingsForm,
    ResourceForm,
    TeamForm,
)
from pace_hub.history import recent_changes
from pace_hub.models import Agency, Invitation, Membership, Resource, Team
from pace_hub.relationship_map import MapAgency, draw_relationship_map, status_changes
from pace_hub.roles import GRANTS, Permission, Role
from pace_hub.tenancy import get_for_org, org_view


def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    invitation = get_object_or_404(Invitation.objects.select_related("organisation"), token=token)
    if not invitation.is_open:
        return render(request, "pace_hub/invitation_closed.html", {"invitation": invitation}, status=410)
    user = request.user if request.user.is_authenticated else None
    existing = user is not None and user.email.lower() == invitation.email
    if user is not None and not existing:
        messages.warning(request, f"This invitation is for {invitation.email}. Sign out to accept it as that person.")
        return redirect("home")
    if user is None and services.account_exists(email=invitation.email):
        # The address already has an account: accepting means signing in to it, never a second one.
        sign_in = f"{resolve_url('login')}?{urlencode({'next': request.get_full_path()})}"
        if request.method == "POST":
            messages.info(request, f"{invitation.email} already has an account: sign in to accept the invitation.")
            return redirect(sign_in)
        return render(request, "pace_hub/invitation_sign_in.html", {"invitation": invitation, "sign_in": sign_in})
    form = None if existing else AcceptInvitationForm(request.POST or None)
    if request.method == "POST" and (existing or form.is_valid()):
        try:
            membership = services.invitation_accept(
                invitation=invitation,
                user=user,
                **(
                    {}
                    if existing
                    else {
                        "first_name": form.cleaned_data["first_name"],
                        "last_name": form.cleaned_data["last_name"],
                        "password": form.cleaned_data["password1"],
                    }
                ),
            )
        except ValidationError as error:
            messages.error(request, error.messages[0])
            return redirect("login")
        if not existing:
            login(request, membership.user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, f"Welcome to {invitation.organisation.name}.")
        return redirect("org_home", invitation.organisation.slug)
    return render(request, "pace_hub/invitation_accept.html", {"invitation": invitation, "form": form})


@org_view()
def team_page(request: HttpRequest) -> HttpResponse:
    memberships = (
        Membership.objects.for_organisation(request.org)
        .select_related("user", "agency")
        .prefetch_related(Prefetch("teams", queryset=Team.objects.only("id", "name")))
    )
    invitations = Invitation.objects.for_organisation(request.org).filter(accepted_at__isnull=True)
    return render(
        request,
        "pace_hub/team.html",
        {
            "memberships": memberships,
            "invitations": invitations if request.membership.can(Permission.ADMIN) else [],
            "roles": [(role, [Permission(p).label for p, roles in GRANTS.items() if role in roles]) for role in Role],
        },
    )


@org_view(Permission.ADMIN)
def member_invite(request: HttpRequest) -> HttpResponse:
    form = InvitationForm(request.POST or None, organisation=request.org)
    if request.method == "POST" and form.is_valid():
        invitation = services.invitation_create(
            organisation=request.org,
            invited_by=request.user,
            base_url=request.build_absolute_uri("/"),
            **form.cleaned_data,
        )
        if background.waiting_for_broker("pace_hub.tasks.send_invitation", invitation.pk):
            messages.warning(
                request,
                f"The invitation for {invitation.email} is saved; the e-mail is sent when the background "
                "service is back.",
            )
        else:
            messages.success(request, f"Invitation sent to {invitation.email}.")
        return redirect("team", request.org.slug)
    return render(
        request,
        "form_page.html",
        {
            "form": form,
            "title": "Invite someone",
            "submit": "Send invitation",
            "intro": "They will get an e-mail with a link to choose a password and join.",
            "cancel": ("team", request.org.slug),
        },
    )


@org_view(Permission.ADMIN)
@require_POST
def invitation_revoke(request: HttpRequest, invitation: str) -> HttpResponse:
    get_for_org(request, Invitation, code=invitation, accepted_at__isnull=True).delete()
    messages.success(request, "Invitation withdrawn.")
    return redirect("team", request.org.slug)


@org_view(Permission.ADMIN)
def member_edit(request: HttpRequest, member: str) -> HttpResponse:
    membership = get_for_org(request, Membership.objects.select_related("user"), code=member)
    form = MembershipForm(request.POST or None, instance=membership, organisation=request.org)
    if request.method == "POST" and form.is_valid():
        try:
            services.membership_update(membership=Membership.objects.get(pk=membership.pk), **form.cleaned_data)
        except ValidationError as error:
            form.add_error("role", error)
        else:
            messages.success(request, f"{membership.display_name} updated.")
            return redirect("team", request.org.slug)
    return render(
        request,
        "form_page.html",
        {
            "form": form,
            "title": f"Edit {membership.display_name}",
            "cancel": ("team", request.org.slug),
        },
    )


@org_view(Permission.ADMIN)
@require_POST
def member_remove(request: HttpRequest, member: str) -> HttpResponse:
    membership = get_for_org(request, Membership.objects.select_related("user"), code=member)
    try:
        services.membership_remove(membership=membership)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, f"{membership.display_name} removed from {request.org.name}.")
    return redirect("team", request.org.slug)


@org_view()
def teams(request: HttpRequest) -> HttpResponse:
    rows = (
        Team.objects.for_organisation(request.org)
        .select_related("chair__user")
        .prefetch_related(Prefetch("members", queryset=Membership.objects.select_related("user")))
    )
    return render(request, "pace_hub/teams.html", {"teams": rows})


def _named_form_page(request: HttpRequest, form, *, thing: str, back: str) -> HttpResponse:
    """Create or edit a named organisation row (team, agency) on the shared form page."""
    existing = form.instance.pk is not None
    if request.method == "POST" and form.is_valid():
        saved = form.save()
        messages.success(request, f"{saved.name} saved.")
        return redirect(back, request.org.slug)
    return render(
        request,
        "form_page.html",
        {
            "form": form,
            "title": f"Edit {form.instance.name}" if existing else f"New {thing}",
            "cancel": (back, request.org.slug),
        },
    )


@org_view(Permission.LEAD)
def team_create(request: HttpRequest) -> HttpResponse:
    form = TeamForm(request.POST or None, organisation=request.org)
    return _named_form_page(request, form, thing="team", back="teams")


@org_view(Permission.LEAD)
def team_edit(request: HttpRequest, team: str) -> HttpResponse:
    form = TeamForm(request.POST or None, instance=get_for_org(request, Team, code=team), organisation=request.org)
    return _named_form_page(request, form, thing="team", back="teams")


@org_view()
def agencies(request: HttpRequest) -> HttpResponse:
    rows = list(
        Agency.objects.for_organisation(request.org)
        .annotate(people=Count("members"))
        .select_related("next_step_owner__user")
        .order_by("name")
    )
    today = timezone.localdate()
    by_status = {status: [] for status in Agency.Relationship}
    for agency in rows:
        agency.next_step_overdue = agency.next_step_due is not None and agency.next_step_due < today
        by_status[agency.relationship].append(agency)
    missing = sorted(set(Agency.Kind) - {agency.kind for agency in rows} - {Agency.Kind.OTHER, Agency.Kind.POLICE})
    leads = Team.objects.for_organisation(request.org).filter(kind=Team.Kind.LEADS).order_by("name").first()
    picture = draw_relationship_map(
        centre=leads.name if leads else f"{request.org.name} PACE leads group",
        agencies=[
            MapAgency(
                name=agency.name,
                kind=agency.get_kind_display(),
                status=agency.relationship,
                status_label=agency.get_relationship_display(),
                next_step_due=agency.next_step_due,
                next_step_owner=str(agency.next_step_owner) if agency.next_step_owner else "",
                overdue=agency.next_step_overdue,
            )
            for agency in rows
        ],
        title=f"Relationship map of {request.org.name}",
    )
    return render(
        request,
        "pace_hub/agencies.html",
        {
            "agencies": rows,
            "columns": [(Agency.Relationship(status).label, items) for status, items in by_status.items()],
            "missing_kinds": [Agency.Kind(kind).label for kind in missing],
            # Drawn here with every text escaped (pace_hub.relationship_map).
            "picture": mark_safe(picture),
            "changes": status_changes(request.org, limit=12),
        },
    )


@org_view()
def agency_detail(request: HttpRequest, agency: str) -> HttpResponse:
    agency = get_for_org(request, Agency.objects.select_related("next_step_owner__user"), code=agency)
    return render(
        request,
        "pace_hub/agency_detail.html",
        {
            "agency": agency,
            "changes": status_changes(request.org, agency_id=agency.pk),
            "overdue": agency.next_step_due is not None and agency.next_step_due < timezone.localdate(),
            "people": agency.members.select_related("user"),
        },
    )


@org_view(Permission.EDIT)
def agency_create(request: HttpRequest) -> HttpResponse:
    form = AgencyForm(request.POST or None, organisation=request.org)
    return _named_form_page(request, form, thing="agency", back="agencies")


@org_view(Permission.EDIT)
def agency_edit(request: HttpRequest, agency: str) -> HttpResponse:
    instance = get_for_org(request, Agency, code=agency)
    form = AgencyForm(request.POST or None, instance=instance, organisation=request.org)
    return _named_form_page(request, form, thing="agency", back="agencies")


@org_view()
def resources(request: HttpRequest) -> HttpResponse:
    rows = Resource.objects.for_organisation(request.org)
    return render(request, "pace_hub/resources.html", {"resources": rows})


@org_view(Permission.EDIT)
def resource_create(request: HttpRequest) -> HttpResponse:
    form = ResourceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        form.instance.organisation = request.org
        form.save()
        messages.success(request, "Resource added.")
        return redirect("resources", request.org.slug)
    return render(
        request,
        "form_page.html",
        {
            "form": form,
            "title": "Add a resource",
            "cancel": ("resources", request.org.slug),
        },
    )


@org_view(Permission.ADMIN)
def organisation_settings(request: HttpRequest) -> HttpResponse:
    form = OrganisationSettingsForm(request.POST or None, instance=request.org)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Settings saved.")
        return redirect("org_home", request.org.slug)
    return render(
        request,
        "form_page.html",
        {
            "form": form,
            "title": "Organisation settings",
            "cancel": ("org_home", request.org.slug),
        },
    )


@org_view(Permission.ADMIN)
def history(request: HttpRequest) -> HttpResponse:
    return render(request, "pace_hub/history.html", {"changes": recent_changes(request.org, limit=200)})


@org_view(Permission.ADMIN)
def child_data_access_log(request: HttpRequest) -> HttpResponse:
    page = Paginator(child_data_accesses(request.org), 50).get_page(request.GET.get("page"))
    return render(request, "pace_hub/child_data_access.html", {"page": page})
