"""The change-idea board and change ideas. Thin: access → form → one service → redirect."""

import uuid

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from aims.models import Aim, Driver
from pace_hub.form_errors import add_service_errors
from pace_hub.models import Membership
from pace_hub.roles import Permission
from pace_hub.tenancy import get_for_org, org_view
from pdsa.forms.ideas import ChangeIdeaForm, DriverIdeasForm, IdeaStatusForm
from pdsa.models import ChangeIdea, IdeaSubmission
from pdsa.services import ideas as services

# The board's columns, in the order ideas move through them.
BOARD_COLUMNS = list(ChangeIdea.Status)


def _get_idea(request: HttpRequest, code: str) -> ChangeIdea:
    return get_for_org(request, ChangeIdea.objects.select_related("lead__user", "organisation"), code=code)


def _board_ideas(request: HttpRequest, aim: Aim | None, lead: Membership | None) -> list[ChangeIdea]:
    """Every change idea with its lead, aims and drivers: four queries whatever the number."""
    ideas = (
        ChangeIdea.objects.for_organisation(request.org)
        .select_related("organisation", "lead__user")
        .prefetch_related(
            Prefetch("aims", queryset=Aim.objects.only("id", "code", "title", "organisation_id")),
            Prefetch("drivers", queryset=Driver.objects.only("id", "text", "parent_id", "aim_id")),
        )
        .annotate(cycle_count=Count("cycles", distinct=True))
        .order_by("title")
    )
    if aim is not None:
        ideas = ideas.filter(aims=aim)
    if lead is not None:
        ideas = ideas.filter(lead=lead)
    return list(ideas)


@org_view()
def change_ideas(request: HttpRequest) -> HttpResponse:
    aims = list(Aim.objects.for_organisation(request.org).only("id", "code", "title").order_by("title"))
    aim = next((a for a in aims if str(a.code) == request.GET.get("aim")), None)
    lead = request.membership if request.GET.get("mine") else None
    ideas = _board_ideas(request, aim, lead)
    columns = [(status, [idea for idea in ideas if idea.status == status]) for status in BOARD_COLUMNS]
    return render(
        request,
        "pdsa/ideas/board.html",
        {
            "columns": columns,
            "count": len(ideas),
            "aims": aims,
            "aim": aim,
            "mine": bool(lead),
            "statuses": ChangeIdea.Status.choices,
            "can_edit": request.membership.can(Permission.EDIT),
            "can_lead": request.membership.can(Permission.LEAD),
            "awaiting_triage": IdeaSubmission.objects.for_organisation(request.org)
            .filter(status=IdeaSubmission.Status.NEW)
            .count(),
        },
    )


@org_view(Permission.EDIT)
def change_idea_create(request: HttpRequest) -> HttpResponse:
    initial = {}
    if request.GET.get("aim"):
        initial["aims"] = Aim.objects.for_organisation(request.org).filter(code=_uuid_or_none(request.GET["aim"]))
    if request.GET.get("driver"):
        initial["drivers"] = Driver.objects.for_organisation(request.org).filter(
            code=_uuid_or_none(request.GET["driver"])
        )
    form = ChangeIdeaForm(request.POST or None, organisation=request.org, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in services.IDEA_FIELDS}
        try:
            idea = services.change_idea_create(
                organisation=request.org,
                data=data,
                aims=form.cleaned_data["aims"],
                drivers=form.cleaned_data["drivers"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Change idea “{idea.title}” added.")
            return redirect(idea)
    return render(request, "pdsa/ideas/idea_form.html", {"form": form, "title": "New change idea"})


def _uuid_or_none(value: str) -> str | None:
    try:
        return str(uuid.UUID(value))
    except ValueError:
        return None


@org_view()
def change_idea_detail(request: HttpRequest, idea: str) -> HttpResponse:
    idea = _get_idea(request, idea)
    return render(
        request,
        "pdsa/ideas/idea_detail.html",
        {
            "idea": idea,
            "aims": list(idea.aims.order_by("title")),
            "drivers": list(idea.drivers.select_related("aim", "parent").order_by("aim__title", "order")),
            "submissions": list(idea.submissions.select_related("submitted_by__user").order_by("-created_at")),
            "status_form": IdeaStatusForm(initial={"status": idea.status}),
            "can_edit": request.membership.can(Permission.EDIT),
            "can_lead": request.membership.can(Permission.LEAD),
        },
    )


@org_view(Permission.EDIT)
def change_idea_edit(request: HttpRequest, idea: str) -> HttpResponse:
    idea = _get_idea(request, idea)
    form = ChangeIdeaForm(request.POST or None, instance=idea, organisation=request.org)
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in services.IDEA_FIELDS}
        try:
            services.change_idea_update(
                idea=idea, data=data, aims=form.cleaned_data["aims"], drivers=form.cleaned_data["drivers"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Change idea saved.")
            return redirect(idea)
    return render(request, "pdsa/ideas/idea_form.html", {"form": form, "idea": idea, "title": f"Edit “{idea.title}”"})


@org_view(Permission.EDIT)
@require_POST
def change_idea_status(request: HttpRequest, idea: str) -> HttpResponse:
    idea = _get_idea(request, idea)
    form = IdeaStatusForm(request.POST)
    if form.is_valid():
        services.change_idea_set_status(idea=idea, status=form.cleaned_data["status"])
        messages.success(request, f"“{idea.title}” is now {idea.get_status_display().lower()}.")
    else:
        messages.error(request, "Choose one of the change-idea statuses.")
    back = request.POST.get("next", "")
    if back == "board":
        return redirect(reverse("change_ideas", args=[request.org.slug]) + f"#idea-{idea.code}")
    return redirect(idea)


@org_view(Permission.EDIT)
def driver_ideas(request: HttpRequest, driver: str) -> HttpResponse:
    """Attach change ideas to a driver of a driver diagram."""
    driver = get_for_org(request, Driver.objects.select_related("aim", "parent"), code=driver)
    form = DriverIdeasForm(
        request.POST or None, organisation=request.org, initial={"ideas": list(driver.change_ideas.all())}
    )
    back = reverse("aim_drivers", args=[request.org.slug, driver.aim.code])
    if request.method == "POST" and form.is_valid():
        services.driver_ideas_set(driver=driver, ideas=form.cleaned_data["ideas"])
        messages.success(request, f"Change ideas for “{driver.text}” saved.")
        return redirect(back + f"#driver-{driver.code}")
    return render(request, "pdsa/ideas/driver_ideas.html", {"form": form, "driver": driver, "back": back})
