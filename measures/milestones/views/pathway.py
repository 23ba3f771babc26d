"""Pathway settings: milestones and timescales (``pathway`` permission).

Thin: access → form → one service call → redirect.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from measures.milestones import pathway
from measures.milestones.forms import MilestoneCreateForm, MilestoneEditForm, ReferenceFormatForm, TimescaleForm
from measures.models import Milestone, Timescale
from pace_hub.form_errors import add_service_errors
from pace_hub.roles import Permission
from pace_hub.tenancy import get_for_org, org_view


@org_view()
def pathway_settings(request: HttpRequest) -> HttpResponse:
    pathway.pathway_ensure_defaults(request.org)
    milestones = list(Milestone.objects.for_organisation(request.org).order_by("order"))
    timescales = Timescale.objects.for_organisation(request.org).select_related("from_milestone", "to_milestone")
    context = {
        "milestones": milestones,
        "timescales": timescales,
        "can_edit": request.membership.can(Permission.PATHWAY),
    }
    return render(request, "measures/pathway/settings.html", context)


def _form_page(request: HttpRequest, form, title: str, intro: str = "", submit: str = "Save") -> HttpResponse:
    context = {"form": form, "title": title, "intro": intro, "submit": submit, "cancel": ("pathway", request.org.slug)}
    return render(request, "form_page.html", context)


@org_view(Permission.PATHWAY)
def milestone_create(request: HttpRequest) -> HttpResponse:
    form = MilestoneCreateForm(request.POST or None, organisation=request.org)
    if request.method == "POST" and form.is_valid():
        try:
            milestone = pathway.milestone_create(organisation=request.org, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Milestone “{milestone}” added.")
            return redirect("pathway", request.org.slug)
    return _form_page(request, form, "Add a milestone", submit="Add milestone")


@org_view(Permission.PATHWAY)
def milestone_edit(request: HttpRequest, milestone: str) -> HttpResponse:
    milestone = get_for_org(request, Milestone, code=milestone)
    form = MilestoneEditForm(request.POST or None, initial={"name": milestone.name, "active": milestone.active})
    if request.method == "POST" and form.is_valid():
        try:
            pathway.milestone_update(milestone=milestone, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Milestone “{milestone}” saved.")
            return redirect("pathway", request.org.slug)
    intro = f"Code {milestone.code}: uploads match this code or the name."
    return _form_page(request, form, f"Edit milestone “{milestone.name}”", intro)


@org_view(Permission.PATHWAY)
@require_POST
def milestone_move(request: HttpRequest, milestone: str) -> HttpResponse:
    milestone = get_for_org(request, Milestone, code=milestone)
    try:
        pathway.milestone_move(milestone=milestone, direction=request.POST.get("direction", ""))
    except ValidationError as error:
        messages.error(request, error.messages[0])
    return redirect(reverse("pathway", args=[request.org.slug]) + "#milestones")


def _timescale_form(request: HttpRequest, timescale: Timescale | None) -> HttpResponse:
    form = TimescaleForm(request.POST or None, instance=timescale, organisation=request.org)
    if request.method == "POST" and form.is_valid():
        try:
            saved = pathway.timescale_save(organisation=request.org, timescale=timescale, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Timescale “{saved}” saved; its run charts are being updated.")
            return redirect("pathway", request.org.slug)
    title = f"Edit timescale “{timescale}”" if timescale else "Add a timescale"
    return _form_page(request, form, title)


@org_view(Permission.PATHWAY)
def timescale_create(request: HttpRequest) -> HttpResponse:
    return _timescale_form(request, None)


@org_view(Permission.PATHWAY)
def timescale_edit(request: HttpRequest, timescale: str) -> HttpResponse:
    timescale = get_for_org(request, Timescale.objects.select_related("from_milestone", "to_milestone"), code=timescale)
    return _timescale_form(request, timescale)


@org_view(Permission.PATHWAY)
def reference_format(request: HttpRequest) -> HttpResponse:
    form = ReferenceFormatForm(
        request.POST or None, initial={"child_reference_pattern": request.org.child_reference_pattern}
    )
    if request.method == "POST" and form.is_valid():
        pattern = form.cleaned_data["child_reference_pattern"]
        try:
            mismatched = pathway.reference_format_set(organisation=request.org, pattern=pattern)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if not pattern:
                messages.success(request, "Child references may have any pseudonymous format.")
            else:
                messages.success(request, f"Uploads now check that every child reference has the format {pattern}.")
            if mismatched:
                messages.warning(
                    request,
                    f"{mismatched:,} references already held do not have this format: uploads naming them will "
                    "show them as errors.",
                )
            return redirect(reverse("pathway", args=[request.org.slug]) + "#references")
    intro = (
        "Uploads refuse anything that looks like a name, CHI number, date or postcode in the child reference column. "
        "Give your council's own format too, and references in any other format are shown as errors."
    )
    return _form_page(request, form, "Child reference format", intro)
