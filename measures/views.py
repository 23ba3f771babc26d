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
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from measures import disclosure, services
from measures.charts import available_charts, chart_suggestion, point_value
from measures.data_entry import PAIRED_KINDS, EntryError, next_period, parse_period, period_start
from measures.forms import (
    AnnotationForm,
    MeasureFilterForm,
    MeasureForm,
    PasteForm,
    PhaseForm,
    PointForm,
    UploadForm,
)
from measures.milestones import survival
from measures.models import Annotation, DataPoint, Measure, Phase
from measures.readings import period_label
from measures.selectors import aim_rows, measure_chart_data, measure_list_groups, measures_for, measures_with_latest
from pace_hub.exports import csv_response, xlsx_response
from pace_hub.identifying import warn_identifying
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
    """Every measure with its sparkline, latest value and icons: hand-entered measures under their
    aims, derived ones folded per timescale. Charts come from the chart cache."""
    aims = aim_rows(request.org)
    form = MeasureFilterForm(request.GET or None, aims=[(str(code), title) for _, title, code, _ in aims])
    filters: dict = {}
    if form.is_valid():
        filters = {"kind": form.cleaned_data["kind"], "signal": form.cleaned_data["signal"]}
        if form.cleaned_data["aim"]:
            aim_model = Measure._meta.get_field("outcome_of_aims").related_model
            filters["aim"] = aim_model.objects.filter(organisation=request.org, code=form.cleaned_data["aim"]).first()
    measures = measures_for(request.org, kind=filters.get("kind", ""), aim=filters.get("aim")).select_related(
        "timescale__from_milestone", "timescale__to_milestone"
    )
    summaries = measures_with_latest(
        request.org,
        signal=filters.get("signal", ""),
        measures=measures,
        hide_small_counts=not request.membership.can(Permission.CHILD_DATA),
        for_list=True,
    )
    manual_groups, derived_groups = measure_list_groups(request.org, summaries, aims=aims)
    return render(
        request,
        "measures/measure_list.html",
        {
            "summaries": summaries,
            "manual_groups": manual_groups,
            "derived_groups": derived_groups,
            "derived_count": sum(len(group.summaries) for group in derived_groups),
            "filter_form": form,
            "filtered": bool(request.GET),
            "can_manage": request.membership.can(Permission.MEASURES),
        },
    )


def _chooser(source: dict, points: list[DataPoint]) -> object:
    """The chart chooser's advice for the definition in `source` (form data or a measure's
    fields) and the measure's stored points."""
    baseline = source.get("baseline_points")
    try:
        baseline = int(baseline) if baseline not in (None, "") else None
    except (TypeError, ValueError):
        baseline = None
    return chart_suggestion(
        chart=str(source.get("chart") or ""),
        denominator_text=str(source.get("denominator") or ""),
        unit=str(source.get("unit") or ""),
        period=str(source.get("period") or ""),
        baseline=baseline if baseline and baseline > 0 else None,
        points=points,
    )


def _measure_form_page(request: HttpRequest, form: MeasureForm, measure: Measure | None, **context) -> HttpResponse:
    if form.is_bound:
        source = form.data
    else:
        source = {name: form[name].value() for name in ("chart", "denominator", "unit", "period", "baseline_points")}
    points = list(measure.points.order_by("period")) if measure else []
    return render(
        request,
        "measures/measure_form.html",
        {
            "form": form,
            "measure": measure,
            "measure_fields": True,
            "chooser": _chooser(source, points),
            "chooser_url": reverse("measure_chooser", args=[request.org.slug])
            + (f"?measure={measure.code}" if measure else ""),
            **context,
        },
    )


@org_view(Permission.MEASURES)
def measure_create(request: HttpRequest) -> HttpResponse:
    form = MeasureForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        measure = services.measure_create(organisation=request.org, **form.cleaned_data)
        messages.success(request, f"Measure “{measure.title}” created. Now enter its data.")
        return redirect("measure_data", request.org.slug, measure.code)
    return _measure_form_page(request, form, None, title="New measure", submit="Create measure")


@org_view(Permission.MEASURES)
def measure_edit(request: HttpRequest, measure: object) -> HttpResponse:
    measure = _get_measure(request, measure)
    form = MeasureForm(request.POST or None, instance=measure)
    if request.method == "POST" and form.is_valid():
        services.measure_update(measure=measure, **form.cleaned_data)
        messages.success(request, "Measure saved.")
        return redirect(measure)
    return _measure_form_page(request, form, measure, title=f"Edit {measure.title}", submit="Save")


@org_view(Permission.MEASURES)
def measure_chooser(request: HttpRequest) -> HttpResponse:
    """The chart chooser's advice as the measure form changes (an htmx fragment)."""
    points: list[DataPoint] = []
    if code := request.GET.get("measure"):
        points = list(get_for_org(request, Measure, code=code).points.order_by("period"))
    return render(request, "measures/includes/chart_chooser.html", {"chooser": _chooser(request.GET, points)})


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
    hide_small_counts = not request.membership.can(Permission.CHILD_DATA)
    time_to_permanence = None
    if measure.source == Measure.Source.DERIVED and measure.timescale_id:
        time_to_permanence = survival.timescale_survival(
            measure.timescale, today=timezone.localdate(), hide_small_counts=hide_small_counts
        )
    return render(
        request,
        "measures/measure_detail.html",
        {
            "measure": measure,
            "chart": chart,
            "chart_choices": available_charts(measure, list(measure.points.all())),
            "time_to_permanence": time_to_permanence,
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
        # A point per event has no "next period": its rows start blank.
        period = next_period(period, measure.period) if period else None
        text = period.isoformat() if period and period <= today else ""
        rows.append({"index": len(points) + extra, "point": None, "period_text": text, "label": "", "values": {}})
    return rows


def _entry_context(measure: Measure) -> dict:
    """What the data-entry grid shows for this measure's kind of data."""
    kind = measure.data_kind
    return {
        "kind": kind,
        "proportions": kind in PAIRED_KINDS,
        "numerator_label": "Count" if kind == "rate" else "Numerator",
        "denominator_label": "Exposure" if kind == "rate" else "Denominator",
        "per_event": measure.period == Measure.Period.EVENT,
    }


def _data_page(request: HttpRequest, measure: Measure, status: int = 200, **forms) -> HttpResponse:
    """The data-entry page; after a failed paste or upload, with that form and its errors."""
    context = {
        "measure": measure,
        "rows": _grid_rows(measure, list(measure.points.order_by("period"))),
        "paste_form": PasteForm(measure=measure),
        "upload_form": UploadForm(measure=measure),
        **_entry_context(measure),
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
    paired = measure.data_kind in PAIRED_KINDS
    if form.is_valid():
        data = form.cleaned_data
        saved = services.datapoint_save(
            measure=measure,
            period=data["period"],
            value=data["value"],
            numerator=data["numerator"] if paired else None,
            denominator=data["denominator"] if paired else None,
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
        value = point_value(saved, measure)
        row["values"]["value"] = "" if value is None else f"{value:g}"
    return render(
        request,
        "measures/includes/grid_row.html",
        {"measure": measure, "row": row, **_entry_context(measure)},
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
        warn_identifying(request, form)
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
                disclosure.shown_instead(measure) if hidden else point_value(point, measure),
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
