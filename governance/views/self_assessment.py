"""Self-assessment pages: the list with the heat map, starting one, the assessment with its live
hints, answering a section, completing, comparing two, and the PDF and XLSX exports.

Reading is for everyone; answering for members who edit; starting, completing and reopening for
leads (the leads group takes the assessment)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from governance.forms.posted import posted
from governance.forms.self_assessment import AnswerForm, SelfAssessmentStartForm, add_section_errors
from governance.models import AssessmentSection, SelfAssessment
from governance.selectors.self_assessment import assessment_list, assessment_page, compare
from governance.services import self_assessment as services
from governance.services.newsletter import pdf_from_html
from pace_hub.exports import xlsx_response
from pace_hub.form_errors import add_service_errors
from pace_hub.roles import Permission
from pace_hub.tenancy import get_for_org, org_view


def _hide_small_counts(request: HttpRequest) -> bool:
    return not request.membership.can(Permission.CHILD_DATA)


def _assessment(request: HttpRequest, code) -> SelfAssessment:
    return get_for_org(
        request, SelfAssessment.objects.select_related("organisation", "template", "team", "started_from"), code=code
    )


@org_view()
def self_assessments(request: HttpRequest) -> HttpResponse:
    listing = assessment_list(request.org)
    return render(
        request,
        "governance/self_assessment/list.html",
        {
            "listing": listing,
            "can_start": request.membership.can(Permission.LEAD),
            "rating_levels": [0, 1, 2, 3],
        },
    )


@org_view(Permission.LEAD)
def self_assessment_start(request: HttpRequest) -> HttpResponse:
    form = SelfAssessmentStartForm(posted(request), organisation=request.org)
    if request.method == "POST" and form.is_valid():
        try:
            assessment = services.self_assessment_start(
                organisation=request.org, created_by=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            start = assessment.started_from
            messages.success(
                request,
                f"Self-assessment of {assessment.taken_on:%-d %B %Y} started"
                + (f" from the ratings of {start.taken_on:%-d %B %Y}." if start else "."),
            )
            return redirect(assessment)
    latest = SelfAssessment.objects.for_organisation(request.org).order_by("-taken_on").first()
    intro = "The leads group rates every question of the PACE self-sufficiency template, with evidence and actions."
    if latest is not None:
        intro += (
            f" The last one was taken on {latest.taken_on:%-d %B %Y}; "
            f"the next is due on {latest.next_due_on:%-d %B %Y}."
        )
    return render(
        request,
        "form_page.html",
        {
            "form": form,
            "title": "Start a self-assessment",
            "intro": intro,
            "submit": "Start the self-assessment",
            "cancel": ("self_assessments", request.org.slug),
        },
    )


@org_view()
def self_assessment(request: HttpRequest, assessment) -> HttpResponse:
    assessment = _assessment(request, assessment)
    page = assessment_page(assessment, hide_small_counts=_hide_small_counts(request))
    return render(
        request,
        "governance/self_assessment/detail.html",
        {
            "page": page,
            "assessment": assessment,
            "can_answer": request.membership.can(Permission.EDIT) and not assessment.is_complete,
            "can_lead": request.membership.can(Permission.LEAD),
        },
    )


@org_view(Permission.EDIT)
def self_assessment_section(request: HttpRequest, assessment, section) -> HttpResponse:
    assessment = _assessment(request, assessment)
    section = _section(assessment, section)
    back = reverse("self_assessment", args=[request.org.slug, assessment.code]) + f"#section-{section.key}"
    if assessment.is_complete:
        messages.info(request, "This self-assessment is complete: a lead can reopen it to change its answers.")
        return redirect(back)
    page = assessment_page(assessment, section_key=section.key, hide_small_counts=_hide_small_counts(request))
    rows = page.sections[0].rows if page.sections else []
    data = request.POST if request.method == "POST" else None
    forms_by_key = {
        row.answer.question.key: AnswerForm(data, answer=row.answer, organisation=request.org) for row in rows
    }
    if request.method == "POST" and all(form.is_valid() for form in forms_by_key.values()):
        try:
            changed = services.self_assessment_section_save(
                assessment=assessment,
                section=section,
                answers=[form.to_input() for form in forms_by_key.values()],
                member=request.membership,
                user=request.user,
            )
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                add_section_errors(forms_by_key, error.message_dict)
            else:
                messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, f"{section.title}: {changed} answer{'s' if changed != 1 else ''} saved.")
            return redirect(back)
    return render(
        request,
        "governance/self_assessment/section_form.html",
        {
            "assessment": assessment,
            "section": section,
            "items": [(row, forms_by_key[row.answer.question.key]) for row in rows],
            "back": back,
            "has_errors": any(form.errors for form in forms_by_key.values()),
        },
    )


def _section(assessment: SelfAssessment, key: str) -> AssessmentSection:
    section = AssessmentSection.objects.filter(template=assessment.template_id, key=key).first()
    if section is None:
        raise Http404("No such section in this version of the template.")
    return section


@org_view(Permission.LEAD)
@require_POST
def self_assessment_complete(request: HttpRequest, assessment) -> HttpResponse:
    assessment = _assessment(request, assessment)
    try:
        services.self_assessment_complete(assessment=assessment, user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "Self-assessment complete: the hints beside it are kept as they are today.")
    return redirect(assessment)


@org_view(Permission.LEAD)
@require_POST
def self_assessment_reopen(request: HttpRequest, assessment) -> HttpResponse:
    assessment = _assessment(request, assessment)
    try:
        services.self_assessment_reopen(assessment=assessment)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "Self-assessment reopened: its hints are live again.")
    return redirect(assessment)


@org_view(Permission.LEAD)
@require_POST
def self_assessment_delete(request: HttpRequest, assessment) -> HttpResponse:
    assessment = _assessment(request, assessment)
    try:
        services.self_assessment_delete(assessment=assessment)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(assessment)
    messages.success(request, f"{assessment} deleted.")
    return redirect("self_assessments", request.org.slug)


@org_view()
def self_assessment_compare(request: HttpRequest) -> HttpResponse:
    assessments = SelfAssessment.objects.for_organisation(request.org).select_related("organisation")
    codes = request.GET.get("before"), request.GET.get("after")
    if not all(codes):
        latest_two = list(assessments.order_by("-taken_on")[:2])
        if len(latest_two) < 2:
            messages.info(request, "Comparing needs two self-assessments: take another one first.")
            return redirect("self_assessments", request.org.slug)
        codes = (latest_two[1].code, latest_two[0].code)
    before, after = (get_for_org(request, assessments, code=code) for code in codes)
    if before.pk == after.pk:
        messages.error(request, "Choose two different self-assessments to compare.")
        return redirect("self_assessments", request.org.slug)
    return render(
        request,
        "governance/self_assessment/compare.html",
        {"comparison": compare(before, after), "choices": assessments.order_by("-taken_on")},
    )


def _export_context(request: HttpRequest, assessment: SelfAssessment) -> dict:
    # Exports leave the product: counts of 1–4 children are withheld whoever asks.
    return {"page": assessment_page(assessment, hide_small_counts=True), "assessment": assessment, "org": request.org}


@org_view()
def self_assessment_pdf(request: HttpRequest, assessment) -> HttpResponse:
    assessment = _assessment(request, assessment)
    html = render_to_string("governance/self_assessment/document.html", _export_context(request, assessment))
    pdf = pdf_from_html(html)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="self-assessment-{assessment.taken_on}.pdf"'
    return response


@org_view()
def self_assessment_xlsx(request: HttpRequest, assessment) -> HttpResponse:
    assessment = _assessment(request, assessment)
    page = assessment_page(assessment, hide_small_counts=True)
    header = [
        "Section",
        "Question",
        "Rating",
        "Previous rating",
        "Evidence",
        "Links",
        "Action",
        "Action owner",
        "Action due",
        "Action status",
        "Answered by",
        "Answered at",
        "Live-data hints",
    ]
    rows = []
    for block in page.sections:
        for row in block.rows:
            answer, action = row.answer, row.answer.action
            rows.append(
                [
                    block.section.title,
                    answer.question.text,
                    answer.get_rating_display() or "Not rated",
                    answer.get_previous_rating_display(),
                    answer.evidence,
                    "\n".join(f"{link.label} ({request.build_absolute_uri(link.path)})" for link in answer.links.all()),
                    action.description if action else "",
                    str(action.owner) if action else "",
                    action.due_on if action else None,
                    action.get_status_display() if action else "",
                    str(answer.answered_by) if answer.answered_by else "",
                    timezone.localtime(answer.answered_at).replace(tzinfo=None) if answer.answered_at else None,
                    "\n".join(f"{hint.text} (from {hint.source})" for hint in row.hints),
                ]
            )
    return xlsx_response(
        f"self-assessment-{assessment.taken_on}.xlsx", header, rows, sheet=f"Self-assessment {assessment.taken_on}"
    )
