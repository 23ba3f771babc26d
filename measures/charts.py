"""The chart component: one measure's data, analysed and shaped for plotly.

`chart_payload` is pure (no database access): give it a measure, its points, annotations and
phases (already fetched) and it returns a JSON-serialisable dict that static/js/measure_chart.js
draws and templates/measures/includes/chart_card.html describes. Aims, PDSA and governance
pages embed a measure's chart through `measures.selectors.measure_chart_data`.
"""

from __future__ import annotations

import copy
import datetime
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlsplit

from django.urls import Resolver404, resolve

from measures import disclosure
from measures.analysis import (
    ChartSuggestion,
    ControlChartResult,
    LaneyResult,
    PhaseResult,
    chart_by_phase,
    suggest_chart,
    variation_icon,
)
from measures.models import Annotation, DataPoint, Measure, Phase
from measures.readings import (
    ASSURANCE_LABELS,
    SIGNAL_NAMES,
    VARIATION_LABELS,
    chart_reading,
    period_label,
    point_signals,
    shown_signals,
)
from pace_hub.dates import day_text

# Charts whose limits change with each point's denominator or exposure: drawn as steps.
STEP_CHARTS = {Measure.Chart.P, Measure.Chart.P_PRIME, Measure.Chart.U, Measure.Chart.U_PRIME}
# Charts that read a numerator (or count) over a denominator (or exposure) at every point.
PAIRED_CHARTS = STEP_CHARTS
# The charts a measure's data can be shown as, by the kind of data its chart type needs.
CHARTS_FOR_DATA = {
    "value": [Measure.Chart.RUN, Measure.Chart.XMR],
    "count": [Measure.Chart.RUN, Measure.Chart.XMR, Measure.Chart.C],
    "event": [Measure.Chart.RUN, Measure.Chart.XMR, Measure.Chart.G, Measure.Chart.T],
    "proportion": [Measure.Chart.RUN, Measure.Chart.XMR, Measure.Chart.P, Measure.Chart.P_PRIME],
    "rate": [Measure.Chart.RUN, Measure.Chart.XMR, Measure.Chart.U, Measure.Chart.U_PRIME],
}


def point_value(point: DataPoint, measure: Measure | None = None) -> float | None:
    """The plotted value: the value entered, or the percentage from numerator/denominator; for
    a rate measure (U and U′ charts), count / exposure per the measure's `rate_per`."""
    if measure is not None and measure.data_kind == "rate":
        if point.numerator is not None and point.denominator:
            return measure.rate_per * point.numerator / point.denominator
        return None
    if point.value is not None:
        return point.value
    if point.numerator is not None and point.denominator:
        return 100 * point.numerator / point.denominator
    return None


def has_proportions(points: Sequence[DataPoint]) -> bool:
    return any(point.numerator is not None and point.denominator for point in points)


def available_charts(measure: Measure, points: Sequence[DataPoint]) -> list[tuple[str, str]]:
    """The chart types this measure's data can be drawn as, for the "Show as" choice: those of
    its data kind, less those needing numerators and denominators the data do not have."""
    paired = has_proportions(points)
    kind = measure.data_kind
    if kind == "value" and paired:
        kind = "proportion"
    return [(chart.value, chart.label) for chart in CHARTS_FOR_DATA[kind] if paired or chart not in PAIRED_CHARTS]


def chart_scale(measure: Measure, chart: str) -> float:
    """What the engine's numbers are multiplied by to be drawn: 100 for a proportion (a
    percentage), the measure's `rate_per` for a rate, 1 otherwise."""
    if chart in (Measure.Chart.P, Measure.Chart.P_PRIME):
        return 100.0
    if chart in (Measure.Chart.U, Measure.Chart.U_PRIME):
        return float(measure.rate_per)
    return 1.0


def format_number(value: float | None, unit: str = "") -> str:
    if value is None:
        return "—"
    text = f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"
    if unit == "%":
        return f"{text}%"
    return f"{text} {unit}".strip()


def phase_starts(points: Sequence[DataPoint], phases: Sequence[Phase]) -> list[tuple[int, Phase]]:
    """Where each recorded phase begins: the first point on or after its start date.

    A phase that would begin at the first point, after the last, or at the same point as an
    earlier one has no points of its own and is left out.
    """
    starts: list[tuple[int, Phase]] = []
    for phase in sorted(phases, key=lambda phase: phase.start):
        index = next((i for i, point in enumerate(points) if point.period >= phase.start), None)
        if index is None or index == 0 or (starts and starts[-1][0] >= index):
            continue
        starts.append((index, phase))
    return starts


def analyse(measure: Measure, points: Sequence[DataPoint], phases: Sequence[Phase], chart: str) -> list[PhaseResult]:
    """Run the engine over the points, phase by phase."""
    starts = phase_starts(points, phases)
    baselines = [measure.baseline_points] + [phase.baseline_points for _, phase in starts]
    better = measure.better
    if chart in PAIRED_CHARTS:
        # A provisional month is drawn but counts in no rule until it settles (DESIGN.md §3).
        numerators = [None if point.provisional else point.numerator for point in points]
        denominators = [point.denominator for point in points]
        # The target is given as drawn (a percentage, a rate per rate_per); the engine's scale is 1.
        target = None if measure.target is None else measure.target / chart_scale(measure, chart)
        return chart_by_phase(
            numerators,
            [index for index, _ in starts],
            chart,
            baselines,
            denominators=denominators,
            better=better,
            target=target,
        )
    values = [None if point.provisional else point_value(point, measure) for point in points]
    options: dict[str, Any] = {"better": better}
    if chart != Measure.Chart.RUN:
        options["target"] = measure.target
    return chart_by_phase(values, [index for index, _ in starts], chart, baselines, **options)


def _per_point(value: Any, length: int) -> list:
    return value if isinstance(value, list) else [value] * length


def _scaled(values: list[float | None], factor: float) -> list[float | None]:
    return [None if value is None else value * factor for value in values]


def _line(value: Any, length: int, scale: float) -> list[float | None] | None:
    """A line as one value per position of the phase, on the drawn scale (None: no line)."""
    if value is None or (isinstance(value, list) and all(item is None for item in value)):
        return None
    return _scaled(_per_point(value, length), scale)


def _phase_lines(phase: PhaseResult, chart: str, baseline: int | None, scale: float) -> dict[str, Any]:
    result = phase.result
    length = phase.stop - phase.offset
    if isinstance(result, ControlChartResult):
        # The §4b charts freeze their baseline on the first N present points (DESIGN.md §4b).
        stop = result.baseline_stop if result.baseline_points else phase.stop
    else:
        stop = phase.stop if baseline is None else min(phase.offset + baseline, phase.stop)
    centre = _scaled(_per_point(result.centre, length), scale)
    if chart == Measure.Chart.RUN:
        lines = {"ucl": None, "lcl": None, "sigma2_upper": None, "sigma2_lower": None}
    else:
        lines = {
            "ucl": _line(result.ucl, length, scale),
            "lcl": _line(result.lcl, length, scale),
            "sigma2_upper": _line(result.sigma2_upper, length, scale),
            "sigma2_lower": _line(result.sigma2_lower, length, scale),
        }
    if lines["ucl"] is None:
        lines["lcl"] = None
    return {
        "centre": centre,
        **lines,
        "offset": phase.offset,
        "stop": phase.stop,
        "baseline_stop": stop,
        "trial_limits": getattr(result, "trial_limits", False),
        "sigma_z": result.sigma_z if isinstance(result, LaneyResult) else None,
    }


def chart_type_for(measure: Measure, points: Sequence[DataPoint], chart: str | None = None) -> str:
    """The chart to draw: the one asked for if the data allow it, else the measure's own. A
    chart that needs numerators and denominators falls back to a run chart without them."""
    wanted = chart if chart in Measure.Chart.values else measure.chart
    if wanted in PAIRED_CHARTS and not has_proportions(points):
        return Measure.Chart.RUN
    return wanted


def _unit(measure: Measure, chart: str) -> str:
    if chart in (Measure.Chart.P, Measure.Chart.P_PRIME):
        return "%"
    if chart in (Measure.Chart.U, Measure.Chart.U_PRIME) or measure.data_kind == "rate":
        return measure.unit or f"per {measure.rate_per:,}"
    return measure.unit


def _y_title(measure: Measure, chart: str) -> str:
    if chart in (Measure.Chart.P, Measure.Chart.P_PRIME):
        return "Percentage (%)"
    if measure.unit:
        return measure.unit
    if chart in (Measure.Chart.U, Measure.Chart.U_PRIME) or measure.data_kind == "rate":
        return f"Rate per {measure.rate_per:,}"
    if chart == Measure.Chart.C:
        return "Count"
    if chart in (Measure.Chart.G, Measure.Chart.T) or measure.data_kind == "event":
        return "Between events"
    return "Value"


def y_from_zero(measure: Measure, chart: str) -> bool:
    """Whether the y-axis starts at 0: for counts, percentages, rates, gaps between events and
    the timescales derived from milestone data (children, days, % — never below 0). A run or
    XmR chart of a value entered by hand keeps an axis fitted to its data."""
    if chart not in (Measure.Chart.RUN, Measure.Chart.XMR):
        return True
    return measure.data_kind != "value" or measure.unit == "%" or measure.source == Measure.Source.DERIVED


def link_text(link: str) -> str:
    """What an annotation's link opens, in words, for its link text ("the PDSA cycle")."""
    parts = urlsplit(link)
    if parts.scheme in ("http", "https") and parts.netloc:
        return f"the page on {parts.netloc}"
    try:
        name = resolve(parts.path).url_name
    except Resolver404:
        return "the linked page"
    return LINKED_PAGES.get(name or "", "the linked page in PACE Hub")


LINKED_PAGES = {
    "cycle_detail": "the PDSA cycle",
    "implementation_detail": "the implementation",
    "change_idea_detail": "the change idea",
    "aim_detail": "the aim",
    "measure_detail": "the measure",
}


def annotation_items(annotations: Sequence[Annotation]) -> list[dict[str, Any]]:
    """The annotations in date order, as the chart, its list and its reports show them."""
    return [
        {
            "x": annotation.date.isoformat(),
            "label": day_text(annotation.date),
            "text": annotation.text,
            "link": annotation.link,
            "link_text": link_text(annotation.link) if annotation.link else "",
            # The code of a stored annotation (to remove it from the list); none for an unsaved one.
            "code": "" if annotation._state.adding else str(annotation.code),
        }
        for annotation in sorted(annotations, key=lambda annotation: annotation.date)
    ]


def group_annotations(items: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """One marker per date: the annotations (from `annotation_items`) on the same day grouped,
    numbered in date order, each with the texts its hover (or focus) shows. Each item is given
    the position of its marker (`marker`), for the list under the chart."""
    groups: list[dict[str, Any]] = []
    for item in sorted(items, key=lambda item: item["x"]):
        if groups and groups[-1]["x"] == item["x"]:
            groups[-1]["texts"].append(item["text"])
        else:
            groups.append({"number": len(groups) + 1, "x": item["x"], "label": item["label"], "texts": [item["text"]]})
        item["marker"] = len(groups) - 1
    for group in groups:
        group["count"] = len(group["texts"])
    return groups


def _pair_labels(measure: Measure, chart: str) -> tuple[str, str]:
    """What the numerator and denominator columns are called for this measure."""
    if chart in (Measure.Chart.U, Measure.Chart.U_PRIME) or measure.data_kind == "rate":
        return "Count", "Exposure"
    return "Numerator", "Denominator"


def chart_payload(
    measure: Measure,
    points: Sequence[DataPoint],
    annotations: Sequence[Annotation] = (),
    phases: Sequence[Phase] = (),
    *,
    chart: str | None = None,
    hide_small_counts: bool = False,
) -> dict[str, Any]:
    """Everything the chart, its reading and its table need, as plain JSON-ready data.

    `points` must be in period order. `chart` (any Measure.Chart value) overrides the
    measure's chart type for this drawing; a chart that needs numerators and denominators (P,
    P′, U, U′) falls back to a run chart without them.

    Every chart type fills the same keys: `points` (x, label, y on the drawn scale, numerator,
    denominator, signal, improvement, …), `phases` (per phase: `centre`, `ucl`, `lcl`,
    `sigma2_upper`, `sigma2_lower` — one value per position of the phase, None where a line
    is not drawn —, offset, stop, baseline_stop, trial_limits, and the recorded `start` and
    `baseline_points`), `signals`, `annotations` (one per annotation) and `annotation_markers`
    (one per date), `reading` and the icons. `step_lines` says the limits vary point by point
    (draw "hvh"); `y_from_zero` that the y-axis starts at 0.

    ``hide_small_counts`` (people who may not see child-level data, measures.disclosure): the
    values describing 1–4 children are withheld *before* the analysis, so that no line, signal,
    icon or sentence is worked out from them; they are listed in `withheld` (spans to shade,
    labelled "<5") and their points carry ``suppressed``.
    """
    points = list(points)
    chart = chart_type_for(measure, points, chart)
    hidden = disclosure.withheld_positions(measure, points) if hide_small_counts else set()
    if hidden:
        points = [_without_values(point) if index in hidden else point for index, point in enumerate(points)]
    labels = [period_label(point.period, measure.period) for point in points]
    unit = _unit(measure, chart)
    numerator_label, denominator_label = _pair_labels(measure, chart)
    items = annotation_items(annotations)
    payload: dict[str, Any] = {
        "title": measure.title,
        "chart": chart,
        "chart_label": Measure.Chart(chart).label,
        "better": measure.better,
        "unit": unit,
        "y_title": _y_title(measure, chart),
        "target": measure.target,
        "rule_profile": measure.rule_profile,
        "centre_name": centre_name(chart),
        # Limits that vary point by point are drawn as steps; counts and percentages start at 0.
        "step_lines": chart in STEP_CHARTS,
        "y_from_zero": y_from_zero(measure, chart),
        "per_event": measure.period == Measure.Period.EVENT,
        "numerator_label": numerator_label,
        "denominator_label": denominator_label,
        "points": [],
        "phases": [],
        "signals": [],
        "annotations": items,
        "annotation_markers": group_annotations(items),
        "withheld": [],
        "small_counts_hidden": hide_small_counts and measure.source == Measure.Source.DERIVED,
        "reading": [],
        "variation": None,
        "assurance": None,
        "suggestion": None,
        "error": None,
    }
    if not points:
        payload["reading"] = ["No data yet."]
        return payload
    try:
        results = analyse(measure, points, phases, chart)
    except ValueError as error:
        # Only hand-edited or derived data can get here: entry forms refuse such values.
        payload["error"] = f"These data cannot be charted as a {Measure.Chart(chart).label}: {error}."
        results = analyse(measure, points, phases, Measure.Chart.RUN)
        chart = payload["chart"] = Measure.Chart.RUN
        payload["chart_label"] = Measure.Chart.RUN.label
        payload["centre_name"] = "median"
        payload["step_lines"] = False
        payload["y_from_zero"] = y_from_zero(measure, chart)
    scale = chart_scale(measure, chart)
    starts = phase_starts(points, phases)
    recorded = [None, *[phase for _, phase in starts]]

    shown = shown_signals(results, chart, measure.rule_profile)
    flagged = point_signals(shown, len(points))
    instead = disclosure.shown_instead(measure)
    for index, point in enumerate(points):
        signal = flagged[index]
        entry = {
            "x": point.period.isoformat(),
            "label": labels[index],
            "y": point_value(point, measure),
            "numerator": point.numerator,
            "denominator": point.denominator,
            "note": point.note,
            "provisional": point.provisional,
            "astronomical": point.astronomical,
            "signal": signal.kind if signal else None,
            "improvement": signal.improvement if signal else None,
        }
        if payload["small_counts_hidden"]:
            # Cohort sizes are never shown (DESIGN.md §1); notes of derived points quote them.
            suppressed = index in hidden
            entry |= {
                "numerator": None,
                "denominator": None,
                "note": disclosure.WITHHELD_NOTE if suppressed else "",
                "suppressed": suppressed,
                "shown_instead": instead if suppressed else "",
            }
        payload["points"].append(entry)
    for number, phase in enumerate(results):
        record = recorded[number]
        baseline = measure.baseline_points if record is None else record.baseline_points
        payload["phases"].append(
            {
                **_phase_lines(phase, chart, baseline, scale),
                "label": f"Phase {number + 1}" if len(results) > 1 else "",
                "reason": record.reason if record else "",
                "start": record.start.isoformat() if record else None,
                "baseline_points": baseline,
            }
        )
    payload["signals"] = [
        {
            "kind": item.signal.kind,
            "name": SIGNAL_NAMES[item.signal.kind],
            "start": item.signal.start,
            "end": item.signal.end,
            "points": list(item.signal.points),
            "direction": item.signal.direction,
            "improvement": item.signal.improvement,
            "phase": item.phase,
        }
        for item in shown
    ]
    payload["withheld"] = withheld_spans(payload["points"])

    latest = results[-1].result
    if _anhoj_run(chart, measure):
        # Under the Anhøj rules only the shown signals (unusually long runs) count.
        variation = _variation_from(flagged, latest.last_index)
    else:
        variation = variation_icon(latest, measure.better)
    assurance = None if chart == "run" else latest.assurance
    payload["variation"] = {"code": variation, "label": VARIATION_LABELS[variation]} if variation else None
    payload["assurance"] = {"code": assurance, "label": ASSURANCE_LABELS[assurance]} if assurance else None
    payload["reading"] = chart_reading(
        chart=chart,
        phases=results,
        labels=labels,
        rule_profile=measure.rule_profile,
        assurance=assurance,
        target_text=format_number(measure.target, unit),
        astronomical=[index for index, point in enumerate(points) if point.astronomical],
        values=[point["y"] for point in payload["points"]],
        unit=unit,
        event_name=measure.event_name,
        target=measure.target,
        better=measure.better,
        provisional=[index for index, point in enumerate(points) if point.provisional],
        withheld=sorted(hidden),
        withheld_text=instead,
    )
    payload["suggestion"] = phase_suggestion(results, points, shown, measure.period)
    return payload


def _without_values(point: DataPoint) -> DataPoint:
    """A copy of the point with nothing to analyse or draw: a withheld small count."""
    point = copy.copy(point)
    point.value = point.numerator = point.denominator = None
    point.note = ""
    return point


def withheld_spans(points: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """The runs of consecutive withheld points, as x-ranges to shade: from halfway to the
    point before to halfway to the point after (15 days either side at the ends), each with
    its label ("<5" for a count of children, "n<5" for a median or % of fewer than 5)."""
    dates = [datetime.date.fromisoformat(point["x"]) for point in points]
    spans: list[dict[str, Any]] = []
    for index, point in enumerate(points):
        if not point.get("suppressed"):
            continue
        before = dates[index] - (dates[index] - dates[index - 1]) / 2 if index else dates[index] - HALF_PERIOD
        after = dates[index] + (dates[index + 1] - dates[index]) / 2 if index + 1 < len(points) else None
        after = after or dates[index] + HALF_PERIOD
        if spans and spans[-1]["last"] == index - 1:
            spans[-1] |= {"x1": after.isoformat(), "last": index}
            spans[-1]["periods"].append(point["label"])
            continue
        spans.append(
            {
                "x0": before.isoformat(),
                "x1": after.isoformat(),
                "first": index,
                "last": index,
                "label": "<5" if point.get("shown_instead") == disclosure.SMALL_COUNT_TEXT else "n<5",
                "periods": [point["label"]],
            }
        )
    return spans


HALF_PERIOD = datetime.timedelta(days=15)


def centre_name(chart: str) -> str:
    """What the centre line is called: the median on run and G charts, the mean elsewhere."""
    return "median" if chart in (Measure.Chart.RUN, Measure.Chart.G) else "mean"


def _variation_from(flagged: list, last_index: int | None) -> str | None:
    """The variation icon from the shown signal at the last point, if any."""
    if last_index is None:
        return None
    signal = flagged[last_index]
    if signal is None:
        return "common_cause"
    return {True: "special_cause_improving", False: "special_cause_concerning"}.get(
        signal.improvement, "special_cause_neither"
    )


def _anhoj_run(chart: str, measure: Measure) -> bool:
    return chart == "run" and measure.rule_profile == Measure.RuleProfile.ANHOJ


def phase_suggestion(
    results: list[PhaseResult], points: Sequence[DataPoint], shown: list, frequency: str = "month"
) -> dict[str, Any] | None:
    """Suggest a new phase when the latest phase holds a sustained shift.

    The app never rebases by itself: this only proposes the shift's first period as the start
    of a new phase, and a person confirms it with a reason.
    """
    latest = len(results) - 1
    shifts = [item.signal for item in shown if item.phase == latest and item.signal.kind == "shift"]
    if not shifts:
        return None
    shift = max(shifts, key=lambda signal: signal.start)
    if shift.start <= results[latest].offset:
        return None
    start: datetime.date = points[shift.start].period
    side = "above" if shift.direction == "high" else "below"
    label = period_label(start, frequency)
    return {
        "start": start.isoformat(),
        "label": label,
        "text": f"A sustained shift {side} the centre line began in {label}.",
    }


def table_rows(payload: dict[str, Any]) -> list[dict[str, Any]]:
    """The chart's data as rows for its accessible table view."""
    rows = []
    centres: list[float | None] = []
    for phase in payload["phases"]:
        centres.extend(phase["centre"])
    for index, point in enumerate(payload["points"]):
        signal = point["signal"]
        rows.append(
            {
                **point,
                "centre": centres[index] if index < len(centres) else None,
                "signal_text": (
                    f"{SIGNAL_NAMES[signal]} ({'improvement' if point['improvement'] else 'concern'})"
                    if signal and point["improvement"] is not None
                    else (SIGNAL_NAMES[signal] if signal else "")
                ),
            }
        )
    return rows


def chart_suggestion(
    *,
    chart: str | None,
    denominator_text: str,
    unit: str,
    period: str,
    baseline: int | None,
    points: Sequence[DataPoint] = (),
) -> ChartSuggestion:
    """The chart chooser for a measure being defined (DESIGN.md §4b): the suggested chart, why,
    and warnings about the chart chosen, from the definition and the points stored so far."""
    points = [point for point in points if not point.provisional]
    paired = [point for point in points if point.numerator is not None and point.denominator]
    return suggest_chart(
        chosen=chart if chart in Measure.Chart.values else None,
        denominator_defined=bool(denominator_text.strip()),
        unit=unit,
        per_event=period == Measure.Period.EVENT,
        values=[point.value for point in points] if not paired else [],
        numerators=[point.numerator for point in paired],
        denominators=[point.denominator for point in paired],
        baseline=baseline,
    )


def mask_payload(measure: Measure, payload: dict[str, Any]) -> dict[str, Any]:
    """The chart payload as people without child-level access may see it (a new payload; the
    input is left as it was): drawn again from the payload's own points with the small groups
    withheld before the analysis (see `chart_payload(hide_small_counts=True)`)."""
    if measure.source != Measure.Source.DERIVED or payload.get("small_counts_hidden"):
        return payload
    points = [
        DataPoint(
            measure=measure,
            period=datetime.date.fromisoformat(point["x"]),
            # The value as drawn: the engine reads numerators and denominators where it needs them.
            value=None if measure.data_kind == "rate" else point["y"],
            numerator=point["numerator"],
            denominator=point["denominator"],
            note=point["note"],
            provisional=point["provisional"],
            astronomical=point["astronomical"],
        )
        for point in payload["points"]
    ]
    phases = [
        Phase(
            measure=measure,
            start=datetime.date.fromisoformat(phase["start"]),
            baseline_points=phase["baseline_points"],
            reason=phase["reason"],
        )
        for phase in payload["phases"][1:]
    ]
    masked = chart_payload(measure, points, (), phases, chart=payload["chart"], hide_small_counts=True)
    # Annotations are not data about children: kept as they were (with their codes).
    masked["annotations"] = payload["annotations"]
    masked["annotation_markers"] = payload["annotation_markers"]
    if payload["error"]:
        masked["error"] = payload["error"]
    return masked
