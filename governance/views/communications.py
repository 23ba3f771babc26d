"""Communication pages: the communications log, the newsletter (drafted from recent learning,
edited, exported as HTML and PDF, issued and logged) and each member's weekly digest preference."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from governance.forms.communications import (
    CommunicationForm,
    DigestPreferenceForm,
    NewsletterDraftForm,
    NewsletterForm,
    NewsletterIssueForm,
    NewsletterSectionForm,
)
from governance.forms.posted import posted
from governance.models import Communication, Newsletter
from governance.services import communications as services
from governance.services import newsletter as newsletters
from governance.services.digests import digest_for, digest_preference_set
from pace_hub.form_errors import add_service_errors
from pace_hub.roles import Permission
from pace_hub.tenancy import get_for_org, org_view

PAGE_SIZE = 30


@org_view()
def communications(request: HttpRequest) -> HttpResponse:
    channel = request.GET.get("channel", "")
    if channel not in Communication.Channel.values:
        channel = ""
    everything = Communication.objects.for_organisation(request.org)
    counts = dict(everything.values("channel").annotate(n=Count("pk")).values_list("channel", "n"))
    shown = everything.filter(channel=channel) if channel else everything
    page = Paginator(shown.select_related("newsletter", "recorded_by"), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "governance/communications/log.html",
        {
            "page": page,
            "channel": channel,
            "channels": [(value, label, counts.get(value, 0)) for value, label in Communication.Channel.choices],
            "total": sum(counts.values()),
            "newsletters": Newsletter.objects.for_organisation(request.org).order_by("-period_end", "-created_at")[:6],
            "can_edit": request.membership.can(Permission.EDIT),
            "can_lead": request.membership.can(Permission.LEAD),
        },
    )


def _communication_form(request: HttpRequest, communication: Communication | None) -> HttpResponse:
    initial = {}
    if communication is not None:
        initial = {
            "date": communication.date,
            "channel": communication.channel,
            "audience": communication.audience,
            "summary": communication.summary,
            "links": communication.links,
            "newsletter": communication.newsletter_id,
        }
    form = CommunicationForm(posted(request), organisation=request.org, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            if communication is None:
                services.communication_log(organisation=request.org, recorded_by=request.user, **form.cleaned_data)
            else:
                services.communication_update(communication=communication, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Communication logged." if communication is None else "Communication saved.")
            return redirect("communications", request.org.slug)
    return render(
        request,
        "form_page.html",
        {
            "form": form,
            "title": "Log a communication" if communication is None else "Edit a communication",
            "intro": "What was shared, with whom and where: newsletters, the intranet, standing agenda items, "
            "meetings with other services, other authorities, the corporate parenting board, care-experienced "
            "young people's groups.",
            "submit": "Log it" if communication is None else "Save",
            "cancel": ("communications", request.org.slug),
        },
    )


@org_view(Permission.EDIT)
def communication_create(request: HttpRequest) -> HttpResponse:
    return _communication_form(request, None)


@org_view(Permission.EDIT)
def communication_edit(request: HttpRequest, communication) -> HttpResponse:
    return _communication_form(request, get_for_org(request, Communication, code=communication))


@org_view(Permission.LEAD)
@require_POST
def communication_delete(request: HttpRequest, communication) -> HttpResponse:
    services.communication_delete(communication=get_for_org(request, Communication, code=communication))
    messages.success(request, "Communication removed from the log.")
    return redirect("communications", request.org.slug)


# ---- Newsletters -------------------------------------------------------------------------------


@org_view()
def newsletter_list(request: HttpRequest) -> HttpResponse:
    rows = Newsletter.objects.for_organisation(request.org).annotate(sections_n=Count("sections"))
    return render(
        request,
        "governance/communications/newsletters.html",
        {"newsletters": rows, "can_edit": request.membership.can(Permission.EDIT)},
    )


@org_view(Permission.EDIT)
def newsletter_draft(request: HttpRequest) -> HttpResponse:
    form = NewsletterDraftForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            newsletter = newsletters.newsletter_draft(
                organisation=request.org,
                created_by=request.user,
                site_url=request.build_absolute_uri("/"),
                **form.cleaned_data,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Newsletter drafted from recent learning: edit it, then export and issue it.")
            return redirect("newsletter_edit", request.org.slug, newsletter.code)
    return render(
        request,
        "form_page.html",
        {
            "form": form,
            "title": "Draft a newsletter",
            "intro": "The draft gathers the period's completed PDSA cycles and what they taught, changes gone live "
            "with their change packages, \u201cyou said, we did\u201d, and the progress of each active aim.",
            "submit": "Draft it",
            "cancel": ("newsletters", request.org.slug),
        },
    )


def _newsletter(request: HttpRequest, code) -> Newsletter:
    return get_for_org(request, Newsletter.objects.select_related("organisation"), code=code)


@org_view()
def newsletter_detail(request: HttpRequest, newsletter) -> HttpResponse:
    newsletter = _newsletter(request, newsletter)
    return render(
        request,
        "governance/communications/newsletter_detail.html",
        {
            "newsletter": newsletter,
            "sections": [(s, newsletters.body_blocks(s.body)) for s in newsletter.sections.order_by("position", "pk")],
            "intro": newsletters.body_blocks(newsletter.intro),
            "logged": newsletter.communications.order_by("-date"),
            "can_edit": request.membership.can(Permission.EDIT) and newsletter.status == Newsletter.Status.DRAFT,
            "can_lead": request.membership.can(Permission.LEAD),
        },
    )


@org_view(Permission.EDIT)
def newsletter_edit(request: HttpRequest, newsletter) -> HttpResponse:
    newsletter = _newsletter(request, newsletter)
    if newsletter.status == Newsletter.Status.ISSUED:
        messages.info(request, "This newsletter has been issued: it no longer changes.")
        return redirect(newsletter)
    data = request.POST if request.method == "POST" else None
    form = NewsletterForm(data, initial={"title": newsletter.title, "intro": newsletter.intro})
    section_forms = [
        NewsletterSectionForm(data, section=section, prefix=f"section-{section.pk}")
        for section in newsletter.sections.order_by("position", "pk")
    ]
    section_forms.append(NewsletterSectionForm(data, prefix="section-new"))
    if request.method == "POST" and form.is_valid() and all(f.is_valid() for f in section_forms):
        try:
            newsletters.newsletter_update(
                newsletter=newsletter,
                title=form.cleaned_data["title"],
                intro=form.cleaned_data["intro"],
                sections=[f.to_input() for f in section_forms],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Newsletter saved.")
            return redirect(newsletter)
    return render(
        request,
        "governance/communications/newsletter_form.html",
        {"newsletter": newsletter, "form": form, "section_forms": section_forms},
    )


@org_view()
def newsletter_html(request: HttpRequest, newsletter) -> HttpResponse:
    newsletter = _newsletter(request, newsletter)
    response = HttpResponse(newsletters.newsletter_html(newsletter), content_type="text/html; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="newsletter-{newsletter.period_end}.html"'
    return response


@org_view()
def newsletter_pdf(request: HttpRequest, newsletter) -> HttpResponse:
    newsletter = _newsletter(request, newsletter)
    response = HttpResponse(newsletters.newsletter_pdf(newsletter), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="newsletter-{newsletter.period_end}.pdf"'
    return response


@org_view(Permission.LEAD)
def newsletter_issue(request: HttpRequest, newsletter) -> HttpResponse:
    newsletter = _newsletter(request, newsletter)
    form = NewsletterIssueForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            newsletters.newsletter_issue(newsletter=newsletter, recorded_by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Newsletter issued and logged in the communications log.")
            return redirect(newsletter)
    return render(
        request,
        "form_page.html",
        {
            "form": form,
            "title": f"Issue \u201c{newsletter.title}\u201d",
            "intro": "Issuing freezes the newsletter and logs it in the communications log. Send the exported "
            "HTML by e-mail, or publish it on the intranet.",
            "submit": "Issue and log it",
            "cancel": ("newsletters", request.org.slug),
        },
    )


@org_view(Permission.LEAD)
@require_POST
def newsletter_delete(request: HttpRequest, newsletter) -> HttpResponse:
    newsletter = _newsletter(request, newsletter)
    try:
        newsletters.newsletter_delete(newsletter=newsletter)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(newsletter)
    messages.success(request, "Draft newsletter deleted.")
    return redirect("newsletters", request.org.slug)


# ---- The weekly digest -------------------------------------------------------------------------


@org_view()
def digest_preferences(request: HttpRequest) -> HttpResponse:
    """Everyone (viewers too) chooses whether to get their own weekly digest, and sees this week's."""
    membership = request.membership
    form = DigestPreferenceForm(posted(request), initial={"digests_enabled": membership.digests_enabled})
    if request.method == "POST" and form.is_valid():
        digest_preference_set(membership=membership, enabled=form.cleaned_data["digests_enabled"])
        messages.success(
            request,
            "Weekly digest switched on." if form.cleaned_data["digests_enabled"] else "Weekly digest switched off.",
        )
        return redirect(reverse("digest_preferences", args=[request.org.slug]))
    return render(
        request,
        "governance/communications/digest.html",
        {"form": form, "digest": digest_for(membership=membership)},
    )
