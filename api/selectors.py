"""Reads for the API, scoped to the calling key's organisation and shaped as api.schemas.

Charts come from the same engine as the pages (``measures.selectors``), with small numbers
withheld for ``read`` keys exactly as for viewers (``hide_small_counts``). Lists run a fixed
number of queries whatever their size.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.core.paginator import EmptyPage, Paginator
from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest
from django.urls import reverse

from aims.models import Aim
from aims.progress import DESCRIPTIONS
from api.problems import ApiProblem, json_pointer
from measures import disclosure
from measures.charts import point_value
from measures.milestones.pathway import pathway_ensure_defaults
from measures.models import Measure, Milestone, MilestoneImport, Route, Timescale
from measures.selectors import (
    MeasureChart,
    MeasureSummary,
    measure_chart_data,
    measures_for,
    measures_with_latest,
    signal_status,
)
from pace_hub.models import Organisation

MAX_PROBLEMS_SHOWN = 1000


# Pagination -----------------------------------------------------------------------------------


@dataclass
class Page:
    count: int
    items: list[Any]
    next: str | None
    previous: str | None


def paginate(request: HttpRequest, queryset: QuerySet, *, page: int, page_size: int) -> Page:
    """One page of a queryset with absolute links to its neighbours (same filters)."""
    paginator = Paginator(queryset, page_size)
    try:
        current = paginator.page(page)
    except EmptyPage:
        raise ApiProblem(
            404,
            "no_such_page",
            "No such page",
            f"Page {page} does not exist: there are {paginator.num_pages} pages of {page_size}.",
        ) from None

    def link(number: int) -> str:
        filters = {name: value for name, value in request.GET.items() if name not in ("page", "page_size")}
        query = {"page": number, "page_size": page_size, **filters}
        return request.build_absolute_uri(f"{request.path}?{urlencode(query)}")

    return Page(
        count=paginator.count,
        items=list(current.object_list),
        next=link(page + 1) if current.has_next() else None,
        previous=link(page - 1) if current.has_previous() else None,
    )


def check_period(period_from: datetime.date | None, period_to: datetime.date | None) -> None:
    if period_from and period_to and period_from > period_to:
        raise ApiProblem(
            422,
            "invalid_period",
            "The period filter is empty",
            f"period_from ({period_from:%Y-%m-%d}) is after period_to ({period_to:%Y-%m-%d}).",
        )


# Measures -------------------------------------------------------------------------------------


def measure_queryset(organisation: Organisation, *, kind: str = "", source: str = "") -> QuerySet[Measure]:
    measures = measures_for(organisation, kind=kind).order_by("title", "pk")
    return measures.filter(source=source) if source else measures


def measure_summaries(organisation: Organisation, measures: list[Measure]) -> list[MeasureSummary]:
    """The page's measures with their sparkline charts (four queries), small counts withheld."""
    pks = [measure.pk for measure in measures]
    queryset = Measure.objects.filter(pk__in=pks)
    summaries = {
        summary.measure.pk: summary
        for summary in measures_with_latest(organisation, measures=queryset, hide_small_counts=True)
    }
    return [summaries[pk] for pk in pks]


def _icon(value: dict | None) -> dict | None:
    return {"code": value["code"], "label": value["label"]} if value else None


def _latest(summary: MeasureSummary) -> dict | None:
    point = summary.latest
    if point is None:
        return None
    hidden = summary.measure.source == Measure.Source.DERIVED and disclosure.point_is_disclosive(summary.measure, point)
    return {
        "period": point.period,
        "value": None if hidden else point_value(point),
        "text": summary.latest_text,
        "suppressed": hidden,
        "provisional": point.provisional,
    }


def _measure_fields(measure: Measure, payload: dict[str, Any]) -> dict[str, Any]:
    return {
        "code": measure.code,
        "title": measure.title,
        "kind": measure.kind,
        "unit": payload["unit"],
        "better": measure.better,
        "chart": payload["chart"],
        "period": measure.period,
        "source": measure.source,
        "derivation": measure.derivation,
        "target": measure.target,
        "variation": _icon(payload["variation"]),
        "assurance": _icon(payload["assurance"]),
        "url": reverse("api_v1:measure_detail", args=[measure.code]),
    }


def measure_summary_out(summary: MeasureSummary) -> dict[str, Any]:
    payload = summary.chart.payload
    return {
        **_measure_fields(summary.measure, payload),
        "latest": _latest(summary),
        "signal_status": signal_status(payload),
    }


def measure_detail_out(
    measure: Measure, *, period_from: datetime.date | None = None, period_to: datetime.date | None = None
) -> dict[str, Any]:
    """A measure with its points and chart results (centre, limits, signals, icons), computed on
    all its points as the page draws it; the period filter narrows what is returned."""
    chart: MeasureChart = measure_chart_data(measure, hide_small_counts=True)
    payload = chart.payload
    periods = [datetime.date.fromisoformat(point["x"]) for point in payload["points"]]

    def wanted(day: datetime.date) -> bool:
        return (period_from is None or day >= period_from) and (period_to is None or day <= period_to)

    points = []
    for number, phase in enumerate(payload["phases"]):
        for index in range(phase["offset"], phase["stop"]):
            if not wanted(periods[index]):
                continue
            point = payload["points"][index]
            position = index - phase["offset"]
            points.append(
                {
                    "period": periods[index],
                    "label": point["label"],
                    "value": point["y"],
                    "numerator": point["numerator"],
                    "denominator": point["denominator"],
                    "suppressed": bool(point.get("suppressed", False)),
                    "shown_instead": point.get("shown_instead", ""),
                    "provisional": point["provisional"],
                    "astronomical": point["astronomical"],
                    "note": point["note"],
                    "phase": number,
                    "centre": _line_value(phase["centre"], position),
                    "ucl": _line_value(phase["ucl"], position),
                    "lcl": _line_value(phase["lcl"], position),
                    "signal": point["signal"],
                    "improvement": point["improvement"],
                }
            )
    signals = [
        {
            "kind": signal["kind"],
            "name": signal["name"],
            "start": periods[signal["start"]],
            "end": periods[signal["end"]],
            "direction": signal["direction"],
            "improvement": signal["improvement"],
            "phase": signal["phase"],
        }
        for signal in payload["signals"]
        if (period_to is None or periods[signal["start"]] <= period_to)
        and (period_from is None or periods[signal["end"]] >= period_from)
    ]
    phases = [
        {
            "number": number,
            "label": phase["label"],
            "reason": phase["reason"],
            "start": periods[phase["offset"]],
            "end": periods[phase["stop"] - 1],
            "trial_limits": bool(phase["trial_limits"]),
        }
        for number, phase in enumerate(payload["phases"])
    ]
    settled = [point for point in measure.points.all() if not point.provisional]
    latest_point = settled[-1] if settled else None
    summary = MeasureSummary(measure, chart, latest_point, small_counts_hidden=True)
    return {
        **_measure_fields(measure, payload),
        "latest": _latest(summary),
        "signal_status": signal_status(payload),
        "description": measure.description,
        "chart_label": payload["chart_label"],
        "centre_name": payload["centre_name"],
        "baseline_points": measure.baseline_points,
        "timescale": measure.timescale.code if measure.timescale_id else None,
        "points": points,
        "phases": phases,
        "signals": signals,
        "reading": payload["reading"],
        "error": payload["error"],
    }


def _line_value(line: Any, position: int) -> float | None:
    if line is None:
        return None
    if isinstance(line, list):
        return line[position] if position < len(line) else None
    return line


def measure_for_detail(organisation: Organisation, code: Any) -> Measure:
    measure = (
        Measure.objects.for_organisation(organisation)
        .select_related("organisation", "timescale")
        .prefetch_related("points", "annotations", "phases")  # each in its model's date order
        .filter(code=code)
        .first()
    )
    if measure is None:
        raise not_found("measure")
    return measure


def not_found(what: str) -> ApiProblem:
    return ApiProblem(404, "not_found", f"No such {what}", f"There is no {what} with this code in your organisation.")


# Aims -----------------------------------------------------------------------------------------


def aim_queryset(organisation: Organisation, *, status: str = "", kind: str = "") -> QuerySet[Aim]:
    aims = (
        Aim.objects.for_organisation(organisation)
        .select_related("outcome_measure")
        .prefetch_related(Prefetch("measures", queryset=Measure.objects.only("id", "code")))
        .order_by("status", "title", "pk")
    )
    if status:
        aims = aims.filter(status=status)
    if kind:
        aims = aims.filter(kind=kind)
    return aims


def aim_out(aim: Aim) -> dict[str, Any]:
    return {
        "code": aim.code,
        "title": aim.title,
        "kind": aim.kind,
        "status": aim.status,
        "statement": aim.statement,
        "population": aim.population,
        "improvement": aim.improvement,
        "baseline_value": aim.baseline_value,
        "baseline_label": aim.baseline_label,
        "target_value": aim.target_value,
        "unit": aim.unit,
        "start_date": aim.start_date,
        "by_date": aim.by_date,
        "progress_score": aim.progress_score or None,
        "progress_description": DESCRIPTIONS.get(aim.progress_score) if aim.progress_score else None,
        "outcome_measure": aim.outcome_measure.code if aim.outcome_measure_id else None,
        "measures": [measure.code for measure in aim.measures.all()],
        "last_reviewed": aim.last_reviewed,
        "version": aim.version,
        "updated_at": aim.updated_at,
        "url": reverse("api_v1:aim_detail", args=[aim.code]),
    }


# Pathway and timescales -------------------------------------------------------------------------


def pathway_out(organisation: Organisation) -> dict[str, Any]:
    pathway_ensure_defaults(organisation)  # as the pathway page does, for organisations made in admin
    milestones = Milestone.objects.for_organisation(organisation).order_by("order")
    return {
        "milestones": [_milestone_out(milestone) for milestone in milestones],
        "routes": [{"code": route.value, "label": route.label} for route in Route],
    }


def _milestone_out(milestone: Milestone) -> dict[str, Any]:
    return {"code": milestone.code, "name": milestone.name, "order": milestone.order, "active": milestone.active}


def timescale_queryset(organisation: Organisation) -> QuerySet[Timescale]:
    pathway_ensure_defaults(organisation)
    return (
        Timescale.objects.for_organisation(organisation)
        .select_related("from_milestone", "to_milestone")
        .prefetch_related(Prefetch("measures", queryset=Measure.objects.filter(archived=False).order_by("derivation")))
        .order_by("from_milestone__order", "to_milestone__order", "pk")
    )


def timescale_out(timescale: Timescale) -> dict[str, Any]:
    return {
        "code": timescale.code,
        "name": str(timescale),
        "from_milestone": _milestone_out(timescale.from_milestone),
        "to_milestone": _milestone_out(timescale.to_milestone),
        "target_days": timescale.target_days,
        "basis": timescale.basis,
        "active": timescale.active,
        "measures": [
            {
                "code": measure.code,
                "derivation": measure.derivation,
                "url": reverse("api_v1:measure_detail", args=[measure.code]),
            }
            for measure in timescale.measures.all()
        ],
    }


# Imports --------------------------------------------------------------------------------------


def import_queryset(
    organisation: Organisation,
    *,
    status: str = "",
    created_from: datetime.date | None = None,
    created_to: datetime.date | None = None,
) -> QuerySet[MilestoneImport]:
    imports = (
        MilestoneImport.objects.for_organisation(organisation)
        .select_related("api_batch__key")
        .defer("problems", "preview")
        .order_by("-created_at", "-pk")
    )
    if status:
        imports = imports.filter(status=status)
    if created_from:
        imports = imports.filter(created_at__date__gte=created_from)
    if created_to:
        imports = imports.filter(created_at__date__lte=created_to)
    return imports


def _batch_of(milestone_import: MilestoneImport):
    try:
        return milestone_import.api_batch
    except MilestoneImport.api_batch.RelatedObjectDoesNotExist:
        return None


def import_out(milestone_import: MilestoneImport) -> dict[str, Any]:
    batch = _batch_of(milestone_import)
    return {
        "code": milestone_import.code,
        "status": milestone_import.status,
        "status_label": milestone_import.get_status_display(),
        "source": "api" if batch else "upload",
        "api_key": batch.key.name if batch else None,
        "name": milestone_import.original_name,
        "layout": milestone_import.layout,
        "rows": milestone_import.rows,
        "new_children": milestone_import.new_children,
        "updated_children": milestone_import.updated_children,
        "unchanged_children": milestone_import.unchanged_children,
        "error_rows": milestone_import.error_rows,
        "warning_count": milestone_import.warning_count,
        "progress": milestone_import.progress,
        "progress_message": milestone_import.progress_message,
        "error_message": milestone_import.error_message,
        "created_at": milestone_import.created_at,
        "committed_at": milestone_import.committed_at,
        "rolled_back_at": milestone_import.rolled_back_at,
        "url": reverse("api_v1:import_detail", args=[milestone_import.code]),
    }


def import_detail_out(milestone_import: MilestoneImport) -> dict[str, Any]:
    batch = _batch_of(milestone_import)
    layout = batch.layout if batch else ""
    problems = list(milestone_import.problems or [])[:MAX_PROBLEMS_SHOWN]
    return {
        **import_out(milestone_import),
        "problems": [row_problem(problem, layout) for problem in problems],
        # All of them: only the first are kept with their rows (the import service caps them).
        "problem_count": milestone_import.error_count + milestone_import.warning_count,
    }


def row_problem(problem: dict[str, Any], layout: str) -> dict[str, Any]:
    """A stored import problem as the API reports it: the spreadsheet row it would be on, and,
    for a batch pushed through the API, the item's index and a pointer to the field."""
    row = problem.get("row")
    column = problem.get("column")
    index = row - 2 if (layout and row is not None) else None
    pointer = None
    if index is not None and column:
        if layout == "records":
            pointer = json_pointer(["records", index, column])
        elif column in ("child_ref", "route"):
            pointer = json_pointer(["children", index, column])
        else:
            pointer = json_pointer(["children", index, "dates", column])
    return {
        "row": row,
        "index": index,
        "pointer": pointer,
        "column": column,
        "value": str(problem.get("value", "")),
        "reason": problem.get("reason", ""),
        "severity": problem.get("severity", "error"),
        "code": problem.get("code", ""),
    }
