"""The change-idea board, change ideas, and the ideas inbox ("PACE email box").

Thin views: org_view → access helper → form → one service call → redirect.
"""

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
from pdsa import services_ideas as services
from pdsa.forms_ideas import ChangeIdeaForm, DriverIdeasForm, IdeaStatusForm, SubmissionForm, TriageForm
from pdsa.models import ChangeIdea, IdeaSubmission

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


# The ideas inbox ---------------------------------------------------------------------------


@org_view(Permission.EDIT)
def submission_create(request: HttpRequest) -> HttpResponse:
    form = SubmissionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.submission_create(organisation=request.org, submitted_by=request.membership, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Thank you. The leads group will look at it; you can follow it here.")
            return redirect("my_submissions", request.org.slug)
    return render(request, "pdsa/ideas/submission_form.html", {"form": form})


@org_view(Permission.EDIT)
def my_submissions(request: HttpRequest) -> HttpResponse:
    submissions = (
        IdeaSubmission.objects.for_organisation(request.org)
        .filter(submitted_by=request.membership)
        .select_related("change_idea__organisation")
        .order_by("-created_at")
    )
    return render(request, "pdsa/ideas/my_submissions.html", {"submissions": submissions})


@org_view(Permission.LEAD)
def inbox(request: HttpRequest) -> HttpResponse:
    submissions = list(
        IdeaSubmission.objects.for_organisation(request.org)
        .select_related("submitted_by__user", "change_idea__organisation", "triaged_by__user")
        .order_by("-created_at")
    )
    waiting = [s for s in submissions if s.status == IdeaSubmission.Status.NEW]
    done = [s for s in submissions if s.status != IdeaSubmission.Status.NEW][:50]
    return render(request, "pdsa/ideas/inbox.html", {"waiting": waiting, "done": done})


@org_view(Permission.LEAD)
def submission_triage(request: HttpRequest, submission: str) -> HttpResponse:
    submission = get_for_org(
        request, IdeaSubmission.objects.select_related("submitted_by__user", "change_idea"), code=submission
    )
    form = TriageForm(request.POST or None, organisation=request.org, initial={"title": submission.what[:80]})
    if request.method == "POST" and submission.status != IdeaSubmission.Status.NEW:
        messages.error(request, "This submission was already triaged.")
        return redirect("inbox", request.org.slug)
    if request.method == "POST" and form.is_valid():
        data, by = form.cleaned_data, request.membership
        try:
            if data["action"] == TriageForm.Action.ACCEPT:
                idea = services.submission_accept(
                    submission=submission, by=by, title=data["title"], note=data["reason"]
                )
                messages.success(request, f"Accepted as the new change idea “{idea.title}”.")
            elif data["action"] == TriageForm.Action.MERGE:
                idea = services.submission_merge(submission=submission, by=by, into=data["into"], note=data["reason"])
                messages.success(request, f"Merged into “{idea.title}”.")
            else:
                services.submission_decline(submission=submission, by=by, reason=data["reason"])
                messages.success(request, "Declined. The person who sent it will see your reason.")
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect("inbox", request.org.slug)
    return render(request, "pdsa/ideas/triage.html", {"submission": submission, "form": form})
