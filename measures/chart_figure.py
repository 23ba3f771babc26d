"""A measure's chart payload as a plotly figure, for drawing on the server (reports, PDFs).

`chart_figure(payload)` takes the very payload the web chart draws (measures.charts.chart_payload,
after measures.charts.mask_payload for people who may not see small counts) and builds the
same picture static/js/measure_chart.js builds in the browser: the values joined phase by phase,
the centre line (solid over its baseline, dashed where it is extended), control limits, the
target, signal points by shape and colour, phase boundaries and annotation markers (one
numbered triangle per date on the x-axis, numbered as the report lists them). Points withheld as
small counts are shaded bands labelled "<5" (or "n<5") instead of being drawn (never as 0), and
the line breaks there; counts and percentages are drawn on an axis from 0.

Pure: no database, no plotly import; the result is a plain figure dict that kaleido (or
plotly.graph_objects.Figure) accepts. Each trace carries a ``uid`` naming what it draws
("centre-0", "ucl-1", "points-improvement", …), which plotly writes into the SVG's classes.
"""

from __future__ import annotations

import datetime
import math
from typing import Any

from measures.charts import format_number

COLOURS = {
    "line": "#1d3f6e",
    "point": "#1d3f6e",
    "improvement": "#0b5cad",
    "concern": "#a33f00",
    "neither": "#6f42c1",
    "centre": "#3d3d3d",
    "limit": "#6c757d",
    "target": "#146c43",
    "annotation": "#5a5a5a",
    "phase": "#212529",
    "suppressed": "#343a40",
    "withheld": "rgba(73, 80, 87, 0.14)",
}
# Shapes as well as colours, so that signals never rely on colour alone (as on the web chart).
SYMBOLS = {"improvement": "diamond", "concern": "square", "neither": "triangle-up", "normal": "circle"}
POINT_NAMES = {
    "normal": "Data",
    "improvement": "Signal: improvement",
    "concern": "Signal: concern",
    "neither": "Signal",
}
FONT = "DejaVu Sans, Liberation Sans, Arial, sans-serif"
MARGIN = {"l": 64, "r": 20, "t": 34, "b": 90}
X_PADDING = datetime.timedelta(days=15)
Y_PADDING = 0.08


def signal_class(point: dict[str, Any]) -> str:
    if not point["signal"]:
        return "normal"
    if point["improvement"] is True:
        return "improvement"
    if point["improvement"] is False:
        return "concern"
    return "neither"


def _line(xs: list, ys: list, uid: str, name: str, colour: str, dash: str, shape: str, legend: bool) -> dict:
    return {
        "type": "scatter",
        "mode": "lines",
        "uid": uid,
        "x": xs,
        "y": ys,
        "name": name,
        "hoverinfo": "skip",
        "line": {"color": colour, "width": 1.5, "dash": dash, "shape": shape},
        "connectgaps": False,
        "showlegend": legend,
    }


def _phase_traces(payload: dict[str, Any], xs: list[str]) -> list[dict]:
    traces = []
    centre_name = "Median" if payload["centre_name"] == "median" else "Mean"
    # Limits that vary point by point (P, P′, U, U′) are drawn as steps, as on the web.
    shape = "hvh" if _steps(payload) else "linear"
    for number, phase in enumerate(payload["phases"]):
        first = number == 0
        offset, stop, baseline_stop = phase["offset"], phase["stop"], phase["baseline_stop"]

        def local(values: list, start: int, end: int, offset: int = offset) -> list:
            return values[start - offset : end - offset]

        traces.append(
            _line(
                xs[offset:baseline_stop],
                local(phase["centre"], offset, baseline_stop),
                f"centre-{number}",
                centre_name,
                COLOURS["centre"],
                "solid",
                shape,
                first,
            )
        )
        if baseline_stop < stop:
            start = max(baseline_stop - 1, offset)
            traces.append(
                _line(
                    xs[start:stop],
                    local(phase["centre"], start, stop),
                    f"centre-extended-{number}",
                    f"{centre_name} (extended)",
                    COLOURS["centre"],
                    "dash",
                    shape,
                    first,
                )
            )
        if phase["ucl"]:
            trial = " (trial)" if phase["trial_limits"] else ""
            for side, name in (("ucl", "Upper limit"), ("lcl", "Lower limit")):
                traces.append(
                    _line(
                        xs[offset:stop],
                        phase[side],
                        f"{side}-{number}",
                        name + trial,
                        COLOURS["limit"],
                        "dot",
                        shape,
                        first,
                    )
                )
    return traces


def _point_traces(payload: dict[str, Any], xs: list[str]) -> list[dict]:
    groups: dict[str, dict[str, Any]] = {}
    for index, point in enumerate(payload["points"]):
        if point.get("suppressed"):
            continue
        kind = signal_class(point)
        key = kind + ("-open" if point["provisional"] else "") + ("-astro" if point["astronomical"] else "")
        group = groups.setdefault(
            key,
            {
                "kind": kind,
                "provisional": point["provisional"],
                "astronomical": point["astronomical"],
                "x": [],
                "y": [],
            },
        )
        group["x"].append(xs[index])
        group["y"].append(point["y"])
    traces = []
    for key in sorted(groups):
        group = groups[key]
        kind = group["kind"]
        symbol = "star" if group["astronomical"] else SYMBOLS[kind]
        if group["provisional"]:
            symbol += "-open"
        colour = COLOURS["point" if kind == "normal" else kind]
        name = (
            POINT_NAMES[kind]
            + (" (provisional)" if group["provisional"] else "")
            + (" (astronomical)" if group["astronomical"] else "")
        )
        traces.append(
            {
                "type": "scatter",
                "mode": "markers",
                "uid": f"points-{key}",
                "x": group["x"],
                "y": group["y"],
                "name": name,
                "marker": {
                    "color": colour,
                    "size": 7 if kind == "normal" else 10,
                    "symbol": symbol,
                    "line": {"width": 2 if group["provisional"] else 0, "color": colour},
                },
            }
        )
    return traces


def _steps(payload: dict[str, Any]) -> bool:
    return payload.get("step_lines", payload["chart"] == "p")


def _from_zero(payload: dict[str, Any]) -> bool:
    return payload.get("y_from_zero", payload["chart"] == "p")


def _text(text: str) -> str:
    """Plain text for plotly, which reads "<b>" and "<a href>" in labels as markup."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _present(values: list | None) -> list[float]:
    return [value for value in values or [] if value is not None and math.isfinite(value)]


def y_range(payload: dict[str, Any]) -> list[float]:
    """The y-axis range: every value, line and the target in view, with a little room."""
    values = _present([point["y"] for point in payload["points"]])
    if not values and any(point.get("suppressed") for point in payload["points"]):
        # Nothing may be drawn (every value withheld): an axis from 0 that holds the "<5" bands.
        values.append(5.0)
    for phase in payload["phases"]:
        values += _present(phase["centre"]) + _present(phase["ucl"]) + _present(phase["lcl"])
    if payload["target"] is not None:
        values.append(payload["target"])
    if _from_zero(payload):
        values.append(0.0)
    if not values:
        return [0.0, 1.0]
    low, high = min(values), max(values)
    room = (high - low) * Y_PADDING or max(abs(high) * Y_PADDING, 1.0)
    low = low - room
    if _from_zero(payload) or min(values) >= 0 > low:
        # Nothing below zero to show (counts, days, percentages): the axis starts at zero.
        low = 0.0
    return [low, high + room]


def x_range(payload: dict[str, Any]) -> list[str]:
    first = datetime.date.fromisoformat(payload["points"][0]["x"])
    last = datetime.date.fromisoformat(payload["points"][-1]["x"])
    return [(first - X_PADDING).isoformat(), (last + X_PADDING).isoformat()]


# The annotations' numbers (11 px): a line's height, and a digit's width with room to spare.
LABEL_ROW = 13
LABEL_DIGIT = 7


def label_rows(markers: list[dict[str, Any]], axis_range: list[str], plot_width: float) -> list[int]:
    """The row (0 lowest) of each marker's number above it: the lowest row in which it clears the
    numbers already there. Markers days apart would otherwise print their numbers over each
    other ("1011121314"), and the numbers are how a report's list is read against the chart."""
    start, end = (datetime.date.fromisoformat(day[:10]) for day in axis_range)
    pixels_a_day = plot_width / max((end - start).days, 1)
    right_edges: list[float] = []  # of the last number placed in each row
    rows = []
    for marker in markers:
        centre = (datetime.date.fromisoformat(marker["x"][:10]) - start).days * pixels_a_day
        half = LABEL_DIGIT * len(str(marker["number"])) / 2 + 1
        row = next((index for index, edge in enumerate(right_edges) if centre - half > edge), len(right_edges))
        if row == len(right_edges):
            right_edges.append(centre + half)
        else:
            right_edges[row] = centre + half
        rows.append(row)
    return rows


def chart_figure(payload: dict[str, Any], *, width: int = 760, height: int = 340) -> dict[str, Any]:
    """The payload's chart as a plotly figure dict (see the module docstring)."""
    points = payload["points"]
    if not points:
        raise ValueError("A chart with no data points cannot be drawn.")
    xs = [point["x"] for point in points]
    ys = [point["y"] for point in points]
    traces = []
    # The line joining the points breaks between phases: each phase is its own segment.
    for number, phase in enumerate(payload["phases"]):
        trace = _line(
            xs[phase["offset"] : phase["stop"]],
            ys[phase["offset"] : phase["stop"]],
            f"values-{number}",
            "Values",
            COLOURS["line"],
            "solid",
            "linear",
            False,
        )
        trace["line"]["width"] = 1
        # Across a missing point, but never across a withheld one.
        trace["connectgaps"] = not payload.get("withheld")
        traces.append(trace)
    traces += _phase_traces(payload, xs)
    if payload["target"] is not None:
        traces.append(
            _line(
                [xs[0], xs[-1]],
                [payload["target"], payload["target"]],
                "target",
                _text(f"Target ({format_number(payload['target'], payload['unit'])})"),
                COLOURS["target"],
                "longdash",
                "linear",
                True,
            )
        )
    traces += _point_traces(payload, xs)
    markers = annotation_markers(payload)
    if markers:
        traces.append(markers)

    shapes: list[dict] = []
    annotations: list[dict] = []
    for number, phase in enumerate(payload["phases"]):
        if number == 0:
            continue
        x = xs[phase["offset"]]
        shapes.append(_vertical(x, COLOURS["phase"], 2, "solid"))
        annotations.append(
            _label(x, 0, f" {phase['label']}", colour=COLOURS["phase"], xanchor="left", yanchor="bottom", name="phase")
        )
    numbered = payload.get("annotation_markers") or _markers_of(payload["annotations"])
    plot_width = width - MARGIN["l"] - MARGIN["r"]
    row_height = LABEL_ROW / (height - MARGIN["t"] - MARGIN["b"])
    for marker, row in zip(numbered, label_rows(numbered, x_range(payload), plot_width), strict=True):
        number = _label(
            marker["x"], 0.035 + row * row_height, str(marker["number"]), yanchor="bottom", name="annotation"
        )
        # A number over a limit line stays readable; the line still shows through.
        annotations.append(number | {"bgcolor": "rgba(255, 255, 255, 0.8)"})
    spans = payload.get("withheld") or _spans_of(points)
    for span in spans:
        shapes.append(
            {
                "type": "rect",
                "xref": "x",
                "yref": "paper",
                "x0": span["x0"],
                "x1": span["x1"],
                "y0": 0,
                "y1": 1,
                "layer": "below",
                "fillcolor": COLOURS["withheld"],
                "line": {"width": 0},
            }
        )
        annotations.append(
            _label(
                _midpoint(span["x0"], span["x1"]),
                0.5,
                span["label"],
                boxed=True,
                name="suppressed",
                colour=COLOURS["suppressed"],
            )
        )
    if spans:
        annotations.append(
            {
                "name": "suppressed-key",
                "xref": "paper",
                "yref": "paper",
                "x": 0,
                "y": -0.32,
                "xanchor": "left",
                "yanchor": "top",
                "showarrow": False,
                "align": "left",
                "text": "<5 and n<5: fewer than 5 children; the value is not shown (shaded).",
                "font": {"size": 11, "color": COLOURS["suppressed"]},
            }
        )

    layout = {
        "width": width,
        "height": height,
        "margin": MARGIN,
        "font": {"family": FONT, "size": 12, "color": "#212529"},
        "paper_bgcolor": "#ffffff",
        "plot_bgcolor": "#ffffff",
        "xaxis": {
            "type": "date",
            "tickformat": "%d %b %Y" if payload.get("per_event") else "%b %Y",
            "showgrid": False,
            "range": x_range(payload),
            "linecolor": "#6c757d",
            "ticks": "outside",
        },
        "yaxis": {
            "title": {"text": _text(payload["y_title"])},
            "range": y_range(payload),
            "zeroline": False,
            "gridcolor": "#e9ecef",
            "linecolor": "#6c757d",
        },
        "yaxis2": {"overlaying": "y", "range": [0, 1], "visible": False, "fixedrange": True},
        "legend": {"orientation": "h", "x": 0, "y": -0.14, "yanchor": "top", "font": {"size": 11}},
        "showlegend": True,
        "shapes": shapes,
        "annotations": annotations,
    }
    return {"data": traces, "layout": layout}


def annotation_markers(payload: dict[str, Any]) -> dict | None:
    """The annotations as one triangle per date at the foot of the plot (on a hidden second
    axis from 0 to 1, whatever the data's scale), numbered above as the report lists them."""
    markers = payload.get("annotation_markers") or _markers_of(payload["annotations"])
    if not markers:
        return None
    return {
        "type": "scatter",
        "mode": "markers",
        "uid": "annotations",
        "x": [marker["x"] for marker in markers],
        "y": [0] * len(markers),
        "yaxis": "y2",
        "name": "Annotation",
        "cliponaxis": False,
        "hoverinfo": "skip",
        "marker": {
            "symbol": "triangle-up",
            "size": 11,
            "color": COLOURS["annotation"],
            "line": {"width": 1, "color": "#ffffff"},
        },
    }


def _markers_of(annotations: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Markers for a payload frozen before they were in it (a report issued earlier)."""
    from measures.charts import group_annotations  # noqa: PLC0415 - a copy: the frozen payload is left as it was

    return group_annotations([dict(note) for note in annotations])


def _spans_of(points: list[dict[str, Any]]) -> list[dict[str, Any]]:
    from measures.charts import withheld_spans  # noqa: PLC0415

    return withheld_spans(points)


def _midpoint(start: str, end: str) -> str:
    first, last = datetime.date.fromisoformat(start), datetime.date.fromisoformat(end)
    return (first + (last - first) / 2).isoformat()


def _vertical(x: str, colour: str, width: int, dash: str) -> dict:
    return {
        "type": "line",
        "xref": "x",
        "yref": "paper",
        "x0": x,
        "x1": x,
        "y0": 0,
        "y1": 1,
        "line": {"color": colour, "width": width, "dash": dash},
    }


def _label(
    x: str,
    y: float,
    text: str,
    *,
    name: str,
    colour: str = "#212529",
    boxed: bool = False,
    xanchor: str = "center",
    yanchor: str = "middle",
) -> dict:
    label = {
        "name": name,
        "x": x,
        "xref": "x",
        "yref": "paper",
        "y": y,
        "xanchor": xanchor,
        "yanchor": yanchor,
        "text": text,
        "showarrow": False,
        "font": {"size": 11, "color": colour},
    }
    if boxed:
        label |= {"bgcolor": "#ffffff", "bordercolor": COLOURS["annotation"], "borderwidth": 1}
    return label
