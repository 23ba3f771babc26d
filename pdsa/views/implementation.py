"""Implementation pages: decision, approvals, change package (page and PDF), readiness,
training, self-audits and going live."""

from pathlib import Path

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.views.decorators.http import require_POST

from measures.selectors import measure_chart_data
from pace_hub.form_errors import add_service_errors
from pace_hub.identifying import warn_identifying
from pace_hub.pdf import render_pdf
from pace_hub.roles import Permission
from pace_hub.tenancy import get_for_org, org_view
from pace_hub.user_files import user_file_response
from pdsa.forms.implementation import ApprovalForm, AuditForm, DecisionForm, PackageForm, ReadinessForm, TrainingForm
from pdsa.models import Approval, ChangeIdea, Implementation, PDSACycle, SelfAudit
from pdsa.selectors.spread import spread_for_idea
from pdsa.services import implementation as services

AUDIT_WIDTH, AUDIT_HEIGHT = 560, 200


def _implementation(request: HttpRequest, code) -> Implementation:
    return get_for_org(
        request,
        Implementation.objects.select_related("change_idea", "evidence_measure", "decided_by__user"),
        code=code,
    )


def _back(implementation: Implementation, anchor: str = "") -> HttpResponse:
    return redirect(implementation.get_absolute_url() + (f"#{anchor}" if anchor else ""))


def _package_context(implementation: Implementation) -> dict:
    return {
        "implementation": implementation,
        "idea": implementation.change_idea,
        "resources": list(implementation.resources.all()),
    }


@org_view()
def implementation_detail(request: HttpRequest, idea) -> HttpResponse:
    idea = get_for_org(request, ChangeIdea, code=idea)
    implementation = (
        Implementation.objects.filter(change_idea=idea)
        .select_related("evidence_measure", "decided_by__user")
        .prefetch_related(
            Prefetch("approvals", queryset=Approval.objects.select_related("approver__user")),
            Prefetch("evidence_cycles", queryset=PDSACycle.objects.select_related("organisation")),
            "evidence_feedback",
            "resources",
            "readiness",
            "training",
            "audits",
        )
        .first()
    )
    context = {"idea": idea, "implementation": implementation}
    if implementation is not None:
        approvals = list(implementation.approvals.all())
        audits = list(implementation.audits.all())
        context |= {
            "approvals": approvals,
            "my_approval": next((a for a in approvals if a.approver_id == request.membership.pk), None),
            "approval_form": ApprovalForm(),
            "start_check": services.start_check(implementation, approvals),
            "audits": audits,
            "audit_points": services.audit_points(audits, width=AUDIT_WIDTH, height=AUDIT_HEIGHT),
            "audit_width": AUDIT_WIDTH,
            "audit_height": AUDIT_HEIGHT,
            "resources": list(implementation.resources.all()),
            "evidence_chart": measure_chart_data(
                implementation.evidence_measure,
                dom_id="evidence-chart",
                hide_small_counts=not request.membership.can(Permission.CHILD_DATA),
            )
            if implementation.evidence_measure
            else None,
        }
    context |= {
        "can_edit": request.membership.can(Permission.EDIT),
        "can_lead": request.membership.can(Permission.LEAD),
    }
    return render(request, "pdsa/implementation/detail.html", context)


@org_view(Permission.LEAD)
def implementation_decide(request: HttpRequest, idea) -> HttpResponse:
    idea = get_for_org(request, ChangeIdea, code=idea)
    existing = Implementation.objects.filter(change_idea=idea).first()
    form = DecisionForm(request.POST or None, instance=existing or Implementation(organisation=request.org), idea=idea)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            implementation = services.implementation_decide(
                idea=idea,
                decided_by=request.membership,
                decided_on=data["decided_on"],
                meeting=data["meeting"],
                decision_text=data["decision_text"],
                evidence_cycles=list(data["evidence_cycles"]),
                evidence_feedback=list(data["evidence_feedback"]),
                evidence_measure=data["evidence_measure"],
                approvers=list(data["approvers"]),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Decision recorded. The named service leaders can now approve it.")
            return _back(implementation)
    return render(
        request,
        "pdsa/implementation/form.html",
        {
            "form": form,
            "idea": idea,
            "title": f"Decision to implement: {idea.title}",
            "intro": "Look at the evidence from PDSA cycles, feedback and data, and record what the group agreed.",
            "submit": "Record the decision",
            "readiness": spread_for_idea(idea).summary,
        },
    )


@org_view(Permission.LEAD)
def approval_decide(request: HttpRequest, approval) -> HttpResponse:
    approval = get_for_org(
        request, Approval.objects.select_related("implementation__change_idea", "approver__user"), code=approval
    )
    implementation = approval.implementation
    if request.method != "POST":
        return _back(implementation, "approvals")
    if approval.approver_id != request.membership.pk:
        raise PermissionDenied(f"Only {approval.approver} can record this approval.")
    form = ApprovalForm(request.POST)
    if form.is_valid():
        try:
            services.approval_record(
                approval=approval,
                membership=request.membership,
                decision=form.cleaned_data["decision"],
                comment=form.cleaned_data["comment"],
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, f"Your decision is recorded: {approval.get_decision_display().lower()}.")
    else:
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    return _back(implementation, "approvals")


@org_view(Permission.EDIT)
def package_edit(request: HttpRequest, implementation) -> HttpResponse:
    implementation = _implementation(request, implementation)
    form = PackageForm(request.POST or None, request.FILES or None, instance=implementation)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.package_update(
                implementation=Implementation.objects.get(pk=implementation.pk),
                guidance_what=data["guidance_what"],
                guidance_why=data["guidance_why"],
                contacts=data["contacts"],
                resources=list(data["resources"]),
                start_date=data["start_date"],
                flowchart=data.get("flowchart") or None,
                remove_flowchart=data.get("remove_flowchart", False),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Change package saved.")
            warn_identifying(request, form, names_expected_in=("contacts",))
            return _back(implementation, "package")
    return render(
        request,
        "pdsa/implementation/form.html",
        {
            "form": form,
            "idea": implementation.change_idea,
            "title": f"Change package: {implementation.change_idea.title}",
            "intro": "What colleagues need: a flowchart of the new process, written guidance on what and why, "
            "who to contact, where the resources are, and the start date.",
            "submit": "Save the change package",
            "multipart": True,
        },
    )


@org_view()
def package_page(request: HttpRequest, implementation) -> HttpResponse:
    implementation = _implementation(request, implementation)
    return render(request, "pdsa/implementation/package_page.html", _package_context(implementation))


@org_view()
def package_pdf(request: HttpRequest, implementation) -> HttpResponse:
    implementation = _implementation(request, implementation)
    html = render_to_string(
        "pdsa/implementation/package_document.html",
        {
            **_package_context(implementation),
            "org": request.org,
            "for_pdf": True,
            # WeasyPrint reads the image straight from storage; nothing is fetched over the network.
            "flowchart_uri": Path(implementation.flowchart.path).resolve().as_uri() if implementation.flowchart else "",
        },
        request=request,
    )
    # Small documents render in well under a second, so this runs in the request.
    pdf = render_pdf(html, allow_media=True)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="change-package-{implementation.code}.pdf"'
    return response


@org_view()
def flowchart_file(request: HttpRequest, implementation) -> HttpResponse:
    implementation = _implementation(request, implementation)
    if not implementation.flowchart:
        messages.info(request, "No flowchart has been uploaded yet.")
        return _back(implementation, "package")
    extension = services.FLOWCHART_TYPES.get(implementation.flowchart_type, "bin")
    # An attachment in a sandbox: the page's <img> shows it, a browser never runs it as a page.
    return user_file_response(
        implementation.flowchart.open("rb"),
        content_type=implementation.flowchart_type or "application/octet-stream",
        filename=f"flowchart-{implementation.code}.{extension}",
    )


@org_view(Permission.EDIT)
def readiness_edit(request: HttpRequest, implementation) -> HttpResponse:
    implementation = _implementation(request, implementation)
    form = ReadinessForm(request.POST or None, items=list(implementation.readiness.all()))
    if request.method == "POST" and form.is_valid():
        services.readiness_update(implementation=implementation, items=form.values())
        messages.success(request, "Readiness checklist saved.")
        return _back(implementation, "readiness")
    return render(
        request,
        "pdsa/implementation/readiness_form.html",
        {"form": form, "implementation": implementation, "idea": implementation.change_idea},
    )


@org_view(Permission.EDIT)
def training_add(request: HttpRequest, implementation) -> HttpResponse:
    implementation = _implementation(request, implementation)
    form = TrainingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.training_add(implementation=implementation, **form.cleaned_data)
        messages.success(request, "Awareness or training session recorded.")
        return _back(implementation, "training")
    return render(
        request,
        "pdsa/implementation/form.html",
        {
            "form": form,
            "idea": implementation.change_idea,
            "title": "Record awareness or training",
            "intro": "Are colleagues aware of and trained in the new practice? Record each session or briefing.",
            "submit": "Save",
        },
    )


@org_view(Permission.EDIT)
def audit_add(request: HttpRequest, implementation) -> HttpResponse:
    implementation = _implementation(request, implementation)
    return _audit_form(request, implementation, None)


@org_view(Permission.EDIT)
def audit_edit(request: HttpRequest, audit) -> HttpResponse:
    audit = get_for_org(request, SelfAudit.objects.select_related("implementation__change_idea"), code=audit)
    return _audit_form(request, audit.implementation, audit)


def _audit_form(request: HttpRequest, implementation: Implementation, audit: SelfAudit | None) -> HttpResponse:
    form = AuditForm(request.POST or None, instance=SelfAudit(**_audit_values(audit)))
    if request.method == "POST" and form.is_valid():
        try:
            services.audit_save(implementation=implementation, audit=audit, user=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Self-audit saved.")
            return _back(implementation, "audits")
    return render(
        request,
        "pdsa/implementation/form.html",
        {
            "form": form,
            "idea": implementation.change_idea,
            "title": "Record a self-audit" if audit else "Plan a self-audit",
            "intro": "Periodic self-audits show whether the new practice is being followed.",
            "submit": "Save",
        },
    )


def _audit_values(audit: SelfAudit | None) -> dict:
    if audit is None:
        return {}
    return {
        "due_on": audit.due_on,
        "done_on": audit.done_on,
        "result_percent": audit.result_percent,
        "findings": audit.findings,
    }


@org_view(Permission.EDIT)
@require_POST
def implementation_start(request: HttpRequest, implementation) -> HttpResponse:
    implementation = _implementation(request, implementation)
    try:
        services.implementation_start(implementation=implementation)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "Implementation started: the change idea is now being implemented.")
    return _back(implementation, "progress")


@org_view(Permission.EDIT)
@require_POST
def implementation_go_live(request: HttpRequest, implementation) -> HttpResponse:
    implementation = _implementation(request, implementation)
    try:
        services.implementation_go_live(implementation=implementation)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "The change is live: it now shows on the charts of the aims it serves.")
    return _back(implementation, "progress")
