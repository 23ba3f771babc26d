"""The chart component: one measure's data, analysed and shaped for plotly.

`chart_payload` is pure (no database access): give it a measure, its points, annotations and
phases (already fetched) and it returns a JSON-serialisable dict that static/js/measure_chart.js
draws and templates/measures/includes/chart_card.html describes. Aims, PDSA and governance
pages embed a measure's chart through `measures.selectors.measure_chart_data`.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any

from measures.analysis import PhaseResult, chart_by_phase, variation_icon
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


def point_value(point: DataPoint) -> float | None:
    """The plotted value: the value entered, or the percentage from numerator/denominator."""
    if point.value is not None:
        return point.value
    if point.numerator is not None and point.denominator:
        return 100 * point.numerator / point.denominator
    return None


def has_proportions(points: Sequence[DataPoint]) -> bool:
    return any(point.numerator is not None and point.denominator for point in points)


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
    if chart == "p":
        # A provisional month is drawn but counts in no rule until it settles (DESIGN.md §3).
        numerators = [None if point.provisional else point.numerator for point in points]
        denominators = [point.denominator for point in points]
        target = None if measure.target is None else measure.target / 100
        return chart_by_phase(
            numerators,
            [index for index, _ in starts],
            "p",
            baselines,
            denominators=denominators,
            better=better,
            target=target,
        )
    values = [None if point.provisional else point_value(point) for point in points]
    options: dict[str, Any] = {"better": better}
    if chart == "xmr":
        options["target"] = measure.target
    return chart_by_phase(values, [index for index, _ in starts], chart, baselines, **options)


def _per_point(value: Any, length: int) -> list:
    return value if isinstance(value, list) else [value] * length


def _scaled(values: list[float | None], factor: float) -> list[float | None]:
    return [None if value is None else value * factor for value in values]


def _phase_lines(phase: PhaseResult, chart: str, baseline: int | None) -> dict[str, Any]:
    result = phase.result
    length = phase.stop - phase.offset
    stop = phase.stop if baseline is None else min(phase.offset + baseline, phase.stop)
    if chart == "run":
        lines = {"centre": _per_point(result.centre, length), "ucl": None, "lcl": None}
    elif chart == "xmr":
        lines = {
            "centre": _per_point(result.centre, length),
            "ucl": _per_point(result.ucl, length),
            "lcl": _per_point(result.lcl, length),
        }
    else:
        lines = {
            "centre": _scaled(_per_point(result.centre, length), 100),
            "ucl": _scaled(result.ucl, 100),
            "lcl": _scaled(result.lcl, 100),
        }
    return {
        **lines,
        "offset": phase.offset,
        "stop": phase.stop,
        "baseline_stop": stop,
        "trial_limits": getattr(result, "trial_limits", False),
    }


def chart_type_for(measure: Measure, points: Sequence[DataPoint], chart: str | None = None) -> str:
    """The chart to draw: the one asked for if the data allow it, else the measure's own."""
    wanted = chart if chart in Measure.Chart.values else measure.chart
    if wanted == Measure.Chart.P and not has_proportions(points):
        return Measure.Chart.RUN
    return wanted


def chart_payload(
    measure: Measure,
    points: Sequence[DataPoint],
    annotations: Sequence[Annotation] = (),
    phases: Sequence[Phase] = (),
    *,
    chart: str | None = None,
) -> dict[str, Any]:
    """Everything the chart, its reading and its table need, as plain JSON-ready data.

    `points` must be in period order. `chart` ("run", "xmr" or "p") overrides the measure's
    chart type for this drawing; a P chart without numerators and denominators falls back to
    a run chart.
    """
    points = list(points)
    chart = chart_type_for(measure, points, chart)
    labels = [period_label(point.period, measure.period) for point in points]
    unit = "%" if chart == "p" else measure.unit
    payload: dict[str, Any] = {
        "title": measure.title,
        "chart": chart,
        "chart_label": Measure.Chart(chart).label,
        "better": measure.better,
        "unit": unit,
        "y_title": "Percentage (%)" if chart == "p" else (measure.unit or "Value"),
        "target": measure.target,
        "rule_profile": measure.rule_profile,
        "centre_name": "median" if chart == "run" else "mean",
        "points": [],
        "phases": [],
        "signals": [],
        "annotations": [
            {
                "x": annotation.date.isoformat(),
                "label": f"{annotation.date.day} {annotation.date:%B %Y}",
                "text": annotation.text,
                "link": annotation.link,
            }
            for annotation in sorted(annotations, key=lambda annotation: annotation.date)
        ],
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
    starts = phase_starts(points, phases)
    recorded = [None, *[phase for _, phase in starts]]

    shown = shown_signals(results, chart, measure.rule_profile)
    flagged = point_signals(shown, len(points))
    for index, point in enumerate(points):
        signal = flagged[index]
        payload["points"].append(
            {
                "x": point.period.isoformat(),
                "label": labels[index],
                "y": point_value(point),
                "numerator": point.numerator,
                "denominator": point.denominator,
                "note": point.note,
                "provisional": point.provisional,
                "astronomical": point.astronomical,
                "signal": signal.kind if signal else None,
                "improvement": signal.improvement if signal else None,
            }
        )
    for number, phase in enumerate(results):
        record = recorded[number]
        baseline = measure.baseline_points if record is None else record.baseline_points
        payload["phases"].append(
            {
                **_phase_lines(phase, chart, baseline),
                "label": f"Phase {number + 1}" if len(results) > 1 else "",
                "reason": record.reason if record else "",
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
    )
    payload["suggestion"] = phase_suggestion(results, points, shown, measure.period)
    return payload


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
