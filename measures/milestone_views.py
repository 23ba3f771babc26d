"""Milestone data and pathway settings pages. Thin: access → form → one service call → redirect.

Reads are open to every member (viewers see counts, with 1–4 shown as "<5"); child-level rows
need ``child_data``; uploads and roll-backs need ``upload``; pathway settings need ``pathway``.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from measures import derived, disclosure, imports, pathway
from measures.milestone_files import annotated_workbook, wide_template_csv, wide_template_xlsx
from measures.milestone_forms import MilestoneCreateForm, MilestoneEditForm, MilestoneUploadForm, TimescaleForm
from measures.models import DataPoint, Measure, Milestone, MilestoneImport, Route, Timescale
from pace_hub.form_errors import add_service_errors
from pace_hub.roles import Permission
from pace_hub.tenancy import get_for_org, org_view

PROBLEMS_SHOWN = 500
RUNNING = {
    MilestoneImport.Status.UPLOADED,
    MilestoneImport.Status.VALIDATING,
    MilestoneImport.Status.COMMITTING,
    MilestoneImport.Status.ROLLING_BACK,
}


def _measure_url(measure: Measure) -> str | None:
    try:
        return measure.get_absolute_url()
    except NoReverseMatch:  # the measure pages may not be installed
        return None


def _timescale_rows(request: HttpRequest, today) -> list[dict]:
    """Each usable timescale with its waiting count and latest derived values (constant queries)."""
    counts = derived.waiting_counts(request.org, today)
    measures = (
        Measure.objects.for_organisation(request.org)
        .filter(source=Measure.Source.DERIVED, timescale__in=[timescale for timescale, _ in counts])
        .select_related("organisation")
        .prefetch_related(Prefetch("points", queryset=DataPoint.objects.order_by("-period")))
    )
    by_key = {(measure.timescale_id, measure.derivation): measure for measure in measures}
    show_counts = request.membership.can(Permission.CHILD_DATA)
    rows = []
    for timescale, count in counts:
        shown = str(count) if show_counts else derived.suppress(count)
        row = {"timescale": timescale, "waiting": shown, "waiting_noun": derived.children_noun(shown)}
        for derivation in (Measure.Derivation.MEDIAN_DAYS, Measure.Derivation.WITHIN_TARGET):
            measure = by_key.get((timescale.pk, derivation))
            points = list(measure.points.all()) if measure else []
            latest = next((point for point in points if not point.provisional), None)
            # Viewers get the value without cohort sizes, and nothing for a group of 1-4 children.
            hidden = not show_counts and latest is not None and disclosure.point_is_disclosive(measure, latest)
            row[derivation] = {
                "measure": measure,
                "point": latest,
                "url": measure and _measure_url(measure),
                "hidden": hidden,
                "show_counts": show_counts,
            }
        rows.append(row)
    return rows


@org_view()
def data_home(request: HttpRequest) -> HttpResponse:
    pathway.pathway_ensure_defaults(request.org)
    today = timezone.localdate()
    can_see_children = request.membership.can(Permission.CHILD_DATA)
    issues = derived.completeness_issues(request.org)
    context = {
        "rows": _timescale_rows(request, today),
        "issue_count": len(issues) if can_see_children else derived.suppress(len(issues)),
        "latest_imports": list(MilestoneImport.objects.for_organisation(request.org).select_related("uploaded_by")[:5])
        if can_see_children
        else [],
        "today": today,
        "can_upload": request.membership.can(Permission.UPLOAD),
        "can_see_children": can_see_children,
    }
    return render(request, "measures/milestones/home.html", context)


@org_view(Permission.UPLOAD)
def template_download(request: HttpRequest, kind: str) -> HttpResponse:
    pathway.pathway_ensure_defaults(request.org)
    specs = pathway.milestone_specs(request.org)
    if kind == "xlsx":
        content = wide_template_xlsx(specs, [route.value for route in Route])
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        content, content_type = wide_template_csv(specs), "text/csv; charset=utf-8"
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="milestones-template-{request.org.slug}.{kind}"'
    return response


@org_view(Permission.CHILD_DATA)
def import_list(request: HttpRequest) -> HttpResponse:
    milestone_imports = MilestoneImport.objects.for_organisation(request.org).select_related(
        "uploaded_by", "rolled_back_by"
    )
    context = {"imports": milestone_imports, "can_upload": request.membership.can(Permission.UPLOAD)}
    return render(request, "measures/milestones/import_list.html", context)


@org_view(Permission.UPLOAD)
def import_new(request: HttpRequest) -> HttpResponse:
    form = MilestoneUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        milestone_import = imports.milestone_import_create(
            organisation=request.org, user=request.user, upload=form.cleaned_data["file"]
        )
        return redirect("milestone_import", request.org.slug, milestone_import.code)
    return render(request, "measures/milestones/import_new.html", {"form": form})


def _import_context(request: HttpRequest, milestone_import: MilestoneImport) -> dict:
    problems = milestone_import.problems
    errors = sum(1 for problem in problems if problem["severity"] == "error")
    blocker = (
        imports.rollback_blocker(milestone_import)
        if milestone_import.status == MilestoneImport.Status.COMMITTED
        else None
    )
    return {
        "milestone_import": milestone_import,
        "running": milestone_import.status in RUNNING,
        "problems": problems[:PROBLEMS_SHOWN],
        "problems_hidden": max(0, len(problems) - PROBLEMS_SHOWN),
        "error_count": errors,
        "can_upload": request.membership.can(Permission.UPLOAD),
        "blocker": blocker,
    }


@org_view(Permission.CHILD_DATA)
def import_detail(request: HttpRequest, milestone_import: str) -> HttpResponse:
    milestone_import = get_for_org(
        request, MilestoneImport.objects.select_related("uploaded_by", "rolled_back_by"), code=milestone_import
    )
    return render(request, "measures/milestones/import_detail.html", _import_context(request, milestone_import))


@org_view(Permission.CHILD_DATA)
def import_progress(request: HttpRequest, milestone_import: str) -> HttpResponse:
    """The progress fragment htmx polls; once the worker is done it asks for a full reload."""
    milestone_import = get_for_org(request, MilestoneImport, code=milestone_import)
    response = render(request, "measures/milestones/includes/progress.html", {"milestone_import": milestone_import})
    if milestone_import.status not in RUNNING:
        response["HX-Refresh"] = "true"
    return response


@org_view(Permission.UPLOAD)
@require_POST
def import_commit(request: HttpRequest, milestone_import: str) -> HttpResponse:
    milestone_import = get_for_org(request, MilestoneImport, code=milestone_import)
    try:
        imports.milestone_import_request_commit(milestone_import=milestone_import)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    return redirect("milestone_import", request.org.slug, milestone_import.code)


@org_view(Permission.UPLOAD)
@require_POST
def import_rollback(request: HttpRequest, milestone_import: str) -> HttpResponse:
    milestone_import = get_for_org(request, MilestoneImport, code=milestone_import)
    try:
        imports.milestone_import_request_rollback(milestone_import=milestone_import, user=request.user)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        # The worker may already be done (it runs in the request when Celery runs eagerly).
        milestone_import.refresh_from_db()
        if milestone_import.status == MilestoneImport.Status.ROLLED_BACK:
            messages.success(
                request, f"“{milestone_import.original_name}” was rolled back; earlier values are restored."
            )
        else:
            messages.info(request, f"“{milestone_import.original_name}” is being rolled back; this page shows how far.")
    return redirect("milestone_import", request.org.slug, milestone_import.code)


@org_view(Permission.UPLOAD)
def import_annotated(request: HttpRequest, milestone_import: str) -> HttpResponse:
    milestone_import = get_for_org(request, MilestoneImport, code=milestone_import)
    if not milestone_import.file:
        raise Http404("The file of this import is not kept.")
    with milestone_import.file.open("rb") as handle:
        content = annotated_workbook(
            handle.read(), milestone_import.original_name, imports.stored_problems(milestone_import)
        )
    response = HttpResponse(content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="problems-{milestone_import.code}.xlsx"'
    return response


@org_view()
def waiting(request: HttpRequest) -> HttpResponse:
    pathway.pathway_ensure_defaults(request.org)
    today = timezone.localdate()
    can_see_children = request.membership.can(Permission.CHILD_DATA)
    sections = []
    for timescale in derived.usable_timescales(request.org):
        children = derived.waiting_children(timescale, today)
        shown = len(children) if can_see_children else derived.suppress(len(children))
        sections.append(
            {
                "timescale": timescale,
                "count": shown,
                "noun": derived.children_noun(shown),
                "children": children if can_see_children else [],
            }
        )
    context = {"sections": sections, "can_see_children": can_see_children, "today": today}
    return render(request, "measures/milestones/waiting.html", context)


@org_view()
def completeness(request: HttpRequest) -> HttpResponse:
    pathway.pathway_ensure_defaults(request.org)
    issues = derived.completeness_issues(request.org)
    can_see_children = request.membership.can(Permission.CHILD_DATA)
    missing = sum(1 for issue in issues if issue.kind == "missing")
    context = {
        "issues": issues[:PROBLEMS_SHOWN] if can_see_children else [],
        "issues_hidden": max(0, len(issues) - PROBLEMS_SHOWN) if can_see_children else 0,
        "can_see_children": can_see_children,
        "missing": missing if can_see_children else derived.suppress(missing),
        "order": len(issues) - missing if can_see_children else derived.suppress(len(issues) - missing),
        "children": len({issue.reference for issue in issues}),
    }
    if not can_see_children:
        context["children"] = derived.suppress(context["children"])
    context["children_noun"] = derived.children_noun(context["children"])
    return render(request, "measures/milestones/completeness.html", context)


# Pathway settings ---------------------------------------------------------------------------


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
