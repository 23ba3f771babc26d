"""Registers that answer template questions: distributed leadership, the QI skills register and
data responsibility. They read several apps, so they live in governance; the team page shows
the distributed leadership card by loading it from here.

Everyone reads them; members edit their own QI skills, admins everyone's; data leads, leads and
admins name who collects each milestone."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from governance.forms.posted import posted
from governance.forms.registers import DataResponsibilityForm, QISkillsFilterForm, QISkillsForm
from governance.selectors import registers as selectors
from governance.services import registers as services
from pace_hub.form_errors import add_service_errors
from pace_hub.models import Membership
from pace_hub.roles import Permission
from pace_hub.tenancy import get_for_org, org_view


@org_view()
def leadership_register(request: HttpRequest) -> HttpResponse:
    register = selectors.distributed_leadership(request.org)
    template = "governance/registers/_leadership_card.html" if request.htmx else "governance/registers/leadership.html"
    return render(request, template, {"register": register})


@org_view()
def qi_skills_register(request: HttpRequest) -> HttpResponse:
    form = QISkillsFilterForm(request.GET or None, organisation=request.org)
    register = selectors.qi_skills_register(request.org, filters=form.filters() if form.is_bound else {})
    return render(
        request,
        "governance/registers/qi_skills.html",
        {
            "register": register,
            "form": form,
            "filtered": any(register.filters.values()),
            "can_edit_own": request.membership.can(Permission.EDIT),
            "can_edit_all": request.membership.can(Permission.ADMIN),
        },
    )


def _skills_form(request: HttpRequest, membership: Membership, *, own: bool) -> HttpResponse:
    form = QISkillsForm(
        posted(request),
        initial={
            "qi_skill": membership.qi_skill,
            "wants_qi_training": membership.wants_qi_training,
            "qi_cpd_interest": membership.qi_cpd_interest,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.qi_skills_update(membership=membership, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Your QI skills are saved." if own else f"{membership}'s QI skills are saved.")
            return redirect("qi_skills_register", request.org.slug)
    return render(
        request,
        "form_page.html",
        {
            "form": form,
            "title": "My QI skills" if own else f"QI skills of {membership}",
            "intro": "The QI skills register shows the spread of quality improvement knowledge across the "
            "multi-agency team, who can help others, and the training people want.",
            "cancel": ("qi_skills_register", request.org.slug),
        },
    )


@org_view(Permission.EDIT)
def qi_skills_mine(request: HttpRequest) -> HttpResponse:
    return _skills_form(request, request.membership, own=True)


@org_view(Permission.ADMIN)
def qi_skills_edit(request: HttpRequest, member) -> HttpResponse:
    membership = get_for_org(request, Membership.objects.select_related("user"), code=member)
    return _skills_form(request, membership, own=membership.pk == request.membership.pk)


@org_view()
def data_register(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "governance/registers/data.html",
        {
            "register": selectors.data_responsibility(request.org),
            "can_edit": request.membership.can(Permission.MEASURES),
        },
    )


@org_view(Permission.MEASURES)
def data_register_edit(request: HttpRequest) -> HttpResponse:
    register = selectors.data_responsibility(request.org)
    form = DataResponsibilityForm(posted(request), organisation=request.org, milestones=register.milestones)
    if request.method == "POST" and form.is_valid():
        try:
            changed = services.data_responsibility_set(organisation=request.org, assignments=form.assignments())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, f"Data responsibility saved ({changed} milestone{'s' if changed != 1 else ''} changed)."
            )
            return redirect("data_register", request.org.slug)
    return render(
        request,
        "form_page.html",
        {
            "form": form,
            "title": "Who collects each milestone",
            "intro": "Name the person responsible for collecting each permanence milestone's dates. The template "
            "asks that everyone is clear who is responsible, and that the data does not rely on one person.",
            "cancel": ("data_register", request.org.slug),
        },
    )
