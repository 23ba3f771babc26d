"""Milestone uploads: templates, the import list, upload, the row-by-row report, commit, roll-back,
retrying a step whose worker was lost, and the annotated download.

Thin: access → form → one service call → redirect. The report reads for ``child_data``; uploads
and roll-backs need ``upload``.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from measures.milestones import imports, pathway
from measures.milestones.files import annotated_workbook, wide_template_csv, wide_template_xlsx
from measures.milestones.forms import ConfirmForm, MilestoneUploadForm
from measures.models import MilestoneImport, Route
from pace_hub.audit import child_data_access_record
from pace_hub.models import ChildDataAccess
from pace_hub.roles import Permission
from pace_hub.tenancy import get_for_org, org_view

# The completeness list shows at most this many rows (measures/milestones/views/data.py).
PROBLEMS_SHOWN = 500
# The upload report lists every kept problem, this many to a page.
PROBLEMS_PER_PAGE = 100

# What each step is called in "… starts when the background service is back".
STEP_NAMES = {
    MilestoneImport.Status.UPLOADED: "checking",
    MilestoneImport.Status.VALIDATING: "checking",
    MilestoneImport.Status.COMMITTING: "saving",
    MilestoneImport.Status.ROLLING_BACK: "rolling back",
    MilestoneImport.Status.COMMITTED: "updating the run charts",
    MilestoneImport.Status.ROLLED_BACK: "updating the run charts",
}


# How the problem codes (measures/milestones/files) read in the counts of a file with many problems.
PROBLEM_KINDS = {
    "unparseable_date": "dates that cannot be read",
    "us_date": "month-first (US) dates",
    "future_date": "dates in the future",
    "missing_reference": "missing child references",
    "invalid_reference": "child references that cannot be used",
    "duplicate_reference": "child references or dates given twice",
    "unknown_route": "unknown routes",
    "conflicting_route": "children given two routes",
    "unknown_milestone": "unknown milestones",
    "unknown_column": "columns ignored (warnings)",
    "out_of_order": "dates out of pathway order (warnings)",
}


def _say_if_waiting(request: HttpRequest, milestone_import: MilestoneImport, done: str) -> bool:
    """Tell the user their request is kept while the background service is down; True if so."""
    milestone_import.refresh_from_db()
    if imports.broker_wait(milestone_import) is None:
        return False
    step = STEP_NAMES[milestone_import.status]
    messages.warning(request, f"{done} {step.capitalize()} starts when the background service is back.")
    return True


def _background_state(milestone_import: MilestoneImport) -> dict:
    """Whether the step waits for the background service or has stalled, for the page and for the
    progress fragment (which asks for a reload when this changes)."""
    waiting = imports.broker_wait(milestone_import)
    stall = None if waiting else imports.stall_reason(milestone_import)
    return {
        "broker_wait": waiting,
        "stall_reason": stall,
        "step_name": STEP_NAMES.get(milestone_import.status, ""),
        "progress_state": "waiting" if waiting else "stalled" if stall else "moving",
    }


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
        _say_if_waiting(request, milestone_import, "The file is saved.")
        return redirect("milestone_import", request.org.slug, milestone_import.code)
    return render(request, "measures/milestones/import_new.html", {"form": form})


def _import_context(request: HttpRequest, milestone_import: MilestoneImport) -> dict:
    problems = milestone_import.problems
    # Only the first problems are stored (see MAX_PROBLEMS_KEPT); the counts cover them all.
    total = milestone_import.error_count + milestone_import.warning_count
    blocker = (
        imports.rollback_blocker(milestone_import)
        if milestone_import.status == MilestoneImport.Status.COMMITTED
        else None
    )
    # A long list is pages of the ordinary table, never a box scrolling inside the page.
    problem_page = Paginator(problems, PROBLEMS_PER_PAGE).get_page(request.GET.get("problems"))
    return {
        "milestone_import": milestone_import,
        "running": milestone_import.running,
        "problem_page": problem_page,
        "problems": problem_page.object_list,
        "problems_not_kept": max(0, total - len(problems)),
        "problems_kept": len(problems),
        "problem_total": total,
        "problem_kinds": [
            (code, PROBLEM_KINDS.get(code, code.replace("_", " ")), count)
            for code, count in milestone_import.problem_counts.items()
        ],
        "error_count": milestone_import.error_count,
        "can_upload": request.membership.can(Permission.UPLOAD),
        "blocker": blocker,
        **_background_state(milestone_import),
    }


@org_view(Permission.CHILD_DATA)
def import_detail(request: HttpRequest, milestone_import: str) -> HttpResponse:
    milestone_import = get_for_org(
        request, MilestoneImport.objects.select_related("uploaded_by", "rolled_back_by"), code=milestone_import
    )
    child_data_access_record(
        organisation=request.org, user=request.user, what=ChildDataAccess.What.IMPORT, detail=str(milestone_import)
    )
    return render(request, "measures/milestones/import_detail.html", _import_context(request, milestone_import))


@org_view(Permission.CHILD_DATA)
def import_progress(request: HttpRequest, milestone_import: str) -> HttpResponse:
    """The progress fragment htmx polls; once the worker is done — or the step starts waiting for
    the background service, stalls, or moves again — it asks for a full reload."""
    milestone_import = get_for_org(request, MilestoneImport, code=milestone_import)
    state = _background_state(milestone_import)
    context = {"milestone_import": milestone_import, **state}
    response = render(request, "measures/milestones/includes/progress.html", context)
    if not milestone_import.running or state["progress_state"] != request.GET.get("shown", "moving"):
        response["HX-Refresh"] = "true"
    return response


def _count(number: int, singular: str, plural: str) -> str:
    return f"{number} {singular if number == 1 else plural}"


def commit_changes(milestone_import: MilestoneImport) -> list[str]:
    """What saving a checked upload changes, counted, for the confirmation step."""
    preview = milestone_import.preview or {}
    return [
        _count(milestone_import.new_children, "new child added", "new children added"),
        _count(milestone_import.updated_children, "child already held updated", "children already held updated"),
        _count(preview.get("dates_added", 0), "milestone date added", "milestone dates added"),
        _count(preview.get("dates_changed", 0), "milestone date changed", "milestone dates changed"),
        _count(preview.get("routes_changed", 0), "route changed", "routes changed"),
    ]


def rollback_changes(milestone_import: MilestoneImport) -> list[str]:
    """What rolling back a saved upload undoes, counted from what it saved."""
    preview = milestone_import.preview or {}
    return [
        _count(milestone_import.new_children, "child it added is removed", "children it added are removed"),
        _count(
            milestone_import.updated_children,
            "child it updated gets its earlier dates and route back",
            "children it updated get their earlier dates and routes back",
        ),
        _count(
            preview.get("dates_added", 0), "milestone date it added is removed", "milestone dates it added are removed"
        ),
        _count(
            preview.get("dates_changed", 0),
            "milestone date it changed goes back to the date held before",
            "milestone dates it changed go back to the dates held before",
        ),
        _count(preview.get("routes_changed", 0), "route it changed goes back", "routes it changed go back"),
    ]


def _confirm_page(
    request: HttpRequest, milestone_import: MilestoneImport, action: str, form: ConfirmForm
) -> HttpResponse:
    context = {
        "milestone_import": milestone_import,
        "action": action,
        "form": form,
        "changes": commit_changes(milestone_import) if action == "commit" else rollback_changes(milestone_import),
    }
    return render(request, "measures/milestones/import_confirm.html", context)


@org_view(Permission.UPLOAD)
@require_http_methods(["GET", "POST"])
def import_commit(request: HttpRequest, milestone_import: str) -> HttpResponse:
    """Save a checked upload: the report's button opens this step, which says how many children
    and dates will change; only its confirmed form saves."""
    milestone_import = get_for_org(request, MilestoneImport, code=milestone_import)
    if milestone_import.status != MilestoneImport.Status.VALIDATED:
        if milestone_import.status == MilestoneImport.Status.INVALID:
            messages.error(request, "This file has errors. Fix them and upload it again before saving.")
        else:
            messages.error(
                request, f"This upload cannot be saved: it is {milestone_import.get_status_display().lower()}."
            )
        return redirect("milestone_import", request.org.slug, milestone_import.code)
    form = ConfirmForm(request.POST if request.method == "POST" else None)
    if not form.is_valid():
        return _confirm_page(request, milestone_import, "commit", form)
    try:
        imports.milestone_import_request_commit(milestone_import=milestone_import)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        _say_if_waiting(request, milestone_import, "Your request to save is kept.")
    return redirect("milestone_import", request.org.slug, milestone_import.code)


@org_view(Permission.UPLOAD)
@require_POST
def import_retry(request: HttpRequest, milestone_import: str) -> HttpResponse:
    """Run again a step whose worker was lost (the page offers this once it shows no progress)."""
    milestone_import = get_for_org(request, MilestoneImport, code=milestone_import)
    try:
        imports.milestone_import_retry(milestone_import=milestone_import)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        if not _say_if_waiting(request, milestone_import, "Your retry is kept."):
            messages.info(request, "Asked the background worker again; this page shows how far it is.")
    return redirect("milestone_import", request.org.slug, milestone_import.code)


@org_view(Permission.UPLOAD)
@require_http_methods(["GET", "POST"])
def import_rollback(request: HttpRequest, milestone_import: str) -> HttpResponse:
    """Roll back a saved upload, after a confirmation step saying what goes back."""
    milestone_import = get_for_org(request, MilestoneImport, code=milestone_import)
    refusal = None
    if milestone_import.status != MilestoneImport.Status.COMMITTED:
        refusal = (
            f"Only a saved upload can be rolled back; this one is {milestone_import.get_status_display().lower()}."
        )
    elif (blocker := imports.rollback_blocker(milestone_import)) is not None:
        refusal = (
            f"This upload cannot be rolled back: the later upload “{blocker.original_name}” changed some of the "
            "same children. Roll that one back first."
        )
    if refusal:
        messages.error(request, refusal)
        return redirect("milestone_import", request.org.slug, milestone_import.code)
    form = ConfirmForm(request.POST if request.method == "POST" else None)
    if not form.is_valid():
        return _confirm_page(request, milestone_import, "rollback", form)
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
        elif not _say_if_waiting(request, milestone_import, "Your request to roll back is kept."):
            messages.info(request, f"“{milestone_import.original_name}” is being rolled back; this page shows how far.")
    return redirect("milestone_import", request.org.slug, milestone_import.code)


@org_view(Permission.UPLOAD)
def import_annotated(request: HttpRequest, milestone_import: str) -> HttpResponse:
    milestone_import = get_for_org(request, MilestoneImport, code=milestone_import)
    if not milestone_import.file:
        raise Http404("The file of this import is not kept.")
    child_data_access_record(
        organisation=request.org, user=request.user, what=ChildDataAccess.What.ANNOTATED, detail=str(milestone_import)
    )
    with milestone_import.file.open("rb") as handle:
        content = annotated_workbook(
            handle.read(), milestone_import.original_name, imports.stored_problems(milestone_import)
        )
    response = HttpResponse(content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="problems-{milestone_import.code}.xlsx"'
    return response
