"""A report's chart is the web chart of the same data: drawn on the server (kaleido, chromium) from
the very payload the web page draws, with the same centre, limits and signal points, and with
small counts marked as withheld, never drawn as values."""

import datetime
import xml.etree.ElementTree as ET

import pytest

from governance.reports.charts import chart_svg
from measures.chart_figure import chart_figure
from measures.models import Measure
from measures.selectors import hide_small_counts, measure_chart_data
from tests.governance.reports_data import IMPROVING, START, outcome_measure
from tests.measures.factories import AnnotationFactory, TimescaleFactory, monthly_points

pytestmark = pytest.mark.django_db
SVG = "{http://www.w3.org/2000/svg}"
WIDTH, HEIGHT = 760, 340


def _plot_area(figure: dict) -> tuple[float, float]:
    margin = figure["layout"]["margin"]
    return WIDTH - margin["l"] - margin["r"], HEIGHT - margin["t"] - margin["b"]


def _value(y: float, figure: dict) -> float:
    low, high = figure["layout"]["yaxis"]["range"]
    return low + (1 - y / _plot_area(figure)[1]) * (high - low)


def _date(x: float, figure: dict) -> datetime.date:
    first, last = (datetime.date.fromisoformat(day) for day in figure["layout"]["xaxis"]["range"])
    return first + datetime.timedelta(days=round(x / _plot_area(figure)[0] * (last - first).days))


def _trace(root: ET.Element, uid: str) -> ET.Element:
    found = [g for g in root.iter(f"{SVG}g") if f"trace{uid}" in g.get("class", "").split()]
    assert len(found) == 1, f"no single trace {uid} in the SVG"
    return found[0]


def _line_values(root: ET.Element, uid: str, figure: dict) -> list[float]:
    path = next(_trace(root, uid).iter(f"{SVG}path"))
    points = path.get("d").lstrip("M").replace("L", " ").replace("H", " ").split()
    return [_value(float(point.split(",")[1]), figure) for point in points]


def _markers(root: ET.Element, uid: str, figure: dict) -> list[tuple[datetime.date, float]]:
    found = []
    for path in _trace(root, uid).iter(f"{SVG}path"):
        if path.get("class") == "point":
            x, y = path.get("transform").removeprefix("translate(").rstrip(")").split(",")
            found.append((_date(float(x), figure), _value(float(y), figure)))
    return found


def _close_dates(a: datetime.date, b: datetime.date) -> bool:
    return abs((a - b).days) <= 2


def test_the_report_chart_draws_the_web_payload(cast) -> None:
    measure = outcome_measure(cast.org)
    monthly_points(measure, IMPROVING, start=START)
    payload = measure_chart_data(measure).payload
    assert payload["chart"] == "xmr" and payload["signals"], "the data must give an XmR chart with signals"

    figure = chart_figure(payload, width=WIDTH, height=HEIGHT)
    root = ET.fromstring(chart_svg(payload, width=WIDTH, height=HEIGHT))
    low, high = figure["layout"]["yaxis"]["range"]
    tolerance = (high - low) / 200  # half a percent of the axis: well under a pixel's doubt

    phase = payload["phases"][0]
    for uid, expected in (
        ("centre-0", phase["centre"][0]),
        ("centre-extended-0", phase["centre"][-1]),
        ("ucl-0", phase["ucl"][0]),
        ("lcl-0", phase["lcl"][0]),
        ("target", payload["target"]),
    ):
        drawn = _line_values(root, uid, figure)
        assert drawn and all(abs(value - expected) < tolerance for value in drawn), (uid, drawn, expected)

    for kind, improvement in (("improvement", True), ("concern", False)):
        expected = [
            (datetime.date.fromisoformat(point["x"]), point["y"])
            for point in payload["points"]
            if point["signal"] and point["improvement"] is improvement
        ]
        drawn = _markers(root, f"points-{kind}", figure) if expected else []
        assert len(drawn) == len(expected), kind
        for (day, value), (drawn_day, drawn_value) in zip(expected, drawn, strict=True):
            assert _close_dates(day, drawn_day) and abs(value - drawn_value) < tolerance, (kind, day, drawn_day)

    ordinary = [point for point in payload["points"] if not point["signal"]]
    assert len(_markers(root, "points-normal", figure)) == len(ordinary)


def test_suppressed_points_are_marked_as_withheld_not_drawn(cast) -> None:
    timescale = TimescaleFactory(organisation=cast.org)
    measure = outcome_measure(
        cast.org,
        "Children waiting past the panel target",
        source=Measure.Source.DERIVED,
        timescale=timescale,
        derivation=Measure.Derivation.WAITING,
        chart=Measure.Chart.RUN,
        unit="children",
        target=None,
        baseline_points=None,
    )
    values = [12, 9, 3, 11, 2, 14, 10, 4, 8, 13, 7, 9]
    monthly_points(measure, values, start=START)
    payload = hide_small_counts(measure_chart_data(measure)).payload
    withheld = [point for point in payload["points"] if point.get("suppressed")]
    assert [point["x"] for point in withheld] == [
        point["x"] for point, value in zip(payload["points"], values, strict=True) if 1 <= value <= 4
    ]

    figure = chart_figure(payload, width=WIDTH, height=HEIGHT)
    root = ET.fromstring(chart_svg(payload, width=WIDTH, height=HEIGHT))
    labels = [text.text for text in root.iter(f"{SVG}text") if text.get("class") == "annotation-text"]
    assert labels.count("<5") == len(withheld)
    assert any(label.startswith("<5 and n<5: fewer than 5 children") for label in labels)
    # Only the values that may be shown are drawn as points: none of the withheld, none as 0.
    drawn = _markers(root, "points-normal", figure)
    assert len(drawn) == len(values) - len(withheld)
    shown = [(datetime.date.fromisoformat(p["x"]), p["y"]) for p in payload["points"] if not p.get("suppressed")]
    for (day, value), (drawn_day, drawn_value) in zip(shown, drawn, strict=True):
        assert _close_dates(day, drawn_day) and abs(value - drawn_value) < 0.1
    assert not any(abs(value) < 0.1 for _, value in drawn)


def _number_boxes(root: ET.Element) -> dict[str, tuple[float, float, float, float]]:
    """Each annotation number's text as drawn: left, right, top, bottom (px), from plotly's
    box around it less its padding."""
    boxes = {}
    for group in root.iter(f"{SVG}g"):
        if group.get("class") != "cursor-pointer":
            continue
        text, rect = group.find(f"{SVG}text"), group.find(f"{SVG}rect")
        if text is None or not (text.text or "").isdigit():
            continue
        x, y = (float(v) for v in group.get("transform").removeprefix("translate(").rstrip(")").split(","))
        width, height = float(rect.get("width")), float(rect.get("height"))
        boxes[text.text] = (x + 2, x + width - 2, y + 3, y + height - 2)
    return boxes


def test_the_numbers_of_annotations_days_apart_never_print_over_each_other(cast) -> None:
    measure = outcome_measure(cast.org)
    monthly_points(measure, IMPROVING, start=START)
    # Twelve dates a few days apart, as when a busy month of PDSA cycles is annotated.
    for number in range(12):
        AnnotationFactory(
            measure=measure, date=START + datetime.timedelta(days=300 + 6 * number), text=f"Cycle {number}"
        )
    payload = measure_chart_data(measure).payload
    root = ET.fromstring(chart_svg(payload, width=WIDTH, height=HEIGHT))
    boxes = _number_boxes(root)
    assert sorted(boxes, key=int) == [str(number) for number in range(1, 13)]
    for first, (left, right, top, bottom) in boxes.items():
        for second, (left2, right2, top2, bottom2) in boxes.items():
            if first < second:
                apart = right <= left2 or right2 <= left or bottom <= top2 or bottom2 <= top
                assert apart, f"annotation numbers {first} and {second} overlap"
    # Each number stays above its own marker, inside the plot.
    plot_top = chart_figure(payload, width=WIDTH, height=HEIGHT)["layout"]["margin"]["t"]
    assert all(top > plot_top for _, _, top, _ in boxes.values())


def test_a_figure_needs_data() -> None:
    with pytest.raises(ValueError, match="no data points"):
        chart_figure({"points": []})
