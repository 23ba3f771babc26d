"""PDSA cycle pages: plan, do, study, act, and an idea's ramp. Thin: access → form → one service → redirect."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from pace_hub.form_errors import add_service_errors
from pace_hub.identifying import warn_identifying
from pace_hub.roles import Permission
from pace_hub.tenancy import get_for_org, org_view
from pdsa.forms.testing import (
    CycleActForm,
    CycleDoForm,
    CyclePlanForm,
    CycleStudyForm,
    PredictionFormSet,
    prediction_changes,
)
from pdsa.models import ChangeIdea, PDSACycle
from pdsa.services import testing as services


def _cycle(request: HttpRequest, code) -> PDSACycle:
    return get_for_org(request, PDSACycle.objects.select_related("change_idea", "lead__user"), code=code)


@org_view(Permission.EDIT)
def cycle_create(request: HttpRequest, idea) -> HttpResponse:
    idea = get_for_org(request, ChangeIdea, code=idea)
    # Whoever plans the cycle leads it unless they name someone else.
    initial = {"lead": request.membership, **services.next_cycle_initial(idea)}
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
            warn_identifying(request, form)
            return redirect(cycle.get_absolute_url())
    number = idea.cycles.count() + 1
    return render(
        request,
        "pdsa/testing/cycle_create.html",
        {"idea": idea, "form": form, "formset": formset, "number": number},
    )


# Each phase, the status in which it is the one being worked on, and the form that edits it.
PHASES = ("plan", "do", "study", "act")
CURRENT_PHASE = {
    PDSACycle.Status.PLAN: "plan",
    PDSACycle.Status.DO: "do",
    PDSACycle.Status.STUDY: "study",
    PDSACycle.Status.ACT: "act",
}
_BOUND_PHASE = {
    "plan_form": "plan",
    "prediction_formset": "plan",
    "do_form": "do",
    "study_form": "study",
    "act_form": "act",
}


def open_phases(cycle: PDSACycle, *, editable: bool, asked: str = "", bound=()) -> dict[str, bool]:
    """Which phases show their form: the current phase, one asked for with Edit (?edit=do) and
    one whose form came back with errors. The others read as a summary with an Edit button."""
    if not editable:
        return dict.fromkeys(PHASES, False)
    wanted = {CURRENT_PHASE.get(cycle.status), asked, *(_BOUND_PHASE[name] for name in bound)}
    return {phase: phase in wanted for phase in PHASES}


def _cycle_page(request: HttpRequest, cycle: PDSACycle, status: int = 200, saved: str = "", **bound) -> HttpResponse:
    predictions = list(cycle.predictions.all())
    editable = request.membership.can(Permission.EDIT)
    opened = open_phases(cycle, editable=editable, asked=request.GET.get("edit", ""), bound=bound)
    current = CURRENT_PHASE.get(cycle.status, "")
    ramp = list(cycle.change_idea.cycles.select_related("organisation").only("code", "number", "organisation__slug"))
    following = PHASES[PHASES.index(current) + 1] if current and current != "act" else ""
    context = {
        "cycle": cycle,
        "cycle_url": cycle.get_absolute_url(),
        "idea": cycle.change_idea,
        "predictions": predictions,
        "feedback": list(cycle.feedback.select_related("responded_by")),
        "editable": editable,
        "opened": opened,
        "current_phase": current,
        # Saving the current phase moves the cycle on: the next phase's section is replaced too.
        "next_phase": following,
        "saved_phase": saved,
        "can_lead": request.membership.can(Permission.LEAD),
        "ramp": ramp,
        # Only the last cycle of the ramp offers to plan the next one (a later one may exist).
        "is_latest": ramp[-1].pk == cycle.pk,
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
            warn_identifying(request, form)
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
        warn_identifying(request, form)
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
        warn_identifying(request, form)
        return _saved(request, cycle, "Study")
    return _cycle_page(request, cycle, status=400, study_form=form)


@org_view(Permission.ADMIN)
@require_POST
def cycle_delete(request: HttpRequest, cycle) -> HttpResponse:
    cycle = _cycle(request, cycle)
    idea = cycle.change_idea
    services.cycle_delete(cycle=cycle)
    messages.success(request, f"PDSA cycle {cycle.number} deleted; its marks on the charts are removed.")
    return redirect(f"{idea.get_absolute_url()}#cycles")


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
            warn_identifying(request, form)
            return _saved(request, cycle, "Act")
    return _cycle_page(request, cycle, status=400, act_form=form)


@org_view()
def idea_testing(request: HttpRequest, idea) -> HttpResponse:
    """The idea's page holds its testing (the ramp, feedback, spread, implementation): this
    older address stays working and goes there."""
    idea = get_for_org(request, ChangeIdea, code=idea)
    return redirect(f"{idea.get_absolute_url()}#cycles")
