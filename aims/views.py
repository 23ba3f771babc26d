"""Aim pages: list, builder, aim page, refresh and review, progress score, driver diagram.

Thin views: org_view → access helper → form → one service call → redirect.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.forms import CharField, Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.text import slugify
from django.views.decorators.http import require_POST

from aims import selectors, services
from aims.forms import (
    AimFilterForm,
    AimForm,
    AimRefreshForm,
    DriverAddForm,
    DriverForm,
    ProgressScoreForm,
    StatementPreviewForm,
    TemplateChoiceForm,
)
from aims.models import Aim, Driver
from aims.progress import DESCRIPTIONS
from aims.statements import TEMPLATES_BY_KEY, compose_statement, missing_parts
from pace_hub.form_errors import add_service_errors
from pace_hub.roles import Permission
from pace_hub.tenancy import get_for_org, org_view


def _get_aim(request: HttpRequest, code: str) -> Aim:
    return get_for_org(
        request, Aim.objects.select_related("lead__user", "aims_group", "outcome_measure", "organisation"), code=code
    )


def _get_driver(request: HttpRequest, code: str) -> Driver:
    return get_for_org(request, Driver.objects.select_related("aim", "aim__organisation"), code=code)


@org_view()
def aim_list(request: HttpRequest) -> HttpResponse:
    filters = AimFilterForm(request.GET or None, organisation=request.org)
    chosen = filters.cleaned_data if filters.is_valid() else {}
    aims = list(selectors.aims_for_list(request.org, filters=chosen))
    for aim in aims:
        aim.review_overdue = selectors.is_review_overdue(aim)
    if chosen.get("review_due"):
        aims = [aim for aim in aims if aim.review_overdue]
    return render(
        request,
        "aims/aim_list.html",
        {
            "aims": aims,
            "filters": filters,
            "filtered": any(chosen.values()),
            "can_edit": request.membership.can(Permission.EDIT),
        },
    )


@org_view(Permission.EDIT)
def aim_create(request: HttpRequest) -> HttpResponse:
    chooser = TemplateChoiceForm(request.GET or None)
    initial = {"unit": "%"}
    template = TEMPLATES_BY_KEY.get(request.GET.get("template", ""))
    if template:
        initial.update(
            title=template.title,
            kind=template.kind,
            population=template.population,
            improvement=template.improvement,
            unit=template.unit,
            target_value=template.target_value,
        )
    form = AimForm(request.POST or None, organisation=request.org, initial=initial, template=template)
    if request.method == "POST" and form.is_valid():
        data = {name: value for name, value in form.cleaned_data.items() if name != "measures"}
        try:
            aim = services.aim_create(
                organisation=request.org,
                data=data,
                measures=form.cleaned_data["measures"],
                template=template.key if template else "",
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Aim “{aim.title}” saved.")
            return redirect(aim)
    return render(
        request,
        "aims/aim_form.html",
        {"form": form, "chooser": chooser, "template": template, "title": "New aim", "preview": _preview(form)},
    )


@org_view()
def aim_detail(request: HttpRequest, aim: str) -> HttpResponse:
    aim = _get_aim(request, aim)
    page = selectors.aim_page(aim, hide_small_counts=not request.membership.can(Permission.CHILD_DATA))
    return render(
        request,
        "aims/aim_detail.html",
        {
            "aim": aim,
            "page": page,
            "diagram_svg": selectors.driver_diagram_svg(aim, page.drivers),
            "score_form": ProgressScoreForm(initial={"score": page.suggestion.score}),
            "score_description": DESCRIPTIONS.get(aim.progress_score, ""),
            "scale": DESCRIPTIONS.items(),
            "can_edit": request.membership.can(Permission.EDIT),
        },
    )


@org_view(Permission.EDIT)
def aim_edit(request: HttpRequest, aim: str) -> HttpResponse:
    aim = _get_aim(request, aim)
    # Once an aim is past its draft, its statement changes only by a refresh that keeps history.
    smart = aim.status == Aim.Status.DRAFT
    form = AimForm(request.POST or None, instance=aim, organisation=request.org, smart=smart)
    if request.method == "POST" and form.is_valid():
        data = {name: value for name, value in form.cleaned_data.items() if name != "measures"}
        try:
            services.aim_update(aim=aim, data=data, measures=form.cleaned_data["measures"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Aim saved.")
            return redirect(aim)
    return render(
        request,
        "aims/aim_form.html",
        {"form": form, "aim": aim, "title": f"Edit “{aim.title}”", "preview": _preview(form) if smart else None},
    )


@org_view(Permission.EDIT)
def aim_refresh(request: HttpRequest, aim: str) -> HttpResponse:
    aim = _get_aim(request, aim)
    form = AimRefreshForm(request.POST or None, instance=aim)
    if request.method == "POST" and form.is_valid():
        parts = {name: form.cleaned_data[name] for name in form.Meta.fields}
        try:
            services.aim_refresh(aim=aim, parts=parts, reason=form.cleaned_data["reason"], user=request.user)
        except ValidationError as error:
            aim.refresh_from_db()
            add_service_errors(form, error)
        else:
            messages.success(request, "Aim refreshed. The earlier version is kept in its history.")
            return redirect(aim)
    return render(
        request,
        "aims/aim_refresh.html",
        {"form": form, "aim": aim, "title": f"Refresh “{aim.title}”", "preview": _preview(form)},
    )


@org_view(Permission.EDIT)
@require_POST
def aim_review(request: HttpRequest, aim: str) -> HttpResponse:
    aim = _get_aim(request, aim)
    services.aim_mark_reviewed(aim=aim)
    messages.success(request, f"Marked as reviewed today. Next review due {selectors.review_due_on(aim):%-d %B %Y}.")
    return redirect(aim)


@org_view(Permission.EDIT)
@require_POST
def aim_progress_score(request: HttpRequest, aim: str) -> HttpResponse:
    aim = _get_aim(request, aim)
    form = ProgressScoreForm(request.POST)
    if form.is_valid():
        services.aim_set_progress_score(aim=aim, score=form.cleaned_data["score"])
        messages.success(request, f"Progress score set to {aim.get_progress_score_display()}.")
    else:
        messages.error(request, "Choose a score from the IHI progress scale (0.5 to 5.0).")
    return redirect(aim)


def _preview(form: Form) -> dict:
    """The statement and the missing parts, for the builder (first render and live updates)."""
    instance = getattr(form, "instance", None)
    if form.is_bound:
        source = form.data
    elif instance is not None and instance.pk:
        source = {name: getattr(instance, name) for name in StatementPreviewForm.base_fields}
    else:
        source = form.initial
    preview = StatementPreviewForm(source)
    preview.is_valid()
    parts = {
        name: preview.cleaned_data.get(name, "" if isinstance(field, CharField) else None)
        for name, field in preview.fields.items()
        if name != "status"
    }
    status = preview.cleaned_data.get("status") or getattr(instance, "status", "")
    return {
        "statement": compose_statement(**parts),
        "missing": list(missing_parts(parts).values()),
        "active": status == Aim.Status.ACTIVE,
    }


@org_view(Permission.EDIT)
def aim_statement_preview(request: HttpRequest) -> HttpResponse:
    """The SMART builder's live preview (htmx): the composed statement and what is still missing."""
    form = StatementPreviewForm(request.GET)
    return render(request, "aims/includes/statement_preview.html", {"preview": _preview(form)})


@org_view()
def aim_diagram_svg(request: HttpRequest, aim: str) -> HttpResponse:
    aim = _get_aim(request, aim)
    svg = selectors.driver_diagram_svg(aim, selectors.driver_tree(aim))
    response = HttpResponse('<?xml version="1.0" encoding="UTF-8"?>\n' + svg, content_type="image/svg+xml")
    response["Content-Disposition"] = f'attachment; filename="driver-diagram-{slugify(aim.title) or aim.code}.svg"'
    return response


@org_view(Permission.EDIT)
def aim_drivers(request: HttpRequest, aim: str) -> HttpResponse:
    """The driver diagram editor: add primary and secondary drivers, and see the result."""
    aim = _get_aim(request, aim)
    form = DriverAddForm(request.POST or None, aim=aim)
    if request.method == "POST" and form.is_valid():
        try:
            driver = services.driver_add(aim=aim, text=form.cleaned_data["text"], parent=form.cleaned_data["parent"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            kind = "Primary" if driver.is_primary else "Secondary"
            messages.success(request, f"{kind} driver “{driver.text}” added.")
            return redirect("aim_drivers", request.org.slug, aim.code)
    drivers = selectors.driver_tree(aim)
    return render(
        request,
        "aims/aim_drivers.html",
        {"aim": aim, "drivers": drivers, "form": form, "diagram_svg": selectors.driver_diagram_svg(aim, drivers)},
    )


@org_view(Permission.EDIT)
def driver_edit(request: HttpRequest, driver: str) -> HttpResponse:
    driver = _get_driver(request, driver)
    form = DriverForm(request.POST or None, instance=driver)
    if request.method == "POST" and form.is_valid():
        services.driver_update(driver=driver, text=form.cleaned_data["text"])
        messages.success(request, "Driver saved.")
        return redirect("aim_drivers", request.org.slug, driver.aim.code)
    return render(request, "aims/driver_form.html", {"form": form, "driver": driver, "aim": driver.aim})


@org_view(Permission.EDIT)
@require_POST
def driver_delete(request: HttpRequest, driver: str) -> HttpResponse:
    driver = _get_driver(request, driver)
    aim = driver.aim
    services.driver_delete(driver=driver)
    messages.success(request, f"Driver “{driver.text}” removed. Its change ideas are kept.")
    return redirect("aim_drivers", request.org.slug, aim.code)


@org_view(Permission.EDIT)
@require_POST
def driver_move(request: HttpRequest, driver: str) -> HttpResponse:
    driver = _get_driver(request, driver)
    services.driver_move(driver=driver, up=request.POST.get("direction") != "down")
    return redirect(reverse("aim_drivers", args=[request.org.slug, driver.aim.code]) + f"#driver-{driver.code}")
