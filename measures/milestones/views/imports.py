"""Milestone uploads: templates, the import list, upload, the row-by-row report, commit, roll-back
and the annotated download.

Thin: access → form → one service call → redirect. The report reads for ``child_data``; uploads
and roll-backs need ``upload``.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from measures.milestones import imports, pathway
from measures.milestones.files import annotated_workbook, wide_template_csv, wide_template_xlsx
from measures.milestones.forms import MilestoneUploadForm
from measures.models import MilestoneImport, Route
from pace_hub.roles import Permission
from pace_hub.tenancy import get_for_org, org_view

PROBLEMS_SHOWN = 500


RUNNING = {
    MilestoneImport.Status.UPLOADED,
    MilestoneImport.Status.VALIDATING,
    MilestoneImport.Status.COMMITTING,
    MilestoneImport.Status.ROLLING_BACK,
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
