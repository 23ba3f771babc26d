"""Governance groups and their reports, and meetings' data packs.

Everyone in the organisation reads groups and reports and downloads the files; leads and admins
manage groups; a report is built, retried, written and issued by its group's reporter or a
lead or admin (a data pack by a lead, an admin or the meeting's chair). Report files are served
only through these views, to members of the organisation.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.http import require_POST

from governance import schedule
from governance.forms.reports import GovernanceGroupForm, ReportNarrativeForm, ReportRequestForm
from governance.models import GovernanceGroup, Meeting, Report
from governance.reports.render import report_context
from governance.services import reports as services
from pace_hub.form_errors import add_service_errors
from pace_hub.roles import Permission
from pace_hub.tenancy import get_for_org, org_view

REPORT_RELATED = ("organisation", "group__reporter__user", "meeting__team", "requested_by", "issued_by")


def _can_manage(request: HttpRequest, report: Report) -> bool:
    """Build, retry, write and issue: a lead or admin, the group's reporter or the meeting's chair."""
    membership = request.membership
    if membership.can(Permission.LEAD):
        return True
    if not membership.can(Permission.EDIT):
        return False
    if report.group_id is not None:
        return report.group.reporter_id == membership.pk
    return report.meeting is not None and report.meeting.chair_id == membership.pk


def _can_build_for(request: HttpRequest, group: GovernanceGroup) -> bool:
    membership = request.membership
    return membership.can(Permission.LEAD) or (membership.can(Permission.EDIT) and group.reporter_id == membership.pk)


NOT_REPORTER = "Only the group's reporter, a lead or an admin may {what}."


def _report(request: HttpRequest, code, *, manage: bool = False) -> Report:
    report = get_for_org(request, Report.objects.select_related(*REPORT_RELATED), code=code)
    if manage and not _can_manage(request, report):
        raise PermissionDenied(NOT_REPORTER.format(what="change this report"))
    return report


def _turned_away(request: HttpRequest, message: str, to: str) -> HttpResponse:
    """A write page this member may not use: a link followed is sent back with the reason; a
    form sent anyway is refused."""
    if request.method == "POST":
        raise PermissionDenied(message)
    messages.error(request, message)
    return redirect(to)


# Governance groups -----------------------------------------------------------------------------


@org_view()
def group_list(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    groups = list(
        GovernanceGroup.objects.for_organisation(request.org)
        .select_related("organisation", "reporter__user")
        .annotate(aim_count=Count("aims"))
        .order_by("-active", "name")
    )
    latest: dict[int, Report] = {}
    issued: dict[int, set] = {}
    for report in (
        Report.objects.for_organisation(request.org)
        .filter(kind=Report.Kind.GOVERNANCE)
        .select_related("organisation")
        .order_by("-period_start")
    ):
        latest.setdefault(report.group_id, report)
        if report.is_issued:
            issued.setdefault(report.group_id, set()).add(report.period_start)
    rows = [
        {
            "group": group,
            "latest": latest.get(group.pk),
            "next_due": schedule.next_due(group, today=today, done=issued.get(group.pk, set()))
            if group.active
            else None,
        }
        for group in groups
    ]
    return render(
        request,
        "governance/groups/group_list.html",
        {"rows": rows, "can_manage": request.membership.can(Permission.LEAD)},
    )


@org_view()
def group_detail(request: HttpRequest, group) -> HttpResponse:
    group = get_for_org(
        request,
        GovernanceGroup.objects.select_related("reporter__user").prefetch_related("aims"),
        code=group,
    )
    today = timezone.localdate()
    group_reports = list(
        Report.objects.filter(group=group, kind=Report.Kind.GOVERNANCE)
        .select_related("organisation", "issued_by")
        .order_by("-period_start")
    )
    done = {report.period_start for report in group_reports if report.is_issued}
    can_build = group.active and _can_build_for(request, group)
    return render(
        request,
        "governance/groups/group_detail.html",
        {
            "group": group,
            "aims": list(group.aims.all()),
            "reports": group_reports,
            "next_due": schedule.next_due(group, today=today, done=done),
            "can_manage": request.membership.can(Permission.LEAD),
            "can_build": can_build,
            "form": ReportRequestForm(group=group, today=today) if can_build else None,
        },
    )


@org_view(Permission.LEAD)
def group_new(request: HttpRequest) -> HttpResponse:
    form = GovernanceGroupForm(request.POST or None, organisation=request.org)
    if request.method == "POST" and form.is_valid():
        group = form.save(commit=False)
        group.organisation = request.org
        group.save()
        form.save_m2m()
        messages.success(request, f"{group.name} is set up. Its first report is due {_due_text(group)}.")
        return redirect(group.get_absolute_url())
    return render(
        request,
        "form_page.html",
        {
            "form": form,
            "title": "New governance group",
            "intro": "A board or group the leads group reports to, such as the Corporate Parenting Board.",
            "cancel": ("governance_groups", request.org.slug),
        },
    )


def _due_text(group: GovernanceGroup) -> str:
    due = schedule.next_due(group, today=timezone.localdate())
    return f"on {due.due_on:%-d %B %Y} (for {due.period.label})"


@org_view(Permission.LEAD)
def group_edit(request: HttpRequest, group) -> HttpResponse:
    group = get_for_org(request, GovernanceGroup, code=group)
    form = GovernanceGroupForm(request.POST or None, instance=group, organisation=request.org)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, f"{group.name} is saved.")
        return redirect(group.get_absolute_url())
    return render(request, "governance/groups/group_form.html", {"form": form, "group": group})


@org_view(Permission.LEAD)
@require_POST
def group_delete(request: HttpRequest, group) -> HttpResponse:
    group = get_for_org(request, GovernanceGroup, code=group)
    count = Report.objects.filter(group=group).count()
    if count:
        messages.error(
            request,
            f"{group.name} has {count} report{'s' if count != 1 else ''}, which must be kept: "
            "untick “Active” to stop its reports instead.",
        )
        return redirect(group.get_absolute_url())
    name = group.name
    group.delete()
    messages.success(request, f"{name} is deleted.")
    return redirect("governance_groups", request.org.slug)


# Reports ---------------------------------------------------------------------------------------


@org_view(Permission.EDIT)
def report_new(request: HttpRequest, group) -> HttpResponse:
    group = get_for_org(request, GovernanceGroup, code=group)
    if not _can_build_for(request, group):
        return _turned_away(request, NOT_REPORTER.format(what="build its reports"), group.get_absolute_url())
    form = ReportRequestForm(request.POST or None, group=group, today=timezone.localdate())
    if request.method == "POST" and form.is_valid():
        try:
            report = services.report_request(
                group=group, period_start=form.cleaned_data["period"], requested_by=request.user
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect(report.get_absolute_url())
    return render(request, "governance/reports/report_new.html", {"form": form, "group": group})


@org_view()
def report_list(request: HttpRequest) -> HttpResponse:
    all_reports = list(
        Report.objects.for_organisation(request.org)
        .select_related("organisation", "group", "meeting__team", "issued_by")
        .order_by("-created_at")
    )
    return render(request, "governance/reports/report_list.html", {"reports": all_reports})


def _detail_context(request: HttpRequest, report: Report) -> dict:
    can_manage = _can_manage(request, report)
    context = {
        "report": report,
        "can_manage": can_manage and not report.is_issued,
        "stalled": report.is_stalled(),
        "waiting_for_service": services.waiting_for_service(report),
    }
    if report.snapshot:
        context |= report_context(report, inline=False)
    return context


@org_view()
def report_detail(request: HttpRequest, report) -> HttpResponse:
    report = _report(request, report)
    return render(request, "governance/reports/report_detail.html", _detail_context(request, report))


@org_view()
def report_progress(request: HttpRequest, report) -> HttpResponse:
    """The progress fragment htmx polls; once the build is over it asks for a full reload."""
    report = get_for_org(request, Report, code=report)
    stalled = report.is_stalled()
    response = render(
        request,
        "governance/reports/includes/progress.html",
        {"report": report, "stalled": stalled, "waiting_for_service": services.waiting_for_service(report)},
    )
    if not report.is_busy or stalled:
        response["HX-Refresh"] = "true"
    return response


def _file(report: Report, field: str, content_type: str, *, attachment: bool) -> HttpResponse | None:
    stored = getattr(report, field)
    if not stored:
        return None
    try:
        handle = stored.open("rb")
    except FileNotFoundError:
        return None
    extension = field.removesuffix("_file")
    name = f"{slugify(report.title or report.get_kind_display())}.{extension}"
    return FileResponse(handle, content_type=content_type, as_attachment=attachment, filename=name)


@org_view()
def report_pdf(request: HttpRequest, report) -> HttpResponse:
    report = _report(request, report)
    response = _file(report, "pdf_file", "application/pdf", attachment=True)
    if response is None:
        messages.info(request, "The PDF is not built yet.")
        return redirect(report.get_absolute_url())
    return response


@org_view()
def report_html(request: HttpRequest, report) -> HttpResponse:
    report = _report(request, report)
    response = _file(report, "html_file", "text/html; charset=utf-8", attachment=False)
    if response is None:
        messages.info(request, "The document is not built yet.")
        return redirect(report.get_absolute_url())
    return response


@org_view(Permission.EDIT)
def report_narrative(request: HttpRequest, report) -> HttpResponse:
    report = _report(request, report)
    if not _can_manage(request, report):
        return _turned_away(request, NOT_REPORTER.format(what="write the narrative"), report.get_absolute_url())
    if report.is_issued:
        messages.error(request, "This report is issued and read-only.")
        return redirect(report.get_absolute_url())
    form = ReportNarrativeForm(request.POST or None, instance=report)
    if request.method == "POST" and form.is_valid():
        try:
            services.report_narrative_save(
                report=report, narrative=form.cleaned_data["narrative"], asks=form.cleaned_data["asks"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "The narrative and the asks of the board are saved.")
            return redirect(report.get_absolute_url())
    return render(request, "governance/reports/report_narrative.html", {"report": report, "form": form})


@org_view(Permission.EDIT)
@require_POST
def report_issue(request: HttpRequest, report) -> HttpResponse:
    report = _report(request, report, manage=True)
    try:
        report = services.report_issue(report=report, user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        if hasattr(error, "error_dict") and "narrative" in error.error_dict:
            return redirect("report_narrative", request.org.slug, report.code)
    else:
        messages.success(request, f"{report.title} is issued. It is now read-only.")
    return redirect(report.get_absolute_url())


@org_view(Permission.EDIT)
@require_POST
def report_retry(request: HttpRequest, report) -> HttpResponse:
    report = _report(request, report, manage=True)
    try:
        services.report_retry(report=report, user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect(report.get_absolute_url())


@org_view(Permission.EDIT)
@require_POST
def report_rebuild(request: HttpRequest, report) -> HttpResponse:
    report = _report(request, report, manage=True)
    try:
        services.report_rebuild(report=report, user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect(report.get_absolute_url())


@org_view(Permission.EDIT)
@require_POST
def meeting_data_pack(request: HttpRequest, meeting) -> HttpResponse:
    meeting = get_for_org(request, Meeting.objects.select_related("team", "organisation"), code=meeting)
    membership = request.membership
    if not (membership.can(Permission.LEAD) or meeting.chair_id == membership.pk):
        raise PermissionDenied("Only a lead, an admin or the meeting's chair may build its data pack.")
    report = services.data_pack_request(meeting=meeting, requested_by=request.user)
    return redirect(report.get_absolute_url())
