"""The listening log: feedback from children, families and colleagues, and "you said, we did"."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from pace_hub.form_errors import add_service_errors
from pace_hub.identifying import warn_identifying
from pace_hub.roles import Permission
from pace_hub.tenancy import get_for_org, org_view
from pdsa.forms.listening import FeedbackForm, FeedbackResponseForm
from pdsa.models import ChangeIdea, Feedback, PDSACycle
from pdsa.services import listening as services


@org_view()
def listening_log(request: HttpRequest) -> HttpResponse:
    voice = request.GET.get("voice", "")
    if voice not in Feedback.Voice.values:
        voice = ""
    everything = Feedback.objects.for_organisation(request.org)
    idea = None
    if request.GET.get("idea"):
        idea = get_for_org(request, ChangeIdea, code=request.GET["idea"])
        everything = everything.filter(change_idea=idea)
    totals = everything.aggregate(
        total=Count("pk"),
        answered=Count("pk", filter=~Q(response="")),
        **{v: Count("pk", filter=Q(voice=v)) for v in Feedback.Voice.values},
    )
    shown = everything.filter(voice=voice) if voice else everything
    page = Paginator(
        shown.select_related("change_idea", "cycle__change_idea", "responded_by", "recorded_by"), 30
    ).get_page(request.GET.get("page"))
    return render(
        request,
        "pdsa/testing/listening_log.html",
        {
            "page": page,
            "voice": voice,
            "idea": idea,
            "idea_query": f"idea={idea.code}&" if idea else "",
            "voices": [(value, label, totals[value]) for value, label in Feedback.Voice.choices],
            "total": totals["total"],
            "answered": totals["answered"],
            "answered_percent": round(100 * totals["answered"] / totals["total"]) if totals["total"] else None,
            "editable": request.membership.can(Permission.EDIT),
        },
    )


@org_view(Permission.EDIT)
def feedback_create(request: HttpRequest) -> HttpResponse:
    initial = {}
    back = reverse("listening_log", args=[request.org.slug])
    cycle_code, idea_code = request.GET.get("cycle"), request.GET.get("idea")
    if cycle_code:
        cycle = get_for_org(request, PDSACycle.objects.select_related("change_idea"), code=cycle_code)
        initial = {"cycle": cycle, "change_idea": cycle.change_idea}
        back = cycle.get_absolute_url() + "#feedback"
    elif idea_code:
        idea = get_for_org(request, ChangeIdea, code=idea_code)
        initial = {"change_idea": idea}
        back = idea.get_absolute_url() + "#feedback"
    form = FeedbackForm(request.POST or None, organisation=request.org, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.feedback_record(organisation=request.org, recorded_by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Feedback recorded. Close the loop with a \u201cyou said, we did\u201d response.")
            warn_identifying(request, form)
            return redirect(back)
    return render(
        request,
        "pdsa/testing/feedback_form.html",
        {"form": form, "back": back, "title": "Record feedback"},
    )


@org_view(Permission.EDIT)
def feedback_edit(request: HttpRequest, feedback) -> HttpResponse:
    feedback = get_for_org(request, Feedback, code=feedback)
    form = FeedbackForm(request.POST or None, organisation=request.org, instance=feedback)
    back = _safe_next(request)
    if request.method == "POST" and form.is_valid():
        try:
            services.feedback_update(feedback=feedback, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Feedback corrected.")
            warn_identifying(request, form)
            return redirect(back)
    return render(
        request,
        "pdsa/testing/feedback_form.html",
        {
            "form": form,
            "back": back,
            "title": "Correct feedback",
            "feedback": feedback,
            "can_delete": request.membership.can(Permission.ADMIN),
        },
    )


@org_view(Permission.ADMIN)
@require_POST
def feedback_delete(request: HttpRequest, feedback) -> HttpResponse:
    feedback = get_for_org(request, Feedback, code=feedback)
    services.feedback_delete(feedback=feedback)
    messages.success(request, "Feedback deleted.")
    return redirect("listening_log", request.org.slug)


def _safe_next(request: HttpRequest) -> str:
    back = request.GET.get("next") or ""
    if not back.startswith(f"/o/{request.org.slug}/"):
        back = reverse("listening_log", args=[request.org.slug])
    return back


@org_view(Permission.EDIT)
def feedback_respond(request: HttpRequest, feedback) -> HttpResponse:
    feedback = get_for_org(request, Feedback.objects.select_related("cycle", "change_idea"), code=feedback)
    form = FeedbackResponseForm(request.POST or None, instance=Feedback(response=feedback.response))
    back = _safe_next(request)
    if request.method == "POST" and form.is_valid():
        services.feedback_respond(feedback=feedback, response=form.cleaned_data["response"], user=request.user)
        messages.success(request, "Response saved: the loop is closed." if feedback.response else "Response removed.")
        warn_identifying(request, form)
        return redirect(back)
    return render(
        request,
        "pdsa/testing/feedback_respond.html",
        {"form": form, "feedback": feedback, "back": back},
    )
