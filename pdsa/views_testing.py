"""PDSA cycle pages, the listening log and spread. Thin: access → form → one service → redirect."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from pace_hub.form_errors import add_service_errors
from pace_hub.roles import Permission
from pace_hub.tenancy import get_for_org, org_view
from pdsa import services_testing as services
from pdsa.forms_testing import (
    AffectedVoicesForm,
    CycleActForm,
    CycleDoForm,
    CyclePlanForm,
    CycleStudyForm,
    FeedbackForm,
    FeedbackResponseForm,
    PredictionFormSet,
    SpreadLocalityForm,
    prediction_changes,
)
from pdsa.models import ChangeIdea, Feedback, PDSACycle, SpreadLocality, SpreadPlan
from pdsa.readiness import VOICE_LABELS, spread_for_idea
from pdsa.testing_panel import idea_testing_context


def _cycle(request: HttpRequest, code) -> PDSACycle:
    return get_for_org(request, PDSACycle.objects.select_related("change_idea", "lead__user"), code=code)


# ---- PDSA cycles -----------------------------------------------------------------------------


@org_view(Permission.EDIT)
def cycle_create(request: HttpRequest, idea) -> HttpResponse:
    idea = get_for_org(request, ChangeIdea, code=idea)
    initial = services.next_cycle_initial(idea)
    form = CyclePlanForm(request.POST or None, organisation=request.org, initial=initial)
    formset = PredictionFormSet(request.POST or None, instance=PDSACycle(change_idea=idea), prefix="predictions")
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        _, new_predictions = prediction_changes(formset)
        try:
            cycle = services.cycle_create(idea=idea, predictions=new_predictions, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"PDSA cycle {cycle.number} planned.")
            return redirect(cycle.get_absolute_url())
    number = idea.cycles.count() + 1
    return render(
        request,
        "pdsa/testing/cycle_create.html",
        {"idea": idea, "form": form, "formset": formset, "number": number},
    )


def _cycle_page(request: HttpRequest, cycle: PDSACycle, status: int = 200, saved: str = "", **bound) -> HttpResponse:
    predictions = list(cycle.predictions.all())
    editable = request.membership.can(Permission.EDIT)
    context = {
        "cycle": cycle,
        "idea": cycle.change_idea,
        "predictions": predictions,
        "feedback": list(cycle.feedback.select_related("responded_by")),
        "editable": editable,
        "saved_phase": saved,
        "can_lead": request.membership.can(Permission.LEAD),
        "ramp": list(
            cycle.change_idea.cycles.select_related("organisation").only("code", "number", "organisation__slug")
        ),
    }
    if editable:
        context |= {
            "plan_form": bound.get("plan_form") or CyclePlanForm(instance=cycle, organisation=request.org),
            "prediction_formset": bound.get("prediction_formset")
            or PredictionFormSet(instance=cycle, prefix="predictions", queryset=cycle.predictions.all()),
            "do_form": bound.get("do_form") or CycleDoForm(instance=cycle),
            "study_form": bound.get("study_form")
            or CycleStudyForm(predictions=predictions, initial={"learning": cycle.learning}),
            "act_form": bound.get("act_form") or CycleActForm(instance=cycle),
        }
    # htmx swaps only successful responses; a section with errors must still replace the old one.
    if request.htmx and status == 400:
        status = 200
    return render(request, "pdsa/testing/cycle_detail.html", context, status=status)


@org_view()
def cycle_detail(request: HttpRequest, cycle) -> HttpResponse:
    return _cycle_page(request, _cycle(request, cycle))


def _saved(request: HttpRequest, cycle: PDSACycle, phase: str) -> HttpResponse:
    if request.htmx:
        # In a meeting the page stays put: only this section (and the status) is replaced, so
        # unsaved notes in the other sections are kept.
        return _cycle_page(request, _cycle(request, cycle.code), saved=phase)
    messages.success(request, f"{phase} saved. Status: {cycle.get_status_display()}.")
    return redirect(f"{cycle.get_absolute_url()}#{phase.lower()}")


@org_view(Permission.EDIT)
def cycle_plan(request: HttpRequest, cycle) -> HttpResponse:
    cycle = _cycle(request, cycle)
    if request.method != "POST":
        return redirect(f"{cycle.get_absolute_url()}#plan")
    form = CyclePlanForm(request.POST, instance=cycle, organisation=request.org)
    formset = PredictionFormSet(request.POST, instance=cycle, prefix="predictions")
    if form.is_valid() and formset.is_valid():
        changed, new = prediction_changes(formset)
        plan = {name: form.cleaned_data[name] for name in services.PLAN_FIELDS}
        try:
            services.cycle_plan_update(cycle=cycle, predictions_changed=changed, new_predictions=new, **plan)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return _saved(request, cycle, "Plan")
    cycle.refresh_from_db()
    return _cycle_page(request, cycle, status=400, plan_form=form, prediction_formset=formset)


@org_view(Permission.EDIT)
def cycle_do(request: HttpRequest, cycle) -> HttpResponse:
    cycle = _cycle(request, cycle)
    if request.method != "POST":
        return redirect(f"{cycle.get_absolute_url()}#do")
    form = CycleDoForm(request.POST, instance=PDSACycle(pk=cycle.pk))
    if form.is_valid():
        services.cycle_do_update(cycle=cycle, **{name: form.cleaned_data[name] for name in services.DO_FIELDS})
        return _saved(request, cycle, "Do")
    return _cycle_page(request, cycle, status=400, do_form=form)


@org_view(Permission.EDIT)
def cycle_study(request: HttpRequest, cycle) -> HttpResponse:
    cycle = _cycle(request, cycle)
    if request.method != "POST":
        return redirect(f"{cycle.get_absolute_url()}#study")
    form = CycleStudyForm(request.POST, predictions=list(cycle.predictions.all()))
    if form.is_valid():
        services.cycle_study_update(cycle=cycle, learning=form.cleaned_data["learning"], results=form.results())
        return _saved(request, cycle, "Study")
    return _cycle_page(request, cycle, status=400, study_form=form)


@org_view(Permission.ADMIN)
@require_POST
def cycle_delete(request: HttpRequest, cycle) -> HttpResponse:
    cycle = _cycle(request, cycle)
    idea = cycle.change_idea
    services.cycle_delete(cycle=cycle)
    messages.success(request, f"PDSA cycle {cycle.number} deleted; its marks on the charts are removed.")
    return redirect("idea_testing", request.org.slug, idea.code)


@org_view(Permission.EDIT)
def cycle_act(request: HttpRequest, cycle) -> HttpResponse:
    cycle = _cycle(request, cycle)
    if request.method != "POST":
        return redirect(f"{cycle.get_absolute_url()}#act")
    form = CycleActForm(request.POST, instance=PDSACycle(pk=cycle.pk))
    if form.is_valid():
        try:
            services.cycle_act_update(
                cycle=cycle, decision=form.cleaned_data["decision"], next_steps=form.cleaned_data["next_steps"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return _saved(request, cycle, "Act")
    return _cycle_page(request, cycle, status=400, act_form=form)


# ---- The change idea's testing page (ramp, feedback, spread, implementation) ------------------


@org_view()
def idea_testing(request: HttpRequest, idea) -> HttpResponse:
    idea = get_for_org(request, ChangeIdea, code=idea)
    return render(
        request,
        "pdsa/testing/idea_testing.html",
        {"idea": idea, **idea_testing_context(idea, request.membership)},
    )


# ---- Feedback and the listening log ------------------------------------------------------------


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
        back = reverse("idea_testing", args=[request.org.slug, idea.code]) + "#feedback"
    form = FeedbackForm(request.POST or None, organisation=request.org, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.feedback_record(organisation=request.org, recorded_by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Feedback recorded. Close the loop with a \u201cyou said, we did\u201d response.")
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
        return redirect(back)
    return render(
        request,
        "pdsa/testing/feedback_respond.html",
        {"form": form, "feedback": feedback, "back": back},
    )


# ---- Spread and scale --------------------------------------------------------------------------


@org_view()
def spread(request: HttpRequest, idea) -> HttpResponse:
    idea = get_for_org(request, ChangeIdea, code=idea)
    result = spread_for_idea(idea)
    return render(
        request,
        "pdsa/testing/spread.html",
        {
            "idea": idea,
            "spread": result,
            "spread_voices": [(v, VOICE_LABELS.get(v, v)) for v in result.affected_voices],
            "editable": request.membership.can(Permission.EDIT),
            "locality_form": SpreadLocalityForm(idea=idea),
            "voices_form": AffectedVoicesForm(initial={"affected_voices": result.affected_voices}),
            "hand_localities": list(SpreadLocality.objects.filter(change_idea=idea)),
        },
    )


@org_view(Permission.EDIT)
@require_POST
def spread_locality_add(request: HttpRequest, idea) -> HttpResponse:
    idea = get_for_org(request, ChangeIdea, code=idea)
    form = SpreadLocalityForm(request.POST, idea=idea)
    if form.is_valid():
        services.spread_locality_add(idea=idea, name=form.cleaned_data["name"])
        messages.success(request, f"{form.cleaned_data['name']} added to the spread matrix.")
    else:
        messages.error(request, " ".join(form.errors.get("name", ["Enter a setting or locality."])))
    return redirect("spread", request.org.slug, idea.code)


@org_view(Permission.EDIT)
@require_POST
def spread_locality_remove(request: HttpRequest, locality) -> HttpResponse:
    locality = get_for_org(request, SpreadLocality.objects.select_related("change_idea"), code=locality)
    idea = locality.change_idea
    locality.delete()
    messages.success(request, f"{locality.name} removed from the spread matrix.")
    return redirect("spread", request.org.slug, idea.code)


@org_view(Permission.EDIT)
@require_POST
def spread_voices(request: HttpRequest, idea) -> HttpResponse:
    idea = get_for_org(request, ChangeIdea, code=idea)
    form = AffectedVoicesForm(request.POST)
    if form.is_valid():
        SpreadPlan.objects.update_or_create(
            change_idea=idea,
            defaults={"organisation": request.org, "affected_voices": form.cleaned_data["affected_voices"]},
        )
        messages.success(request, "Saved who this change affects.")
    else:
        messages.error(request, "Choose at least one group of people this change affects.")
    return redirect("spread", request.org.slug, idea.code)
