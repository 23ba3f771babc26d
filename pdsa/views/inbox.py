"""The ideas inbox ("PACE email box"): anyone submits, leads triage."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from pace_hub.form_errors import add_service_errors
from pace_hub.identifying import warn_identifying
from pace_hub.roles import Permission
from pace_hub.tenancy import get_for_org, org_view
from pdsa.forms.inbox import SubmissionForm, TriageForm
from pdsa.models import IdeaSubmission
from pdsa.services import inbox as services


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
            warn_identifying(request, form)
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
