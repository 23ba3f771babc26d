"""Measures pages: the list, a measure's chart, data entry, annotations, phases and exports.

Thin: access helper → form → one service call → redirect. The analysis happens in
measures.charts and measures.selectors.
"""

from __future__ import annotations

import contextlib
import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from measures import disclosure, services
from measures.charts import point_value
from measures.data_entry import EntryError, next_period, parse_period, period_start
from measures.forms import (
    AnnotationForm,
    MeasureFilterForm,
    MeasureForm,
    PasteForm,
    PhaseForm,
    PointForm,
    UploadForm,
)
from measures.models import Annotation, DataPoint, Measure, Phase
from measures.readings import period_label
from measures.selectors import measure_chart_data, measures_with_latest
from pace_hub.exports import csv_response, xlsx_response
from pace_hub.roles import Permission
from pace_hub.tenancy import get_for_org, org_view

NEW_ROWS = 3


def _get_measure(request: HttpRequest, code: object, *, for_data: bool = False) -> Measure:
    """The measure of this organisation (404 otherwise); for data entry, refuse derived ones."""
    measure = get_for_org(request, Measure.objects.select_related("organisation"), code=code)
    if for_data and measure.source == Measure.Source.DERIVED and request.method == "POST":
        raise PermissionDenied("This measure is derived from milestone data: its points cannot be edited.")
    return measure


def _aim_choices(request: HttpRequest) -> tuple[type, list[tuple[str, str]]]:
    # The Aim model, reached through the reverse relation so that measures need not import aims.
    aim_model = Measure._meta.get_field("outcome_of_aims").related_model
    aims = aim_model.objects.filter(organisation=request.org).order_by("title").values_list("code", "title")
    return aim_model, [(str(code), title) for code, title in aims]


@org_view()
def measure_list(request: HttpRequest) -> HttpResponse:
    aim_model, aims = _aim_choices(request)
    form = MeasureFilterForm(request.GET or None, aims=aims)
    filters: dict = {}
    if form.is_valid():
        filters = {"kind": form.cleaned_data["kind"], "signal": form.cleaned_data["signal"]}
        if form.cleaned_data["aim"]:
            filters["aim"] = aim_model.objects.filter(organisation=request.org, code=form.cleaned_data["aim"]).first()
    summaries = measures_with_latest(
        request.org, **filters, hide_small_counts=not request.membership.can(Permission.CHILD_DATA)
    )
    return render(
        request,
        "measures/measure_list.html",
        {
            "summaries": summaries,
            "filter_form": form,
            "filtered": bool(request.GET),
            "can_manage": request.membership.can(Permission.MEASURES),
        },
    )


@org_view(Permission.MEASURES)
def measure_create(request: HttpRequest) -> HttpResponse:
    form = MeasureForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        measure = services.measure_create(organisation=request.org, **form.cleaned_data)
        messages.success(request, f"Measure “{measure.title}” created. Now enter its data.")
        return redirect("measure_data", request.org.slug, measure.code)
    return render(
        request,
        "measures/measure_form.html",
        {"form": form, "title": "New measure", "submit": "Create measure", "measure_fields": True},
    )


@org_view(Permission.MEASURES)
def measure_edit(request: HttpRequest, measure: object) -> HttpResponse:
    measure = _get_measure(request, measure)
    form = MeasureForm(request.POST or None, instance=measure)
    if request.method == "POST" and form.is_valid():
        services.measure_update(measure=measure, **form.cleaned_data)
        messages.success(request, "Measure saved.")
        return redirect(measure)
    return render(
        request,
        "measures/measure_form.html",
        {"form": form, "title": f"Edit {measure.title}", "submit": "Save", "measure": measure, "measure_fields": True},
    )


@org_view()
def measure_detail(request: HttpRequest, measure: object) -> HttpResponse:
    measure = get_for_org(
        request,
        Measure.objects.select_related("organisation").prefetch_related(
            Prefetch("points", queryset=DataPoint.objects.order_by("period")),
            Prefetch("annotations", queryset=Annotation.objects.order_by("date")),
            Prefetch("phases", queryset=Phase.objects.order_by("start")),
        ),
        code=measure,
    )
    chart = measure_chart_data(
        measure,
        chart=request.GET.get("chart"),
        dom_id="measure-chart",
        hide_small_counts=not request.membership.can(Permission.CHILD_DATA),
    )
    has_proportions = any(point.denominator for point in measure.points.all())
    chart_choices = [
        (value, label) for value, label in Measure.Chart.choices if value != Measure.Chart.P or has_proportions
    ]
    return render(
        request,
        "measures/measure_detail.html",
        {
            "measure": measure,
            "chart": chart,
            "chart_choices": chart_choices,
            "annotations": measure.annotations.all(),
            "phases": measure.phases.all(),
            "can_manage": request.membership.can(Permission.MEASURES),
        },
    )


def _grid_rows(measure: Measure, points: list[DataPoint]) -> list[dict]:
    """Existing points, then blank rows for the next periods."""
    rows = [
        {
            "index": index,
            "point": point,
            "period_text": point.period.isoformat(),
            "label": period_label(point.period, measure.period),
            "values": {
                "value": "" if point.value is None else f"{point.value:g}",
                "numerator": "" if point.numerator is None else f"{point.numerator:g}",
                "denominator": "" if point.denominator is None else f"{point.denominator:g}",
                "note": point.note,
                "astronomical": point.astronomical,
            },
        }
        for index, point in enumerate(points)
    ]
    period = points[-1].period if points else None
    today = period_start(datetime.date.today(), measure.period)
    for extra in range(NEW_ROWS):
        period = next_period(period, measure.period) if period else None
        text = period.isoformat() if period and period <= today else ""
        rows.append({"index": len(points) + extra, "point": None, "period_text": text, "label": "", "values": {}})
    return rows


def _data_page(request: HttpRequest, measure: Measure, status: int = 200, **forms) -> HttpResponse:
    """The data-entry page; after a failed paste or upload, with that form and its errors."""
    context = {
        "measure": measure,
        "rows": _grid_rows(measure, list(measure.points.order_by("period"))),
        "paste_form": PasteForm(measure=measure),
        "upload_form": UploadForm(measure=measure),
        "proportions": measure.chart == Measure.Chart.P,
        "derived": measure.source == Measure.Source.DERIVED,
        **forms,
    }
    return render(request, "measures/measure_data.html", context, status=status)


@org_view(Permission.MEASURES)
def measure_data(request: HttpRequest, measure: object) -> HttpResponse:
    return _data_page(request, _get_measure(request, measure))


@org_view(Permission.MEASURES)
@require_POST
def measure_paste(request: HttpRequest, measure: object) -> HttpResponse:
    measure = _get_measure(request, measure, for_data=True)
    form = PasteForm(request.POST, measure=measure)
    if not form.is_valid():
        return _data_page(request, measure, status=400, paste_form=form)
    counts = services.datapoints_save(measure=measure, rows=form.cleaned_data["rows"].rows)
    messages.success(request, f"Pasted data saved: {counts}.")
    return redirect(measure)


@org_view(Permission.MEASURES)
@require_POST
def measure_upload(request: HttpRequest, measure: object) -> HttpResponse:
    measure = _get_measure(request, measure, for_data=True)
    form = UploadForm(request.POST, request.FILES, measure=measure)
    if not form.is_valid():
        return _data_page(request, measure, status=400, upload_form=form)
    counts = services.datapoints_save(measure=measure, rows=form.cleaned_data["file"].rows)
    messages.success(request, f"File imported: {counts}.")
    return redirect(measure)


@org_view(Permission.MEASURES)
@require_POST
def measure_point_save(request: HttpRequest, measure: object) -> HttpResponse:
    """Save one row of the grid. With htmx the row comes back (with inline errors); without,
    the page reloads."""
    measure = _get_measure(request, measure, for_data=True)
    index = request.POST.get("index", "")
    index = int(index) if index.isdigit() else 0
    form = PointForm(request.POST, measure=measure)
    saved = None
    if form.is_valid():
        data = form.cleaned_data
        saved = services.datapoint_save(
            measure=measure,
            period=data["period"],
            value=data["value"],
            numerator=data["numerator"] if measure.chart == Measure.Chart.P else None,
            denominator=data["denominator"] if measure.chart == Measure.Chart.P else None,
            note=data["note"],
            astronomical=data["astronomical"],
        )
    if not request.htmx:
        if saved:
            messages.success(request, f"{period_label(saved.period, measure.period)} saved.")
            return redirect("measure_data", request.org.slug, measure.code)
        messages.error(request, "; ".join(f"{field}: {' '.join(errors)}" for field, errors in form.errors.items()))
        return redirect("measure_data", request.org.slug, measure.code)
    # A row with errors keeps its shape: an existing period stays a label, a new one an input.
    period = form.cleaned_data.get("period") if hasattr(form, "cleaned_data") else None
    point = saved or (measure.points.filter(period=period).first() if period else None)
    row = {
        "index": index,
        "point": point,
        "period_text": point.period.isoformat() if point else request.POST.get("period", ""),
        "label": period_label(point.period, measure.period) if point else "",
        "values": {key: request.POST.get(key, "") for key in ("value", "numerator", "denominator", "note")}
        | {"astronomical": bool(request.POST.get("astronomical"))},
        "errors": form.errors,
        "saved": saved is not None,
    }
    if saved:
        row["values"]["value"] = "" if point_value(saved) is None else f"{point_value(saved):g}"
    return render(
        request,
        "measures/includes/grid_row.html",
        {"measure": measure, "row": row, "proportions": measure.chart == Measure.Chart.P},
        # htmx swaps only successful responses: errors come back as a 200 row showing them.
        status=200,
    )


@org_view(Permission.MEASURES)
@require_POST
def measure_point_delete(request: HttpRequest, measure: object) -> HttpResponse:
    measure = _get_measure(request, measure, for_data=True)
    try:
        period = parse_period(request.POST.get("period", ""), measure.period)
    except EntryError:
        period = None
    if period and services.datapoint_delete(measure=measure, period=period):
        messages.success(request, f"{period_label(period, measure.period)} removed.")
    else:
        messages.error(request, "There is no data point for that period.")
    return redirect("measure_data", request.org.slug, measure.code)


@org_view(Permission.MEASURES)
def annotation_create(request: HttpRequest, measure: object) -> HttpResponse:
    measure = _get_measure(request, measure)
    form = AnnotationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.annotation_create(measure=measure, **form.cleaned_data)
        messages.success(request, "Annotation added to the chart.")
        return redirect(measure)
    return render(
        request,
        "measures/measure_form.html",
        {
            "form": form,
            "title": "Add an annotation",
            "intro": f"Mark a change or an event on the chart of “{measure.title}”.",
            "submit": "Add annotation",
            "measure": measure,
        },
    )


@org_view(Permission.MEASURES)
@require_POST
def annotation_delete(request: HttpRequest, annotation: object) -> HttpResponse:
    annotation = get_for_org(request, Annotation.objects.select_related("measure__organisation"), code=annotation)
    measure = annotation.measure
    services.annotation_delete(annotation=annotation)
    messages.success(request, "Annotation removed.")
    return redirect(measure)


@org_view(Permission.MEASURES)
def phase_create(request: HttpRequest, measure: object) -> HttpResponse:
    measure = _get_measure(request, measure)
    initial = {}
    if suggested := request.GET.get("start"):
        with contextlib.suppress(ValueError):
            initial["start"] = datetime.date.fromisoformat(suggested)
    form = PhaseForm(request.POST or None, initial=initial, measure=measure)
    if request.method == "POST" and form.is_valid():
        try:
            services.phase_create(measure=measure, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "New phase started: the centre line is recalculated from its first period.")
            return redirect(measure)
    return render(
        request,
        "measures/measure_form.html",
        {
            "form": form,
            "title": "Start a new phase",
            "intro": (
                "A new phase recalculates the centre line (and limits) from its first period. Start one only "
                "after a sustained shift you understand, and say why."
            ),
            "submit": "Start new phase",
            "measure": measure,
        },
    )


@org_view(Permission.MEASURES)
@require_POST
def phase_delete(request: HttpRequest, phase: object) -> HttpResponse:
    phase = get_for_org(request, Phase.objects.select_related("measure__organisation"), code=phase)
    measure = phase.measure
    services.phase_delete(phase=phase)
    messages.success(request, "Phase removed: the chart is recalculated without it.")
    return redirect(measure)


EXPORT_HEADER = ["Period", "Value", "Numerator", "Denominator", "Note", "Astronomical", "Provisional"]


def _export_rows(measure: Measure, *, hide_small_counts: bool) -> list[list]:
    rows = []
    derived = hide_small_counts and measure.source == Measure.Source.DERIVED
    for point in measure.points.order_by("period"):
        hidden = derived and disclosure.point_is_disclosive(measure, point)
        rows.append(
            [
                point.period,
                disclosure.shown_instead(measure) if hidden else point_value(point),
                None if derived else point.numerator,
                None if derived else point.denominator,
                "Fewer than 5 children: not shown." if hidden else ("" if derived else point.note),
                "yes" if point.astronomical else "",
                "yes" if point.provisional else "",
            ]
        )
    return rows


@org_view()
def measure_export(request: HttpRequest, measure: object, kind: str) -> HttpResponse:
    measure = _get_measure(request, measure)
    filename = f"{measure.title[:60]}-{datetime.date.today():%Y-%m-%d}".replace(" ", "-")
    rows = _export_rows(measure, hide_small_counts=not request.membership.can(Permission.CHILD_DATA))
    if kind == "xlsx":
        return xlsx_response(f"{filename}.xlsx", EXPORT_HEADER, rows, sheet="Data")
    return csv_response(f"{filename}.csv", EXPORT_HEADER, [[row[0].isoformat(), *row[1:]] for row in rows])
